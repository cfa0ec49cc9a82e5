"""Counterexamples of corpus programs replay in CPython and fail there for the reported reason.

For every bad corpus program of a category that CPython can witness (index,
division, range, shift, pre/post-condition, assert) and that does not need
the register bus, ``tamapy verify --replay`` writes a pytest file; running
those files must reproduce each failure (the generated tests pass only if
the expected exception is raised).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
REPLAYABLE = {"index", "division", "range", "shift", "precondition", "postcondition", "assert"}
MIN_REPLAYED = 10
NOT_CONCRETE = {
    # Modular verification: the counterexample is real for the function checked alone,
    # but no concrete run of the whole module reaches it.
    "assert_callee_range": "the callee has no post-condition; its actual result never breaks the assert",
    "pre_weak_postcondition": "same: a callee's weak post-condition, not its code, breaks the caller",
    "post_bit_count": "the loop invariant is too weak to carry the bit count; the value comes from it",
    # Not errors CPython would raise at all; the subset rules them out on purpose.
    "pre_alias_global": "aliasing an array with a global is legal Python",
    "pre_alias_global_view": "likewise, through a view",
    "range_intermediate": "CPython computes intermediate results exactly",
    "shift_table": "CPython accepts shifting by the width or more",
    # The replay imports the module as plain Python, without the host's import hook that hands
    # poll() its condition as a lambda, so the condition runs once instead of up to `limit` times.
    "index_poll_cond_effect": "poll's condition is evaluated once in a plain import",
    "pre_poll_cond_effect": "likewise",
    # Raw mmio and addr_of need a simulated bus and placed arrays, which a plain import has not.
    "assert_trusted_mmio_write": "addr_of() and mmio have no meaning in a plain import",
    "assert_trusted_mmio_self": "likewise",
    "pre_trusted_mmio_scalar": "likewise",
}
"""Corpus programs whose replay cannot fail in CPython, and why (kept exact: a change shows)."""


def _replayable() -> list[Path]:
    chosen = []
    for path in sorted(CORPUS.glob("*.py")):
        text = path.read_text()
        m = re.match(r"# expect: ([a-z]+) ", text)
        if m and m.group(1) in REPLAYABLE and "soc." not in text and "board" not in text:
            chosen.append(path)
    return chosen


def test_corpus_counterexamples_replay_in_cpython(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "firmware", tmp_path / "firmware")
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    package = tmp_path / "firmware" / "examples" / "corpus"
    package.mkdir()
    (package / "__init__.py").write_text("")
    replays = tmp_path / "replays"
    programs = _replayable()
    assert len(programs) >= MIN_REPLAYED
    for program in programs:
        shutil.copy(program, package / program.name)
        subprocess.run(
            [sys.executable, "-m", "tamapy", "verify", str(package / program.name), "--replay", str(replays / program.stem)],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )
    generated = sorted(replays.rglob("test_replay_*.py"))
    replayed_programs = {p.parent.name for p in generated}
    assert len(replayed_programs) >= MIN_REPLAYED, replayed_programs
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(replays)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    failing = set(re.findall(r"FAILED replays/([a-z0-9_]+)/", run.stdout))
    assert failing == set(NOT_CONCRETE), run.stdout[-4000:]
    assert "error" not in summary, run.stdout[-4000:]
    assert passed >= MIN_REPLAYED, summary
