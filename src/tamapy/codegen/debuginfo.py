"""DWARF metadata for the generated module: units, lines, types and variables."""

from __future__ import annotations

from tamapy.lang import ir
from tamapy.lang.core import TEMP_PREFIX
from tamapy.lang.walk import walk_stmts


class DebugInfo:
    """DWARF metadata, so an address in the image maps back to a source line (the
    simulator's fault reports use it) and a debugger can show a function's variables.

    One compile unit per firmware module, named by its project-relative path with
    directory ".": the image is the same bytes wherever the project is checked out.
    """

    FIRST_ID = 10  # !0 and !1 are taken by the startup code and branch weights

    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.files: dict[str, str] = {}
        self.units: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self.locations: dict[tuple[int, int, str], str] = {}

    def _add(self, text: str) -> str:
        ref = f"!{self.FIRST_ID + len(self.nodes)}"
        self.nodes.append(text)
        return ref

    def file(self, path: str) -> str:
        if path not in self.files:
            self.files[path] = self._add(f'!DIFile(filename: "{path}", directory: ".")')
        return self.files[path]

    def unit(self, path: str) -> str:
        """The compile unit of the module at ``path`` (created on first use)."""
        if path not in self.units:
            self.units[path] = self._add(
                f'distinct !DICompileUnit(language: DW_LANG_Python, file: {self.file(path)}, producer: "tamapy", '
                "isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)"
            )
        return self.units[path]

    def subprogram(self, fn: ir.Function) -> str:
        f = self.file(fn.span.file)
        unit = self.unit(fn.span.file)
        signature = [self.type(fn.ret) or "null", *(self.type(p.type) or "null" for p in fn.params)]
        kind = self._add(f"!DISubroutineType(types: !{{{', '.join(signature)}}})")
        return self._add(
            f'distinct !DISubprogram(name: "{fn.name}", linkageName: "{fn.qualname}", scope: {f}, file: {f}, '
            f"line: {fn.span.line}, type: {kind}, scopeLine: {fn.span.line}, "
            f"spFlags: DISPFlagDefinition | DISPFlagOptimized | DISPFlagLocalToUnit, unit: {unit})"
        )

    def type(self, t: ir.Type) -> str | None:
        """The DWARF type of ``t``; None for ``None``."""
        if isinstance(t, ir.VoidType):
            return None
        if isinstance(t, ir.ViewType):
            return self._view(t)
        if isinstance(t, ir.StructType):
            return self._struct(t)
        if isinstance(t, ir.ArrayType):
            elem = self.type(t.elem)
            key = f"{t.elem.name}[{t.length}]"
            if key not in self.types:
                size = t.elem.bits * t.length
                count = self._add(f"!{{!DISubrange(count: {t.length})}}")
                self.types[key] = self._add(
                    f"!DICompositeType(tag: DW_TAG_array_type, baseType: {elem}, size: {size}, elements: {count})"
                )
            return self.types[key]
        if isinstance(t, ir.BoolType):
            return self._basic("bool", 8, "DW_ATE_boolean")
        scalar = ir.machine_int(t)
        name = str(t) if isinstance(t, ir.EnumType | ir.PeripheralType) else scalar.name
        return self._basic(name, scalar.bits, "DW_ATE_signed" if scalar.signed else "DW_ATE_unsigned")

    def _view(self, t: ir.ViewType) -> str:
        """A view as the structure it is held in: the first element's address and the length."""
        key = str(t)
        if key not in self.types:
            data = self._add(f"!DIDerivedType(tag: DW_TAG_pointer_type, baseType: {self.type(t.elem)}, size: 32)")
            u32 = self.type(ir.U32)
            members = [
                self._add(f'!DIDerivedType(tag: DW_TAG_member, name: "{name}", baseType: {kind}, size: 32, '
                          f"offset: {offset})")
                for name, kind, offset in (("data", data, 0), ("len", u32, 32))
            ]
            self.types[key] = self._add(
                f'!DICompositeType(tag: DW_TAG_structure_type, name: "{key}", size: 64, '
                f"elements: !{{{', '.join(members)}}})"
            )
        return self.types[key]

    def _struct(self, t: ir.StructType) -> str:
        """A ``@struct`` as the structure it is: each member by name at its offset (``print d`` shows them)."""
        key = t.name
        if key not in self.types:
            members = []
            for m in t.members:
                kind = self.type(m.elem if m.count is None else ir.ArrayType(m.elem, m.count))
                members.append(self._add(f'!DIDerivedType(tag: DW_TAG_member, name: "{m.name}", baseType: {kind}, '
                                         f"size: {m.size * 8}, offset: {m.offset * 8})"))
            self.types[key] = self._add(
                f'!DICompositeType(tag: DW_TAG_structure_type, name: "{t.name.rsplit(".", 1)[-1]}", '
                f"size: {t.size * 8}, elements: !{{{', '.join(members)}}})"
            )
        return self.types[key]

    def _pointer(self, target: str) -> str:
        key = f"*{target}"
        if key not in self.types:
            self.types[key] = self._add(f"!DIDerivedType(tag: DW_TAG_pointer_type, baseType: {target}, size: 32)")
        return self.types[key]

    def _basic(self, name: str, bits: int, encoding: str) -> str:
        if name not in self.types:
            self.types[name] = self._add(f'!DIBasicType(name: "{name}", size: {bits}, encoding: {encoding})')
        return self.types[name]

    def variable(self, name: str, t: ir.Type, span: ir.Span, scope: str, arg: int | None) -> str | None:
        """A parameter (``arg`` is its 1-based position) or local of the function ``scope``;
        None for the core form's temporaries and for types without a description.  An array
        or struct parameter is passed by reference: it is described as the pointer it is."""
        kind = self.type(t)
        if kind is None or name.startswith(TEMP_PREFIX):
            return None
        if arg is not None and isinstance(t, ir.ArrayType):
            kind = self._pointer(kind)
        number = f", arg: {arg}" if arg is not None else ""
        return self._add(
            f'!DILocalVariable(name: "{name}"{number}, scope: {scope}, file: {self.file(span.file)}, '
            f"line: {span.line}, type: {kind})"
        )

    def location(self, line: int, col: int, scope: str) -> str:
        key = (line, col, scope)
        if key not in self.locations:
            self.locations[key] = self._add(f"!DILocation(line: {line}, column: {col}, scope: {scope})")
        return self.locations[key]

    def module_metadata(self) -> list[str]:
        if not self.units:
            self.unit("firmware")
        flags = [self._add('!{i32 7, !"Dwarf Version", i32 4}'), self._add('!{i32 2, !"Debug Info Version", i32 3}')]
        out = [f"!{self.FIRST_ID + i} = {text}" for i, text in enumerate(self.nodes)]
        units = ", ".join(self.units.values())
        return [*out, f"!llvm.dbg.cu = !{{{units}}}", f"!llvm.module.flags = !{{{', '.join(flags)}}}"]


def local_spans(fn: ir.Function) -> dict[str, ir.Span]:
    """Where each local of ``fn`` is first given a value (a loop variable: its ``for``)."""
    spans: dict[str, ir.Span] = {}
    for s in walk_stmts(fn.body):
        if isinstance(s, ir.Assign) and isinstance(s.target, ir.Local):
            spans.setdefault(s.target.name, s.span)
        elif isinstance(s, ir.For):
            spans.setdefault(s.var.name, s.span)
    return spans
