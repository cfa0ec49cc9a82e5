"""Loading register maps from ``specs/soc/<soc>/``, and finding the spec files.

The TOML is only data: it is parsed with :mod:`tomllib`, checked key by key
and turned into the frozen dataclasses of :mod:`tamapy.specs.model`.  Every
inconsistency is reported here, located at the offending key, so that the
type checker, verifier, code generator and simulator can trust what they get.
Boards are loaded by :mod:`tamapy.specs.boards`.  Nothing is cached: loading is cheap and results must follow the files.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from pathlib import Path

from tamapy.diagnostics import display_path, error
from tamapy.specs.invariants import invariants
from tamapy.specs.model import (
    ALIAS_OFFSETS,
    Access,
    Field,
    Peripheral,
    Register,
    Soc,
)
from tamapy.specs.validate import (
    E_ACCESS,
    E_ACCESS_CONFLICT,
    E_ALIAS,
    E_BASE_ALIGN,
    E_BITS,
    E_CLOCK,
    E_DUPLICATE,
    E_FIELD_ARRAY,
    E_FIELD_OVERLAP,
    E_FIELD_RANGE,
    E_INSTANCE_OVERLAP,
    E_MISSING,
    E_OFFSET,
    E_RANGE,
    E_REG_OVERLAP,
    E_RESERVED,
    E_RESET,
    E_UNKNOWN_SOC,
    E_WIDTH,
    Doc,
    Table,
    check_name,
)

ADDRESS_LIMIT = 1 << 32
"""The SoC has a 32-bit physical address space."""

_WIDTHS = (8, 16, 32)
MAX_ACCESS_BYTES = max(_WIDTHS) // 8
"""The widest access, so the longest address window one register element answers at."""
_BITS = re.compile(r"\s*(\d+)\s*(?::\s*(\d+)\s*)?")

_FILE_KEYS = ("peripheral", "instances", "registers", "clocks", "invariants")
CLOCK_CONTROLLER = "CCM"
"""The peripheral whose register fields gate other peripherals' clocks."""
_PERIPHERAL_KEYS = ("name", "description", "size", "width")
_REGISTER_KEYS = (
    "offset",
    "access",
    "reset",
    "width",
    "reserved_value",
    "read_sensitive",
    "aliases",
    "description",
    "fields",
    "count",
    "stride",
    "overlays",
)
_FIELD_KEYS = ("bits", "access", "description", "dma", "count", "stride")


# --- discovery -------------------------------------------------------------


def _toml_files(directory: Path) -> list[Path]:
    """Spec files of a directory, sorted by name; editor droppings (dotfiles) ignored."""
    if not directory.is_dir():
        return []
    # Anything named *.toml counts, even a directory or a FIFO: reading it says what is
    # wrong with it, where skipping it would silently drop a register map.
    return sorted((p for p in directory.glob("*.toml") if not p.name.startswith(".")), key=lambda p: p.name)


def list_boards(specs_root: Path) -> list[str]:
    """Names of the boards under ``specs_root/boards``, sorted."""
    return sorted(p.stem for p in _toml_files(specs_root / "boards"))


def list_socs(specs_root: Path) -> list[str]:
    """Names of the SoC directories under ``specs_root/soc`` that hold spec files, sorted."""
    soc_dir = specs_root / "soc"
    if not soc_dir.is_dir():
        return []
    return sorted(d.name for d in soc_dir.iterdir() if _toml_files(d))


def choices(kind: str, names: list[str]) -> str:
    """The hint listing what a name could have been."""
    return f"available {kind}: {', '.join(names)}" if names else f"no {kind} found"


# --- register maps ---------------------------------------------------------


def _width(table: Table, key: str, default: int) -> int:
    width = table.get_int(key, default)
    if width not in _WIDTHS:
        raise table.fail(
            key,
            E_WIDTH,
            f"`{table.key(key)}` is {width}, not a register width",
            "registers are 8, 16 or 32 bits wide",
        )
    return width


def _access(table: Table, key: str, default: Access) -> Access:
    text = table.get_str(key, default.value)
    try:
        return Access(text)
    except ValueError:
        raise table.fail(
            key,
            E_ACCESS,
            f"`{table.key(key)}` has unknown access kind `{text}`",
            "use one of " + ", ".join(a.value for a in Access),
        ) from None


