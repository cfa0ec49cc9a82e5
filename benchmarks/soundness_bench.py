"""Soundness benchmark: many random subset programs through verify, build, simulator and host.

Writes counts to ``benchmarks/results/soundness.json``: programs generated,
rejected by the checker (by code), proved, not proved (by failing
category), run, findings (proved programs that misbehaved) and seconds
per stage.  See ``tests/soundness/`` for the generator and the oracle.

    python benchmarks/soundness_bench.py [--programs 5000] [--seed S] [--timeout-ms MS]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.soundness.oracle import TIMEOUT_MS, Stats, make_project, run_seed  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "soundness.json"


def summary(stats: Stats, seed: int, timeout_ms: int, seconds: float) -> dict[str, object]:
    """The JSON record of one benchmark run (findings with their seed, index and source)."""
    return {
        "seed": seed,
        "solver_timeout_ms": timeout_ms,
        "generated": stats.generated,
        "rejected_by_check": stats.rejected,
        "rejected_codes": dict(sorted(stats.rejected_codes.items())),
        "proved": stats.proved,
        "not_proved": stats.not_proved,
        "not_proved_by_category": dict(sorted(stats.not_proved_by_category.items())),
        "unknown_obligations": stats.unknown,
        "programs_run": stats.programs_run,
        "runs": stats.runs,
        "findings": len(stats.findings),
        "finding_details": [f.render() for f in stats.findings],
        "seconds": round(seconds, 1),
        "stage_seconds": {k: round(v, 1) for k, v in sorted(stats.seconds.items())},
        "python": sys.version.split()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout-ms", type=int, default=TIMEOUT_MS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "proj")
        stats = run_seed(project, args.seed, args.programs, Stats(), timeout_ms=args.timeout_ms)
    results = summary(stats, args.seed, args.timeout_ms, time.perf_counter() - start)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "finding_details"}, indent=2, sort_keys=True))
    return 1 if stats.findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
