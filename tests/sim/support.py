"""Shared helpers for the simulator tests: boards, tiny IR images, a DCP/RNGB bench on the bare bus."""

from __future__ import annotations

import functools
import io
import struct
from pathlib import Path

from elftools.elf.elffile import ELFFile

from tamapy.build import compile_app
from tamapy.codegen import compile_ir
from tamapy.link import LinkLayout, link
from tamapy.sim.bus import Bus
from tamapy.sim.context import ManualClock, SimContext
from tamapy.sim.inject import Injections
from tamapy.sim.memory import RegionMemory
from tamapy.sim.peripherals import Ccm, build_devices
from tamapy.sim.variants import VARIANTS
from tamapy.specs import Board, Soc, load_board, load_soc
from tamapy.specs.model import MemoryRegion

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "firmware" / "examples" / "hello"
LOAD = 0x8001_0000
OCRAM = 0x0090_0000
OCRAM_SIZE = 0x2_0000
EVK, MK2 = "mcimx6ul-evk", "usbarmory-mk2"
PROBE = "probe.body"

UART1 = 0x0202_0000
UART2 = 0x021E_8000
GPT1 = 0x0209_8000
WDOG1 = 0x020B_C000
CCM = 0x020C_4000
CCM_ANALOG = 0x020C_8000
SNVS = 0x020C_C000
OCOTP = 0x021B_C000
DCP = 0x0228_0000
RNGB = 0x0228_4000
SOC = load_soc(ROOT / "specs", "imx6ul")


@functools.cache
def board(name: str) -> tuple[Board, Soc]:
    b = load_board(ROOT / "specs", name)
    return b, load_soc(ROOT / "specs", b.soc)


@functools.cache
def hello(name: str) -> bytes:
    return compile_app(HELLO, name, verify=False).image.elf


# ------------------------------------------------------------- images from IR

LAYOUT = LinkLayout(load_address=LOAD, stack_size=0x1000, exception_stack_size=0x1000, entry_symbol="vectors")


def image(body: str, extra: str = "", layout: LinkLayout = LAYOUT) -> bytes:
    """An image whose reset handler sets SP, calls ``probe.body`` and idles in WFI.

    Its vector table points every exception at the reset handler, and VBAR is
    left at 0 (not RAM), so CPU exceptions are never delivered.
    """
    words = ", ".join([f"i32 {0xE59F_F018}"] * 8 + ["i32 ptrtoint (ptr @reset to i32)"] * 8)
    text = f"""
target triple = "armv7a-none-eabi"
@__stack_top = external global i8
@vectors = constant [16 x i32] [{words}], section ".vectors", align 32
{extra}
define void @reset() #0 {{
  call void @llvm.write_register.i32(metadata !0, i32 ptrtoint (ptr @__stack_top to i32))
  call void @"{PROBE}"()
  br label %idle
idle:
  call void @llvm.arm.hint(i32 3)
  br label %idle
}}
define void @"{PROBE}"() #1 {{
{body}
}}
declare void @llvm.write_register.i32(metadata, i32)
declare void @llvm.arm.hint(i32)
declare void @llvm.trap()
attributes #0 = {{ noreturn nounwind "frame-pointer"="none" }}
attributes #1 = {{ noinline nounwind }}
!0 = !{{!"sp"}}
"""
    obj, _ = compile_ir(text, "armv7a-none-eabi", "cortex-a7", "probe")
    return link(obj, layout, "probe.o").elf


def ptr(address: int) -> str:
    return f"ptr inttoptr (i32 {address} to ptr)"


def store(address: int, value: int, bits: int = 32) -> str:
    return f"  store volatile i{bits} {value}, {ptr(address)}\n"


