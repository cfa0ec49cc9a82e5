"""Reading one spec TOML file with typed, located access to its keys.

``tomllib`` gives line numbers only for syntax errors, yet every spec error
must point at a line.  :class:`Doc` therefore keeps the file text and maps
each dotted key (and table header) to the line that introduces it, and
:class:`Table` is the single place where key presence, value types and
unknown keys are checked, so every loader reports them the same way.
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import re
import tomllib
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TypeVar

from tamapy.diagnostics import TamapyError, display_path, error
from tamapy.inputs import decode_utf8, read_input

# Error codes of spec loading (documented in docs/specs.md).
E_SYNTAX = "E301"  # TOML syntax error, unreadable file
E_MISSING = "E302"  # required key missing
E_TYPE = "E303"  # value of the wrong type
E_UNKNOWN_KEY = "E304"  # key not part of the format (typo protection)
E_FIELD_OVERLAP = "E305"  # two fields share a bit
E_FIELD_RANGE = "E306"  # field reaches past the register width
E_BITS = "E307"  # bits not "n" / "hi:lo", or hi < lo
E_REG_OVERLAP = "E308"  # two registers (or aliases) share an address
E_OFFSET = "E309"  # register offset misaligned or outside the window
E_ACCESS = "E310"  # unknown access kind
E_ACCESS_CONFLICT = "E311"  # field access not allowed by register access
E_RESET = "E312"  # reset value does not fit the register
E_RESERVED = "E313"  # reserved_value touches fields or does not fit
E_ALIAS = "E314"  # unknown or repeated alias name
E_WIDTH = "E315"  # width not 8, 16 or 32
E_BASE_ALIGN = "E316"  # instance base not 4-aligned
E_INSTANCE_OVERLAP = "E317"  # two instance windows overlap
E_DUPLICATE = "E318"  # peripheral or instance name defined twice in a SoC
E_UNKNOWN_BOARD = "E319"  # no such board
E_UNKNOWN_SOC = "E320"  # no such SoC directory
E_BOARD_NAME = "E321"  # board.name differs from the file name
E_MEMORY_OVERLAP = "E322"  # two memory regions overlap
E_LOAD_ADDRESS = "E323"  # load address outside memory or not 4 KiB aligned
E_STACK = "E324"  # stack size zero or not a multiple of 8
E_DMA_REGION = "E325"  # dma.region names no memory region
E_DMA_ALIGN = "E326"  # dma.alignment not a power of two
E_CONSOLE = "E327"  # console.uart is not an instance of the SoC
E_RANGE = "E328"  # number out of its allowed range
E_NAME = "E329"  # name unusable as a Python identifier
E_CLOCK = "E330"  # clocks entry names no instance, or no CCM register field
E_INVARIANT = "E331"  # malformed [invariants.NAME] table
E_INTERFACE = "E333"  # malformed interface contract in specs/interfaces/
E_DCD = "E332"  # [dcd] write misaligned, out of 32-bit range, or too many
E_FIELD_ARRAY = "E334"  # a field array where one field is needed (dma, a clock gate)

SPEC_LIMIT = 8 << 20
"""The largest spec file read (8 MiB): a full SoC register map is well under 1 MiB."""


KeyPath = tuple[str, ...]
T = TypeVar("T")

_KEY_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")
_HEADER = re.compile(r"^\s*\[\[?(.+?)\]\]?\s*(?:#.*)?$")
_SYNTAX_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def dotted(path: KeyPath) -> str:
    """Key path as written in TOML, e.g. ``registers.UCR1.fields.ICD``."""
    return ".".join(path)


def _split_key(text: str) -> KeyPath | None:
    """Split a (possibly quoted) dotted TOML key; None if it is not one."""
    parts: list[str] = []
    pos = 0
    while True:
        m = _KEY_PART.match(text, pos)
        if m is None or m.end() == pos:
            return None
        parts.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
        if pos == len(text):
            return tuple(parts)
        if text[pos] != ".":
            return None
        pos += 1


def _key_lines(text: str) -> dict[KeyPath, int]:
    """First line (1-based) introducing each key path and each of its prefixes."""
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if in_string in line:
                in_string = None
            continue
        header = _HEADER.match(line)
        path: KeyPath | None = None
        if header is not None:
            path = _split_key(header.group(1))
            if path is not None:
                table = path
        elif "=" in line:
            key = _split_key(line.split("=", 1)[0])
            path = None if key is None else table + key
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
        if path is not None:
            for end in range(1, len(path) + 1):
                lines.setdefault(path[:end], number)
    return lines


def _kind(value: object) -> str:
    """How a TOML value is called in messages."""
    names = {
        bool: "a boolean",
        int: "an integer",
        str: "a string",
        float: "a float",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), f"a {type(value).__name__}")


_PARSED: dict[str, tuple[dict[str, object], dict[KeyPath, int]]] = {}
"""TOML data and key lines by SHA-256 of the file's bytes, read-only once parsed: one check
or build reads each spec file several times (every board, every SoC load)."""
_PARSED_LIMIT = 512


class Doc:
    """A parsed spec file: its data and the means to blame one of its lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = display_path(path)
        data = read_input(path, self.display, E_SYNTAX, "spec file", "check that the file exists and is readable",
                          limit=SPEC_LIMIT)
        text = decode_utf8(data, self.display, E_SYNTAX, "spec file")
        self.digest = hashlib.sha256(data).hexdigest()
        """SHA-256 of the file's bytes: what a validated model of it may be cached under."""
        parsed = _PARSED.get(self.digest)
        if parsed is None:
            parsed = (self._parse(text), _key_lines(text))
            if len(_PARSED) >= _PARSED_LIMIT:
                _PARSED.clear()
            _PARSED[self.digest] = parsed
        self.data, self._lines = parsed

    def _parse(self, text: str) -> dict[str, object]:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            pos = _SYNTAX_POS.search(str(exc))
            line, col = (int(pos.group(1)), int(pos.group(2))) if pos else (0, 0)
            message = _SYNTAX_POS.sub("", str(exc)).strip()
            raise error(
                self.display,
                line,
                col,
                E_SYNTAX,
                f"TOML syntax error: {message}",
                "fix the TOML syntax (see docs/specs.md for the format)",
            ) from exc

    def line_of(self, path: KeyPath) -> int:
        """Line of the key, or else of the nearest enclosing table that is written down."""
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                return self._lines[path[:end]]
        return 1

    def fail(self, path: KeyPath, code: str, message: str, hint: str) -> TamapyError:
        """An error located at ``path``; the message already names the key."""
        return error(self.display, self.line_of(path), 1, code, message, hint)

    def root(self, keys: Collection[str]) -> Table:
        return Table(self, (), self.data, keys)


