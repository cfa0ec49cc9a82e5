"""Simulator speed: simulated instructions per second on fixed firmware loops.

Each workload is a tiny image built from LLVM IR (no verification involved):

* ``alu_loop`` -- a counted loop of arithmetic with a store to RAM per
  iteration (no MMIO): the cost of the block hook that counts instructions;
* ``mmio_loop`` -- a loop reading GPT1.CNT (a modelled peripheral register)
  every iteration: the cost of the Python MMIO path;
* ``gpt_delay_250ms`` -- a busy-wait on GPT1.CNT (66 MHz) for 250 ms of
  simulated time, with fast-forward on (as ``tamapy run`` has it; the other
  workloads run without): the host seconds of a timer wait, with the simulated
  time the run reports and the GPT ticks it counted;
* ``hello`` -- the hello example, build excluded;
* ``selftest`` -- the self-test on the USB armory Mk II (the README's
  ``tamapy run``), build excluded: mostly console polls.

Two references are measured in the same run, so the figures compare as
ratios across machines: the same ``alu_loop`` image in bare Unicorn with no
hooks at all (the emulator's own speed), and a pure-Python loop doing the
same number of iterations.  The speed targets (at least 50 M instructions/s
and 30 % of bare Unicorn on ``alu_loop``) are checked against them and written
with the results to ``benchmarks/results/sim.json``.

    python benchmarks/sim_bench.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import unicorn
from timing import timed, write_results
from unicorn import UC_ARCH_ARM, UC_MODE_ARM
from unicorn.arm_const import UC_ARM_REG_CPSR, UC_CPU_ARM_CORTEX_A7

from tamapy.build import compile_app
from tamapy.codegen import compile_ir
from tamapy.link import LinkLayout, link
from tamapy.sim import simulate
from tamapy.sim.image import read_image
from tamapy.specs import load_board, load_soc

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "sim.json"
BOARD = "mcimx6ul-evk"
SELFTEST_BOARD = "usbarmory-mk2"
TARGET_IPS = 50_000_000
TARGET_OVER_BARE = 0.30
IPG_HZ = 66_000_000
DELAY_TICKS = IPG_HZ // 4
"""250 ms of GPT1 ticks at ipg_clk."""
ITERATIONS = 1_000_000
MMIO_ITERATIONS = 200_000
LOAD = 0x8001_0000
GPT1_CNT = 0x0209_8024
UC: Any = unicorn


def image(body: str) -> bytes:
    """Reset handler: set SP, run ``body``, idle in WFI (which ends the run)."""
    words = ", ".join([f"i32 {0xE59F_F018}"] * 8 + ["i32 ptrtoint (ptr @reset to i32)"] * 8)
    text = f"""
target triple = "armv7a-none-eabi"
@__stack_top = external global i8
@vectors = constant [16 x i32] [{words}], section ".vectors", align 32
define void @reset() #0 {{
  call void @llvm.write_register.i32(metadata !0, i32 ptrtoint (ptr @__stack_top to i32))
  call void @body()
  br label %idle
idle:
  call void @llvm.arm.hint(i32 3)
  br label %idle
}}
define void @body() #1 {{
{body}
}}
declare void @llvm.write_register.i32(metadata, i32)
declare void @llvm.arm.hint(i32)
attributes #0 = {{ noreturn nounwind "frame-pointer"="none" }}
attributes #1 = {{ noinline nounwind }}
!0 = !{{!"sp"}}
"""
    obj, _ = compile_ir(text, "armv7a-none-eabi", "cortex-a7", "bench")
    layout = LinkLayout(load_address=LOAD, stack_size=0x1000, exception_stack_size=0x1000, entry_symbol="vectors")
    return link(obj, layout, "bench.o").elf


def loop(n: int, step: str) -> str:
    return f"""entry:
  br label %loop
loop:
  %i = phi i32 [0, %entry], [%next, %loop]
  %acc = phi i32 [7, %entry], [%acc2, %loop]
{step}
  %next = add i32 %i, 1
  %more = icmp ult i32 %next, {n}
  br i1 %more, label %loop, label %done
done:
  ret void"""


ALU_STEP = f"""  %x = mul i32 %acc, 1103515245
  %acc2 = add i32 %x, %i
  store volatile i32 %acc2, ptr inttoptr (i32 {LOAD + 0x8000} to ptr)"""
MMIO_STEP = f"""  %c = load volatile i32, ptr inttoptr (i32 {GPT1_CNT} to ptr)
  %acc2 = add i32 %acc, %c"""
GPT_ON = f"""  store volatile i32 577, ptr inttoptr (i32 {GPT1_CNT - 0x24} to ptr)
"""  # CR = EN | CLKSRC ipg | FRR
DELAY = f"""entry:
{GPT_ON}  %start = load volatile i32, ptr inttoptr (i32 {GPT1_CNT} to ptr)
  br label %poll
