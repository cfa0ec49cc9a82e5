"""SARIF, JUnit and SMT-LIB2 writers on hand-made reports: unknowns, columns, rules, determinism, stale files."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tamapy.diagnostics import TamapyError
from tamapy.lang.ir import Span
from tamapy.verify import Report
from tamapy.verify.engine import FunctionResult
from tamapy.verify.locations import source_uri
from tamapy.verify.obligation import Category, Counterexample, Obligation, Status
from tamapy.verify.outputs import OutputOptions, export_smt2, junit_xml, sarif_log, write_outputs

from .conftest import tamapy

SOURCE = 'from tamapy.fw import u8\n\n\ndef f(a: u8) -> u8:\n    x = "é"; return a + 1\n'
"""Line 5 has a two-byte character before the failing expression."""


def _report(root: Path) -> Report:
    (root / "firmware" / "m").mkdir(parents=True)
    src = root / "firmware" / "m" / "mod.py"
    src.write_text(SOURCE, encoding="utf-8")
    col = SOURCE.splitlines()[4].encode().index(b"a + 1") + 1
    span = Span(str(src), 5, col, 5, col + 5)
    cex = Counterexample((("a", "255"),), (), (), (), (("a", 255),))
    obligations = (
        Obligation("m.mod.f:range:5:1:1", Category.RANGE, "m.mod.f", span, "result may not fit u8 (0..255)",
                   Status.FAILED, 0.25, "z3", cex, "(set-logic ALL)\n(check-sat)\n"),
        Obligation("m.mod.f:index:5:1:1", Category.INDEX, "m.mod.f", span, "index may be out of bounds",
                   Status.UNKNOWN, 10.0, "z3", None, "(set-logic ALL)\n(check-sat)\n"),
        Obligation("m.mod.f:assert:5:1:1", Category.ASSERT, "m.mod.f", span, "assertion may fail",
                   Status.PROVED, 0.01, "z3", None, "(set-logic ALL)\n(check-sat)\n"),
        Obligation("m.mod.f:stack", Category.STACK, "m.mod.f", span, "stack", Status.PROVED, 0.0, "tamapy"),
    )
    return Report((FunctionResult("m.mod.f", "m.mod", "key", obligations),), ())


def test_sarif_levels_columns_and_schema(tmp_path: Path, sarif_validator: jsonschema.protocols.Validator) -> None:
    log = sarif_log(_report(tmp_path), tmp_path)
    assert list(sarif_validator.iter_errors(log)) == []
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("range", "error"), ("index", "warning")]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    line = SOURCE.splitlines()[4]
    assert region["startColumn"] == line.index("a + 1") + 1  # code points, not UTF-8 bytes
    assert region["endColumn"] == region["startColumn"] + 5
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "firmware/m/mod.py"
    assert "a = 255" in results[0]["message"]["text"]
    assert "timeout" in results[1]["message"]["text"]
    assert log["runs"][0]["properties"]["totals"] == {"proved": 2, "failed": 1, "unknown": 1}


def test_a_sarif_rule_per_category_in_enum_order(tmp_path: Path) -> None:
    rules = sarif_log(_report(tmp_path), tmp_path)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [c.value for c in Category]
    assert [r["shortDescription"]["text"] for r in rules] == [c.description for c in Category]
    assert all(c.description.endswith(".") for c in Category)


def test_schema_validation_has_teeth(tmp_path: Path, sarif_validator: jsonschema.protocols.Validator) -> None:
    """The validator rejects logs that break the schema, so a clean pass means something."""
    log = sarif_log(_report(tmp_path), tmp_path)
    broken: list[dict[str, Any]] = [copy.deepcopy(log) for _ in range(3)]
    broken[0]["runs"][0]["results"][0]["level"] = "fatal"
    broken[1]["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    broken[2]["runs"][0]["tool"]["driver"]["extra"] = 1
    for doc in broken:
        assert list(sarif_validator.iter_errors(doc))


def test_junit_unknown_is_an_error(tmp_path: Path) -> None:
    root = ET.fromstring(junit_xml(_report(tmp_path), tmp_path))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "m.mod"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["m.mod.f:range:5:1:1"].find("failure") is not None
    error = cases["m.mod.f:index:5:1:1"].find("error")
    assert error is not None and error.get("message") == "index may be out of bounds"
    assert cases["m.mod.f:assert:5:1:1"].find("failure") is None
    assert cases["m.mod.f:range:5:1:1"].get("time") == "0.2500"


def test_outputs_are_deterministic(tmp_path: Path) -> None:
    report = _report(tmp_path)
    first = json.dumps(sarif_log(report, tmp_path), indent=1, sort_keys=True)
    assert json.dumps(sarif_log(report, tmp_path), indent=1, sort_keys=True) == first
    assert junit_xml(report, tmp_path) == junit_xml(report, tmp_path)


def test_smt2_index_and_stale_scripts(tmp_path: Path) -> None:
    report = _report(tmp_path)
    out = tmp_path / "smt"
    export_smt2(report, out, tmp_path)
    index = json.loads((out / "index.json").read_text())
    assert sorted(index["files"]) == ["m.mod.f/m.mod.f_assert_5_1_1.smt2", "m.mod.f/m.mod.f_index_5_1_1.smt2",
                                      "m.mod.f/m.mod.f_range_5_1_1.smt2"]
    assert index["without_script"] == ["m.mod.f:stack"]
    keep = out / "notes.txt"
    keep.write_text("mine")
    result = report.results[0]
    fewer = Report((FunctionResult(result.function, result.module, result.key, result.obligations[:1]),), ())
    export_smt2(fewer, out, tmp_path)
    assert sorted(p.name for p in (out / "m.mod.f").iterdir()) == ["m.mod.f_range_5_1_1.smt2"]
    assert keep.read_text() == "mine"


def test_output_directory_must_be_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("")
    with pytest.raises(TamapyError, match="E611"):
        write_outputs(_report(tmp_path), OutputOptions(smt2=target), tmp_path)


def test_source_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "firmware").mkdir()
    (tmp_path / "firmware" / "a.py").write_text("")
    monkeypatch.chdir(tmp_path / "firmware")
    assert source_uri("a.py", tmp_path) == "firmware/a.py"  # relative to the working directory of the run
    assert source_uri(str(tmp_path / "firmware" / "a.py"), tmp_path) == "firmware/a.py"
    monkeypatch.chdir(tmp_path)
    assert source_uri("firmware/a.py", tmp_path) == "firmware/a.py"
    assert source_uri("gone/b.py", tmp_path) == "gone/b.py"


def test_cli_writes_sarif_and_junit_for_proved_code(project: Path, sarif_validator: jsonschema.protocols.Validator) -> None:
    proc = tamapy(project, "verify", "firmware/runtime/panic.py", "--sarif", "out/v.sarif", "--junit", "out/v.xml")
    assert proc.returncode == 0, proc.stderr
    log = json.loads((project / "out" / "v.sarif").read_text())
    assert list(sarif_validator.iter_errors(log)) == []
    assert log["runs"][0]["results"] == []
    root = ET.parse(project / "out" / "v.xml").getroot()
    assert root.get("failures") == "0" and root.get("errors") == "0" and int(root.get("tests", "0")) > 0
