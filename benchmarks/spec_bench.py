"""Spec scale: what each added register costs a ``tamapy check firmware/``.

A private copy of the project gets 3,000 extra registers in one register map
(GPIO: a plain 32-bit register with one field each); ``check`` runs as a fresh
process, as a user runs it, on the copy as it is and with the extra registers.
The reference is the same ``check`` without them, measured in the same run, so
the figure (milliseconds per added register) compares across machines together
with the reference's seconds.  Results go to ``benchmarks/results/specs.json``.

    python benchmarks/spec_bench.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from timing import copy_project, timed, write_results

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "specs.json"
EXTRA = 3000
MAP = Path("specs") / "soc" / "imx6ul" / "gpio.toml"


def extra_registers(n: int) -> str:
    """``n`` registers after GPIO's own (which end below 0x100), one word each."""
    return "".join(f'\n[registers.X{i}]\noffset = {0x100 + 4 * i:#x}\ndescription = "extra register {i}"\n'
                   f'[registers.X{i}.fields]\nV = {{ bits = "7:0", description = "low byte" }}\n' for i in range(n))


def check(project: Path) -> None:
    subprocess.run([sys.executable, "-m", "tamapy", "check", "firmware/"], cwd=project, check=True,
                   capture_output=True, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tamapy-spec-bench-") as tmp:
        project = Path(tmp)
        copy_project(project)
        reference = timed(lambda: check(project))
        spec = project / MAP
        spec.write_text(spec.read_text() + extra_registers(EXTRA))
        with_extra = timed(lambda: check(project))
    results = {
        "extra_registers": EXTRA,
        "reference_check_seconds": reference,
        "check_seconds_with_extra_registers": with_extra,
        "ms_per_added_register": 1000 * (with_extra - reference) / EXTRA,
        "python": sys.version.split()[0],
    }
    write_results(RESULTS, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
