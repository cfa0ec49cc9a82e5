"""The host's import hook: firmware modules imported into CPython, with ``firmware/`` as the root.

Which file a module name means is :mod:`tamapy.project`'s rule, shared with
the compiler: module names are paths below ``firmware/``, ``board.*`` is the package of
the board being built (``firmware/board/<board_package>/``) and
``soc.<soc>.regs`` is generated from the register specs.  A
:class:`FirmwareFinder` on ``sys.meta_path`` gives CPython the same view.

Modules are compiled from their unchanged source with four source-level
adjustments, each making CPython do what the subset defines rather than
what a plain call would do (line numbers are kept, so tracebacks and
coverage point at the real source):

* ``poll(cond, limit=N)`` receives ``lambda: cond``: the intrinsic
  re-evaluates its condition, a CPython argument is evaluated once;
* ``invariant(cond)`` and ``decreases(expr)`` receive a lambda too, so they
  are evaluated as ghost code (the compiled code never evaluates them, so
  evaluating them must not touch a register);
* ``old(e)`` in ``@ensures(lambda ...: ...)`` is hoisted into a lambda the
  contract evaluates on entry (see :func:`hoist_old`), so the post-condition
  compares with the entry value, not the current one;
* with ``check_claims`` (the default), assignments to variables declared
  with a machine type (``x: u32 = ...``, later ``x = ...`` and ``x += ...``)
  go through the type, and calls check the machine types of arguments and
  results: the range claims the verifier proves, which CPython's unbounded
  ints would otherwise break silently.  Intermediate results are not checked
  (that needs the checker's typing).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.abc
import inspect
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from tamapy.fw.live import Condition
from tamapy.fw.old import hoist
from tamapy.fw.types import MACHINE_TYPES, MachineType, claim
from tamapy.project import BOARD_PACKAGE, canonical_module, module_source

FW_MODULE = "tamapy.fw"
LAZY_ARGUMENT = frozenset({"poll", "invariant", "decreases"})
"""tamapy.fw intrinsics whose first argument the hook passes as a lambda."""


# ---------------------------------------------------------------- source rewriting


class _Rewriter(ast.NodeTransformer):
    """The adjustments of the module docstring, for one module."""

    def __init__(self, fw_names: dict[str, str], check_claims: bool) -> None:
        self.fw_names = fw_names
        """local name -> tamapy.fw name, from the module's ``from tamapy.fw import ...``."""
        self.check_claims = check_claims
        self.module_types: dict[str, str] = {}
        """Module-level variables declared with a machine type -> the local name of the type."""
        self.scope: dict[str, str] = {}
        """Variables of the function being rewritten -> the local name of their type."""

    def machine_type(self, annotation: ast.expr | None) -> str | None:
        """The local name of the machine type ``annotation`` names (``u32`` or ``Final[u32]``), if any."""
        if isinstance(annotation, ast.Subscript) and isinstance(annotation.value, ast.Name) \
                and annotation.value.id == "Final":
            annotation = annotation.slice
        if isinstance(annotation, ast.Name) and self.fw_names.get(annotation.id) in MACHINE_TYPES:
            return annotation.id
        return None

    def _claimed(self, type_name: str, value: ast.expr) -> ast.expr:
        call = ast.Call(ast.Name(type_name, ast.Load()), [value], [])
        return ast.copy_location(call, value)

    def visit_Module(self, node: ast.Module) -> ast.Module:
        if self.check_claims:
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    t = self.machine_type(stmt.annotation)
                    if t is not None:
                        self.module_types[stmt.target.id] = t
        self.generic_visit(node)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        saved = self.scope
        self.scope = {}
        if self.check_claims:
            for arg in node.args.args:
                t = self.machine_type(arg.annotation)
                if t is not None:
                    self.scope[arg.arg] = t
            for sub in ast.walk(node):
                if isinstance(sub, ast.Global):
                    self.scope.update({n: self.module_types[n] for n in sub.names if n in self.module_types})
                elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name):
                    t = self.machine_type(sub.annotation)
                    if t is not None:
                        self.scope[sub.target.id] = t
        # Decorators (contract lambdas) and defaults are outside the function's scope.
        node.decorator_list = [self.visit(d) for d in node.decorator_list]
        node.body = [self.visit(s) for s in node.body]
        self.scope = saved
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.Lambda:
        saved = self.scope
        self.scope = {}
        self.generic_visit(node)
        self.scope = saved
        return node

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and self.fw_names.get(node.func.id) in LAZY_ARGUMENT and node.args:
            first = node.args[0]
            lam = ast.Lambda(ast.arguments([], [], None, [], [], None, []), first)
            node.args[0] = ast.copy_location(lam, first)
        if isinstance(node.func, ast.Name) and self.fw_names.get(node.func.id) == "ensures" \
                and len(node.args) == 1 and isinstance(node.args[0], ast.Lambda) and not node.keywords:
            hoist_old(node, self.fw_names)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AnnAssign:
        self.generic_visit(node)
        if self.check_claims and node.value is not None and isinstance(node.target, ast.Name):
            t = self.machine_type(node.annotation)
            if t is not None:
                node.value = self._claimed(t, node.value)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        self.generic_visit(node)
        if self.check_claims and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            t = self.scope.get(node.targets[0].id)
            if t is not None:
                node.value = self._claimed(t, node.value)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.stmt:
        self.generic_visit(node)
        if self.check_claims and isinstance(node.target, ast.Name):
            t = self.scope.get(node.target.id)
            if t is not None:
                name = node.target.id
                value = ast.BinOp(ast.Name(name, ast.Load()), node.op, node.value)
                assign = ast.Assign([ast.Name(name, ast.Store())], self._claimed(t, ast.copy_location(value, node)))
                return ast.copy_location(assign, node)
        return node


