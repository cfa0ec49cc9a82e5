"""SHA-256 of every output a behaviour-preserving change must leave identical.

Builds hello and selftest for both boards (ELF, bin, imx); in a copy of the
project, verifies ``firmware/`` twice: warm, against the committed
certificates (which must stay byte-identical: every cache key unchanged),
and cold, regenerating every certificate and ``verify --json`` from scratch
(hashed with the measured solver times left out: they are measurements of
the run, not outputs of the inputs).  ``python -m tests.identity.outputs
--record`` rewrites ``tests/identity/hashes.json``; a change that is meant to
alter outputs re-records it in the same commit, and says so.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORD = Path(__file__).with_name("hashes.json")
APPS = ("hello", "selftest")
BOARDS = ("mcimx6ul-evk", "usbarmory-mk2")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sha_untimed(path: Path) -> str:
    """Hash of a JSON output with every ``time`` member removed."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "time"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    data = json.dumps(strip(json.loads(path.read_text())), sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def _copy_project(dest: Path, parts: tuple[str, ...]) -> None:
    for part in parts:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)


def _tamapy(*args: str, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "tamapy", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def compute() -> dict[str, str]:
    """Hashes of the images, the regenerated certificates and ``verify --json``."""
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tamapy-identity-") as tmp:
        warm = Path(tmp) / "warm"
        _copy_project(warm, ("firmware", "specs", "proofs", "pyproject.toml"))
        _tamapy("verify", "firmware/", cwd=warm)
        for cert in sorted((warm / "proofs").rglob("*.json")):
            hashes[f"warm proofs/{cert.relative_to(warm / 'proofs').as_posix()}"] = _sha(cert)
        project = Path(tmp) / "project"
        _copy_project(project, ("firmware", "specs", "pyproject.toml"))
        report = Path(tmp) / "verify.json"
        _tamapy("verify", "firmware/", "--json", str(report), cwd=project)
        hashes["cold verify --json firmware/ (untimed)"] = _sha_untimed(report)
        for cert in sorted((project / "proofs").rglob("*.json")):
            hashes[f"cold proofs/{cert.relative_to(project / 'proofs').as_posix()}"] = _sha_untimed(cert)
        for app in APPS:
            for board in BOARDS:
                out = Path(tmp) / f"{app}-{board}"
                _tamapy("build", f"firmware/examples/{app}", "--board", board, "-o", str(out), cwd=project)
                for ext in ("elf", "bin", "imx"):
                    hashes[f"{app}/{board}/{app}.{ext}"] = _sha(out / f"{app}.{ext}")
    return hashes


def main() -> int:
    hashes = compute()
    if "--record" in sys.argv[1:]:
        RECORD.write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n")
        print(f"recorded {len(hashes)} hashes in {RECORD}")
        return 0
    print(json.dumps(hashes, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
