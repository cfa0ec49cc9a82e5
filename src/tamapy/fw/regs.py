"""``soc.<soc>.regs`` on the host: register objects generated from the specs.

The compiler turns ``UART1.UTXD.write(TX_DATA=ch)`` into one store whose
value follows from the register spec's write plan
(:meth:`tamapy.specs.model.Register.write_plan`); these objects apply the
same plan to host integers and make the same single access, through a bus
that records it.  Their rules:

* ``REG.read()`` and ``REG.FIELD``: one load of the register's width; a
  field is shifted down and masked.  The result is a :class:`~tamapy.fw.live.Live`
  int, so ``poll`` can read it again.
* ``REG.write(value)``: one store of ``value``.
* ``REG.write(F=v, ...)``: one store of ``v`` packed over the register's
  *write base*: unnamed fields at their reset value, write-1-to-clear fields
  0 (nothing is cleared by accident), reserved bits at ``reserved_value``.
* ``REG.modify(F=v, ...)``: load, keep the unnamed fields, force reserved
  bits to ``reserved_value``, pack the named fields, store.
* ``REG.set/clear/toggle(F=v, ...)``: one store of just the packed fields to
  the SET/CLR/TOG alias; ``clear`` of write-1-to-clear fields without a CLR
  alias stores to the register itself.
* A field array (``REG.IO``, one bit or field per pin): ``REG.IO[i]`` is one
  load keeping element ``i``; ``REG.IO.write(i, v)`` a read-modify-write of
  that element; ``REG.IO.set(i)`` / ``clear(i)`` / ``toggle(i)`` one store
  of the element's ones (to the alias, or ``clear`` of a write-1-to-clear
  element to the register).  An element outside the array raises IndexError.

What the checker rejects (E205: unknown names, writing read-only registers
or fields, reading write-only ones, read-modify-write of registers with
W1C fields or read side effects, missing aliases) raises
:class:`RegisterError`; what the verifier must prove (a field value fits its
bits, a raw write keeps reserved bits at ``reserved_value``) raises
:class:`OverflowError` / :class:`RegisterClaimError`.  Inside a contract
(ghost code) a read goes to the peripheral model directly: no bus access,
no trace entry, which is what the compiled code does (it never evaluates
contracts).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Protocol, cast

from tamapy.fw.contracts import in_ghost
from tamapy.fw.live import Live
from tamapy.fw.types import claim, unsigned_for_bits
from tamapy.specs.model import ALIAS_OF_KIND, Access, Field, Peripheral, Register, Soc


class RegisterError(TypeError):
    """A register used in a way the checker rejects (E205): the program is not in the subset."""


class RegisterNameError(RegisterError, AttributeError):
    """An unknown register or field name (also an AttributeError, so ``hasattr`` works)."""


class RegisterClaimError(ValueError):
    """A register write the verifier would not prove (reserved bits not at their required value)."""


class RegisterBus(Protocol):
    """What register objects need from the host."""

    def load(self, address: int, width: int) -> int:
        """One bus read of ``width`` bits (recorded in the trace)."""
        ...

    def store(self, address: int, width: int, value: int) -> None:
        """One bus write of ``width`` bits (recorded in the trace)."""
        ...

    def peek(self, instance: str, register: Register) -> int:
        """The register's value as the model would return it, without a bus access (ghost code)."""
        ...

    def gate_open(self, instance: str) -> bool:
        """Whether the instance's clock gate is on (True for an instance without one)."""
        ...


class RegisterValue(Live):
    """What ``REG.read()`` gave: an int whose fields read by name (``sr.STDN``), computed from
    the value read, never by another load."""

    _spec: Register

    def __new__(cls, value: int, again: Any, spec: Register) -> RegisterValue:
        self = cast(RegisterValue, super().__new__(cls, value, again))
        self._spec = spec
        return self

    def __getattr__(self, name: str) -> int:
        if name.startswith("_"):
            raise AttributeError(name)
        f = self._spec.field(name)
        if f is None:
            raise RegisterNameError(f"a value of register {self._spec.name} has no field `{name}`")
        if f.count is not None:
            return ValueElements(int(self), f)  # type: ignore[return-value]
        return (int(self) >> f.lsb) & f.max_value


def _element(f: Field, index: object, where: str) -> int:
    """``index`` as an element of the field array ``f`` (IndexError outside it, where the verifier
    proves it in range)."""
    assert f.count is not None
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < f.count:
        raise IndexError(f"{where}[{index!r}]: the field array has elements 0..{f.count - 1}")
    return index