def _check_fits(table: Table, key: str, value: int, width: int, code: str) -> None:
    """Values stored in a register must be unsigned and fit its width."""
    if not 0 <= value < 1 << width:
        raise table.fail(
            key,
            code,
            f"`{table.key(key)}` = {value:#x} does not fit in the register's {width} bits",
            f"use 0 to {(1 << width) - 1:#x}",
        )


def _field(table: Table, name: str, register: Register) -> Field:
    """One field; ``register`` supplies width, access and reset (its fields are still empty)."""
    text = table.get_str("bits")
    m = _BITS.fullmatch(text)
    if m is None:
        raise table.fail(
            "bits",
            E_BITS,
            f'`{table.key("bits")}` = "{text}" is not a bit range',
            'write "n" for one bit or "hi:lo" for several',
        )
    hi, lo = int(m[1]), int(m[2] if m[2] is not None else m[1])
    if hi < lo:
        raise table.fail(
            "bits",
            E_BITS,
            f'`{table.key("bits")}` = "{text}" has hi < lo',
            f'write the high bit first: "{lo}:{hi}"',
        )
    width = hi - lo + 1
    count, stride = _field_array_shape(table, width)
    top = hi + ((count - 1) * stride if count else 0)
    if top >= register.width:
        last = f" (its last element, {count - 1}, ends at bit {top})" if count else ""
        raise table.fail(
            "count" if count and hi < register.width else "bits",
            E_FIELD_RANGE,
            f'`{table.key("bits")}` = "{text}" reaches past the {register.width}-bit register{last}',
            f"bits must lie in {register.width - 1}:0" + (": lower `count` or `stride`" if count else ""),
        )
    access = _access(table, "access", register.access)
    if (access.readable and not register.access.readable) or (
        access.writable and not register.access.writable
    ):
        raise table.fail(
            "access",
            E_ACCESS_CONFLICT,
            f"`{table.key('access')}` is {access.value} "
            f"but the register is {register.access.value}",
            "a field cannot be readable in a write-only register or writable in a read-only one",
        )
    dma = table.get_bool("dma", False)
    if dma and count:
        raise table.fail("dma", E_FIELD_ARRAY, f"`{table.key('dma')}`: a field array cannot hold a DMA address",
                         "declare the address as a single field")
    return Field(
        name,
        lo,
        width,
        access,
        table.get_str("description", ""),
        (register.reset >> lo) & ((1 << (top - lo + 1)) - 1),
        dma,
        count,
        stride,
    )


def _field_array_shape(table: Table, width: int) -> tuple[int | None, int]:
    """``count`` and ``stride`` (in bits; default the element width) of a field array, or (None, 0)."""
    if "count" not in table.raw:
        if "stride" in table.raw:
            raise table.fail("stride", E_MISSING, f"`{table.key('stride')}` without `count`",
                             "a field array declares count = N (stride defaults to the field's width)")
        return None, 0
    count = table.get_int("count")
    stride = table.get_int("stride", width)
    if count < 2:
        raise table.fail("count", E_RANGE, f"`{table.key('count')}` = {count}: a field array has at least 2 elements",
                         "drop `count` for a single field")
    if stride < width:
        raise table.fail("stride", E_FIELD_OVERLAP, f"`{table.key('stride')}` = {stride} is less than the "
                         f"{width}-bit element: elements would overlap", f"use a stride of at least {width}")
    return count, stride


