"""Soundness property test: every program the verifier proves runs as proved.

A fixed seed's batch of random subset programs (``tests/soundness/generator.py``)
goes through check, verify, build and the simulator and CPython
(``tests/soundness/oracle.py``).  A proved program that panics, faults,
breaks a contract or a range claim, runs past its step budget, or whose
result or globals differ between the image and CPython fails the test with
its seed, index, arguments and source.  The counts are asserted too, so a
generator that silently stops producing provable programs fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soundness.oracle import Stats, make_project, run_seed

SEED = 20240601
PROGRAMS = 300
TIMEOUT_MS = 400
"""A lower solver limit than the benchmark's: the CI batch must stay within its time budget."""


@pytest.fixture(scope="module")
def stats(tmp_path_factory: pytest.TempPathFactory) -> Stats:
    project = make_project(tmp_path_factory.mktemp("soundness") / "proj")
    result = run_seed(project, SEED, PROGRAMS, Stats(), timeout_ms=TIMEOUT_MS)
    print(f"soundness batch: {result.generated} generated, {result.rejected} rejected, "
          f"{result.proved} proved, {result.not_proved} not proved "
          f"{dict(result.not_proved_by_category)}, {result.programs_run} run ({result.runs} runs), "
          f"{len(result.findings)} findings, stages {result.seconds}")
    return result


def test_no_proved_program_misbehaves(stats: Stats) -> None:
    assert not stats.findings, "\n\n".join(f.render() for f in stats.findings[:3])


def test_the_batch_exercises_the_oracle(stats: Stats) -> None:
    """Most programs pass the checker; a good fraction is proved and run; some are not proved."""
    assert stats.generated == PROGRAMS
    assert stats.rejected <= PROGRAMS // 5, stats.rejected_codes
    assert stats.proved >= PROGRAMS * 3 // 10, stats
    assert stats.not_proved >= PROGRAMS // 10, stats.not_proved_by_category
    assert stats.programs_run >= PROGRAMS * 3 // 10 - 5
    assert stats.runs >= 2 * stats.programs_run


def test_failure_messages_name_the_program(tmp_path: Path) -> None:
    """A finding carries what rebuilds it."""
    from tests.soundness.generator import generate
    from tests.soundness.oracle import Finding

    p = generate(SEED, 0)
    text = Finding(p, (1,), "compiled 'x', host 'y'").render()
    assert f"seed {SEED} index 0" in text and p.source in text
