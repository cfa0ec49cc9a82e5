"""End to end: ``tamapy verify FILE`` with every output, on each buggy program.

Each program is verified once (with ``--json`` as the reference, SARIF,
JUnit, SMT-LIB2, the cvc5 re-check and replays); the tests then check each
output against the JSON, and run the replays in a fresh CPython to confirm
every counterexample is a real failure.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .conftest import run_pytest, tamapy
from .programs import PROGRAMS, Program

SRC = "firmware/examples/bugs"


@dataclass(frozen=True)
class Run:
    program: Program
    project: Path
    out: Path
    returncode: int
    stderr: str
    doc: dict[str, Any]
    """The ``--json`` report."""

    @property
    def obligations(self) -> list[dict[str, Any]]:
        return [o for f in self.doc["functions"] for o in f["obligations"]]

    def failed(self) -> list[dict[str, Any]]:
        return [o for o in self.obligations if o["status"] == "failed"]


@pytest.fixture(scope="module", params=PROGRAMS, ids=lambda p: p.name)
def run(request: pytest.FixtureRequest, bugs_project: Path) -> Run:
    program: Program = request.param
    out = bugs_project / "out" / program.name
    proc = tamapy(bugs_project, "verify", f"{SRC}/{program.name}.py", "--jobs", "2", "--timeout", "30",
                  "--json", str(out / "v.json"), "--sarif", str(out / "v.sarif"), "--junit", str(out / "v.xml"),
                  "--smt2", str(out / "smt2"), "--replay", str(out / "replay"), "--recheck", "cvc5")
    assert "internal error" not in proc.stderr, proc.stderr
    doc = json.loads((out / "v.json").read_text())
    return Run(program, bugs_project, out, proc.returncode, proc.stderr, doc)


def test_verifier_reports_the_bugs(run: Run) -> None:
    failed = {(o["id"].split(":")[0].rsplit(".", 1)[1], o["category"]) for o in run.failed()}
    assert failed == run.program.failures
    assert run.returncode == 1


def test_sarif_is_valid_and_matches_the_report(run: Run, sarif_validator: jsonschema.protocols.Validator) -> None:
    log = json.loads((run.out / "v.sarif").read_text())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator.iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    sarif_run = log["runs"][0]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "tamapy" and driver["version"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert "range" in rule_ids and len(rule_ids) == len(set(rule_ids))
    assert all(r["shortDescription"]["text"] for r in driver["rules"])
    assert sarif_run["properties"]["totals"] == run.doc["totals"]
    not_proved = [o for o in run.obligations if o["status"] != "proved"]
    results = sarif_run["results"]
    assert [r["properties"]["obligation"] for r in results] == [o["id"] for o in not_proved]
    for r, o in zip(results, not_proved, strict=True):
        assert r["ruleId"] == o["category"] and rule_ids[r["ruleIndex"]] == o["category"]
        assert r["level"] == {"failed": "error", "unknown": "warning"}[o["status"]]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": f"{SRC}/{run.program.name}.py", "uriBaseId": "%SRCROOT%"}
        span = o["span"]
        assert loc["region"] == {"startLine": span["line"], "startColumn": span["col"],
                                 "endLine": span["end_line"], "endColumn": span["end_col"]}
        assert o["message"] in r["message"]["text"]
        if "counterexample" in o:
            first = next(iter(o["counterexample"]["arguments"].items()), None)
            if first is not None:
                assert f"{first[0]} = {first[1]}" in r["message"]["text"]


def test_junit_counts_and_cases(run: Run) -> None:
    root = ET.parse(run.out / "v.xml").getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"examples.bugs.{run.program.name}"]
    cases = [c for s in suites for c in s.findall("testcase")]
    assert [c.get("name") for c in cases] == [o["id"] for o in run.obligations]
    by_id = {o["id"]: o for o in run.obligations}
    for case in cases:
        o = by_id[case.get("name", "")]
        assert case.get("classname") == o["id"].split(":")[0]
        assert float(case.get("time", "x")) >= 0
        failures, errors = case.findall("failure"), case.findall("error")
        assert len(failures) == (o["status"] == "failed")
        assert len(errors) == (o["status"] == "unknown")
        for f in failures:
            assert f.get("message") == o["message"] and f.get("type") == o["category"]
            arguments = o.get("counterexample", {}).get("arguments", {})
            assert all(f"{k} = {v}" in (f.text or "") for k, v in arguments.items())
    totals = run.doc["totals"]
    for element in (root, *suites):
        assert element.get("tests") == str(sum(totals.values()))
        assert element.get("failures") == str(totals["failed"])
        assert element.get("errors") == str(totals["unknown"])


def test_smt2_export(run: Run) -> None:
    index = json.loads((run.out / "smt2" / "index.json").read_text())
    assert index["format"] == "tamapy-smt2-1"
    files = index["files"]
    assert sorted(e["id"] for e in files.values()) == sorted(o["id"] for o in run.obligations)
    by_id = {o["id"]: o for o in run.obligations}
    for rel, entry in files.items():
        o = by_id[entry["id"]]
        assert (entry["category"], entry["status"]) == (o["category"], o["status"])
        function = o["id"].split(":")[0]
        assert rel.startswith(f"{function}/") and rel.endswith(".smt2")
        assert re.fullmatch(r"[A-Za-z0-9_.\-/]+", rel)
        text = (run.out / "smt2" / rel).read_text()
        assert text.startswith("(set-logic ALL)") and text.rstrip().endswith("(check-sat)")


def test_cvc5_agrees_with_z3(run: Run) -> None:
    n = len(run.obligations)
    assert f"cvc5 recheck: {n} obligations: {n} agree with z3, 0 disagree" in run.stderr
    assert "recheck[" not in run.stderr


def test_replays_reproduce_in_cpython(run: Run) -> None:
    program = run.program
    index = json.loads((run.out / "replay" / "index.json").read_text())
    files = sorted(p.name for p in (run.out / "replay").glob("test_replay_*.py"))
    assert sorted(index["replays"]) == files
    assert len(files) == program.replays + program.skipped_replays
    replayed = {e["id"] for e in index["replays"].values()} | {s["id"] for s in index["skipped"]}
    assert replayed == {o["id"] for o in run.failed()}
    for s in index["skipped"]:
        assert s["reason"]
    if not files:
        return
    proc = run_pytest(run.out / "replay")
    summary = proc.stdout.strip().splitlines()[-1]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(rf"\b{program.replays} passed\b", summary) or program.replays == 0, summary
    skipped = re.search(r"(\d+) skipped", summary)
    assert (int(skipped.group(1)) if skipped else 0) == program.skipped_replays, summary
    assert "failed" not in summary and "error" not in summary, summary