poll:
  %now = load volatile i32, ptr inttoptr (i32 {GPT1_CNT} to ptr)
  %seen = sub i32 %now, %start
  %ok = icmp uge i32 %seen, {DELAY_TICKS}
  br i1 %ok, label %done, label %poll
done:
  ret void"""


def bare_unicorn(elf: bytes) -> None:
    """The image in Unicorn with no hook at all, until its WFI."""
    img = read_image(elf)
    uc = UC.Uc(UC_ARCH_ARM, UC_MODE_ARM)
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_A7)
    uc.mem_map(0x8000_0000, 0x0800_0000)
    for seg in img.segments:
        uc.mem_write(seg.address, seg.data + bytes(seg.memsz - len(seg.data)))
    uc.reg_write(UC_ARM_REG_CPSR, 0x1D3)
    uc.emu_start(img.entry, 0xFFFF_FFFF)


def python_loop(n: int) -> int:
    acc = 7
    for i in range(n):
        acc = (acc * 1103515245 + i) & 0xFFFF_FFFF
    return acc


def main() -> int:
    workloads: dict[str, dict[str, Any]] = {}

    def measure(name: str, elf: bytes, board_name: str = BOARD, *, fast_forward: bool = False) -> float:
        board = load_board(ROOT / "specs", board_name)
        soc = load_soc(ROOT / "specs", board.soc)
        outcome = simulate(elf, board, soc, max_insns=10**10, timeout=600, fast_forward=fast_forward)
        assert outcome.stop_reason in ("halted", "final-line"), outcome.stop_reason
        assert outcome.final in (None, "exit") and outcome.code in (None, 0), outcome.output[-200:]
        seconds = timed(lambda: simulate(elf, board, soc, max_insns=10**10, timeout=600, fast_forward=fast_forward))
        rate = outcome.instructions / seconds
        workloads[name] = {"instructions": outcome.instructions, "seconds": seconds,
                           "instructions_per_second": rate, "cycles": outcome.cycles,
                           "fast_forwarded_cycles": outcome.fast_forwarded,
                           "simulated_ms": outcome.cycles * 1000 / outcome.clock_hz}
        if "GPT1" in outcome.notes:
            workloads[name]["gpt1_ticks"] = outcome.notes["GPT1"]["ticks_counted"]
        return rate

    alu = image(loop(ITERATIONS, ALU_STEP))
    sim_rate = measure("alu_loop", alu)
    measure("mmio_loop", image(loop(MMIO_ITERATIONS, MMIO_STEP).replace("entry:\n", "entry:\n" + GPT_ON, 1)))
    workloads["mmio_loop"]["mmio_reads_per_second"] = MMIO_ITERATIONS / workloads["mmio_loop"]["seconds"]
    measure("gpt_delay_250ms", image(DELAY), fast_forward=True)
    workloads["gpt_delay_250ms"]["gpt1_ms"] = workloads["gpt_delay_250ms"]["gpt1_ticks"] * 1000 / IPG_HZ
    measure("hello", compile_app(ROOT / "firmware" / "examples" / "hello", BOARD, verify=False).image.elf)
    selftest = compile_app(ROOT / "firmware" / "examples" / "selftest", SELFTEST_BOARD, verify=False)
    measure("selftest", selftest.image.elf, SELFTEST_BOARD)

    bare_s = timed(lambda: bare_unicorn(alu))
    bare_rate = workloads["alu_loop"]["instructions"] / bare_s
    py_s = timed(lambda: python_loop(ITERATIONS))
    results = {
        "workloads": workloads,
        "reference": {
            "bare_unicorn_alu_loop_seconds": bare_s,
            "bare_unicorn_instructions_per_second": bare_rate,
            "python_loop_iterations": ITERATIONS,
            "python_loop_seconds": py_s,
            "python_loop_iterations_per_second": ITERATIONS / py_s,
        },
        "alu_loop_over_bare_unicorn": sim_rate / bare_rate,
        "targets": {
            "alu_loop_instructions_per_second": {"target": TARGET_IPS, "measured": sim_rate,
                                                 "met": sim_rate >= TARGET_IPS},
            "alu_loop_over_bare_unicorn": {"target": TARGET_OVER_BARE, "measured": sim_rate / bare_rate,
                                           "met": sim_rate / bare_rate >= TARGET_OVER_BARE},
        },
        "alu_loop_iterations_over_python_loop": (ITERATIONS / workloads["alu_loop"]["seconds"]) / (ITERATIONS / py_s),
        "python": sys.version.split()[0],
        "unicorn": UC.__version__,
    }
    write_results(RESULTS, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
