"""Seeded-bug corpus for the verifier.

Every file under ``corpus/`` is one small firmware module.  Its first line
states what verifying it must give:

``# expect: proved``
    every obligation is proved (and there is at least one);
``# expect: CATEGORY LINE [LINE ...]``
    the only failed obligations are of ``CATEGORY``, they are exactly at the
    listed lines (each listed line has at least one), nothing is unknown, and
    every failure carries a counterexample.  So a seeded bug must be caught,
    and caught for the right reason.

The seeded lines also carry a ``# bug: ...`` comment saying what is wrong;
the meta-tests keep the two in step and keep the corpus from shrinking.

Each program is verified on its own (``workers=1``) in a copy of the
project, at ``firmware/examples/corpus/<name>.py``.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tamapy.verify import Category, Obligation, Status, verify_tree

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
PACKAGE = Path("firmware", "examples", "corpus")
BOARD = "mcimx6ul-evk"

CATEGORIES = (
    "range",
    "index",
    "division",
    "shift",
    "register",
    "dma",
    "protocol",
    "clock",
    "precondition",
    "postcondition",
    "invariant",
    "assert",
    "termination",
)
"""The categories every seeded-bug kind must cover (``stack`` is per image, not per function)."""
MIN_BAD_PER_CATEGORY = 5
MIN_BAD = 168
MIN_GOOD = 80

_EXPECT = re.compile(
    r"# expect: (?:(?P<proved>proved)|(?P<category>[a-z]+)(?P<lines>(?: [1-9][0-9]*)+))"
)
_MARKER = "# bug:"


@dataclass(frozen=True)
class Expectation:
    category: str | None
    """The one category whose obligations fail; None: everything is proved."""
    lines: frozenset[int]
    """Exactly the lines with failed obligations."""


def expectation(program: Path) -> Expectation:
    first = program.read_text().splitlines()[0]
    m = _EXPECT.fullmatch(first)
    if m is None:
        raise ValueError(
            f"{program.name}: first line {first!r} is not `# expect: proved` or `# expect: CATEGORY LINE...`"
        )
    if m["proved"]:
        return Expectation(None, frozenset())
    return Expectation(m["category"], frozenset(int(n) for n in m["lines"].split()))


def marked_lines(program: Path) -> frozenset[int]:
    return frozenset(
        n for n, line in enumerate(program.read_text().splitlines(), 1) if _MARKER in line
    )


PROGRAMS = sorted(CORPUS.glob("*.py"))


@pytest.fixture(scope="session")
def corpus_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of firmware/ and specs/ for the whole session, with the corpus in it."""
    dst = tmp_path_factory.mktemp("verifier") / "proj"
    shutil.copytree(ROOT / "firmware", dst / "firmware")
    shutil.copytree(ROOT / "specs", dst / "specs")
    (dst / PACKAGE).mkdir()
    for program in PROGRAMS:
        shutil.copyfile(program, dst / PACKAGE / program.name)
    return dst


def _show(obligations: list[Obligation]) -> str:
    out = []
    for o in obligations:
        out.append(
            f"  line {o.span.line}: {o.status.value}[{o.category.value}] {o.message} (in {o.function})"
        )
        if o.counterexample is not None:
            out += [f"      {line}" for line in o.counterexample.lines()]
    return "\n".join(out) or "  (none)"


def _own_obligations(project: Path, program: Path) -> list[Obligation]:
    report = verify_tree([project / PACKAGE / program.name], BOARD, workers=1)
    suffix = (PACKAGE / program.name).as_posix()
    own: list[Obligation] = []
    foreign: list[Obligation] = []
    for o in report.obligations:
        (own if Path(o.span.file).as_posix().endswith(suffix) else foreign).append(o)
    if foreign:
        pytest.fail(f"obligations outside {program.name}:\n{_show(foreign)}")
    return own


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_program(corpus_project: Path, program: Path) -> None:
    expect = expectation(program)
    obligations = _own_obligations(corpus_project, program)
    if not obligations:
        pytest.fail(f"{program.name} produced no obligations at all")

    unknown = [o for o in obligations if o.status is Status.UNKNOWN]
    if unknown:
        pytest.fail(f"unknown (the solver gave up):\n{_show(unknown)}")

    failed = [o for o in obligations if o.status is Status.FAILED]
    if expect.category is None:
        if failed:
            pytest.fail(f"expected every obligation proved, but:\n{_show(failed)}")
        return

    wrong = [o for o in failed if o.category.value != expect.category]
    if wrong:
        pytest.fail(f"expected only `{expect.category}` to fail, but also:\n{_show(wrong)}")
    lines = {o.span.line for o in failed}
    if lines != expect.lines:
        pytest.fail(
            f"expected `{expect.category}` failures at lines {sorted(expect.lines)}, "
            f"got them at {sorted(lines)}:\n{_show(obligations)}"
        )
    no_cex = [o for o in failed if o.counterexample is None]
    if no_cex:
        pytest.fail(f"failures without a counterexample:\n{_show(no_cex)}")


# ---------------------------------------------------------------- meta-tests


def test_corpus_size() -> None:
    """The corpus cannot silently shrink: counted from the expectation lines."""
    expectations = [expectation(p) for p in PROGRAMS]
    per_category = Counter(e.category for e in expectations if e.category is not None)
    good = sum(1 for e in expectations if e.category is None)
    short = {c: per_category[c] for c in CATEGORIES if per_category[c] < MIN_BAD_PER_CATEGORY}
    assert not short, f"categories with fewer than {MIN_BAD_PER_CATEGORY} seeded bugs: {short}"
    assert sum(per_category.values()) >= MIN_BAD, f"only {sum(per_category.values())} bad programs"
    assert good >= MIN_GOOD, f"only {good} good programs"


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_expectation_is_well_formed(program: Path) -> None:
    """A known category, and `# bug:` comments on exactly the expected lines (none if proved)."""
    expect = expectation(program)
    marks = marked_lines(program)
    if expect.category is None:
        assert not marks, (
            f"a program expected to be proved has `{_MARKER}` comments at lines {sorted(marks)}"
        )
        assert program.name.startswith("good_")
        return
    assert expect.category in {c.value for c in Category}, f"unknown category `{expect.category}`"
    assert expect.lines == marks, (
        f"expected lines {sorted(expect.lines)} but `{_MARKER}` comments at {sorted(marks)}"
    )
    assert not program.name.startswith("good_")
