"""``--recheck cvc5``: disagreements fail the command, undecided scripts are only reported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tamapy.lang.ir import Span
from tamapy.verify import Report
from tamapy.verify import recheck as recheck_mod
from tamapy.verify.engine import FunctionResult
from tamapy.verify.obligation import Category, Obligation, Status
from tamapy.verify.outputs import OutputOptions, write_outputs

from .conftest import tamapy

SAT = "(set-logic ALL)\n(declare-fun x () (_ BitVec 8))\n(assert (bvugt x #x05))\n(check-sat)\n"
UNSAT = "(set-logic ALL)\n(declare-fun x () (_ BitVec 8))\n(assert (and (bvugt x #x05) (bvult x #x03)))\n(check-sat)\n"
HARD = """(set-logic ALL)
(declare-fun a () (_ BitVec 72))
(declare-fun b () (_ BitVec 72))
(assert (and (bvsle (_ bv0 72) a) (bvsge (_ bv4294967295 72) a) (bvsle (_ bv1 72) b) (bvsge (_ bv4294967295 72) b)))
(assert (not (let ((q (bvsdiv (bvsub a (bvsmod a b)) b))) (and (bvsle (_ bv0 72) q) (bvsge (_ bv4294967295 72) q)))))
(check-sat)
"""
"""A 72-bit division range goal as the verifier states it (unsat, but not within a millisecond)."""


def _obligation(ident: str, status: Status, script: str) -> Obligation:
    return Obligation(ident, Category.RANGE, "m.f", Span("firmware/m.py", 3, 5, 3, 9), "result may not fit u8",
                      status, 0.0, "z3", None, script)


def _options(timeout_ms: int = 10_000, jobs: int = 1) -> OutputOptions:
    return OutputOptions(recheck="cvc5", timeout_ms=timeout_ms, jobs=jobs)


def _report(*obligations: Obligation) -> Report:
    return Report((FunctionResult("m.f", "m", "key", obligations),), ())


def test_check_script_answers() -> None:
    assert recheck_mod.check_script(SAT, 5000)[0] == "sat"
    assert recheck_mod.check_script(UNSAT, 5000)[0] == "unsat"
    assert recheck_mod.check_script(HARD, 10_000)[0] == "unsat"
    answer, detail = recheck_mod.check_script("(set-logic ALL)\n(assert (frobnicate))\n(check-sat)\n", 5000)
    assert answer == "error" and "frobnicate" in detail


def test_symbols_z3_prints_bare_are_quoted() -> None:
    script = "(set-logic ALL)\n; it's z3's\n(declare-fun CCGR5'!16 () (_ BitVec 8))\n(declare-fun |a b| () Real)\n" \
             "(assert (bvugt CCGR5'!16 #x05))\n(assert (= |a b| 1.5))\n(check-sat)\n"
    fixed = recheck_mod.standard_smt2(script)
    assert "(declare-fun |CCGR5'!16| () (_ BitVec 8))" in fixed and "(bvugt |CCGR5'!16| #x05)" in fixed
    assert "; it's z3's" in fixed and "|a b|" in fixed and "1.5" in fixed
    assert fixed.replace("|CCGR5'!16|", "CCGR5'!16") == script
    assert recheck_mod.check_script(script, 5000)[0] == "sat"


def test_agreement_returns_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(_obligation("m.f:range:3:5:1", Status.FAILED, SAT),
                     _obligation("m.f:range:3:5:2", Status.PROVED, UNSAT))
    assert write_outputs(report, _options(), tmp_path) == 0
    err = capsys.readouterr().err
    assert "cvc5 recheck: 2 obligations: 2 agree with z3, 0 disagree" in err


@pytest.mark.parametrize(("status", "script", "says"), [(Status.PROVED, SAT, "sat"), (Status.FAILED, UNSAT, "unsat")])
def test_disagreement_returns_one(tmp_path: Path, capsys: pytest.CaptureFixture[str], status: Status, script: str,
                                  says: str) -> None:
    report = _report(_obligation("m.f:range:3:5:1", status, script))
    assert write_outputs(report, _options(jobs=2), tmp_path) == 1
    err = capsys.readouterr().err
    assert f"firmware/m.py:3:5: recheck[range]: cvc5 says {says} but z3 said {status.value} for m.f:range:3:5:1" in err
    assert "1 disagree" in err


def test_undecided_is_reported_but_not_a_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(_obligation("m.f:range:3:5:1", Status.PROVED, HARD),
                     _obligation("m.f:range:3:5:2", Status.PROVED, "(set-logic ALL)\n(assert (frobnicate))\n(check-sat)\n"))
    assert write_outputs(report, _options(timeout_ms=1), tmp_path) == 0
    err = capsys.readouterr().err
    assert "cvc5 could not decide m.f:range:3:5:1: unknown" in err
    assert "cvc5 could not decide m.f:range:3:5:2: error" in err
    assert "0 disagree, 2 undecided by cvc5" in err


def test_z3_unknown_decided_by_cvc5(capsys: pytest.CaptureFixture[str]) -> None:
    verdicts = recheck_mod.recheck([_obligation("m.f:range:3:5:1", Status.UNKNOWN, UNSAT)],
                                   {"m.f:range:3:5:1": UNSAT}, 5000, 1)
    assert recheck_mod.print_verdicts(verdicts, io.StringIO()) == 0
    out = io.StringIO()
    recheck_mod.print_verdicts(verdicts, out)
    assert "z3 gave up on m.f:range:3:5:1 but cvc5 says unsat" in out.getvalue()
    assert "1 decided by cvc5 only" in out.getvalue()


def test_whole_firmware_tree_agrees(project: Path) -> None:
    """cvc5 decides every obligation of the real firmware/ tree as z3 does."""
    proc = tamapy(project, "verify", "firmware", "--recheck", "cvc5", "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 disagree, 0 undecided by cvc5" in proc.stderr, proc.stderr
    assert "recheck[" not in proc.stderr


def test_cli_fails_on_disagreement(project: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Proved code, but the second solver disagrees: ``tamapy verify`` must exit 1."""
    from tamapy.cli import main

    def contrary(obligations: list[Obligation], scripts: dict[str, str], timeout_ms: int,
                 workers: int | None = None) -> list[recheck_mod.Verdict]:
        return [recheck_mod.Verdict(o, "sat", "test") for o in obligations if o.status is Status.PROVED]

    monkeypatch.setattr(recheck_mod, "recheck", contrary)
    monkeypatch.chdir(project)
    assert main(["verify", "firmware/runtime/panic.py", "--recheck", "cvc5", "--jobs", "1"]) == 1
    assert "cvc5 says sat but z3 said proved" in capsys.readouterr().err
