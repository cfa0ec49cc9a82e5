"""``tamapy gate`` on a real repository: one commit per kind of change, each gated against the
base, asserting the findings and the exit status."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tamapy.cli import main
from tamapy.verify import ProofStore
from tamapy.verify.store import entry_digest
from tests.gate.conftest import APP, BOARD, git

MAIN = f"{APP}/main.py"
TRUSTED = '''

@trusted("reads the boot ROM's version word (fixed, read-only)", modifies=())
def rom_version() -> u32:
    return mmio.read32(0x00000048)
'''


def commit(repo: Path, branch: str, edits: dict[str, tuple[str, str]], *, start: str = "base") -> None:
    """A branch from ``start`` with one commit replacing ``old`` by ``new`` in each file."""
    git(repo, "checkout", "-q", "-B", branch, start)
    for rel, (old, new) in edits.items():
        path = repo / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))
    git(repo, "commit", "-qam", branch)


def gate(repo: Path, cache: Path, head: str, *extra: str, base: str = "base",
         monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(repo)
    out = repo.parent / f"{repo.name}-{head}.json"
    status = main(["gate", base, head, "--app", APP, "--board", BOARD, "--cache", str(cache), "--json", str(out),
                   *extra])
    return status, json.loads(out.read_text()) if status != 2 else {}


def kinds(doc: dict[str, Any]) -> set[str]:
    return {f["kind"] for f in doc["findings"]}


def of_kind(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["kind"] == kind]


def test_harmless_refactor_passes_without_findings(repo: Path, proof_cache: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, "rename", {MAIN: ("value: u32 = digit(12345)\n    console.write_dec(scale(value))",
                                   "digits: u32 = digit(12345)\n    console.write_dec(scale(digits))")})
    status, doc = gate(repo, proof_cache, "rename", monkeypatch=monkeypatch)
    assert (status, doc["findings"], doc["violations"]) == (0, [], [])
    assert doc["format"] == "tamapy-gate/1" and doc["summary"] == "PASS; 0 findings"
    assert doc["base"]["commit"] == git(repo, "rev-parse", "base").strip()


def test_moved_code_keeps_every_obligation(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines shift (ids and messages carry line numbers): obligations still match, by key."""
    commit(repo, "moved", {MAIN: ("from runtime import console\n", "# moved down by three lines\n\n\n"
                                  "from runtime import console\n")})
    status, doc = gate(repo, proof_cache, "moved", monkeypatch=monkeypatch)
    assert status == 0
    assert not [f for f in doc["findings"] if f["kind"].startswith(("obligation", "contract"))]