def _register(table: Table, name: str, default_width: int, size: int) -> Register:
    width = _width(table, "width", default_width)
    offset = table.get_int("offset")
    aliases = table.get_strs("aliases")
    for i, alias in enumerate(aliases):
        if alias not in ALIAS_OFFSETS or alias in aliases[:i]:
            kind = "repeated" if alias in ALIAS_OFFSETS else "unknown"
            raise table.fail(
                "aliases",
                E_ALIAS,
                f"`{table.key('aliases')}` has {kind} alias `{alias}`",
                "aliases are a subset of SET, CLR, TOG, each listed once",
            )
    nbytes = width // 8
    count, stride = _array_shape(table, nbytes)
    last = offset + (count - 1) * stride if count is not None else offset
    end = last + nbytes + max((ALIAS_OFFSETS[a] for a in aliases), default=0)
    if offset % nbytes:
        problem = f"not a multiple of {nbytes} (the register width in bytes)"
    elif offset < 0 or end > size:
        problem = f"outside the {size:#x}-byte peripheral window" + (
            " (with its aliases)" if aliases else ""
        )
    else:
        problem = ""
    if problem:
        raise table.fail(
            "offset",
            E_OFFSET,
            f"`{table.key('offset')}` = {offset:#x} is {problem}",
            "the register and its SET/CLR/TOG aliases must be aligned and end "
            "within `peripheral.size`",
        )
    reset = table.get_int("reset", 0)
    _check_fits(table, "reset", reset, width, E_RESET)
    reserved = table.get_int("reserved_value", 0)
    _check_fits(table, "reserved_value", reserved, width, E_RESERVED)
    register = Register(
        name,
        offset,
        width,
        _access(table, "access", Access.RW),
        reset,
        (),
        aliases,
        reserved,
        table.get_bool("read_sensitive", False),
        table.get_str("description", ""),
        count, stride, table.get_bool("overlays", False),
    )
    _check_overlay(table, register)
    fields_table = table.get_table("fields", optional=True)
    fields: list[Field] = []
    for fname, raw in fields_table.entries():
        check_name(fields_table, fname, fname)
        field = _field(
            Table(table.doc, (*fields_table.path, fname), raw, _FIELD_KEYS), fname, register
        )
        for other in fields:
            if other.mask & field.mask:
                raise fields_table.fail(
                    fname,
                    E_FIELD_OVERLAP,
                    f"`{fields_table.key(fname)}` "
                    f"(bits {field.msb}:{field.lsb}) overlaps field `{other.name}` "
                    f"(bits {other.msb}:{other.lsb})",
                    "each register bit belongs to at most one field",
                )
        fields.append(field)
    register = replace(register, fields=tuple(fields))
    if reserved & register.field_mask:
        raise table.fail(
            "reserved_value",
            E_RESERVED,
            f"`{table.key('reserved_value')}` = "
            f"{reserved:#x} sets bits inside fields (mask {register.field_mask:#x})",
            "reserved_value may only have bits where no field is",
        )
    return register


def _check_overlay(table: Table, register: Register) -> None:
    if register.overlays and (register.count is None or register.access is not Access.RO or register.aliases):
        raise table.fail(
            "overlays", E_REG_OVERLAP,
            f"`{table.key('overlays')}` is only for a read-only register array without aliases",
            "a second name for registers must not be able to change them or what reading them does",
        )


def _array_shape(table: Table, nbytes: int) -> tuple[int | None, int]:
    """``count`` and ``stride`` of a register array (None, 0 for a single register)."""
    if "count" not in table.raw and "stride" not in table.raw:
        return None, 0
    count = table.get_int("count")
    stride = table.get_int("stride")
    if count < 1:
        raise table.fail("count", E_RANGE, f"`{table.key('count')}` = {count} is not a positive number of registers",
                         "an array has at least one register")
    if stride < nbytes or stride % nbytes:
        raise table.fail("stride", E_OFFSET, f"`{table.key('stride')}` = {stride:#x} is not a multiple of the "
                         f"register width ({nbytes} bytes) at least that large", "registers of an array do not overlap")
    return count, stride


def _windows(register: Register) -> list[tuple[str, str, int, int]]:
    """(key, what, start, end) of every address range the register answers at, aliases included.

    ``key`` is the register key that placed the range, for locating errors.
    """
    size = register.width // 8
    out: list[tuple[str, str, int, int]] = []
    for i, start in enumerate(register.element_offsets):
        what = f"`registers.{register.name}`" + (f" (element {i})" if register.count is not None else "")
        out.append(("offset", what, start, start + size))
        out += [("aliases", f"the {a} alias of {what}", start + ALIAS_OFFSETS[a], start + ALIAS_OFFSETS[a] + size)
                for a in register.aliases]
    return out


def _overlay_allowed(a: Register, b: Register, table: Table) -> bool:
    """Whether ``a`` and ``b`` may share addresses: one is an overlaying array (read-only) and
    the other a register of its width without W1C fields, whose read side effects (if any) the
    array declares too, so a read under either name is treated alike."""
    array, named = (a, b) if a.overlays else (b, a) if b.overlays else (None, None)
    if array is None or named is None or named.overlays:
        return False
    problem = ("has another width" if named.width != array.width else "has W1C fields" if named.has_w1c
               else "has read side effects the array does not declare (read_sensitive)"
               if named.read_sensitive and not array.read_sensitive else "")
    if problem:
        raise table.fail(
            "overlays", E_REG_OVERLAP, f"`registers.{array.name}` overlays `registers.{named.name}`, which {problem}",
            "an overlaying array gives second names to registers of its width, with at least their read side effects",
        )
    return True