class ValueElements:
    """``sr.IO`` of a register value: ``sr.IO[i]`` is element ``i`` of the value read (no load)."""

    def __init__(self, value: int, spec: Field) -> None:
        self._value, self._spec = value, spec

    def __getitem__(self, index: int) -> int:
        return (self._value >> self._spec.element_shift(_element(self._spec, index, self._spec.name))) & self._spec.max_value

    def __len__(self) -> int:
        return self._spec.count or 0


class RegisterHandle:
    """``INSTANCE.REG``: one register of one peripheral instance."""

    __slots__ = ("_bus", "_instance", "address", "qualname", "spec")

    def __init__(self, bus: RegisterBus, instance: str, base: int, spec: Register) -> None:
        object.__setattr__(self, "_bus", bus)
        object.__setattr__(self, "_instance", instance)
        object.__setattr__(self, "spec", spec)
        object.__setattr__(self, "address", base + spec.offset)
        object.__setattr__(self, "qualname", f"{instance}.{spec.name}")

    _bus: RegisterBus
    _instance: str
    spec: Register
    address: int
    qualname: str

    def __repr__(self) -> str:
        return f"<register {self.qualname} at 0x{self.address:08x}>"

    def __setattr__(self, name: str, value: object) -> None:
        raise RegisterError(f"{self.qualname}.{name} = ...: registers are written through their methods "
                            f"(write, modify, set, clear, toggle)")

    # -- reads --------------------------------------------------------------

    def _load(self) -> int:
        reg = self.spec
        if in_ghost():
            if reg.read_sensitive:
                raise RegisterError(f"a contract reads {self.qualname}, whose read has side effects")
            return self._bus.peek(self._instance, reg) & ((1 << reg.width) - 1)
        return self._bus.load(self.address, reg.width)

    def read(self) -> RegisterValue:
        """The whole register: one load, as a value whose fields read by name."""
        if self.spec.access is Access.WO:
            raise RegisterError(f"{self.qualname} is write-only and cannot be read")
        return RegisterValue(self._load(), self.read, self.spec)

    def _read_field(self, f: Field) -> Live:
        return Live((self._load() >> f.lsb) & f.max_value, lambda: self._read_field(f))

    def __getattr__(self, name: str) -> Live:
        if name.startswith("__"):
            raise AttributeError(name)
        f = self.spec.field(name)
        if f is None:
            fields = ", ".join(x.name for x in self.spec.fields) or "none (use .read())"
            raise RegisterNameError(f"register {self.spec.name} has no field `{name}` (fields: {fields})")
        if f.count is not None:
            return FieldArrayHandle(self, f)  # type: ignore[return-value]
        if self.spec.access is Access.WO or f.access is Access.WO:
            raise RegisterError(f"{self.qualname}.{name} is write-only and cannot be read")
        return self._read_field(f)

    # -- writes -------------------------------------------------------------

    def _writable(self, method: str) -> None:
        if self.spec.access is Access.RO:
            raise RegisterError(f"{self.qualname}.{method}(): {self.spec.name} is read-only")

    def _field_values(self, method: str, fields: dict[str, Any], arrays: bool = False) -> dict[str, int]:
        """The named fields' values, after the checker's and verifier's rules."""
        if not fields:
            raise RegisterError(f"{self.qualname}.{method}() needs at least one FIELD=value")
        values: dict[str, int] = {}
        for name, value in fields.items():
            f = self.spec.field(name)
            if f is None:
                raise RegisterNameError(f"register {self.spec.name} has no field `{name}`")
            if f.access is Access.RO:
                raise RegisterError(f"field {self.spec.name}.{f.name} is read-only")
            if f.count is not None and not arrays:
                raise RegisterError(f"{self.qualname}.{f.name} is a field array: write one element, "
                                    f"{f.name}.write(i, value)")
            v = claim(unsigned_for_bits(f.width), value, f"{self.qualname}.{f.name}")
            if v > f.max_value:
                raise OverflowError(f"{v} does not fit the {f.width}-bit field {self.qualname}.{f.name}")
            values[name] = v
        return values

    def _store(self, address: int, value: int) -> None:
        if in_ghost():
            raise RegisterError(f"a contract writes {self.qualname}")
        self._bus.store(address, self.spec.width, value)

    def _write_fields(self, kind: str, values: dict[str, int], element: int = 0) -> None:
        """The store of the spec's write plan (after the load, for a read-modify-write)."""
        plan = self.spec.write_plan(kind, list(values))
        old = self._load() if plan.reads_old else 0
        stored = plan.stored(old, [values[slot.name] for slot in plan.slots], element)
        self._store(self.address - self.spec.offset + plan.offset, stored)

    def write(self, *value: int, **fields: int) -> None:
        """``write(raw)`` or ``write(F=v, ...)``: one store (see the module docstring)."""
        self._writable("write")
        reg = self.spec
        if value:
            if len(value) != 1 or fields:
                raise RegisterError(f"{self.qualname}.write() takes one value, or FIELD=value arguments")
            raw = claim(unsigned_for_bits(reg.width), value[0], f"value written to {self.qualname}")
            if raw & reg.reserved_mask != reg.reserved_value:
                raise RegisterClaimError(
                    f"0x{raw:x} written to {self.qualname}: reserved bits (mask 0x{reg.reserved_mask:x}) "
                    f"must be 0x{reg.reserved_value:x}")
            self._store(self.address, raw)
            return
        self._write_fields("write", self._field_values("write", fields))

    def modify(self, **fields: int) -> None:
        """Read-modify-write of the named fields: one load, one store."""
        self._modify(fields)

    def _modify(self, fields: dict[str, int], element: int | None = None) -> None:
        self._writable("modify")
        reg = self.spec
        if reg.access is Access.WO or reg.read_sensitive or reg.has_w1c:
            why = "is write-only" if reg.access is Access.WO else (
                "has read side effects" if reg.read_sensitive else "has write-1-to-clear fields")
            raise RegisterError(f"read-modify-write of {self.qualname}, which {why}")
        self._write_fields("modify", self._field_values("modify", fields, element is not None), element or 0)

    def _alias_write(self, method: str, fields: dict[str, int], element: int | None = None) -> None:
        self._writable(method)
        reg = self.spec
        alias = ALIAS_OF_KIND[method]
        values = self._field_values(method, fields, element is not None)
        if alias not in reg.aliases:
            named = [reg.field(n) for n in fields]
            if method != "clear" or not all(f is not None and f.access is Access.W1C for f in named):
                raise RegisterError(f"{self.qualname} has no {alias} alias")
            for f in named:
                assert f is not None
                if values[f.name] != f.max_value:
                    raise RegisterError(f"clear() of W1C field {self.qualname}.{f.name} writes ones: "
                                        f"write {f.name}={f.max_value}")
        self._write_fields(method, values, element or 0)

    def set(self, **fields: int) -> None:
        """Store the fields to the SET alias: their 1 bits are set."""
        self._alias_write("set", fields)

    def clear(self, **fields: int) -> None:
        """Store the fields to the CLR alias (or, for W1C fields without one, to the register)."""
        self._alias_write("clear", fields)

    def toggle(self, **fields: int) -> None:
        """Store the fields to the TOG alias: their 1 bits are inverted."""
        self._alias_write("toggle", fields)


