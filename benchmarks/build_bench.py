"""The edit-verify-build-run loop: warm builds on each board, a one-function edit, a cold
verify, the fixed cost of a function with no obligations, and the README's main job.

Every figure goes to ``benchmarks/results/build.json`` with a reference measured in the
same run (``tamapy check firmware/``, in process), so results compare as ratios across
machines.  Runs on a private copy of the project with its own proof and object caches.

    python benchmarks/build_bench.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from timing import copy_project, timed, write_results

from tamapy.build import compile_app, object_cache
from tamapy.lang.program import check_tree
from tamapy.verify import ProofCache, ProofStore, verify_tree

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "build.json"
BOARDS = ("mcimx6ul-evk", "usbarmory-mk2")
EMPTY_FUNCTIONS = 40



def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proj = Path(tmp) / "proj"
        copy_project(proj)
        cache = proj / ".tamapy" / "proofs"
        app = proj / "firmware" / "examples" / "selftest"
        reference = timed(lambda: check_tree([proj / "firmware"], "mcimx6ul-evk"))

        def cold_verify(workers: int) -> Callable[[], None]:
            def run() -> None:
                report = verify_tree([proj / "firmware"], "mcimx6ul-evk", workers=workers)
                assert report.all_proved
            return run

        cold = {str(w): timed(cold_verify(w), repeat=2) for w in (1, 2)}
        for board in BOARDS:  # prime the caches
            compile_app(app, board, cache=cache, objects=object_cache(app))
        warm = {b: timed(lambda b=b: compile_app(app, b, cache=cache, objects=object_cache(app))) for b in BOARDS}
        reproved = {b: sum(r.proved_now for r in compile_app(app, b, cache=cache).report.results) for b in BOARDS}

        leaf = proj / "firmware" / "runtime" / "hexcodec.py"
        original = leaf.read_text()
        edit = original.replace("    if 0x30 <= ch and ch <= 0x39:", "    if ch >= 0x30 and ch <= 0x39:")
        assert edit != original
        leaf.write_text(edit)  # a body change of hexcodec.digit, its contract unchanged
        marks: dict[str, float] = {}
        start = time.perf_counter()
        edited = compile_app(app, "usbarmory-mk2", cache=cache, objects=object_cache(app),
                             stage=lambda name: marks.setdefault(name, time.perf_counter()))
        edit_build = time.perf_counter() - start
        edit_verify = marks["compile"] - marks["verify"]  # the verify stage alone
        edit_reproved = sum(r.proved_now for r in edited.report.results)
        leaf.write_text(original)

        empty = proj / "firmware" / "examples" / "bench_empty.py"
        empty.write_text("".join(f"def f{k}() -> None:\n    pass\n\n\n" for k in range(EMPTY_FUNCTIONS)))
        per_empty = timed(lambda: verify_tree([empty], "mcimx6ul-evk", workers=1)) / EMPTY_FUNCTIONS
        empty.unlink()

        store = ProofStore(proj)
        full = verify_tree([proj / "firmware"], "mcimx6ul-evk", workers=2, store=store, cache=ProofCache(cache))
        store.write(list(full.results))
        main_job = [sys.executable, "-m", "tamapy", "run", "firmware/examples/selftest", "--board", "usbarmory-mk2"]
        subprocess.run(main_job, cwd=proj, stdin=subprocess.DEVNULL, capture_output=True, check=True)
        run_s = timed(lambda: subprocess.run(main_job, cwd=proj, stdin=subprocess.DEVNULL, capture_output=True,
                                             check=True), repeat=3)
        check_s = timed(lambda: subprocess.run([sys.executable, "-m", "tamapy", "check", "firmware/"], cwd=proj,
                                               capture_output=True, check=True), repeat=3)
    results = {
        "reference_check_seconds": reference,
        "check_cli_seconds": check_s,
        "cold_verify_seconds_by_workers": cold,
        "warm_build_seconds": warm,
        "warm_build_over_reference": {b: s / reference for b, s in warm.items()},
        "warm_build_reproved_functions": reproved,
        "edited_leaf_build_seconds": edit_build,
        "edited_leaf_reproved_functions": edit_reproved,
        "edited_leaf_verify_seconds": edit_verify,
        "zero_obligation_function_seconds": per_empty,
        "main_job_warm_seconds": run_s,
        "main_job_over_check_cli": run_s / check_s,
        "firmware_obligations": len(full.obligations),
        "python": sys.version.split()[0],
    }
    write_results(RESULTS, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
