"""The register stub for a small map: each register has exactly the methods docs/subset.md
("Registers") allows for its access, aliases and side effects."""

from __future__ import annotations

import ast

from tamapy.fw.stubs import render_board_stub, render_regs_stub
from tamapy.specs.model import Access, Field, Peripheral, ProtocolInvariant, Register, Soc

RW, RO, WO, W1C = Access.RW, Access.RO, Access.WO, Access.W1C


def reg(name: str, offset: int, access: Access, *fields: Field, **extra: object) -> Register:
    return Register(name, offset, 32, access, 0, tuple(fields), **extra)  # type: ignore[arg-type]


DEMO = Peripheral(
    name="DEMO",
    registers=(
        reg("DATA", 0x0, RO, Field("RX", 0, 8, RO)),
        reg("TX", 0x4, WO, Field("CH", 0, 8, WO)),
        reg("CTRL", 0x8, RW, Field("EN", 0, 1, RW), Field("MODE", 1, 2, RW), Field("BUSY", 3, 1, RO)),
        reg("FLAGS", 0x10, W1C, Field("DONE", 0, 1, W1C), Field("ERR", 1, 1, W1C)),
        reg("MIXED", 0x14, RW, Field("PEND", 0, 1, W1C), Field("IE", 1, 1, RW)),
        reg("SCTL", 0x20, RW, Field("RUN", 0, 1, RW), aliases=("SET", "CLR", "TOG")),
        reg("FIFO", 0x30, RO, Field("WORD", 0, 32, RO), read_sensitive=True),
        reg("CFG", 0x40, RW, Field("V", 0, 4, RW), count=4, stride=4),
        reg("PINS", 0x50, RW, Field("P", 0, 1, RW, count=8, stride=1), Field("EN", 31, 1, RW),
            aliases=("SET", "CLR", "TOG")),
        reg("LEVEL", 0x60, RO, Field("L", 0, 1, RO, count=8, stride=1)),
        reg("EVT", 0x70, W1C, Field("E", 0, 1, W1C, count=8, stride=1)),
    ),
    instances=(("DEMO1", 0x1000), ("DEMO2", 0x2000)),
    size=0x100,
    source="demo.toml",
    invariants=(ProtocolInvariant("ready", "the block is ready", False, (), (), ()),),
)
SOLO = Peripheral(name="SOLO", registers=(reg("ID", 0, RO, Field("REV", 0, 4, RO)),),
                  instances=(("SOLO", 0x3000),), size=0x100, source="solo.toml")
SOC = Soc("demo", (DEMO, SOLO))


def classes(text: bytes) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in ast.parse(text).body if isinstance(n, ast.ClassDef)}


def methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}


def keywords(fn: ast.FunctionDef) -> list[str]:
    return [a.arg for a in fn.args.kwonlyargs]


def properties(cls: ast.ClassDef) -> set[str]:
    return {name for name, fn in methods(cls).items()
            if any(isinstance(d, ast.Name) and d.id == "property" for d in fn.decorator_list)}


STUB = render_regs_stub(SOC)
CLASSES = classes(STUB)


def register(name: str) -> ast.ClassDef:
    return CLASSES[f"_DEMO_{name}"]


def test_a_read_only_register_reads_and_is_never_written() -> None:
    m = methods(register("DATA"))
    assert "read" in m
    assert not {"write", "modify", "set", "clear", "toggle"} & set(m)
    assert "RX" in properties(register("DATA"))


def test_a_write_only_register_is_written_never_read() -> None:
    m = methods(register("TX"))
    assert "write" in m and keywords(m["write"]) == ["CH"]
    assert "read" not in m and "modify" not in m
    assert "CH" not in properties(register("TX"))
    assert "_DEMO_TX_value" not in CLASSES


def test_read_write_fields_are_written_by_name_read_only_ones_are_not() -> None:
    m = methods(register("CTRL"))
    assert keywords(m["write"]) == ["EN", "MODE"]
    assert keywords(m["modify"]) == ["EN", "MODE"]
    assert m["write"].args.posonlyargs[1].arg == "value"  # write(raw) as well
    assert not {"set", "clear", "toggle"} & set(m)  # no alias
    assert properties(register("CTRL")) == {"EN", "MODE", "BUSY"}
    assert properties(CLASSES["_DEMO_CTRL_value"]) == {"EN", "MODE", "BUSY"}