class FieldArrayHandle:
    """``INSTANCE.REG.FIELD`` of a field array: element ``i`` is read as ``FIELD[i]`` (one load) and
    written through :meth:`write`, :meth:`set`, :meth:`clear`, :meth:`toggle` (no load before them
    but the read-modify-write's own)."""

    __slots__ = ("_register", "qualname", "spec")

    def __init__(self, register: RegisterHandle, spec: Field) -> None:
        object.__setattr__(self, "_register", register)
        object.__setattr__(self, "spec", spec)
        object.__setattr__(self, "qualname", f"{register.qualname}.{spec.name}")

    _register: RegisterHandle
    spec: Field
    qualname: str

    def __getitem__(self, index: int) -> Live:
        i = _element(self.spec, index, self.qualname)
        reg, f = self._register, self.spec
        if reg.spec.access is Access.WO or f.access is Access.WO:
            raise RegisterError(f"{self.qualname} is write-only and cannot be read")
        return Live((reg._load() >> f.element_shift(i)) & f.max_value, lambda: self[i])

    def __len__(self) -> int:
        return self.spec.count or 0

    def write(self, index: int, value: int) -> None:
        """Read-modify-write of element ``index``: one load, one store."""
        self._register._modify({self.spec.name: value}, _element(self.spec, index, self.qualname))

    def _ones(self, method: str, index: int) -> None:
        i = _element(self.spec, index, self.qualname)
        self._register._alias_write(method, {self.spec.name: self.spec.max_value}, i)

    def set(self, index: int) -> None:
        """Element ``index`` all ones, through the SET alias."""
        self._ones("set", index)

    def clear(self, index: int) -> None:
        """Element ``index`` cleared, through the CLR alias (or by writing it ones, if write-1-to-clear)."""
        self._ones("clear", index)

    def toggle(self, index: int) -> None:
        """Element ``index`` inverted, through the TOG alias."""
        self._ones("toggle", index)

    def __setattr__(self, name: str, value: object) -> None:
        raise RegisterError(f"{self.qualname}.{name} = ...: field arrays are written through their methods")

    def __repr__(self) -> str:
        return f"<field array {self.qualname} of {len(self)}>"