def test_weakened_ensures_is_a_finding_and_fails_a_strict_policy(repo: Path, proof_cache: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    weaken = {MAIN: ("result < 10)", "result < 100)")}
    commit(repo, "weaken", weaken)
    status, doc = gate(repo, proof_cache, "weaken", monkeypatch=monkeypatch)
    [changed] = of_kind(doc, "contract-changed")
    assert (changed["subject"], changed["before"], changed["after"]) == (
        "examples.gatecheck.main.digit", "result < 10", "result < 100")
    assert (changed["file"], changed["line"]) == (MAIN, 8)
    assert status == 0  # the callers still prove: a change for review, not a failure by default

    commit(repo, "strict", {"pyproject.toml": ("[tool.importlinter]", "[tool.tamapy.gate]\n"
                                               "forbid_contract_weakening = true\n\n[tool.importlinter]")})
    commit(repo, "weaken-strict", weaken, start="strict")
    status, doc = gate(repo, proof_cache, "weaken-strict", base="strict", monkeypatch=monkeypatch)
    assert status == 1
    assert [v["rule"] for v in doc["violations"]] == ["contract-weakening"]


def test_removed_requires_fails_the_callee(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, "unrequire", {MAIN: ("@requires(lambda n: n < 100)\n", "")})
    status, doc = gate(repo, proof_cache, "unrequire", monkeypatch=monkeypatch)
    assert status == 1
    [removed] = of_kind(doc, "contract-removed")
    assert (removed["subject"], removed["before"]) == ("examples.gatecheck.main.scale", "n < 100")
    [unproved] = of_kind(doc, "unproved")
    assert unproved["subject"] == "examples.gatecheck.main.scale" and unproved["introduced"]
    assert {"obligation-status", "unproved"} <= kinds(doc)
    assert [v["rule"] for v in doc["violations"]] == ["unproved"]


def test_proof_regression_fails(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, "regress", {MAIN: ("return x % 10", "return x % 11")})
    status, doc = gate(repo, proof_cache, "regress", monkeypatch=monkeypatch)
    assert status == 1
    [changed] = of_kind(doc, "obligation-status")
    assert (changed["subject"], changed["before"], changed["after"]) == (
        "examples.gatecheck.main.digit", "proved", "failed")
    assert changed["message"].startswith("postcondition")


def test_a_forged_certificate_is_not_evidence(repo: Path, proof_cache: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The regression of the test above, with its certificate hand-edited to "proved" and its
    digest recomputed: the certificate store accepts it, the gate proves again and fails."""
    commit(repo, "forged", {MAIN: ("return x % 10", "return x % 11")})
    subprocess.run([sys.executable, "-m", "tamapy", "verify", APP, "--board", BOARD, "--cache", str(tmp_path / "c")],
                   cwd=repo, capture_output=True, check=False, env=_env())
    cert = repo / "proofs/examples/gatecheck/main.json"
    doc = json.loads(cert.read_text())
    for name, entry in doc["functions"].items():
        for c in entry["certificates"]:
            for o in c["obligations"]:
                o["status"] = "proved"
            c["digest"] = entry_digest(name, c["key"], c["obligations"], c["boards"])
    cert.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    store = ProofStore(repo)
    assert any(name == "examples.gatecheck.main.digit" for name, _ in store.cached()) and not store.altered
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "forged certificate")
    status, gated = gate(repo, proof_cache, "forged", monkeypatch=monkeypatch)
    assert status == 1
    assert [v["rule"] for v in gated["violations"]] == ["unproved"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}


def add_trusted(repo: Path, branch: str, start: str = "base") -> None:
    """A branch adding a trusted function to the application, and a call of it."""
    commit(repo, branch, {MAIN: ("from tamapy.fw import ensures, requires, u32\n",
                                 "from tamapy.fw import ensures, mmio, requires, trusted, u32\n" + TRUSTED)},
           start=start)
    path = repo / MAIN
    path.write_text(path.read_text().replace("    console.newline()\n", "    console.write_dec(rom_version())\n"
                                             "    console.newline()\n"))
    git(repo, "commit", "-qam", "call it")


def test_trusted_code_needs_an_approval_of_its_exact_source(repo: Path, proof_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    add_trusted(repo, "trusted")
    path = repo / MAIN
    status, doc = gate(repo, proof_cache, "trusted", monkeypatch=monkeypatch)
    [added] = of_kind(doc, "trusted-added")
    lines = path.read_bytes().splitlines(keepends=True)[added["line"] - 1:added["end_line"]]
    assert lines[0].startswith(b"@trusted(") and lines[-1].strip() == b"return mmio.read32(0x00000048)"
    assert added["after"] == hashlib.sha256(b"".join(lines)).hexdigest()
    assert status == 1 and [v["rule"] for v in doc["violations"]] == ["trusted-unapproved"]
    assert doc["tcb_lines"]["growth"] == added["end_line"] - added["line"]  # the body's lines, decorator not counted

    (repo / "proofs/approvals.toml").write_text(
        f'[[approval]]\nfunction = "examples.gatecheck.main.rom_version"\nsha256 = "{added["after"]}"\n'
        'by = "reviewer"\nreason = "a fixed ROM word; read-only"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "approve")
    status, doc = gate(repo, proof_cache, "trusted", monkeypatch=monkeypatch)
    assert status == 0, doc["violations"]
    assert [a["by"] for a in doc["approvals_added"]] == ["reviewer"]
    assert "approval-added" in kinds(doc)


def test_spec_change(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, "spec", {"specs/soc/imx6ul/uart.toml": ('description = "i.MX UART (imx21 style), 32-entry TX/RX FIFOs"',
                                                         'description = "i.MX UART, 32-entry FIFOs"')})
    status, doc = gate(repo, proof_cache, "spec", monkeypatch=monkeypatch)
    [spec] = of_kind(doc, "spec-changed")
    assert spec["subject"] == "specs/soc/imx6ul/uart.toml" and spec["before"] != spec["after"]
    assert status == 0


def test_reports(repo: Path, proof_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 sarif_validator: jsonschema.protocols.Validator) -> None:
    commit(repo, "reports", {MAIN: ("@requires(lambda n: n < 100)\n", "")})
    files = {k: tmp_path / f"gate.{k}" for k in ("markdown", "sarif", "junit")}
    status, _ = gate(repo, proof_cache, "reports", *(a for k, p in files.items() for a in (f"--{k}", str(p))),
                     monkeypatch=monkeypatch)
    assert status == 1
    assert files["markdown"].read_text().startswith("❌ **tamapy gate: FAIL: 1 policy violation (unproved: 1)")
    log = json.loads(files["sarif"].read_text())
    sarif_validator.validate(log)
    results = log["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["contract-removed", "range"]  # nothing BASE had already
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == MAIN for r in results)
    junit = files["junit"].read_text()
    assert '<testcase classname="policy" name="unproved">' in junit and "<failure" in junit


def test_bad_input_exits_2(repo: Path, proof_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["gate", "base"]) == 2
    assert "error[E800]" in capsys.readouterr().err
    monkeypatch.chdir(repo)
    assert main(["gate", "no-such-ref", "base", "--cache", str(proof_cache)]) == 2
    assert "error[E801]" in capsys.readouterr().err
    commit(repo, "bad-policy", {"pyproject.toml": ("[tool.importlinter]", "[tool.tamapy.gate]\n"
                                                   "max_tcb_lines = \"many\"\n\n[tool.importlinter]")})
    assert main(["gate", "bad-policy", "base", "--app", APP, "--board", BOARD, "--cache", str(proof_cache)]) == 2
    err = capsys.readouterr().err
    line = 1 + (repo / "pyproject.toml").read_text().splitlines().index('max_tcb_lines = "many"')
    assert f"pyproject.toml:{line}:1: error[E803]: `max_tcb_lines` must be a non-negative integer" in err


def test_the_work_tree_is_head_by_default(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncommitted edits are gated, and the gate's cache inside the work tree is not copied."""
    git(repo, "checkout", "-q", "-B", "work", "base")
    (repo / MAIN).write_text((repo / MAIN).read_text().replace("return x % 10", "return x % 11"))
    (repo / ".tamapy/gate-cache").mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(repo)
    out = repo.parent / "work.json"
    assert main(["gate", "base", "--app", APP, "--board", BOARD, "--cache", str(proof_cache), "--json", str(out)]) == 1
    doc = json.loads(out.read_text())
    assert doc["head"] == {"ref": "WORKTREE", "commit": None}
    assert [f["subject"] for f in of_kind(doc, "unproved")] == ["examples.gatecheck.main.digit"]
    git(repo, "checkout", "-q", "--", MAIN)


def test_a_new_register_write_is_called_out(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tune = ('\n\n@requires(lambda: clock_enabled(port.PORT))\ndef tune() -> None:\n'
            '    port.PORT.UBIR.write(INC=15)\n')
    commit(repo, "register", {MAIN: ("from tamapy.fw import ensures, requires, u32\n",
                                     "from board import console as port\nfrom tamapy.fw import clock_enabled, "
                                     "ensures, requires, u32\n" + tune)})
    path = repo / MAIN
    path.write_text(path.read_text().replace("    console.newline()\n", "    tune()\n    console.newline()\n"))
    git(repo, "commit", "-qam", "call it")
    status, doc = gate(repo, proof_cache, "register", monkeypatch=monkeypatch)
    assert status == 0, doc["violations"]
    subject = "examples.gatecheck.main.tune: UART[UART2].UBIR"
    assert [(f["subject"], f["after"]) for f in of_kind(doc, "register-write-added")] == [(subject, "write")]
    assert [f["subject"] for f in of_kind(doc, "register-added")] == [subject]
    assert "image-changed" in kinds(doc) and "obligation-added" in kinds(doc)


def test_max_tcb_lines_and_a_policy_change(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BASE's policy applies: HEAD relaxing it is reported, and does not help."""
    commit(repo, "capped", {"pyproject.toml": ("[tool.importlinter]", "[tool.tamapy.gate]\nmax_tcb_lines = 1\n"
                                               "require_approval_for_trusted = false\n\n[tool.importlinter]")})
    add_trusted(repo, "over-cap", start="capped")
    path = repo / "pyproject.toml"
    path.write_text(path.read_text().replace("max_tcb_lines = 1", "max_tcb_lines = 500"))
    git(repo, "commit", "-qam", "relax")
    status, doc = gate(repo, proof_cache, "over-cap", base="capped", monkeypatch=monkeypatch)
    assert status == 1
    assert [v["message"] for v in doc["violations"]] == ["2 trusted lines exceed max_tcb_lines = 1"]
    assert doc["tcb_lines"] == {"base": 0, "head": 2, "growth": 2}
    assert "policy-changed" in kinds(doc) and doc["policy"]["max_tcb_lines"] == 1
    # The image's stack bounds are matched by their ids (their messages name the deepest chain).
    assert not [f for f in doc["findings"] if f["subject"] == "<image>"]


def test_a_head_that_does_not_build_fails(repo: Path, proof_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, "broken", {MAIN: ("return x % 10", "return x % 10.5")})
    status, doc = gate(repo, proof_cache, "broken", monkeypatch=monkeypatch)
    assert status == 1 and [v["rule"] for v in doc["violations"]] == ["build"]
    [broken] = of_kind(doc, "head-unbuildable")
    assert broken["message"].startswith(f"HEAD does not build: {MAIN}:")


def test_a_contract_whose_named_constant_changes_is_a_change(repo: Path, proof_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """``result < LIMIT`` keeps its text when ``LIMIT`` goes from 10 to 100, but not its meaning."""
    commit(repo, "named-limit", {MAIN: ("from tamapy.fw import ensures, requires, u32\n",
                                        "from typing import Final\n\nfrom tamapy.fw import ensures, requires, u32\n\n"
                                        "LIMIT: Final = 10\n")})
    commit(repo, "named-limit", {MAIN: ("result < 10)", "result < LIMIT)")}, start="named-limit")
    git(repo, "tag", "-f", "named-limit-base")
    commit(repo, "limit-100", {MAIN: ("LIMIT: Final = 10\n", "LIMIT: Final = 100\n")}, start="named-limit-base")
    status, doc = gate(repo, proof_cache, "limit-100", base="named-limit-base", monkeypatch=monkeypatch)
    [changed] = of_kind(doc, "contract-changed")
    assert (changed["subject"], changed["before"], changed["after"]) == (
        "examples.gatecheck.main.digit", "result < LIMIT", "result < LIMIT")
    assert "changed meaning" in changed["message"]
    assert status == 0
