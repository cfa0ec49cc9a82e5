"""Caching, certificates, --check, timeouts and counterexamples of the verifier."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tamapy.verify import ProofStore, Status, verify_tree

LIB = '''from tamapy.fw import ensures, requires, u32


@requires(lambda x: x < 1000)
@ensures(lambda result, x: result == x + 1)
def succ(x: u32) -> u32:
    return x + 1


def twice(x: u32) -> u32:
    return succ(succ(x))


def other(y: u32) -> u32:
    return y // 2
'''


def _lib(project: Path, text: str = LIB) -> Path:
    path = project / "firmware" / "examples" / "lib.py"
    path.write_text(text)
    return path


def _verify(project: Path, path: Path) -> dict[str, bool]:
    store = ProofStore(project)
    report = verify_tree([path], "mcimx6ul-evk", workers=1, store=store)
    store.write(list(report.results))
    return {r.function.rsplit(".", 1)[1]: r.cached for r in report.results}


def test_unchanged_tree_reverifies_from_cache(project: Path) -> None:
    path = _lib(project)
    assert _verify(project, path) == {"other": False, "succ": False, "twice": False}
    assert _verify(project, path) == {"other": True, "succ": True, "twice": True}


def test_a_changed_verifier_reproves_everything(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Certificates from an encoder that reasoned differently are never reused, whatever the version."""
    from tamapy.verify import engine
    path = _lib(project)
    _verify(project, path)
    monkeypatch.setattr(engine, "VERIFIER_DIGEST", "0" * 64)
    assert _verify(project, path) == {"other": False, "succ": False, "twice": False}


def test_edited_body_reverifies_alone(project: Path) -> None:
    path = _lib(project)
    _verify(project, path)
    _lib(project, LIB.replace("return y // 2", "return y // 3"))
    assert _verify(project, path) == {"other": False, "succ": True, "twice": True}


def test_changed_contract_reverifies_callers(project: Path) -> None:
    path = _lib(project)
    _verify(project, path)
    _lib(project, LIB.replace("x < 1000", "x < 999"))
    assert _verify(project, path) == {"other": True, "succ": False, "twice": False}


def test_precondition_is_checked_at_each_call(project: Path) -> None:
    path = _lib(project)
    report = verify_tree([path], "mcimx6ul-evk", workers=1)
    failed = [o for o in report.obligations if o.status is Status.FAILED]
    # twice(x) with x unconstrained: the first call's pre-condition fails (line 11)
    assert [(o.category.value, o.span.line) for o in failed] == [("precondition", 11), ("precondition", 11)]
    cex = failed[0].counterexample
    assert cex is not None and dict(cex.arguments)["x"].split()[0].isdigit()
    assert int(dict(cex.raw_arguments)["x"]) >= 999


