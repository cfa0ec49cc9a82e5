"""``old(e)`` on the host: the post-condition's ``old()`` arguments, evaluated on entry.

Python evaluates a lambda's body when it is called, so a post-condition
checked on return would read ``e`` as it is then.  Instead each ``old(e)``
is *hoisted*: ``lambda p: ... old(e) ...`` becomes the pair
``lambda p, __tamapy_old__: ... __tamapy_old__[0] ...`` and
``lambda p: (e,)``.  The second runs on entry, after the pre-conditions, and
evaluates every ``old()`` argument whatever guards it in the condition (a
lazy ``and``/``or``/``if`` cannot skip or reorder one); its values are
scalars (the type checker allows nothing else), so an array element is
copied, not read again.  The firmware import hook hoists while it compiles a
module; a module imported as plain Python is hoisted from its source when the
decorator runs (:func:`hoisted_from_source`).
"""

from __future__ import annotations

import ast
import linecache
from collections.abc import Callable
from typing import Any

OLD_VALUES = "__tamapy_old__"
"""The extra last parameter of a hoisted post-condition: the tuple of entry values."""


def old(value: object) -> Any:
    """``old(x)`` in ``@ensures``: ``x`` as it was on entry.  Hoisted away before it runs, so a
    call that reaches here is not in a post-condition (the type checker refuses it there too)."""
    raise RuntimeError("old() is only meaningful inside @ensures(lambda ...: ...)")


class _Hoister(ast.NodeTransformer):
    """Replaces each ``old(e)`` by ``__tamapy_old__[i]``, collecting the ``e`` in order."""

    def __init__(self, old_names: set[str]) -> None:
        self.old_names = old_names
        self.hoisted: list[ast.expr] = []

    def visit_Call(self, node: ast.Call) -> ast.expr:
        if isinstance(node.func, ast.Name) and node.func.id in self.old_names and len(node.args) == 1 \
                and not node.keywords:
            self.hoisted.append(node.args[0])  # a nested old() stays a call, which raises
            index = ast.Constant(len(self.hoisted) - 1)
            return ast.copy_location(ast.Subscript(ast.Name(OLD_VALUES, ast.Load()), index, ast.Load()), node)
        self.generic_visit(node)
        return node


def hoist(lam: ast.Lambda, old_names: set[str]) -> tuple[ast.Lambda, ast.Lambda] | None:
    """The (condition, entry values) pair of the module docstring; None without any ``old()``."""
    hoister = _Hoister(old_names)
    body = hoister.visit(lam.body)
    if not hoister.hoisted:
        return None
    params = [a.arg for a in lam.args.args]
    pred = ast.Lambda(_arguments([*params, OLD_VALUES]), body)
    entry = ast.Lambda(_arguments(params), ast.Tuple(hoister.hoisted, ast.Load()))
    return ast.copy_location(pred, lam), ast.copy_location(entry, lam)


def _arguments(names: list[str]) -> ast.arguments:
    return ast.arguments([], [ast.arg(n) for n in names], None, [], [], None, [])


def hoisted_from_source(pred: Callable[..., Any]) -> tuple[Callable[..., bool], Callable[..., tuple[Any, ...]]] | None:
    """``pred`` hoisted from its source, if it calls ``old`` (None if it does not).  The lambda
    is found by its first line and parameters; where that does not single it out, or the source
    is not there, this raises rather than check against current values."""
    code = pred.__code__
    names = {n for n in code.co_names if pred.__globals__.get(n) is old}
    if not names:
        return None
    params = list(code.co_varnames[: code.co_argcount])
    source = "".join(linecache.getlines(code.co_filename))
    found = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno
             and [a.arg for a in n.args.args] == params] if source else []
    pairs = [p for p in (hoist(n, names) for n in found) if p is not None]
    if len(pairs) != 1 or code.co_freevars:
        raise RuntimeError(f"{code.co_filename}:{code.co_firstlineno}: cannot find the post-condition "
                           "calling old() in the source (write one contract lambda per line)")
    tree = ast.Expression(ast.Tuple(list(pairs[0]), ast.Load()))
    ast.fix_missing_locations(tree)
    made = eval(compile(tree, code.co_filename, "eval"), pred.__globals__)
    return made[0], made[1]
