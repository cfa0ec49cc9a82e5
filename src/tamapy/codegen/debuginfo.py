"""DWARF line-table metadata for the generated module."""

from __future__ import annotations

from tamapy.lang import ir


class DebugInfo:
    """DWARF line-table metadata, so an address in the image maps back to a source line
    (the simulator's fault reports use it).  Paths are project-relative: reproducible."""

    FIRST_ID = 10  # !0 and !1 are taken by the startup code and branch weights

    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.files: dict[str, str] = {}
        self.locations: dict[tuple[int, int, str], str] = {}
        self.unit = self._add("")  # filled in by module_metadata()

    def _add(self, text: str) -> str:
        ref = f"!{self.FIRST_ID + len(self.nodes)}"
        self.nodes.append(text)
        return ref

    def file(self, path: str) -> str:
        if path not in self.files:
            self.files[path] = self._add(f'!DIFile(filename: "{path}", directory: ".")')
        return self.files[path]

    def subprogram(self, fn: ir.Function) -> str:
        f = self.file(fn.span.file)
        kind = self._add("!DISubroutineType(types: !{})")
        return self._add(
            f'distinct !DISubprogram(name: "{fn.name}", linkageName: "{fn.qualname}", scope: {f}, file: {f}, '
            f"line: {fn.span.line}, type: {kind}, scopeLine: {fn.span.line}, "
            f"spFlags: DISPFlagDefinition | DISPFlagOptimized | DISPFlagLocalToUnit, unit: {self.unit})"
        )

    def location(self, line: int, col: int, scope: str) -> str:
        key = (line, col, scope)
        if key not in self.locations:
            self.locations[key] = self._add(f"!DILocation(line: {line}, column: {col}, scope: {scope})")
        return self.locations[key]

    def module_metadata(self) -> list[str]:
        first_file = next(iter(self.files.values()), None) or self.file("firmware")
        self.nodes[int(self.unit[1:]) - self.FIRST_ID] = (
            f'distinct !DICompileUnit(language: DW_LANG_Python, file: {first_file}, producer: "tamapy", '
            "isOptimized: true, runtimeVersion: 0, emissionKind: LineTablesOnly)"
        )
        flags = [self._add('!{i32 7, !"Dwarf Version", i32 4}'), self._add('!{i32 2, !"Debug Info Version", i32 3}')]
        out = [f"!{self.FIRST_ID + i} = {text}" for i, text in enumerate(self.nodes)]
        return [*out, f"!llvm.dbg.cu = !{{{self.unit}}}", f"!llvm.module.flags = !{{{', '.join(flags)}}}"]