def test_check_fails_on_stale_certificates_and_writes_nothing(project: Path) -> None:
    path = _lib(project, LIB.replace("return succ(succ(x))", "return x"))
    run = [sys.executable, "-m", "tamapy", "verify", str(path)]
    assert subprocess.run(run, cwd=project, capture_output=True).returncode == 0
    certificate = project / "proofs" / "examples" / "lib.json"
    before = certificate.read_bytes()
    assert subprocess.run([*run, "--check"], cwd=project, capture_output=True).returncode == 0
    _lib(project, LIB.replace("return succ(succ(x))", "return x").replace("y // 2", "y // 4"))
    proc = subprocess.run([*run, "--check"], cwd=project, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "stale or missing certificate: examples.lib.other" in proc.stderr
    assert certificate.read_bytes() == before


def test_certificates_of_removed_code_are_named_then_deleted(project: Path) -> None:
    """No certificate outlives its code: a removed function's entry, a module left without
    functions and a deleted module fail --check, and verify deletes them."""
    path = _lib(project)
    other = project / "firmware" / "examples" / "extra.py"
    other.write_text("def gone() -> None:\n    pass\n")
    empty = project / "firmware" / "examples" / "data.py"
    empty.write_text("def soon_gone() -> None:\n    pass\n")
    run = [sys.executable, "-m", "tamapy", "verify", str(project / "firmware" / "examples")]
    subprocess.run(run, cwd=project, capture_output=True)
    proofs = project / "proofs" / "examples"
    assert {p.name for p in proofs.iterdir()} >= {"lib.json", "extra.json", "data.json"}
    _lib(project, LIB.replace("def other(y: u32) -> u32:\n    return y // 2\n", ""))
    other.unlink()
    empty.write_text("from typing import Final\n\nLIMIT: Final = 3\n")
    proc = subprocess.run([*run, "--check"], cwd=project, capture_output=True, text=True)
    assert proc.returncode == 1
    for name in ("examples.lib.other", "examples.extra.gone", "examples.data.soon_gone"):
        assert f"certificate of a function that no longer exists: {name}" in proc.stderr
    assert (proofs / "extra.json").is_file()  # --check writes nothing
    subprocess.run(run, cwd=project, capture_output=True)
    assert not (proofs / "extra.json").exists() and not (proofs / "data.json").exists()
    assert set(json.loads((proofs / "lib.json").read_text())["functions"]) == {"examples.lib.succ", "examples.lib.twice"}
    proc = subprocess.run([*run, "--check"], cwd=project, capture_output=True, text=True)
    assert "no longer exists" not in proc.stderr
    # Verifying one file leaves the certificates of the modules beside it alone.
    other.write_text("def back() -> None:\n    pass\n")
    subprocess.run(run, cwd=project, capture_output=True)
    subprocess.run([sys.executable, "-m", "tamapy", "verify", str(path)], cwd=project, capture_output=True)
    assert (proofs / "extra.json").is_file()


def _edit_certificate(project: Path, function: str, edit: Callable[[dict[str, Any]], None]) -> None:
    certificate = project / "proofs" / "examples" / "lib.json"
    doc = json.loads(certificate.read_text())
    edit(doc["functions"][function]["certificates"][0])
    certificate.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")


def _failed_to_proved(entry: dict[str, Any]) -> None:
    for o in entry["obligations"]:
        o["status"] = "proved"
        o.pop("counterexample", None)


def _drop_obligation(entry: dict[str, Any]) -> None:
    entry["obligations"].pop()


def _forged_digest(entry: dict[str, Any]) -> None:
    entry["digest"] = "0" * 64


@pytest.mark.parametrize("edit", [_failed_to_proved, _drop_obligation, _forged_digest])
def test_check_detects_a_certificate_edited_by_hand(project: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """A failed proof turned "proved" in proofs/ must not pass the merge gate, nor be reused."""
    path = _lib(project)  # twice() fails its pre-conditions
    run = [sys.executable, "-m", "tamapy", "verify", str(path)]
    assert subprocess.run(run, cwd=project, capture_output=True).returncode == 1
    _edit_certificate(project, "examples.lib.twice", edit)
    proc = subprocess.run([*run, "--check"], cwd=project, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "altered after it was written (digest mismatch) certificate: examples.lib.twice" in proc.stderr
    assert "examples.lib.succ" not in proc.stderr  # untouched entries still count
    store = ProofStore(project)
    report = verify_tree([path], "mcimx6ul-evk", workers=1, store=store)
    assert store.altered == ["examples.lib.twice"]
    twice = next(r for r in report.results if r.function == "examples.lib.twice")
    assert not twice.cached and {o.status for o in twice.obligations} == {Status.FAILED}


def test_certificates_are_stable_json(project: Path) -> None:
    path = _lib(project, LIB.replace("return succ(succ(x))", "return x"))
    _verify(project, path)
    certificate = project / "proofs" / "examples" / "lib.json"
    first = certificate.read_bytes()
    _verify(project, path)
    assert certificate.read_bytes() == first
    doc = json.loads(first)
    (certificate_entry,) = doc["functions"]["examples.lib.other"]["certificates"]
    assert certificate_entry["boards"] == ["mcimx6ul-evk"]
    obligation = certificate_entry["obligations"][0]
    assert set(obligation) >= {"id", "category", "span", "status", "solver", "time"}
    assert obligation["span"]["file"] == "firmware/examples/lib.py"


def test_timeout_is_unknown_never_proved(project: Path) -> None:
    hard = '''from tamapy.fw import requires, u64


@requires(lambda a, b: a > 0 and b > 0 and a < (1 << 31) and b < (1 << 31))
def irrational(a: u64, b: u64) -> None:
    assert a * a != 2 * b * b
'''
    path = _lib(project, hard)
    proc = subprocess.run(
        [sys.executable, "-m", "tamapy", "verify", str(path), "--timeout", "0.001", "--json", "out.json"],
        cwd=project, capture_output=True, text=True,
    )
    assert proc.returncode == 1
    statuses = [o["status"] for f in json.loads((project / "out.json").read_text())["functions"] for o in f["obligations"]]
    assert "unknown" in statuses and "failed" not in statuses
    assert "unknown[assert]" in proc.stderr


def test_certificates_do_not_depend_on_location_or_hash_seed(project: Path, tmp_path: Path) -> None:
    """A checkout elsewhere, verified under another PYTHONHASHSEED, accepts the same certificates."""
    import os
    import shutil

    run = [sys.executable, "-m", "tamapy", "verify", "firmware/runtime"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    assert subprocess.run(run, cwd=project, env=env, capture_output=True).returncode == 0
    other = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(project, other)
    env["PYTHONHASHSEED"] = "1"
    proc = subprocess.run([*run, "--check"], cwd=other, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