def spin(label: str, address: int, mask: int, want: int, bits: int = 32) -> str:
    """IR that loops at ``label`` until ``*address & mask == want``; continues at ``label``_done."""
    return (f"  br label %{label}\n{label}:\n"
            f"  %{label}_v = load volatile i{bits}, {ptr(address)}\n"
            f"  %{label}_m = and i{bits} %{label}_v, {mask}\n"
            f"  %{label}_ok = icmp eq i{bits} %{label}_m, {want}\n"
            f"  br i1 %{label}_ok, label %{label}_done, label %{label}\n{label}_done:\n")


UART_ON = store(UART1 + 0x84, 0x4027) + store(UART1 + 0x80, 1)
"""UART1: UCR2 = IRTS|WS|TXEN|RXEN|SRST, then UCR1 = UARTEN."""


def say(text: bytes, name: str) -> tuple[str, str]:
    """(global, body) IR printing ``text`` on UART1 (which must be on); labels use ``name``."""
    n = len(text)
    escaped = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:02X}" for b in text)
    extra = f'@{name} = constant [{n} x i8] c"{escaped}"'
    body = f"""  br label %{name}_loop
{name}_loop:
  %{name}_i = phi i32 [0, %{name}_pre], [%{name}_next, %{name}_loop]
  %{name}_p = getelementptr [{n} x i8], ptr @{name}, i32 0, i32 %{name}_i
  %{name}_c = load i8, ptr %{name}_p
  %{name}_w = zext i8 %{name}_c to i32
  store volatile i32 %{name}_w, {ptr(UART1 + 0x40)}
  %{name}_next = add i32 %{name}_i, 1
  %{name}_more = icmp ult i32 %{name}_next, {n}
  br i1 %{name}_more, label %{name}_loop, label %{name}_done
{name}_done:
"""
    return extra, f"  br label %{name}_pre\n{name}_pre:\n" + body


def function_address(elf: bytes, name: str) -> int:
    symtab = ELFFile(io.BytesIO(elf)).get_section_by_name(".symtab")
    assert symtab is not None
    for sym in symtab.iter_symbols():  # type: ignore[attr-defined]
        if sym.name == name:
            return int(sym["st_value"]) & ~1
    raise KeyError(name)


def patch(elf: bytes, address: int, words: list[int]) -> bytes:
    """The ELF with the instructions at ``address`` replaced (a loaded segment's file bytes)."""
    f = ELFFile(io.BytesIO(elf))
    for seg in f.iter_segments():
        if seg["p_type"] == "PT_LOAD" and seg["p_paddr"] <= address < seg["p_paddr"] + seg["p_filesz"]:
            at = seg["p_offset"] + address - seg["p_paddr"]
            data = bytearray(elf)
            data[at:at + 4 * len(words)] = struct.pack(f"<{len(words)}I", *words)
            return bytes(data)
    raise ValueError(f"0x{address:08x} is in no loaded segment")


# ------------------------------------------------------- the bus with RAM (no CPU)


class Bench:
    """The i.MX6ULZ's peripherals on a bare bus, with OCRAM as DMA memory and a hand clock."""

    def __init__(self, inject: tuple[str, ...] = (), unique_id: int | None = None, otp_key: bytes | None = None,
                 variant: str = "imx6ulz") -> None:
        self.memory = RegionMemory((MemoryRegion("ocram", OCRAM, OCRAM_SIZE),))
        self.clock = ManualClock()
        self.stops: list[tuple[str, str]] = []
        self.ctx = SimContext(clock=self.clock, memory=self.memory, variant=VARIANTS[variant], board=MK2,
                              unique_id=unique_id, otp_key=otp_key, faults=Injections.of(inject),
                              stop=lambda reason, detail: self.stops.append((reason, detail)))
        devices = build_devices(SOC, self.ctx)
        self.bus = Bus(devices, next(d for d in devices if isinstance(d, Ccm)))

    def r(self, address: int, size: int = 4) -> int:
        return self.bus.read(address, size)

    def w(self, address: int, value: int, size: int = 4) -> None:
        self.bus.write(address, size, value)
