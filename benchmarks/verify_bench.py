"""Verification speed: cold and warm runs over firmware/, and two driver-sized functions.

Every figure is written to ``benchmarks/results/verify.json`` together with
a reference measured in the same run (parsing and type-checking the same
tree), so results compare as ratios across machines.

    python benchmarks/verify_bench.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from timing import copy_project, timed, write_results

from tamapy.lang.program import check_tree
from tamapy.verify import ProofStore, verify_tree

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "verify.json"

LOOP_INVARIANT = '''
from tamapy.fw import Bytes, ensures, invariant, requires, u8, u32


@requires(lambda n, dst, src: n <= len(dst) and n <= len(src))
@ensures(lambda result, n, dst, src: result <= n)
def copy_until_zero(dst: Bytes[64], src: Bytes[64], n: u32) -> u32:
    """Copy bytes up to the first zero; return how many were copied."""
    i: u32 = 0
    copied: u32 = 0
    while i < n:
        invariant(i <= n)
        invariant(copied == i)
        decreases(n - i)
        b: u8 = src[i]
        if b == 0:
            break
        dst[i] = b
        i += 1
        copied = i
    return copied
'''.replace("from tamapy.fw import Bytes,", "from tamapy.fw import Bytes, decreases,")

BITFIELDS = '''
from tamapy.fw import ensures, requires, u8, u32


@ensures(lambda result, a, b, c, d: (result >> 24) & 0xFF == d)
@ensures(lambda result, a, b, c, d: result & 0xFF == a)
def pack(a: u8, b: u8, c: u8, d: u8) -> u32:
    """Little-endian packing of four bytes into a word."""
    word: u32 = u32(a) | (u32(b) << 8) | (u32(c) << 16) | (u32(d) << 24)
    return word


@requires(lambda word, shift, width: width >= 1 and width <= 16 and shift + width <= 32)
@ensures(lambda result, word, shift, width: result < (1 << width))
def field(word: u32, shift: u32, width: u32) -> u32:
    """Extract a bit field and clear the other bits of a copy."""
    mask: u32 = (1 << width) - 1
    value: u32 = (word >> shift) & mask
    cleared: u32 = word & (~(mask << shift) & 0xFFFF_FFFF)
    assert cleared & (mask << shift) == 0
    return value
'''



def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proj = Path(tmp)
        copy_project(proj)
        tree = [proj / "firmware"]
        reference = timed(lambda: check_tree(tree, "mcimx6ul-evk"))

        def cold() -> None:
            shutil.rmtree(proj / "proofs", ignore_errors=True)
            report = verify_tree(tree, "mcimx6ul-evk", workers=2, store=ProofStore(proj))
            assert report.all_proved
            ProofStore(proj).write(list(report.results))

        cold_s = timed(cold)
        warm_s = timed(lambda: verify_tree(tree, "mcimx6ul-evk", workers=2, store=ProofStore(proj)))
        obligations = len(verify_tree(tree, "mcimx6ul-evk", workers=2, store=ProofStore(proj)).obligations)

        samples = {}
        for name, source in (("loop_invariant", LOOP_INVARIANT), ("bitfields", BITFIELDS)):
            path = proj / "firmware" / "examples" / f"bench_{name}.py"
            path.write_text(source)
            report = verify_tree([path], "mcimx6ul-evk", workers=1)
            assert report.all_proved, [o.message for o in report.obligations if o.status.value != "proved"]
            samples[name] = {
                "seconds": timed(lambda p=path: verify_tree([p], "mcimx6ul-evk", workers=1)),
                "obligations": len(report.obligations),
            }
    results = {
        "reference_check_seconds": reference,
        "cold_verify_seconds": cold_s,
        "warm_verify_seconds": warm_s,
        "cold_over_reference": cold_s / reference,
        "warm_over_reference": warm_s / reference,
        "firmware_obligations": obligations,
        "driver_functions": samples,
        "python": sys.version.split()[0],
    }
    write_results(RESULTS, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