def hoist_old(call: ast.Call, fw_names: dict[str, str]) -> None:
    """``ensures(lambda p: ... old(e) ...)`` becomes ``ensures(lambda p, __tamapy_old__: ...
    __tamapy_old__[0] ..., entry=lambda p: (e,))``: every ``old()`` argument is evaluated on
    entry, wherever it stands in the condition (see :mod:`tamapy.fw.old`)."""
    lam = call.args[0]
    assert isinstance(lam, ast.Lambda)
    pair = hoist(lam, {local for local, name in fw_names.items() if name == "old"})
    if pair is not None:
        call.args[0] = pair[0]
        call.keywords = [ast.keyword("entry", pair[1])]


def _fw_imports(tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == FW_MODULE and stmt.level == 0:
            for alias in stmt.names:
                names[alias.asname or alias.name] = alias.name
    return names


_CODE_CACHE: dict[tuple[str, int, int, bool], CodeType] = {}


def compile_firmware(path: Path, *, check_claims: bool = True) -> CodeType:
    """The code object of a firmware module, adjusted as the module docstring says (cached per file version)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, check_claims)
    code = _CODE_CACHE.get(key)
    if code is None:
        tree = ast.parse(path.read_bytes(), filename=str(path))
        tree = _Rewriter(_fw_imports(tree), check_claims).visit(tree)
        ast.fix_missing_locations(tree)
        code = compile(tree, str(path), "exec", dont_inherit=True)
        _CODE_CACHE[key] = code
    return code


# ---------------------------------------------------------------- claims at function boundaries


def _annotation(annotation: object, namespace: dict[str, Any]) -> object:
    if isinstance(annotation, str):  # ``from __future__ import annotations``
        try:
            return eval(annotation, namespace)
        except Exception:
            return None
    return annotation


def _machine_annotation(annotation: object, namespace: dict[str, Any]) -> MachineType | None:
    found = _annotation(annotation, namespace)
    return found if isinstance(found, MachineType) else None


def with_claims(fn: Callable[..., Any], namespace: dict[str, Any]) -> Callable[..., Any]:
    """``fn`` checking the machine types of its arguments and result (returned unchanged if it has none).

    Arguments are passed on as plain ints, as the compiled callee receives
    plain values (not live register values); a ``bool`` function returning a
    register comparison returns a ``bool``.
    """
    inner = inspect.unwrap(fn)
    code = inner.__code__
    params = code.co_varnames[: code.co_argcount]
    annotations = getattr(inner, "__annotations__", {})
    checks = [(i, p, t) for i, p in enumerate(params)
              if (t := _machine_annotation(annotations.get(p), namespace)) is not None]
    ret = _machine_annotation(annotations.get("return"), namespace)
    returns_bool = _annotation(annotations.get("return"), namespace) is bool
    if not checks and ret is None and not returns_bool:
        return fn
    name = fn.__qualname__

    @functools.wraps(fn)
    def claimed(*args: Any) -> Any:
        if checks:
            values = list(args)
            for i, p, t in checks:
                if i < len(values):
                    values[i] = claim(t, values[i], f"{name}(): argument {p}")
            args = tuple(values)
        result = fn(*args)
        if ret is not None and result is not None:
            return claim(ret, result, f"{name}(): result")
        if returns_bool and isinstance(result, Condition):
            return bool(result)  # a register comparison, returned as the bool it stands for
        return result

    claimed.__tamapy_claims__ = True  # type: ignore[attr-defined]
    return claimed


def add_claims(module: ModuleType) -> None:
    """Wrap the module's own functions with :func:`with_claims`."""
    namespace = module.__dict__
    for name, obj in list(namespace.items()):
        if inspect.isfunction(obj) and obj.__module__ == module.__name__ and obj.__name__ == name:
            namespace[name] = with_claims(obj, namespace)


# ---------------------------------------------------------------- the finder


class FirmwareLoader(importlib.abc.Loader):
    """Executes one firmware source file (or makes an empty package for a directory without one)."""

    def __init__(self, path: Path | None, check_claims: bool) -> None:
        self.path = path
        self.check_claims = check_claims

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        if self.path is None:
            return
        exec(compile_firmware(self.path, check_claims=self.check_claims), module.__dict__)
        if self.check_claims:
            add_claims(module)


class AliasLoader(importlib.abc.Loader):
    """Another name for a module already known (``board.<board_package>.x`` is ``board.x``)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._spec: ModuleSpec | None = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system re-labels the module with the alias's spec; keep its real one.
        if self._spec is not None:
            module.__spec__ = self._spec


class VirtualLoader(importlib.abc.Loader):
    """A module made by a function (``soc.<soc>.regs``)."""

    def __init__(self, make: Callable[[], ModuleType]) -> None:
        self.make = make

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        return self.make()

    def exec_module(self, module: ModuleType) -> None:
        return None


class FirmwareFinder(importlib.abc.MetaPathFinder):
    """Finds firmware modules below ``root`` for one board (see the module docstring)."""

    def __init__(self, root: Path, board_package: str, virtual: dict[str, Callable[[], ModuleType]],
                 check_claims: bool = True) -> None:
        self.root = root
        self.board_package = board_package
        self.virtual = virtual
        """Generated modules by name (``soc.imx6ul.regs`` -> its factory)."""
        self.check_claims = check_claims
        names = {BOARD_PACKAGE, *(v.split(".")[0] for v in virtual)}
        for entry in root.iterdir():
            if entry.is_dir() and entry.name.isidentifier():
                names.add(entry.name)
            elif entry.suffix == ".py" and entry.stem.isidentifier():
                names.add(entry.stem)
        self.top_level = frozenset(names)
        """The top-level module names this finder owns: what ``firmware/`` holds, and ``board``."""

    def owns(self, fullname: str) -> bool:
        """Whether ``fullname`` is a firmware module name (found here, never on ``sys.path``)."""
        return fullname.split(".")[0] in self.top_level

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname in self.virtual:
            return ModuleSpec(fullname, VirtualLoader(self.virtual[fullname]), origin="tamapy:generated")
        if not self.owns(fullname):
            return None
        parts = fullname.split(".")
        if parts[0] == BOARD_PACKAGE and parts[1:2] == [self.board_package]:
            # The compiler's canonical spelling of a board module: the same module as board.<rest>.
            alias = ".".join([BOARD_PACKAGE, *parts[2:]])
            real = self.find_spec(alias)
            if real is None:
                return None
            return ModuleSpec(fullname, AliasLoader(alias), is_package=real.submodule_search_locations is not None)
        return self._file_spec(fullname, canonical_module(fullname, self.board_package))

    def _file_spec(self, fullname: str, canonical: str) -> ModuleSpec | None:
        source = module_source(self.root, canonical)
        if source is None:
            return None
        loader = FirmwareLoader(source.path, self.check_claims)
        spec = ModuleSpec(fullname, loader, origin=str(source.path) if source.path else None,
                          is_package=source.package)
        if source.directory is not None:
            spec.submodule_search_locations = [str(source.directory)]
        spec.has_location = source.path is not None
        return spec


def purge(owned: Callable[[str], bool]) -> dict[str, ModuleType]:
    """Remove (and return) every module in ``sys.modules`` whose name ``owned`` accepts."""
    gone = {name: m for name, m in sys.modules.items() if owned(name)}
    for name in gone:
        del sys.modules[name]
    return gone
