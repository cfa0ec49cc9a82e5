"""What a gate requires (``[tool.tamapy.gate]`` in pyproject.toml) and which trusted code people
approved (``proofs/approvals.toml``), both read with the line of each key for diagnostics."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tamapy.diagnostics import error
from tamapy.inputs import decode_utf8, read_input

BAD_POLICY = "E803"
BAD_APPROVALS = "E804"
APPROVALS = "proofs/approvals.toml"
"""Where a revision keeps its approvals of trusted code (relative to the project root)."""


@dataclass(frozen=True)
class Policy:
    max_tcb_lines: int | None = None
    require_approval_for_trusted: bool = True
    forbid_contract_weakening: bool = False
    forbid_unproved: bool = True


@dataclass(frozen=True, order=True)
class Approval:
    """One reviewer's sign-off on one trusted function's exact source (see :func:`source_sha256`)."""

    function: str
    sha256: str
    by: str
    reason: str


def _line_of(text: str, key: str, table: str | None = None) -> int:
    """The line of ``key = ...`` (inside ``[table]`` when given), else 0: where a diagnostic points."""
    inside = table is None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = table is None or stripped.strip("[]").strip() == table
        elif inside and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return 0


def _read_toml(path: Path, rel: str, code: str) -> tuple[str, dict[str, Any]]:
    data = read_input(path, rel, code, "TOML file", "restore the file")
    text = decode_utf8(data, rel, code, "TOML file")
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(rel, getattr(exc, "lineno", 0), getattr(exc, "colno", 0), code, f"not TOML: {exc}",
                    "fix the TOML syntax") from None


POLICY_TABLE = "tool.tamapy.gate"
_TYPES: dict[str, type] = {"max_tcb_lines": int, "require_approval_for_trusted": bool,
                           "forbid_contract_weakening": bool, "forbid_unproved": bool}


def load_policy(root: Path) -> Policy:
    """The policy of the project at ``root``; defaults when the table is absent."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return Policy()
    text, doc = _read_toml(path, "pyproject.toml", BAD_POLICY)
    table = doc.get("tool", {}).get("tamapy", {}).get("gate", {})
    if not isinstance(table, dict):
        raise error("pyproject.toml", _line_of(text, "gate"), 1, BAD_POLICY, f"[{POLICY_TABLE}] is not a table",
                    f"write it as a table: [{POLICY_TABLE}]")
    values: dict[str, Any] = {}
    for key, value in table.items():
        want = _TYPES.get(key)
        line = _line_of(text, key, POLICY_TABLE)
        if want is None:
            raise error("pyproject.toml", line, 1, BAD_POLICY, f"unknown gate policy key `{key}`",
                        f"the keys are {', '.join(sorted(_TYPES))}")
        # bool is an int in Python: an integer key must not accept true/false, nor a boolean key 0/1.
        if type(value) is not want or (isinstance(value, int) and not isinstance(value, bool) and value < 0):
            raise error("pyproject.toml", line, 1, BAD_POLICY,
                        f"`{key}` must be {'a non-negative integer' if want is int else 'true or false'}",
                        f"e.g. {key} = {'200' if want is int else 'true'}")
        values[key] = value
    return Policy(**values)


def load_approvals(root: Path) -> tuple[Approval, ...]:
    """The approvals a revision holds (none when it has no approvals file)."""
    path = root / APPROVALS
    if not path.is_file():
        return ()
    text, doc = _read_toml(path, APPROVALS, BAD_APPROVALS)
    entries = doc.get("approval", [])
    if not isinstance(entries, list):
        raise error(APPROVALS, _line_of(text, "approval"), 1, BAD_APPROVALS, "`approval` must be an array of tables",
                    'write each as [[approval]] function = "..." sha256 = "..." by = "..." reason = "..."')
    found = []
    for index, entry in enumerate(entries):
        fields = {k: entry.get(k) for k in ("function", "sha256", "by", "reason")} if isinstance(entry, dict) else {}
        if not fields or not all(isinstance(v, str) and v for v in fields.values()) \
                or not re.fullmatch(r"[0-9a-f]{64}", fields["sha256"] or ""):
            raise error(APPROVALS, _nth_table(text, index), 1, BAD_APPROVALS,
                        f"approval {index + 1} needs function, sha256 (64 lower-case hex digits), by and reason",
                        "copy the function and sha256 from the gate's report of the trusted function")
        found.append(Approval(**fields))  # type: ignore[arg-type]
    return tuple(sorted(found))


def _nth_table(text: str, index: int) -> int:
    """The line of the ``index``-th ``[[approval]]`` header."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[approval]]"]
    return lines[index] if index < len(lines) else 0


def source_sha256(lines: list[bytes]) -> str:
    """The SHA-256 an approval names: of the function's lines, from its first decorator to its
    last line, each with its line ending, exactly as the file holds them (UTF-8)."""
    return hashlib.sha256(b"".join(lines)).hexdigest()
