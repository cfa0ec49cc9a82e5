"""Property tests: field layouts, and arbitrary values never crash the loaders."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.diagnostics import TamapyError
from tamapy.specs import load_board, load_soc

from .helpers import BOARD, write_board, write_soc

Layout = list[tuple[int, int]]  # (lsb, width) per field

layouts = st.lists(st.tuples(st.integers(0, 31), st.integers(1, 32)), min_size=1, max_size=6).map(
    lambda fields: [(lo, min(width, 32 - lo)) for lo, width in fields]
)


def _clash(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Bit intervals [lo, lo + width - 1] intersect."""
    return a[0] <= b[0] + b[1] - 1 and b[0] <= a[0] + a[1] - 1


@settings(max_examples=150, deadline=None)
@given(layouts, st.integers(0, 2**32 - 1))
def test_overlap_rejected_iff_fields_overlap(layout: Layout, reset: int) -> None:
    header = [
        "[peripheral]",
        'name = "P"',
        "size = 0x100",
        "[instances]",
        "P1 = 0x1000",
        "[registers.A]",
        "offset = 0",
        f"reset = {reset}",
        "[registers.A.fields]",
    ]
    lines = header + [
        f'F{i} = {{ bits = "{lo + w - 1}:{lo}" }}' for i, (lo, w) in enumerate(layout)
    ]
    first = next(
        (j for j in range(len(layout)) if any(_clash(layout[i], layout[j]) for i in range(j))), None
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = write_soc(Path(tmp), {"p.toml": "\n".join(lines) + "\n"})
        if first is None:
            register = load_soc(root, "t").peripherals[0].registers[0]
            assert [(f.lsb, f.width) for f in register.fields] == layout
            for f, (lo, w) in zip(register.fields, layout, strict=True):
                assert f.reset == (reset >> lo) % (1 << w)
            covered = {lo + k for lo, w in layout for k in range(w)}
            assert register.reserved_mask == sum(1 << b for b in range(32) if b not in covered)
        else:
            try:
                load_soc(root, "t")
            except TamapyError as exc:
                diag = exc.diagnostics[0]
                assert diag.code == "E305" and f"fields.F{first}`" in diag.message
                assert diag.line == len(header) + first + 1
            else:
                raise AssertionError("overlapping fields were accepted")


# --- arbitrary values in every slot ---------------------------------------------------

scalars = st.one_of(
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.text(st.characters(min_codepoint=32, max_codepoint=0x7E), max_size=8),
    st.floats(allow_nan=False, allow_infinity=False),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True), inner, max_size=3
        ),
    ),
    max_leaves=6,
)


def to_toml(value: object) -> str:
    """A TOML literal (inline, one line) for a generated value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{ " + ", ".join(f"{k} = {to_toml(v)}" for k, v in value.items()) + " }"


PERIPHERAL_SLOTS = {
    "pname": '"P"',
    "size": "0x100",
    "pwidth": "32",
    "base": "0x1000",
    "offset": "0x0",
    "access": '"RW"',
    "reset": "0x1",
    "rwidth": "32",
    "reserved": "0",
    "sensitive": "false",
    "aliases": '["SET"]',
    "en": '{ bits = "0" }',
    "bits": '"3:2"',
    "faccess": '"RW"',
}
PERIPHERAL_TEMPLATE = """\
[peripheral]
name = {pname}
size = {size}
width = {pwidth}
[instances]
P1 = {base}
[registers.A]
offset = {offset}
access = {access}
reset = {reset}
width = {rwidth}
reserved_value = {reserved}
read_sensitive = {sensitive}
aliases = {aliases}
[registers.A.fields]
EN = {en}
MODE = {{ bits = {bits}, access = {faccess} }}
"""


def _only_spec_errors(action: Callable[[], object]) -> None:
    """Bad input may fail, but only as located spec diagnostics, never a traceback."""
    try:
        action()
    except TamapyError as exc:
        assert all(d.code.startswith("E3") and d.line >= 0 for d in exc.diagnostics)


def test_slot_defaults_load(tmp_path: Path) -> None:
    load_soc(write_soc(tmp_path, {"p.toml": PERIPHERAL_TEMPLATE.format(**PERIPHERAL_SLOTS)}), "t")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(PERIPHERAL_SLOTS)), values)
def test_any_value_in_a_register_map_is_a_diagnostic(slot: str, value: object) -> None:
    text = PERIPHERAL_TEMPLATE.format(**{**PERIPHERAL_SLOTS, slot: to_toml(value)})
    with tempfile.TemporaryDirectory() as tmp:
        root = write_soc(Path(tmp), {"p.toml": text})
        _only_spec_errors(lambda: load_soc(root, "t"))


BOARD_LINES = [n for n, line in enumerate(BOARD.splitlines()) if " = " in line]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(BOARD_LINES), values)
def test_any_value_in_a_board_is_a_diagnostic(line: int, value: object) -> None:
    lines = BOARD.splitlines()
    lines[line] = lines[line].split(" = ")[0] + " = " + to_toml(value)
    with tempfile.TemporaryDirectory() as tmp:
        root = write_board(Path(tmp), "\n".join(lines) + "\n")
        _only_spec_errors(lambda: load_board(root, "evk"))
