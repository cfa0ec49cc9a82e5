"""Module-level names: what each top-level name of a firmware module means.

Builds, for every module, a table from names to symbols (functions,
globals, constants, enums, register instances, intrinsics, types), binds
imports across modules, and evaluates annotations and compile-time
constants.  Function bodies are checked later by :mod:`tamapy.lang.check`,
which looks names up here.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tamapy.diagnostics import Diagnostic, TamapyError
from tamapy.lang import ir
from tamapy.lang.classes import enum_type, struct_type
from tamapy.lang.folding import fold_binop
from tamapy.lang.parse import ParsedModule
from tamapy.lang.resolve import ModuleLoader, regs_module
from tamapy.lang.tables import Table, table_elements
from tamapy.specs.interfaces import Interface
from tamapy.specs.model import Peripheral, Soc

FW_INTRINSICS = frozenset(
    {
        "requires", "ensures", "invariant", "decreases", "poll", "forever", "panic",
        "trusted", "wfi", "dsb", "isb", "dmb", "mmio", "clock_enabled", "addr_of", "old", "struct",
        "enable_clock",
    }
)
FW_GENERICS = frozenset({"Array", "Bytes", "View", "MutView", "Dma", "RegValue"})


@dataclass
class FuncSym:
    qualname: str
    module: ParsedModule
    node: ast.FunctionDef
    params: tuple[ir.Param, ...] = ()
    ret: ir.Type = ir.VOID
    trusted: str | None = None


@dataclass
class GlobalSym:
    """A module-level variable or constant."""

    symbol: str
    type: ir.Type
    const: bool
    value: int | Table | None
    """Folded value of a constant (int, bytes or a table's elements); initial value of a variable."""
    node: ast.AST
    module: ParsedModule
    untyped: bool = False
    """``X: Final = 5``: an integer constant that takes its type from where it is used."""


@dataclass(frozen=True)
class InstanceSym:
    name: str
    peripheral: Peripheral
    base: int


@dataclass(frozen=True)
class ModuleSym:
    name: str


@dataclass(frozen=True)
class IntrinsicSym:
    name: str


@dataclass(frozen=True)
class TypeSym:
    type: ir.Type


@dataclass(frozen=True)
class GenericSym:
    name: str
    """Array, Bytes, View or Final."""


@dataclass(frozen=True)
class EnumBaseSym:
    """``IntEnum`` itself, only usable as a base class."""


Sym = (
    FuncSym | GlobalSym | InstanceSym | ModuleSym | IntrinsicSym | TypeSym | GenericSym
    | EnumBaseSym
)


@dataclass
class ModuleScope:
    module: ParsedModule
    names: dict[str, Sym] = field(default_factory=dict)
    nodes: dict[str, ast.AST] = field(default_factory=dict)


class Tables:
    """All module scopes of one program, plus the virtual register module."""

    def __init__(self, loader: ModuleLoader, soc: Soc, interfaces: tuple[Interface, ...] = ()) -> None:
        self.loader = loader
        self.soc = soc
        self.interfaces = {(i.module, i.name): i for i in interfaces}
        self.scopes: dict[str, ModuleScope] = {}
        self.diags: list[Diagnostic] = []
        self.literals: dict[str, bytes] = {}
        """Bytes literals used inside functions: link symbol -> content."""
        self._const_busy: set[str] = set()

    def bytes_literal(self, module: str, data: bytes) -> str:
        """The read-only global holding ``data`` (one per module and content)."""
        symbol = f"{module}.bytes_{hashlib.sha256(data).hexdigest()[:12]}"
        self.literals[symbol] = data
        return symbol

    # ------------------------------------------------------------ reporting

    def report(self, module: ParsedModule, node: ast.AST, code: str, message: str, hint: str) -> None:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        self.diags.append(Diagnostic(module.display, line, col, code, message, hint))

    def raise_if_errors(self) -> None:
        if self.diags:
            raise TamapyError(self.diags)

    # ------------------------------------------------------------ building

    def build(self, modules: list[ParsedModule]) -> None:
        for m in modules:
            self.scopes[m.name] = ModuleScope(m)
        for m in modules:
            self._declare(self.scopes[m.name])
        for m in modules:
            self._bind_imports(self.scopes[m.name])
        # Enums and structs first, everywhere (annotations of globals and signatures name them),
        # then globals, then signatures: the order of modules must not matter.
        for m in modules:
            self._resolve_classes(self.scopes[m.name])
        for m in modules:
            self._resolve_globals(self.scopes[m.name])
        for m in modules:
            self._resolve_signatures(self.scopes[m.name])

    def _declare(self, scope: ModuleScope) -> None:
        """First pass: names defined by the module itself."""
        m = scope.module
        for node in m.tree.body:
            if isinstance(node, ast.FunctionDef):
                self._define(scope, node.name, FuncSym(f"{m.name}.{node.name}", m, node), node)
            elif isinstance(node, ast.ClassDef):
                self._define(scope, node.name, TypeSym(ir.VOID), node)  # completed in pass 3
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                sym = GlobalSym(f"{m.name}.{node.target.id}", ir.VOID, False, None, node, m)
                self._define(scope, node.target.id, sym, node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(
                node.value.value, str
            )):
                continue
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                self.report(
                    m, node, "E113", "module-level variables need a type annotation",
                    "write `NAME: Final = value` for a constant or `name: u32 = 0` for a variable",
                )
            else:
                self.report(
                    m, node, "E116", f"`{type(node).__name__}` statements are not allowed at module level",
                    "module level holds imports, constants, globals, enums and functions",
                )

    def _define(self, scope: ModuleScope, name: str, sym: Sym, node: ast.AST) -> None:
        if name in scope.names:
            self.report(scope.module, node, "E211", f"`{name}` is defined twice", "rename one of them")
            return
        scope.names[name] = sym
        scope.nodes[name] = node

    def _bind_imports(self, scope: ModuleScope) -> None:
        m = scope.module
        for node in m.tree.body:
            if isinstance(node, ast.ImportFrom):
                src = node.module or ""
                for alias in node.names:
                    sym = self._import_name(m, node, src, alias.name)
                    if sym is not None:
                        self._define(scope, alias.asname or alias.name, sym, node)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname is None and "." in alias.name:
                        self.report(
                            m, node, "E115", "`import a.b` is not supported",
                            f"write `import {alias.name} as name` or `from ... import ...`",
                        )
                        continue
                    canonical = self.loader.canonical(alias.name)
                    if canonical not in self.scopes:
                        self._no_module(m, node, alias.name, "check the module path")
                        continue
                    self._define(scope, alias.asname or alias.name, ModuleSym(canonical), node)

    def _import_name(self, m: ParsedModule, node: ast.AST, src: str, name: str) -> Sym | None:
        """What ``from src import name`` binds, or None after reporting why not."""
        if src == "__future__":
            if name != "annotations":
                self.report(m, node, "E115", f"`from __future__ import {name}` is not supported", "remove it")
            return None
        if src == "typing":
            if name == "Final":
                return GenericSym("Final")
            self.report(m, node, "E115", f"`typing.{name}` is not in the subset", "only typing.Final is")
            return None
        if src == "enum":
            if name == "IntEnum":
                return EnumBaseSym()
            self.report(m, node, "E115", f"`enum.{name}` is not in the subset", "only enum.IntEnum is")
            return None
        if src == "tamapy.fw":
            if name in ir.INT_TYPES:
                return TypeSym(ir.INT_TYPES[name])
            if name in FW_GENERICS:
                return GenericSym(name)
            if name in FW_INTRINSICS:
                return IntrinsicSym(name)
            self.report(m, node, "E115", f"tamapy.fw has no `{name}`", "see docs/subset.md for what it provides")
            return None
        canonical = self.loader.canonical(src)
        if canonical == regs_module(self.loader.board):
            found = self.soc.instance(name)
            if found is not None:
                return InstanceSym(name, found[0], found[1])
            periph = self.soc.peripheral(name)
            if periph is not None:
                return TypeSym(ir.PeripheralType(periph))
            self.report(
                m, node, "E115", f"the {self.soc.name} register maps have no instance or peripheral `{name}`",
                f"defined in specs/soc/{self.soc.name}/*.toml",
            )
            return None
        if src.startswith("soc.") and src.endswith(".regs"):
            self.report(
                m, node, "E115", f"`{src}` is not the register module of this board's SoC",
                f"the board uses `{regs_module(self.loader.board)}`",
            )
            return None
        submodule = f"{canonical}.{name}"
        if submodule in self.scopes:
            return ModuleSym(submodule)
        scope = self.scopes.get(canonical)
        if scope is None:
            self._no_module(m, node, src, "imports are relative to firmware/")
            return None
        sym = scope.names.get(name)
        if sym is None or isinstance(scope.nodes.get(name), (ast.ImportFrom, ast.Import)):
            self.report(m, node, "E115", f"module `{src}` defines no `{name}`", "check the spelling")
            return None
        ann = getattr(scope.nodes.get(name), "annotation", None)
        declared_class = scope.nodes.get(ann.id) if isinstance(ann, ast.Name) else None
        is_struct = isinstance(declared_class, ast.ClassDef) and bool(declared_class.decorator_list)
        if isinstance(sym, GlobalSym) and isinstance(ann, ast.Name) and ann.id != "Final" and not is_struct:
            # A scalar variable: Python binds the value it had at import time; the subset would read it live.
            # (A struct variable, like an array, is one object: importing it binds that object.)
            self.report(m, node, "E123", f"`{name}` is a mutable module variable of `{src}`: "
                        "`from ... import` would bind a copy of its value",
                        f"import the module and write `{src.split('.')[-1]}.{name}`")
            return None
        return sym

    def _no_module(self, m: ParsedModule, node: ast.AST, imported: str, hint: str) -> None:
        other = self.loader.other_board(imported)
        if other is not None:
            self.report(m, node, "E115", f"`{imported}` is in board package `{other}`, which the "
                        f"{self.loader.board.name} build does not include",
                        "import `board.<module>` (the package of the board being built), or declare the "
                        "application's boards in pyproject.toml [tool.tamapy.apps]")
            return
        self.report(m, node, "E115", f"no firmware module `{imported}`", hint)

    # ------------------------------------------------------------ declarations

    def _resolve_classes(self, scope: ModuleScope) -> None:
        for name, node in list(scope.nodes.items()):
            if isinstance(node, ast.ClassDef) and scope.names.get(name) is not None:
                placeholder = scope.names[name]
                t = self._class(scope, node)
                if t is not None:
                    resolved = TypeSym(t)
                    for other in self.scopes.values():  # importers hold the placeholder
                        for key, sym in list(other.names.items()):
                            if sym is placeholder:
                                other.names[key] = resolved

    def _resolve_globals(self, scope: ModuleScope) -> None:
        m = scope.module
        for name in list(scope.nodes):
            sym = scope.names[name]
            if isinstance(sym, GlobalSym) and sym.module is m:
                self._global(scope, sym)

    def _resolve_signatures(self, scope: ModuleScope) -> None:
        for sym in scope.names.values():
            if isinstance(sym, FuncSym) and sym.module is scope.module:
                self._signature(scope, sym)

    def _class(self, scope: ModuleScope, node: ast.ClassDef) -> ir.EnumType | ir.StructType | None:
        m = scope.module
        qualname = f"{m.name}.{node.name}"
        report = lambda *d: self.report(m, *d)  # noqa: E731 - the module is fixed for the whole class
        if node.decorator_list:
            deco = self.lookup_node(scope, node.decorator_list[0])
            if not (isinstance(deco, IntrinsicSym) and deco.name == "struct"):
                self.report(m, node, "E108", "`struct` is tamapy.fw's decorator", "write `from tamapy.fw import struct`")
                return None
            return struct_type(qualname, node, lambda n: self.annotation(scope, n, quiet=True), report)
        if len(node.bases) != 1 or not isinstance(self.lookup_node(scope, node.bases[0]), EnumBaseSym):
            self.report(m, node, "E108", "an enum must derive from IntEnum alone", "write `class X(IntEnum):`")
            return None
        return enum_type(qualname, node, lambda n: self.fold(scope, n), report)

    def _global(self, scope: ModuleScope, sym: GlobalSym) -> None:
        m = scope.module
        node = sym.node
        assert isinstance(node, ast.AnnAssign)
        if node.value is None:
            self.report(m, node, "E113", "a module-level name needs a value", "write `name: T = value`")
            return
        ann = node.annotation
        final_inner: ast.expr | None = None
        is_final = False
        if isinstance(self.lookup_node(scope, ann), GenericSym) and self._generic_name(scope, ann) == "Final":
            is_final = True
        elif isinstance(ann, ast.Subscript) and self._generic_name(scope, ann.value) == "Final":
            is_final = True
            final_inner = ann.slice
        declared = self.annotation(scope, final_inner) if final_inner is not None else None
        if not is_final:
            declared = self.annotation(scope, ann)
        sym.const = is_final
        value_node = node.value
        call = value_node if is_final and isinstance(value_node, ast.Call) and value_node.args else None
        if call is not None and isinstance(call.func, ast.Subscript):  # K: Final = Array[u32, 2](1, 2)
            table = self.annotation(scope, call.func)
            elements = table_elements(call, table, declared, lambda n: self.fold(scope, n), lambda *d: self.report(m, *d))
            if elements is not None and isinstance(table, ir.ArrayType):
                sym.type, sym.value = table, elements
            return
        # Fresh zeroed arrays: `buf: Bytes[64] = Bytes[64]()`.
        if isinstance(declared, ir.ArrayType):
            if not self._is_array_ctor(scope, value_node, declared):
                hint = "arrays start zeroed; fill them in code" + ("" if is_final else ", or list a Final table's elements")
                self.report(m, value_node, "E201", f"initialise a {declared} with `{declared}()`", hint)
                return
            if is_final:
                self.report(m, node, "E201", "a Final array of zeros could never change", f"list its elements: `{declared}(1, 2, ...)`")
                return
            sym.type, sym.value = declared, None
            return
        if isinstance(value_node, ast.Constant) and isinstance(value_node.value, bytes):
            if not is_final:
                self.report(m, node, "E201", "bytes literals are constants", "annotate with `Final`")
                return
            data = value_node.value
            if not data:
                self.report(m, node, "E201", "empty bytes constants are not supported", "remove it")
                return
            sym.type, sym.value = ir.ArrayType(ir.U8, len(data)), data
            return
        if is_final:
            target = self.lookup_node(scope, value_node)
            if isinstance(target, InstanceSym):
                # `CONSOLE: Final = UART1` — an alias of a register instance (importers too).
                for other in self.scopes.values():
                    for key, bound in list(other.names.items()):
                        if bound is sym:
                            other.names[key] = target
                return
        value = self.fold(scope, value_node)
        if value is None:
            self.report(
                m, value_node, "E202", "module-level values must be compile-time constants",
                "compute it in a function, or use literals and other constants",
            )
            return
        if declared is None:
            sym.type, sym.value, sym.untyped = ir.I64, value, True
            if not (-(1 << 63) <= value < (1 << 64)):
                self.report(m, value_node, "E202", "constant does not fit 64 bits", "use a smaller value")
            return
        scalar = ir.scalar_int(declared)
        if scalar is None or isinstance(declared, ir.BoolType | ir.EnumType):
            if isinstance(declared, ir.BoolType) and value in (0, 1):
                sym.type, sym.value = declared, value
                return
            self.report(m, node, "E201", f"module-level values of type {declared} are not supported", "use an int type")
            return
        if not scalar.contains(value):
            self.report(m, value_node, "E202", f"{value} does not fit {declared}", f"{declared} holds {scalar.min}..{scalar.max}")
            return
        sym.type, sym.value = declared, value

    def _signature(self, scope: ModuleScope, sym: FuncSym) -> None:
        m = scope.module
        node = sym.node
        params: list[ir.Param] = []
        for arg in node.args.args:
            span = span_of(m, arg)
            if arg.annotation is None:
                self.report(m, arg, "E113", f"parameter `{arg.arg}` needs a type annotation", "write `name: u32`")
                continue
            t = self.annotation(scope, arg.annotation)
            if t is None:
                continue
            if isinstance(t, ir.VoidType):
                self.report(m, arg, "E201", "a parameter cannot have type None", "remove the parameter")
                continue
            params.append(ir.Param(arg.arg, t, span))
        if node.returns is None:
            self.report(m, node, "E113", f"function `{node.name}` needs a return annotation", "write `-> None` or `-> u32`")
            ret: ir.Type | None = ir.VOID
        else:
            ret = self.annotation(scope, node.returns)
        if isinstance(ret, ir.ArrayType | ir.ViewType):
            self.report(
                m, node.returns or node, "E201", "functions cannot return arrays (no heap)",
                "pass the destination array as a parameter",
            )
        sym.params = tuple(params)
        sym.ret = ret if ret is not None else ir.VOID
        for deco in node.decorator_list:
            if (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Name)
                and isinstance(scope.names.get(deco.func.id), IntrinsicSym)
                and deco.func.id == "trusted"
            ):
                reason = deco.args[0] if len(deco.args) == 1 and all(k.arg == "modifies" for k in deco.keywords) else None
                if not (isinstance(reason, ast.Constant) and isinstance(reason.value, str) and reason.value.strip()):
                    self.report(m, deco, "E118", "@trusted needs a reason", 'write @trusted("why this is safe")')
                    continue
                sym.trusted = reason.value.strip()

    # ------------------------------------------------------------ lookups

    def lookup_node(self, scope: ModuleScope, node: ast.AST) -> Sym | None:
        """Resolve a Name or a dotted Attribute chain at module level (no reporting)."""
        if isinstance(node, ast.Name):
            return scope.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.lookup_node(scope, node.value)
            if isinstance(base, ModuleSym):
                inner = self.scopes.get(base.name)
                if inner is not None:
                    return inner.names.get(node.attr)
        return None

    def _generic_name(self, scope: ModuleScope, node: ast.AST) -> str | None:
        sym = self.lookup_node(scope, node)
        return sym.name if isinstance(sym, GenericSym) else None

    def _is_array_ctor(self, scope: ModuleScope, node: ast.AST, t: ir.ArrayType) -> bool:
        return (
            isinstance(node, ast.Call)
            and not node.args
            and not node.keywords
            and self.annotation(scope, node.func, quiet=True) == t
        )

    def annotation(self, scope: ModuleScope, node: ast.AST, quiet: bool = False) -> ir.Type | None:
        """The type an annotation denotes, or None (after reporting unless ``quiet``)."""
        m = scope.module

        def bad(message: str, hint: str) -> None:
            if not quiet:
                self.report(m, node, "E201", message, hint)

        if isinstance(node, ast.Constant) and node.value is None:
            return ir.VOID
        if isinstance(node, ast.Name) and node.id == "bool":
            return ir.BOOL
        if isinstance(node, ast.Name) and node.id == "int":
            bad("`int` has no fixed width", "use one of u8 u16 u32 u64 i8 i16 i32 i64")
            return None
        if isinstance(node, ast.Subscript):
            generic = self._generic_name(scope, node.value)
            args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if generic == "Bytes" and len(args) == 1:
                n = self.fold(scope, args[0])
                if n is None or n <= 0:
                    bad("Bytes[N] needs a positive constant N", "write e.g. Bytes[64]")
                    return None
                return ir.ArrayType(ir.U8, n)
            if generic == "Array" and len(args) == 2:
                elem = self.annotation(scope, args[0], quiet)
                n = self.fold(scope, args[1])
                if not isinstance(elem, ir.IntType):
                    bad("array elements must be machine integers", "write e.g. Array[u32, 16]")
                    return None
                if n is None or n <= 0:
                    bad("Array[T, N] needs a positive constant N", "write e.g. Array[u32, 16]")
                    return None
                return ir.ArrayType(elem, n)
            if generic == "Dma" and len(args) == 1:
                inner = self.annotation(scope, args[0], quiet)
                if not isinstance(inner, ir.ArrayType) or inner.dma:
                    bad("Dma[...] wraps an array or struct type", "write e.g. Dma[Bytes[64]], Dma[Array[u32, 8]] or Dma[Packet]")
                    return None
                return replace(inner, dma=True)
            if generic in ("View", "MutView") and len(args) == 1:
                elem = self.annotation(scope, args[0], quiet)
                if not isinstance(elem, ir.IntType):
                    bad("view elements must be machine integers", f"write e.g. {generic}[u8]")
                    return None
                return ir.ViewType(elem, writable=generic == "MutView")
            if generic == "RegValue" and len(args) == 1:
                return self._register_value(scope, args[0], bad)
            if generic == "Final":
                bad("Final is only allowed on module-level constants", "remove Final here")
                return None
            bad("unsupported type annotation", "use a machine type, Array[T, N], Bytes[N], View[T] or an enum")
            return None
        sym = self.lookup_node(scope, node)
        if isinstance(sym, TypeSym) and not isinstance(sym.type, ir.VoidType):
            return sym.type
        bad("unsupported type annotation", "use a machine type, Array[T, N], Bytes[N], View[T] or an enum")
        return None

    def _register_value(self, scope: ModuleScope, node: ast.expr, bad: Callable[[str, str], None]) -> ir.Type | None:
        """``RegValue[INSTANCE.REG]`` (or ``PERIPHERAL.REG``): the type of a read of that register."""
        sym = self.lookup_node(scope, node.value) if isinstance(node, ast.Attribute) else None
        periph = sym.peripheral if isinstance(sym, InstanceSym) else sym.type.peripheral if (
            isinstance(sym, TypeSym) and isinstance(sym.type, ir.PeripheralType)) else None
        reg = periph.register(node.attr) if periph is not None and isinstance(node, ast.Attribute) else None
        if periph is None or reg is None:
            bad("RegValue[...] names a register", "write e.g. RegValue[RNGB.SR]")
            return None
        return ir.register_value(periph.name, reg)

    # ------------------------------------------------------------ constants

    def fold(self, scope: ModuleScope, node: ast.AST) -> int | None:
        """Evaluate an integer constant expression with Python's semantics, or None."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return int(node.value)
            return node.value if isinstance(node.value, int) else None
        if isinstance(node, ast.UnaryOp):
            v = self.fold(scope, node.operand)
            if v is None:
                return None
            if isinstance(node.op, ast.USub):
                return -v
            if isinstance(node.op, ast.UAdd):
                return v
            if isinstance(node.op, ast.Invert):
                return ~v
            return None
        if isinstance(node, ast.BinOp):
            a, b = self.fold(scope, node.left), self.fold(scope, node.right)
            if a is None or b is None:
                return None
            return fold_binop(node.op, a, b)
        sym = self.lookup_node(scope, node)
        if isinstance(sym, GlobalSym) and sym.const:
            if sym.type == ir.VOID and sym.symbol not in self._const_busy:
                # Declared later in its module (or in a module not yet resolved).
                owner = self.scopes[sym.module.name]
                self._const_busy.add(sym.symbol)
                self._global(owner, sym)
                self._const_busy.discard(sym.symbol)
            return sym.value if isinstance(sym.value, int) else None
        if isinstance(node, ast.Attribute):
            base = self.lookup_node(scope, node.value)
            if isinstance(base, TypeSym) and isinstance(base.type, ir.EnumType):
                return base.type.value_of(node.attr)
        return None


def span_of(module: ParsedModule, node: ast.AST) -> ir.Span:
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0) + 1
    end_line = getattr(node, "end_lineno", None) or line
    end_col = (getattr(node, "end_col_offset", None) or col - 1) + 1
    return ir.Span(module.display, line, col, end_line, end_col)