class _Required:
    """Marker default: the key must be present."""


REQUIRED = _Required()


class Table:
    """One TOML table, checked against its allowed keys on construction."""

    def __init__(
        self, doc: Doc, path: KeyPath, raw: object, keys: Collection[str] | None = None
    ) -> None:
        self.doc = doc
        self.path = path
        if not isinstance(raw, dict):
            raise doc.fail(
                path,
                E_TYPE,
                f"`{dotted(path)}` must be a table, not {_kind(raw)}",
                "write it as a [table] or an inline { key = value } table",
            )
        self.raw: dict[str, object] = raw
        if keys is not None:
            for key in raw:
                if key not in keys:
                    close = difflib.get_close_matches(key, list(keys), n=1)
                    hint = (
                        f"did you mean `{close[0]}`?"
                        if close
                        else "allowed keys: " + ", ".join(sorted(keys))
                    )
                    raise doc.fail(
                        (*path, key), E_UNKNOWN_KEY, f"unknown key `{dotted((*path, key))}`", hint
                    )

    def fail(self, key: str, code: str, message: str, hint: str) -> TamapyError:
        return self.doc.fail((*self.path, key), code, message, hint)

    def key(self, key: str) -> str:
        """The dotted name of one of this table's keys, for messages."""
        return dotted((*self.path, key))

    def _get(self, key: str, kind: type[T], what: str, default: T | _Required) -> T:
        if key not in self.raw:
            if isinstance(default, _Required):
                raise self.doc.fail(
                    self.path,
                    E_MISSING,
                    f"missing required key `{self.key(key)}`",
                    f"add `{key} = ...` to [{dotted(self.path)}]"
                    if self.path
                    else f"add a [{key}] table",
                )
            return default
        value = self.raw[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(
                key,
                E_TYPE,
                f"`{self.key(key)}` must be {what}, not {_kind(value)}",
                f"write `{key}` as {what}",
            )
        return value

    def get_int(self, key: str, default: int | _Required = REQUIRED) -> int:
        return self._get(key, int, "an integer", default)

    def get_str(self, key: str, default: str | _Required = REQUIRED) -> str:
        return self._get(key, str, "a string", default)

    def get_bool(self, key: str, default: bool | _Required = REQUIRED) -> bool:
        return self._get(key, bool, "a boolean (true/false)", default)

    def get_strs(self, key: str) -> tuple[str, ...]:
        """An optional array of strings (empty when absent)."""
        items: list[str] = []
        for item in self._get(key, list, "an array of strings", []):
            if not isinstance(item, str):
                raise self.fail(
                    key,
                    E_TYPE,
                    f"`{self.key(key)}` must be an array of strings, but contains {_kind(item)}",
                    f"quote every entry of `{key}`",
                )
            items.append(item)
        return tuple(items)

    def get_table(
        self, key: str, keys: Collection[str] | None = None, optional: bool = False
    ) -> Table:
        """A sub-table; ``keys`` None means its keys are names (registers, instances...)."""
        raw = self._get(key, object, "a table", {} if optional else REQUIRED)
        return Table(self.doc, (*self.path, key), raw, keys)

    def entries(self) -> Iterator[tuple[str, object]]:
        """The (key, value) pairs in file order."""
        yield from self.raw.items()

    def name(self, key: str) -> str:
        """A string naming something firmware refers to as a Python identifier."""
        return check_name(self, key, self.get_str(key))


def check_name(table: Table, key: str, value: str) -> str:
    """Reject names firmware could not write in Python (they become attributes)."""
    if not value.isidentifier() or keyword.iskeyword(value):
        raise table.fail(
            key,
            E_NAME,
            f"`{table.key(key)}`: `{value}` is not a valid identifier",
            "use letters, digits and underscores, not starting with a digit",
        )
    return value