class RegisterArray:
    """``INSTANCE.REG`` of a register array: ``REG[i]`` is element ``i``'s :class:`RegisterHandle`
    (an index outside the array raises IndexError, where the verifier proves it in range)."""

    __slots__ = ("_elements", "qualname")

    def __init__(self, bus: RegisterBus, instance: str, base: int, spec: Register) -> None:
        assert spec.count is not None
        object.__setattr__(self, "_elements", tuple(RegisterHandle(bus, instance, base, e) for e in spec.elements()))
        object.__setattr__(self, "qualname", f"{instance}.{spec.name}")

    _elements: tuple[RegisterHandle, ...]
    qualname: str

    def __getitem__(self, index: int) -> RegisterHandle:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self._elements):
            raise IndexError(f"{self.qualname}[{index!r}]: the array has registers 0..{len(self._elements) - 1}")
        return self._elements[index]

    def __len__(self) -> int:
        return len(self._elements)

    def __setattr__(self, name: str, value: object) -> None:
        raise RegisterError(f"{self.qualname}.{name} = ...: registers are written through their methods")

    def __repr__(self) -> str:
        return f"<register array {self.qualname} of {len(self._elements)}>"


class PeripheralInstance:
    """A register block instance (``UART1``); its class is the peripheral type (``UART``)."""

    spec: Peripheral
    """The peripheral type's spec (a class attribute of each generated type)."""

    def __init__(self, bus: RegisterBus, name: str, base: int) -> None:
        d = self.__dict__
        d["_bus"], d["_name"], d["_base"] = bus, name, base
        for reg in self.spec.registers:
            d[reg.name] = RegisterHandle(bus, name, base, reg) if reg.count is None else RegisterArray(bus, name, base, reg)

    @property
    def instance_name(self) -> str:
        return str(self.__dict__["_name"])

    @property
    def base(self) -> int:
        return int(self.__dict__["_base"])

    def enable_clock(self) -> None:
        """Open this instance's clock gate: its CCGR field to 0b11 (``enable_clock(INSTANCE)``)."""
        gate = self.__dict__.get("_gate")
        if gate is None:
            raise RegisterError(f"the specs name no clock gate for {self.instance_name}")
        handle, field = gate
        handle.modify(**{field.name: field.max_value})

    def clock_enabled(self) -> bool:
        """Is the instance's clock gate on?  Ghost state: read from the CCM model, not the bus."""
        bus: RegisterBus = self.__dict__["_bus"]
        return bus.gate_open(self.instance_name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise RegisterNameError(f"{self.spec.name} has no register `{name}`")

    def __setattr__(self, name: str, value: object) -> None:
        raise RegisterError(f"{self.instance_name}.{name} = ...: register instances are read-only")

    def __repr__(self) -> str:
        return f"<{self.spec.name} instance {self.instance_name} at 0x{self.base:08x}>"


def peripheral_type(peripheral: Peripheral, module: str) -> type[PeripheralInstance]:
    """The Python class standing for a peripheral type (``UART``): annotations, ``isinstance``."""
    doc = peripheral.description or f"{peripheral.name} register block"
    return type(peripheral.name, (PeripheralInstance,), {"spec": peripheral, "__module__": module, "__doc__": doc})


def build_regs_module(name: str, soc: Soc, bus: RegisterBus) -> ModuleType:
    """The module ``soc.<soc>.regs``: every peripheral type and instance of ``soc``, bound to ``bus``."""
    module = ModuleType(name, f"Register instances and peripheral types of SoC {soc.name}, from its specs.")
    for p in soc.peripherals:
        cls = peripheral_type(p, name)
        setattr(module, p.name, cls)
        for inst, base in p.instances:
            setattr(module, inst, cls(bus, inst, base))
    ccm = soc.instance("CCM")
    for p in soc.peripherals if ccm is not None else ():
        for inst, reg, fld in p.clocks:
            handle = module.CCM.__dict__[reg]
            getattr(module, inst).__dict__["_gate"] = (handle, handle.spec.field(fld))
    return module
