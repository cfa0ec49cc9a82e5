"""Random subset programs: module globals, helpers with effects, and one entry function.

``generate(seed, index)`` is a pure function of its arguments (one
``random.Random`` per program), so a failure names the seed and index that
rebuild the program exactly.  Each program is a whole firmware module:
scalar and array globals, one to four helpers that write globals and
modify array arguments, read views and slices, carry ``@requires`` /
``@ensures``, and call earlier helpers, then ``entry(x0, ...)`` whose
scalar parameters the oracle chooses to satisfy its ``@requires``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.soundness.statements import IND, Body
from tests.soundness.types import ELEMENTS, SCALARS, U32, Arr, Helper, IntType, Param, Scope, Var

HEADER = ("from tamapy.fw import Array, View, decreases, ensures, invariant, poll, requires, struct, "
          "i32, u8, u16, u32, u64")
STRUCT = "R"
"""The module's struct variable, when it has one; its members are globals named ``R.member``."""
RISKS = (0.0, 0.0, 0.02, 0.05, 0.1, 0.2)
"""Per-program probability of a risky shape: from none (mostly proved) to many (near misses)."""
INPUTS = 3
"""Input vectors the oracle runs per proved program."""


@dataclass(frozen=True)
class Global:
    """A module variable: a scalar (``length`` None) or an ``Array[type, length]``."""

    name: str
    type: IntType
    length: int | None


@dataclass(frozen=True)
class Program:
    """One generated module and what the oracle needs to drive it."""

    seed: int
    index: int
    source: str
    params: tuple[IntType, ...]
    ret: IntType
    requires: str
    """The entry's pre-condition as a Python lambda over its parameters (``lambda *a: True`` if none)."""
    globals: tuple[Global, ...]
    inputs: tuple[tuple[int, ...], ...]
    risk: float

    @property
    def name(self) -> str:
        return f"p{self.index:05d}"


def _globals(rng: random.Random) -> tuple[Global, ...]:
    out = [Global(f"G{k}", rng.choice(SCALARS), None) for k in range(rng.randint(1, 3))]
    out += [Global(f"A{k}", rng.choice(ELEMENTS), rng.choice([4, 8, 5])) for k in range(rng.randint(1, 2))]
    return tuple(out + _struct_members(rng))


def _struct_members(rng: random.Random) -> list[Global]:
    """The members of ``R`` in about half the programs: scalars and perhaps a member array, widest
    elements first, so each member sits at a multiple of its element size with no padding."""
    if rng.random() < 0.5:
        return []
    members = [Global(f"{STRUCT}.s{k}", rng.choice(SCALARS), None) for k in range(rng.randint(1, 3))]
    if rng.random() < 0.6:
        members.append(Global(f"{STRUCT}.w", rng.choice(ELEMENTS), 4))
    return sorted(members, key=lambda g: -g.type.bits)


def _declarations(rng: random.Random, globals_: tuple[Global, ...]) -> list[str]:
    """Module variables with their initial values; the struct's members start zeroed."""
    decls = [f"{g.name}: {g.type.name} = {rng.randint(max(g.type.lo, -9), min(g.type.hi, 99))}"
             if g.length is None else
             f"{g.name}: Array[{g.type.name}, {g.length}] = Array[{g.type.name}, {g.length}]()"
             for g in globals_ if "." not in g.name]
    members = [g for g in globals_ if g.name.startswith(f"{STRUCT}.")]
    if members:
        decls += ["", "", "@struct", "class Rec:"]
        decls += [f"    {g.name[2:]}: " + (g.type.name if g.length is None else f"Array[{g.type.name}, {g.length}]")
                  for g in members]
        decls += ["", "", f"{STRUCT}: Rec = Rec()"]
    return decls


def _scope(globals_: tuple[Global, ...], helpers: list[Helper]) -> Scope:
    scalars = [Var(g.name, g.type, "global") for g in globals_ if g.length is None]
    arrays = [Arr(g.name, g.type, g.length, True, True) for g in globals_ if g.length is not None]
    return Scope(scalars, arrays, list(helpers))


def _helper_params(rng: random.Random, globals_: tuple[Global, ...]) -> list[Param]:
    params: list[Param] = []
    for k in range(rng.randint(0, 2)):
        t = rng.choice(SCALARS)
        bound = rng.choice([4, 5, 8]) if t == U32 and rng.random() < 0.5 else None
        params.append(Param(f"k{k}", t, None, bound))
    shapes = [g for g in globals_ if g.length is not None and "." not in g.name]
    if shapes and rng.random() < 0.5:
        g = rng.choice(shapes)
        params.append(Param("arr", None, Arr("arr", g.type, g.length, True, False)))
    if rng.random() < 0.4:
        params.append(Param("view", None, Arr("view", rng.choice(ELEMENTS), None, False, False)))
    if rng.random() < 0.15:
        params.append(Param("flag", None))
    return params


def _contract_cond(body: Body, globals_: tuple[Global, ...], params: list[Var]) -> str:
    """A call-free condition over module globals and ``params`` (what a contract can see)."""
    scope = body.scope
    saved = scope.vars, scope.arrays, scope.safe
    scope.vars = [Var(g.name, g.type, "global") for g in globals_ if g.length is None] + params
    scope.arrays = [Arr(g.name, g.type, g.length, True, True) for g in globals_ if g.length is not None]
    scope.safe = {}
    try:
        return body.x.pure_cond()
    finally:
        scope.vars, scope.arrays, scope.safe = saved