def _peripheral(doc: Doc) -> Peripheral:
    top = doc.root(_FILE_KEYS)
    head = top.get_table("peripheral", _PERIPHERAL_KEYS)
    name = head.name("name")
    size = head.get_int("size")
    if size <= 0 or size % 4:
        raise head.fail(
            "size",
            E_RANGE,
            f"`peripheral.size` = {size:#x} is not a positive multiple of 4",
            "give the size in bytes of one instance's address window",
        )
    width = _width(head, "width", 32)
    table = top.get_table("instances")
    instances: list[tuple[str, int]] = []
    for inst, _ in table.entries():
        check_name(table, inst, inst)
        base = table.get_int(inst)
        if base % 4:
            raise table.fail(
                inst,
                E_BASE_ALIGN,
                f"`{table.key(inst)}` = {base:#x} is not aligned to 4",
                "instance bases are word aligned",
            )
        if base < 0 or base + size > ADDRESS_LIMIT:
            raise table.fail(
                inst,
                E_RANGE,
                f"`{table.key(inst)}` = {base:#x} puts the window outside the 32-bit address space",
                "check the base address",
            )
        instances.append((inst, base))
    table = top.get_table("registers")
    registers: list[Register] = []
    placed: list[tuple[int, int, str, int]] = []
    """(start, end, what, index into registers) of every window so far, sorted by start: a
    window is one access wide (at most 8 bytes), so those it can overlap start just before it."""
    for rname, raw in table.entries():
        check_name(table, rname, rname)
        rtable = Table(doc, (*table.path, rname), raw, _REGISTER_KEYS)
        register = _register(rtable, rname, width, size)
        windows = _windows(register)
        for key, what, start, end in windows:
            lo = bisect.bisect_left(placed, (start - MAX_ACCESS_BYTES,))
            for ostart, oend, owhat, other in placed[lo:bisect.bisect_left(placed, (end,))]:
                if start < oend and ostart < end and not _overlay_allowed(register, registers[other], rtable):
                    raise rtable.fail(
                        key,
                        E_REG_OVERLAP,
                        f"{what} at {start:#x} overlaps {owhat} at {ostart:#x}",
                        "every register and SET/CLR/TOG alias needs its own address",
                    )
        for _, what, start, end in windows:
            bisect.insort(placed, (start, end, what, len(registers)))
        registers.append(register)
    table = top.get_table("clocks", optional=True)
    clocks: list[tuple[str, str, str]] = []
    names = [i for i, _ in instances]
    for inst, _ in table.entries():
        gate = table.get_str(inst)
        parts = gate.split(".")
        if inst not in names or len(parts) != 2:
            raise table.fail(
                inst, E_CLOCK, f"`{table.key(inst)}` = {gate!r} is not `INSTANCE = \"CCGRn.CGk\"`",
                f"name an instance of this file ({', '.join(names)}) and a {CLOCK_CONTROLLER} register field",
            )
        clocks.append((inst, parts[0], parts[1]))
    peripheral = Peripheral(
        name,
        tuple(registers),
        tuple(instances),
        size,
        str(doc.path),
        head.get_str("description", ""),
        tuple(clocks),
        invariants(top, registers),
    )
    _check_overlays(doc, peripheral)
    return peripheral


