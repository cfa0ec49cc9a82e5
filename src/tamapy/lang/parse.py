"""Parse one firmware module and reject every construct outside the subset.

Parsing uses CPython's own ``ast`` so a subset program is, by construction,
valid Python.  The screen below names each forbidden construct with its own
error code, before any typing happens, so users learn early and precisely
what the subset leaves out (DESIGN §3).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tamapy.diagnostics import Diagnostic, TamapyError, display_path
from tamapy.inputs import decode_utf8, read_input

MODULE_LIMIT = 1 << 20
"""The largest firmware module read (1 MiB): no hand-written module comes near it."""

CONTRACT_DECORATORS = frozenset({"requires", "ensures"})


@dataclass(frozen=True)
class ParsedModule:
    name: str
    """Dotted module name relative to the firmware root (e.g. ``runtime.console``)."""
    path: Path
    display: str
    """Path as shown in diagnostics."""
    tree: ast.Module


def parse_module(name: str, path: Path, shown: str | None = None) -> ParsedModule:
    """Read, parse and screen one module; raise TamapyError listing every violation.

    ``shown`` is the path used in diagnostics and spans (the project-relative
    path, so proofs and reports do not depend on the working directory)."""
    shown = shown or display_path(path)
    data = read_input(path, shown, "E001", "module", "check the path", limit=MODULE_LIMIT)
    text = decode_utf8(data, shown, "E001", "module")
    try:
        tree = ast.parse(text, filename=shown)
    except (RecursionError, MemoryError):
        raise TamapyError([Diagnostic(shown, 0, 0, "E126", "code nested too deeply for Python's own parser",
                                      NESTING_HINT)]) from None
    except SyntaxError as exc:
        raise TamapyError(
            [
                Diagnostic(
                    shown,
                    exc.lineno or 1,
                    exc.offset or 1,
                    "E100",
                    f"syntax error: {exc.msg}",
                    "the firmware must be valid Python 3.11",
                )
            ]
        ) from None
    too_deep = _too_deep(tree)
    if too_deep is not None:
        raise TamapyError([Diagnostic(
            shown, getattr(too_deep, "lineno", 1), getattr(too_deep, "col_offset", 0) + 1, "E126",
            f"code nested more than {MAX_NESTING} levels deep (an expression of many terms or operators "
            "counts one level per operator)",
            NESTING_HINT)])
    diags = _Screen(shown).run(tree)
    if diags:
        raise TamapyError(diags)
    return ParsedModule(name, path, shown, tree)


MAX_NESTING = 100
"""Deepest nesting of statements and expressions accepted (firmware stays below 15): every
later stage walks the tree recursively, so a sum of a thousand terms must stop here, with a
location, not in a RecursionError."""


NESTING_HINT = "split the expression into named locals, or the block into functions"


def _too_deep(tree: ast.AST) -> ast.AST | None:
    """The statement or expression where nesting first passes MAX_NESTING levels of
    statements and expressions, found without recursion."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (ast.stmt, ast.expr)):
            depth += 1
            if depth > MAX_NESTING:
                return node
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return None