def _requires(rng: random.Random, params: list[Param], globals_: tuple[Global, ...], body: Body) -> list[str]:
    """Bounds of index parameters and views, and sometimes a condition on globals."""
    terms = [f"{p.name} < {p.bound}" for p in params if p.bound is not None]
    terms += ["len(view) <= 64" for p in params if p.name == "view"]
    names = [p.name for p in params if p.bound is not None or p.name == "view"]
    if rng.random() < 0.05:
        scalars = [Var(p.name, p.type, "param") for p in params if p.array is None and p.type is not None]
        terms.append(_contract_cond(body, globals_, scalars))
        names = [p.name for p in params]
    if not terms:
        return []
    return [f"@requires(lambda {', '.join(names)}: {' and '.join(terms)})"]


def _ensures(rng: random.Random, ret: IntType | None, globals_: tuple[Global, ...], body: Body) -> list[str]:
    if rng.random() < 0.6 or (ret is None and not body.x.risky()):
        return []
    if ret is None or body.x.risky():
        return [f"@ensures(lambda: {_contract_cond(body, globals_, [])})"]
    bound = ret.hi if not body.x.risky() else body.x.literal(ret)
    return [f"@ensures(lambda result: result <= {bound})"]


def _function(rng: random.Random, head: str, scope: Scope, body: Body, decorators: list[str],
              size: int) -> list[str]:
    """Decorators, ``def`` line, ``global`` line, declarations, ``size`` statements, the final return."""
    statements = body.block(2, size)
    final = body.return_stmt()
    written = sorted(n for n in scope.globals_written if "." not in n)  # a member is stored, not bound
    lines = [*decorators, head]
    if written:
        lines.append(IND + f"global {', '.join(written)}")
    lines += [IND + s for s in body.prelude + statements + [final]]
    return lines


def _helper(rng: random.Random, k: int, globals_: tuple[Global, ...], helpers: list[Helper],
            risk: float) -> tuple[list[str], Helper]:
    params = _helper_params(rng, globals_)
    ret: IntType | None = None if rng.random() < 0.35 else rng.choice(SCALARS)
    scope = _scope(globals_, helpers)
    scope.vars += [Var(p.name, p.type, "param") for p in params if p.array is None]
    scope.arrays += [p.array for p in params if p.array is not None]
    body = Body(rng, scope, risk, ret)
    body.declare_locals()
    decorators = _requires(rng, params, globals_, body) + _ensures(rng, ret, globals_, body)
    name = f"h{k}"
    head = f"def {name}({', '.join(f'{p.name}: {p.annotation()}' for p in params)}) -> " \
           f"{ret.name if ret else 'bool'}:"
    lines = _function(rng, head, scope, body, decorators, rng.randint(1, 2))
    text = "\n".join(lines)
    used = {g.name for g in globals_ if g.length is not None
            and (g.name in text or ("." in g.name and f"{STRUCT}." in text))} | scope.globals_used
    return lines, Helper(name, params, ret, used)


def _entry(rng: random.Random, globals_: tuple[Global, ...], helpers: list[Helper],
           risk: float) -> tuple[list[str], tuple[IntType, ...], IntType, str]:
    types = tuple(rng.choice(SCALARS) for _ in range(rng.randint(1, 3)))
    ret = rng.choice(SCALARS)
    scope = _scope(globals_, helpers)
    scope.vars += [Var(f"x{k}", t, "param") for k, t in enumerate(types)]
    body = Body(rng, scope, risk, ret)
    body.declare_locals()
    terms: list[str] = []
    for k, t in enumerate(types):
        if rng.random() < 0.4:
            c = rng.randint(max(t.lo, -50), min(t.hi, 200))
            terms.append(f"x{k} {rng.choice(['<', '>=', '<='])} {c}")
    names = ", ".join(f"x{k}" for k in range(len(types)))
    requires = f"lambda {names}: {' and '.join(terms) or 'True'}"
    decorators = [f"@requires({requires})"] if terms else []
    decorators += _ensures(rng, ret, globals_, body)
    head = f"def entry({', '.join(f'x{k}: {t.name}' for k, t in enumerate(types))}) -> {ret.name}:"
    return _function(rng, head, scope, body, decorators, rng.randint(1, 3)), types, ret, requires


def _candidates(rng: random.Random, t: IntType) -> list[int]:
    return [0, 1, 2, 3, 7, 8, t.hi, t.lo, t.hi - 1, rng.randint(0, 20), rng.randint(t.lo, t.hi),
            *([-1, -2, rng.randint(-20, 0)] if t.signed else [])]


def choose_inputs(rng: random.Random, types: tuple[IntType, ...], requires: str) -> tuple[tuple[int, ...], ...]:
    """Up to ``INPUTS`` distinct argument vectors that satisfy the entry's pre-condition."""
    pred = eval(requires, {"len": len})
    found: list[tuple[int, ...]] = []
    for _ in range(200):
        args = tuple(rng.choice(_candidates(rng, t)) for t in types)
        if args not in found and pred(*args):
            found.append(args)
            if len(found) == INPUTS:
                break
    return tuple(found)


def generate(seed: int, index: int) -> Program:
    """The program number ``index`` of the batch ``seed``."""
    rng = random.Random(seed * 1_000_003 + index)
    risk = rng.choice(RISKS)
    globals_ = _globals(rng)
    helpers: list[Helper] = []
    chunks: list[list[str]] = []
    for k in range(rng.randint(1, 2)):
        lines, h = _helper(rng, k, globals_, helpers, risk)
        helpers.append(h)
        chunks.append(lines)
    entry, types, ret, requires = _entry(rng, globals_, helpers, risk)
    chunks.append(entry)
    decls = _declarations(rng, globals_)
    source = "\n\n\n".join([HEADER + "\n\n" + "\n".join(decls)] + ["\n".join(c) for c in chunks]) + "\n"
    inputs = choose_inputs(rng, types, requires)
    return Program(seed, index, source, types, ret, requires, globals_, inputs, risk)
