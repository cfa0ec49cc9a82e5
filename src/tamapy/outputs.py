"""Atomic file output: a reader never sees a half-written file.

Every artefact is written to a temporary file in the target directory and
renamed over the final name, so an interrupted build leaves either the old
file or the new one, never a torn one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, mode: int = 0o644, *, replace: bool = True) -> None:
    """Write ``data`` to ``path`` all at once.  With ``replace=False`` an existing file is
    never touched (FileExistsError): the new file is hard-linked into place, which fails
    if the name exists, so two racing writers cannot both win.  The temporary file has
    ``mode`` before it holds data, so a private key is never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # file systems without hard links: exclusive create, then copy
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(out, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
    finally:
        Path(tmp).unlink(missing_ok=True)
