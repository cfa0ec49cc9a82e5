"""The image's DWARF read back with pyelftools: one unit per module, the function under its
own unit, a line row for each statement that leaves code, and named, typed variables."""

from __future__ import annotations

import io
from typing import Any

import pytest
from elftools.elf.elffile import ELFFile

from tamapy.build import compile_app
from tamapy.elf import LineTable
from tamapy.lang import ir
from tamapy.lang.walk import walk_stmts
from tamapy.link import linker
from tests.debug.support import APP, BOARD, Probe, line_of

MAIN = "examples.probe.main.main"
DW_ATE_BOOLEAN, DW_ATE_UNSIGNED = 0x02, 0x07


def _dwarf(probe: Probe) -> Any:
    return ELFFile(io.BytesIO(probe.build.image.elf)).get_dwarf_info()


def _name(die: Any) -> str | None:
    """A DIE's name, through its abstract origin (an inlined or out-of-line instance)."""
    while "DW_AT_name" not in die.attributes:
        if "DW_AT_abstract_origin" not in die.attributes:
            return None
        die = die.get_DIE_from_attribute("DW_AT_abstract_origin")
    return str(die.attributes["DW_AT_name"].value.decode())


def _units(probe: Probe) -> dict[str, Any]:
    return {cu.get_top_DIE().attributes["DW_AT_name"].value.decode(): cu for cu in _dwarf(probe).iter_CUs()}


def _rows(probe: Probe) -> set[tuple[str, int]]:
    """(file, line) of every row of every unit's line program."""
    dwarf = _dwarf(probe)
    rows: set[tuple[str, int]] = set()
    for cu in dwarf.iter_CUs():
        program = dwarf.line_program_for_CU(cu)
        names = [f.name.decode() for f in program["file_entry"]]
        rows |= {(names[e.state.file - 1], e.state.line) for e in program.get_entries() if e.state}
    return rows


def test_one_unit_per_module_named_by_its_project_path(probe: Probe) -> None:
    units = _units(probe)
    # (a module whose code is all inlined into the start-up code, which has no debug
    # information, leaves an empty unit that LLVM drops)
    assert set(units) <= {fn.span.file for fn in probe.build.program.functions}
    assert len(units) == len(list(_dwarf(probe).iter_CUs())), "one unit per module"
    assert f"{APP}/main.py" in units and "firmware/soc/imx6ul/uart.py" in units
    for cu in units.values():
        top = cu.get_top_DIE()
        assert top.attributes["DW_AT_comp_dir"].value == b"."  # relative: reproducible anywhere
        assert top.attributes["DW_AT_producer"].value == b"tamapy"


def test_main_is_under_its_own_unit_at_its_address(probe: Probe) -> None:
    units = _units(probe)
    found = [d for d in units[f"{APP}/main.py"].iter_DIEs() if d.tag == "DW_TAG_subprogram" and _name(d) == "main"]
    concrete = [d for d in found if "DW_AT_low_pc" in d.attributes]
    assert len(concrete) == 1
    assert concrete[0].attributes["DW_AT_low_pc"].value == probe.build.image.symbols[MAIN]
    others = [name for name, cu in units.items() if name != f"{APP}/main.py"]
    assert not [n for n in others for d in units[n].iter_DIEs() if d.tag == "DW_TAG_subprogram" and _name(d) == "main"]


def test_each_register_write_has_its_line(probe: Probe) -> None:
    """Every register write of ``uart.init`` is volatile, so each statement keeps code of its
    own through optimisation."""
    rows = _rows(probe)
    init = probe.build.program.function("soc.imx6ul.uart.init")
    writes = {s.span.line for s in walk_stmts(init.body) if isinstance(s, ir.RegWrite)}
    assert len(writes) >= 8
    assert {line for file, line in rows if file == "uart.py"} >= writes
    assert ("main.py", line_of("def main() -> None:")) in rows


def test_each_call_and_branch_has_its_line_even_when_inlined(probe: Probe) -> None:
    """Calls, ``if`` and ``for`` keep a row even when all their code is an inlined callee's
    (the linker adds one at the inlined code's start); a plain assignment may be folded
    into its neighbours by the optimiser and keep none."""
    rows = _rows(probe)
    for name in ("examples.probe.main.show", MAIN):
        fn = probe.build.program.function(name)
        lines = {s.span.line for s in walk_stmts(fn.body) if isinstance(s, ir.ExprStmt | ir.If | ir.For)}
        assert len(lines) >= 4
        assert {line for line in lines if ("main.py", line) not in rows} == set(), name


def test_parameters_and_locals_are_named_and_typed(probe: Probe) -> None:
    units = _units(probe)
    dies = list(units[f"{APP}/main.py"].iter_DIEs())
    params = {_name(d) for d in dies if d.tag == "DW_TAG_formal_parameter"}
    variables = {_name(d): d for d in dies if d.tag == "DW_TAG_variable" and "DW_AT_name" in d.attributes}
    assert {"step", "total"} <= params
    assert {"step", "total"} <= set(variables)
    u32 = variables["total"].get_DIE_from_attribute("DW_AT_type")
    assert (u32.attributes["DW_AT_name"].value, u32.attributes["DW_AT_byte_size"].value) == (b"u32", 4)
    assert u32.attributes["DW_AT_encoding"].value == DW_ATE_UNSIGNED
    # after the optimiser, main's variables still say where they are
    for name in ("step", "total"):
        attrs = variables[name].attributes
        assert "DW_AT_location" in attrs or "DW_AT_const_value" in attrs, name
    console = list(units["firmware/runtime/console.py"].iter_DIEs())
    ready = [d for d in console if d.tag == "DW_TAG_variable" and _name(d) == "ready"]
    assert ready, "console.init's local"
    kind = ready[0].get_DIE_from_attribute("DW_AT_type")
    assert kind.attributes["DW_AT_encoding"].value == DW_ATE_BOOLEAN


def test_call_site_rows_leave_the_fault_locations_alone(probe: Probe, monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulator maps an address to the line of the code there: the rows added for
    inlined calls do not change that map (each address keeps the callee's line)."""
    with_rows = LineTable.from_elf(probe.build.image.elf)
    monkeypatch.setattr(linker, "with_call_lines", lambda elf: {})
    app = probe.project / APP
    without = LineTable.from_elf(compile_app(app, BOARD, verify=False).image.elf)
    assert len(with_rows) == len(without) > 50
    text = next(s for s in probe.build.image.segments if s.name == "text")
    assert all(with_rows.line_at(pc) == without.line_at(pc) for pc in range(text.vaddr, text.vaddr + text.filesz, 4))