def test_write_one_to_clear_fields_are_cleared_never_modified() -> None:
    m = methods(register("FLAGS"))
    assert "modify" not in m
    assert keywords(m["clear"]) == ["DONE", "ERR"]  # no CLR alias: stores to the register itself
    assert "set" not in m and "toggle" not in m


def test_clear_without_an_alias_is_refused_where_it_would_zero_other_fields() -> None:
    m = methods(register("MIXED"))
    assert "clear" not in m and "modify" not in m
    assert keywords(m["write"]) == ["PEND", "IE"]


def test_alias_writes_only_where_the_register_has_the_alias() -> None:
    m = methods(register("SCTL"))
    for method in ("set", "clear", "toggle", "modify"):
        assert keywords(m[method]) == ["RUN"]


def test_a_read_sensitive_register_is_not_read_modify_written() -> None:
    m = methods(register("FIFO"))
    assert "read" in m and "modify" not in m and "write" not in m


def test_a_register_array_is_indexed() -> None:
    array = CLASSES["_DEMO_CFG_array"]
    getitem = methods(array)["__getitem__"]
    assert isinstance(getitem.returns, ast.Name) and getitem.returns.id == "_DEMO_CFG"
    assert "__len__" in methods(array)
    assert "CFG" in properties(CLASSES["DEMO"])
    assert methods(CLASSES["DEMO"])["CFG"].returns.id == "_DEMO_CFG_array"  # type: ignore[union-attr]


def test_instances_are_values_of_their_peripheral_type() -> None:
    for inst in ("DEMO1", "DEMO2"):
        cls = CLASSES[inst]
        assert [k.value.id for k in cls.keywords if k.arg == "metaclass"] == ["DEMO"]  # type: ignore[attr-defined]
    assert [b.id for b in CLASSES["DEMO"].bases] == ["type"]  # type: ignore[attr-defined]
    assert "ready" in properties(CLASSES["DEMO"])  # the protocol invariant, for contracts


def test_a_peripheral_named_like_its_instance_keeps_the_name_for_the_instance() -> None:
    assert "_SOLO" in CLASSES
    assert [k.value.id for k in CLASSES["SOLO"].keywords] == ["_SOLO"]  # type: ignore[attr-defined]


def test_same_specs_same_bytes() -> None:
    assert render_regs_stub(SOC) == STUB
    assert render_board_stub("b", ["z", "a"]) == render_board_stub("b", ["a", "z"])


def test_the_board_stub_names_the_board_packages_modules() -> None:
    text = render_board_stub("evk", ["console", "leds"]).decode()
    assert "from board.evk import console as console" in text
    assert "from board.evk import leds as leds" in text


def test_field_arrays_read_by_index_and_write_by_their_access() -> None:
    """A field array is its own class: ``__getitem__`` where readable, ``write(i, v)`` where a
    read-modify-write is allowed, ``set/clear/toggle(i)`` where the alias (or W1C clear) is."""
    pins, level, evt = (methods(CLASSES[f"_DEMO_{r}"]) for r in ("PINS_P", "LEVEL_L", "EVT_E"))
    assert set(pins) == {"__getitem__", "__len__", "write", "set", "clear", "toggle"}
    assert set(level) == {"__getitem__", "__len__"}
    assert set(evt) == {"__getitem__", "__len__", "clear"}
    assert [a.arg for a in pins["write"].args.posonlyargs] == ["self", "index", "value"]
    # The array is not a keyword field of the register's methods, and a value read has it too.
    assert keywords(methods(register("PINS"))["modify"]) == ["EN"]
    assert methods(register("PINS"))["P"].returns.id == "_DEMO_PINS_P"  # type: ignore[union-attr]
    assert methods(register("LEVEL_value"))["L"].returns.id == "_DEMO_LEVEL_L_values"  # type: ignore[union-attr]
