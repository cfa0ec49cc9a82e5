"""The verdict names every reason: unproved obligations, an unverified build, stale, altered and
missing certificates, no attestation."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import BOARD, Audited, audit_in, copy_project, tamapy


def test_selftest_is_proved_but_not_shippable_without_an_attestation(selftest: Audited) -> None:
    verdict = selftest.audit["verdict"]
    assert verdict == {"shippable": False, "summary": "not shippable: no attestation checked (pass --envelope and --key)",
                       "reasons": ["no attestation checked (pass --envelope and --key)"]}
    assert {f["certificate"] for f in selftest.audit["proofs"]["by_function"]} == {"current"}


def test_an_unproved_obligation_is_named(bad: Audited) -> None:
    reasons = bad.audit["verdict"]["reasons"]
    assert bad.audit["verdict"]["shippable"] is False
    assert reasons[0] == "1 obligation unproved (examples.bad.main.main: dma)"
    assert "unverified build" in reasons
    [u] = bad.audit["proofs"]["unproved"]
    assert (u["file"], u["line"], u["col"], u["status"]) == ("firmware/examples/bad/main.py", 9, 5, "failed")
    assert bad.audit["verdict"]["summary"].startswith("not shippable: 1 obligation unproved")


def test_a_new_function_without_a_certificate_is_named(regs: Audited) -> None:
    assert "missing certificate: proofs/examples/regs/main.json" in regs.audit["verdict"]["reasons"]
    states = {f["function"]: f["certificate"] for f in regs.audit["proofs"]["by_function"]}
    assert states["examples.regs.main.timer"] == "missing"
    assert states["runtime.console.init"] == "current"


def test_a_changed_body_makes_its_certificate_stale(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "proj")
    source = project / "firmware" / "runtime" / "hexcodec.py"
    old = "    return NOT_HEX\n"
    assert source.read_text().count(old) == 1
    source.write_text(source.read_text().replace(old, "    missing: u32 = NOT_HEX\n    return missing\n"))
    audit = audit_in(project, "selftest", tmp_path / "out")
    assert "stale certificate: proofs/runtime/hexcodec.json" in audit["verdict"]["reasons"]
    states = {f["function"]: f["certificate"] for f in audit["proofs"]["by_function"]}
    assert states["runtime.hexcodec.digit"] == "stale"
    assert audit["proofs"]["totals"]["failed"] == 0  # proved again, but not from a certificate
    check = tamapy(project, "verify", "--check", "firmware/", "--board", BOARD)  # what the merge gate says
    prefix = "stale or missing certificate: "
    flagged = {line.removeprefix(prefix) for line in check.stderr.splitlines() if line.startswith(prefix)}
    assert check.returncode == 1 and "runtime.hexcodec.digit" in flagged
    assert {f for f, state in states.items() if state != "current"} == flagged & set(states)


def test_an_edited_certificate_is_stale(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "proj")
    cert = project / "proofs" / "runtime" / "hexcodec.json"
    doc = json.loads(cert.read_text())
    name = sorted(doc["functions"])[0]
    doc["functions"][name]["certificates"][0]["obligations"][0]["message"] = "edited by hand"
    cert.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    audit = audit_in(project, "selftest", tmp_path / "out")
    assert "stale certificate: proofs/runtime/hexcodec.json" in audit["verdict"]["reasons"]
    states = {f["function"]: f["certificate"] for f in audit["proofs"]["by_function"]}
    assert states[name] == "stale"