def _check_overlays(doc: Doc, p: Peripheral) -> None:
    """A protocol invariant may not guard or follow a register that an array also names: an
    access through the array's name would bypass the rule."""
    for inv in p.invariants:  # ghost state is per instance, not per element: no rule may follow an array
        arrays = {r.name for r in p.registers if r.count is not None}
        named = (set(inv.guards_read) | set(inv.guards_write) | {rule.register for rule in inv.rules}) & arrays
        if named:
            raise doc.fail(("invariants", inv.name), E_REG_OVERLAP,
                           f"invariant `{inv.name}` names the register array {', '.join(sorted(named))}",
                           "protocol rules follow single registers")
    for array in (r for r in p.registers if r.overlays):
        spans = [(o, o + array.width // 8) for o in array.element_offsets]
        covered = {r.name for r in p.registers if r is not array and any(a < r.offset + r.width // 8 and r.offset < b for a, b in spans)}
        for inv in p.invariants:
            named = (set(inv.guards_read) | set(inv.guards_write) | {rule.register for rule in inv.rules}) & covered
            if named:
                raise doc.fail(
                    ("registers", array.name, "overlays"), E_REG_OVERLAP,
                    f"`registers.{array.name}` overlays {', '.join(sorted(named))}, which invariant `{inv.name}` guards or follows",
                    "give the array its own addresses, or drop the overlay",
                )


_VALIDATED: dict[tuple[str, str], Peripheral] = {}
"""Validated register maps by (file, SHA-256 of its text): a check or build loads the SoC
several times, and a map of thousands of registers is validated once per process."""
_VALIDATED_LIMIT = 512


def _validated_peripheral(doc: Doc) -> Peripheral:
    key = (str(doc.path), doc.digest)
    found = _VALIDATED.get(key)
    if found is None:
        found = _peripheral(doc)
        if len(_VALIDATED) >= _VALIDATED_LIMIT:  # many spec variants in one process (a fuzz run)
            _VALIDATED.clear()
        _VALIDATED[key] = found
    return found


def load_soc(specs_root: Path, name: str) -> Soc:
    """All register maps of ``specs_root/soc/<name>``, one peripheral per file, by file name."""
    directory = specs_root / "soc" / name
    available = list_socs(specs_root)
    if name not in available:
        raise error(
            display_path(directory),
            0,
            0,
            E_UNKNOWN_SOC,
            f"unknown SoC `{name}`",
            choices("SoCs", available),
        )
    peripherals: list[Peripheral] = []
    windows: list[tuple[str, int, int, str]] = []  # instance, start, end, file
    for path in _toml_files(directory):
        doc = Doc(path)
        peripheral = _validated_peripheral(doc)
        for other in peripherals:
            if other.name == peripheral.name:
                raise doc.fail(
                    ("peripheral", "name"),
                    E_DUPLICATE,
                    f"`peripheral.name` "
                    f"`{peripheral.name}` is also defined in {display_path(other.source)}",
                    "each peripheral is described by exactly one file",
                )
        for inst, base in peripheral.instances:
            end = base + peripheral.size
            for oinst, ostart, oend, ofile in windows:
                if oinst == inst:
                    raise doc.fail(
                        ("instances", inst),
                        E_DUPLICATE,
                        f"`instances.{inst}` is also defined in {ofile}",
                        "instance names are unique within a SoC",
                    )
                if base < oend and ostart < end:
                    raise doc.fail(
                        ("instances", inst),
                        E_INSTANCE_OVERLAP,
                        f"`instances.{inst}` window {base:#x}-{end - 1:#x} overlaps "
                        f"{oinst} ({ostart:#x}-{oend - 1:#x}, {ofile})",
                        "check the base address and `peripheral.size`",
                    )
            windows.append((inst, base, end, doc.display))
        peripherals.append(peripheral)
    soc = Soc(name, tuple(peripherals))
    _check_clocks(soc)
    return soc


def _check_clocks(soc: Soc) -> None:
    """Every clock gate named by a ``[clocks]`` table is a field of the clock controller."""
    ccm = soc.peripheral(CLOCK_CONTROLLER)
    for p in soc.peripherals:
        for inst, reg_name, field_name in p.clocks:
            reg = ccm.register(reg_name) if ccm else None
            gate = reg.field(field_name) if reg else None
            if gate is not None and gate.count is not None:
                raise Doc(Path(p.source)).fail(
                    ("clocks", inst), E_FIELD_ARRAY,
                    f"`clocks.{inst}` names {reg_name}.{field_name}, a field array, not one clock gate",
                    f"name one gate field of {CLOCK_CONTROLLER}.{reg_name}",
                )
            if gate is None:
                doc = Doc(Path(p.source))
                raise doc.fail(
                    ("clocks", inst), E_CLOCK,
                    f"`clocks.{inst}` names {reg_name}.{field_name}, which is not a {CLOCK_CONTROLLER} register field",
                    f"check specs/soc/{soc.name}/ for the {CLOCK_CONTROLLER} register map",
                )