_FORBIDDEN: dict[type[ast.AST], tuple[str, str, str]] = {
    ast.Try: ("E101", "exceptions are not in the subset", "return an enum error value; use panic(code) to halt"),
    ast.Raise: ("E101", "exceptions are not in the subset", "return an enum error value; use panic(code) to halt"),
    ast.With: ("E102", "`with` is not in the subset", "call the set-up and tear-down functions explicitly"),
    ast.AsyncWith: ("E102", "`with` is not in the subset", "call the set-up and tear-down functions explicitly"),
    ast.ListComp: ("E104", "comprehensions are not in the subset", "write a for loop over range() into an Array"),
    ast.SetComp: ("E104", "comprehensions are not in the subset", "write a for loop over range()"),
    ast.DictComp: ("E104", "comprehensions are not in the subset", "write a for loop over range()"),
    ast.GeneratorExp: ("E104", "generator expressions are not in the subset", "write a for loop over range()"),
    ast.Yield: ("E105", "generators are not in the subset", "return values or fill an Array"),
    ast.YieldFrom: ("E105", "generators are not in the subset", "return values or fill an Array"),
    ast.Await: ("E105", "async code is not in the subset", "use polling with bounded waits"),
    ast.AsyncFunctionDef: ("E105", "async code is not in the subset", "use polling with bounded waits"),
    ast.AsyncFor: ("E105", "async code is not in the subset", "use polling with bounded waits"),
    ast.Nonlocal: ("E111", "`nonlocal` is not in the subset", "there are no closures; use module globals"),
    ast.Starred: ("E112", "star-arguments are not in the subset", "pass each argument explicitly"),
    ast.List: ("E114", "list displays are not in the subset", "declare an Array[T, N] and fill it"),
    ast.Tuple: ("E114", "tuples are not in the subset", "return one value, or fill an Array / @struct"),
    ast.Dict: ("E114", "dicts are not in the subset (no heap)", "use an IntEnum and an Array"),
    ast.Set: ("E114", "sets are not in the subset (no heap)", "use a bit mask"),
    ast.JoinedStr: ("E107", "strings are not in the subset", "use a bytes literal b\"...\" for console output"),
    ast.NamedExpr: ("E114", "assignment expressions (:=) are not in the subset", "assign in a statement first"),
    ast.Delete: ("E116", "`del` is not in the subset", "there is no heap; overwrite the value"),
    ast.Match: ("E116", "`match` is not in the subset", "use if/elif/else"),
}


