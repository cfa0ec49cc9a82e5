"""Reading what users hand to tamapy: regular files only, bounded, with located errors.

Every input file (firmware module, spec, image, envelope, key, certificate)
comes through :func:`read_input`, so a directory named like a module, a
symlink loop, a FIFO that never ends or ``/dev/zero`` is refused with a
diagnostic instead of hanging, exhausting memory or surfacing as an internal
error.  The file is opened without blocking (a FIFO with no writer would
otherwise wait forever), checked to be a regular file on the open
descriptor (no race with a rename), and read up to a size limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from tamapy.diagnostics import error

DEFAULT_LIMIT = 64 << 20
"""The largest input file read by default (64 MiB): far above any module, spec or image."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _cannot_open(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link loop"
    if exc.errno == errno.EISDIR:
        return "it is a directory"
    return exc.strerror or str(exc)


def read_input(path: Path, shown: str, code: str, what: str, hint: str, *, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of the regular file ``path``; TamapyError ``code`` (at ``shown``, the file
    alone) naming ``what`` was refused and why, with ``hint``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(shown, 0, 0, code, f"cannot read {what}: {_cannot_open(exc)}", hint) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(shown, 0, 0, code, f"cannot read {what}: {_kind(info.st_mode)}, not a regular file", hint)
        if info.st_size > limit:
            raise error(shown, 0, 0, code, f"cannot read {what}: {info.st_size} bytes, more than the "
                        f"{limit}-byte limit", hint)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise error(shown, 0, 0, code, f"cannot read {what}: {_cannot_open(exc)}", hint) from None
    finally:
        os.close(fd)
    if size > limit:  # it grew while being read
        raise error(shown, 0, 0, code, f"cannot read {what}: more than the {limit}-byte limit", hint)
    return b"".join(chunks)


def decode_utf8(data: bytes, shown: str, code: str, what: str) -> str:
    """``data`` as UTF-8; TamapyError at the line and column (1-based, in characters) of
    the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        raise error(shown, line, col, code, f"{what} is not valid UTF-8: byte 0x{data[exc.start]:02x} "
                    f"at offset {exc.start} ({exc.reason})", "save the file as UTF-8") from None


def check_regular(path: Path, shown: str, code: str, what: str, hint: str) -> None:
    """Refuse ``path`` unless it is a regular file (following symlinks), as :func:`read_input`
    would, before anything else looks at it (resolving a symlink loop raises RuntimeError)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise error(shown, 0, 0, code, f"cannot read {what}: {_cannot_open(exc)}", hint) from None
    if not stat.S_ISREG(mode):
        raise error(shown, 0, 0, code, f"cannot read {what}: {_kind(mode)}, not a regular file", hint)


__all__ = ["DEFAULT_LIMIT", "check_regular", "decode_utf8", "read_input"]