class _Screen(ast.NodeVisitor):
    """Collects subset violations; lambdas are allowed only as contract decorator arguments."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.diags: list[Diagnostic] = []
        self.allowed_lambdas: set[int] = set()
        self.function_depth = 0

    def run(self, tree: ast.Module) -> list[Diagnostic]:
        for stmt in tree.body:
            if is_docstring(stmt):
                continue  # docstrings (of the module and of constants)
            self.visit(stmt)
        return self.diags

    def report(self, node: ast.AST, code: str, message: str, hint: str) -> None:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        self.diags.append(Diagnostic(self.file, line, col, code, message, hint))

    def generic_visit(self, node: ast.AST) -> None:
        forbidden = _FORBIDDEN.get(type(node))
        if forbidden is not None:
            self.report(node, *forbidden)
            return
        super().generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self.function_depth > 0:
            self.report(node, "E110", "nested functions are not in the subset", "define it at module level")
            return
        for deco in node.decorator_list:
            if _is_trusted_reason(deco):
                continue  # @trusted("reason", modifies=(...)): the one place str literals are allowed
            if (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Name)
                and deco.func.id in CONTRACT_DECORATORS
            ):
                for arg in deco.args:
                    if isinstance(arg, ast.Lambda):
                        self.allowed_lambdas.add(id(arg))
            self.visit(deco)
        args = node.args
        if args.vararg is not None or args.kwarg is not None:
            self.report(node, "E112", "star-arguments are not in the subset", "pass each argument explicitly")
        if args.defaults or args.kw_defaults or args.kwonlyargs or args.posonlyargs:
            self.report(
                node, "E112", "default, keyword-only and positional-only parameters are not in the subset",
                "use plain positional parameters",
            )
        self.function_depth += 1
        body = node.body
        if body and is_docstring(body[0]):
            body = body[1:]
        for stmt in body:
            self.visit(stmt)
        self.function_depth -= 1

    def visit_Lambda(self, node: ast.Lambda) -> None:
        if id(node) not in self.allowed_lambdas:
            self.report(
                node, "E103", "lambda is only allowed as the argument of @requires/@ensures",
                "define a module-level function",
            )
            return
        self.visit(node.body)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.function_depth > 0:
            self.report(node, "E110", "classes inside functions are not in the subset", "define it at module level")
            return
        is_enum = any(isinstance(b, ast.Name) and b.id == "IntEnum" for b in node.bases)
        is_struct = any(isinstance(d, ast.Name) and d.id == "struct" for d in node.decorator_list)
        if not is_enum and not is_struct:
            self.report(
                node, "E108", f"class `{node.name}` is not in the subset",
                "only IntEnum classes and @struct classes are allowed",
            )
            return
        if is_struct and (is_enum or node.bases or node.keywords or len(node.decorator_list) != 1):
            self.report(node, "E108", "a @struct class has no base class and no other decorator",
                        "write `@struct` above `class Name:`")
            return
        for stmt in node.body:
            if is_docstring(stmt):
                continue
            self.visit(stmt)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        """``Array[u32, 8]`` is a type, not a tuple: its elements are screened one by one."""
        self.visit(node.value)
        if isinstance(node.slice, ast.Tuple):
            for elt in node.slice.elts:
                self.visit(elt)
        else:
            self.visit(node.slice)

    def visit_Global(self, node: ast.Global) -> None:
        if self.function_depth == 0:
            self.report(node, "E111", "`global` at module level has no meaning", "remove it")

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, float):
            self.report(node, "E106", "floating-point values are not in the subset", "use fixed-point integers")
        elif isinstance(value, complex):
            self.report(node, "E106", "complex values are not in the subset", "use integers")
        elif isinstance(value, str):
            self.report(node, "E107", "strings are not in the subset", "use a bytes literal b\"...\" for console output")
        elif value is Ellipsis:
            self.report(node, "E114", "`...` is not in the subset", "write `pass`")

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Div):
            self.report(node, "E106", "true division `/` produces a float", "use floor division `//`")
            return
        if isinstance(node.op, ast.Pow):
            self.report(node, "E117", "`**` is not in the subset", "use shifts or repeated multiplication")
            return
        if isinstance(node.op, ast.MatMult):
            self.report(node, "E117", "`@` is not in the subset", "write the loop")
            return
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.op, (ast.Div, ast.Pow, ast.MatMult)):
            self.report(node, "E117", "this augmented assignment operator is not in the subset", "use // or shifts")
            return
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for op in node.ops:
            if isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
                self.report(
                    node, "E117", "`is` / `in` comparisons are not in the subset", "compare integers with == and <"
                )
                return
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        if node.orelse:
            self.report(node, "E120", "`while ... else` is not in the subset", "use a flag variable")
            return
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        if node.orelse:
            self.report(node, "E120", "`for ... else` is not in the subset", "use a flag variable")
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        if self.function_depth > 0:
            self.report(node, "E115", "imports inside functions are not in the subset", "import at module level")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if self.function_depth > 0:
            self.report(node, "E115", "imports inside functions are not in the subset", "import at module level")
        elif node.level:
            self.report(
                node, "E115", "relative imports are not supported",
                "import from the firmware root, e.g. `from runtime.console import puts`",
            )
        elif any(a.name == "*" for a in node.names):
            self.report(node, "E115", "`import *` is not in the subset", "import each name explicitly")


def _is_trusted_reason(deco: ast.expr) -> bool:
    return (
        isinstance(deco, ast.Call)
        and isinstance(deco.func, ast.Name)
        and deco.func.id == "trusted"
        and len(deco.args) == 1
        and isinstance(deco.args[0], ast.Constant)
        and isinstance(deco.args[0].value, str)
        and all(k.arg == "modifies" and _is_name_tuple(k.value) for k in deco.keywords)
    )


def _is_name_tuple(node: ast.expr) -> bool:
    """``("counter", "CCM")``: the names a trusted function's raw accesses may change."""
    return isinstance(node, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    )


def is_docstring(stmt: ast.stmt) -> bool:
    """A string-constant statement: a docstring, the only place plain strings may appear."""
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
