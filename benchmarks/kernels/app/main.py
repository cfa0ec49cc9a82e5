"""The harness of the kernel benchmark: fill the input, run each kernel between two marker reads,
then publish the results where the host reads them.

A marker is one read of CCM.CCGR0 (``benchmarks/kernels/c/kernels.c`` reads the same
register): the simulator's MMIO trace gives the exact instruction count at each, so what
lies between two markers is one kernel's cost.  The results go to ``Dma`` buffers, whose
stores are volatile, so LLVM cannot drop a kernel as dead code (every other global is
internal to the image and could be).
"""

from typing import Final

from crypto import sha256_sw
from examples.kernels import kernels
from soc.imx6ul.regs import CCM

from tamapy.fw import Array, Bytes, Dma, u32

SIZE: Final = 4096
SEED: Final = 0x2545F491
"""The xorshift32 state the input starts from (kernel_bench.py computes the same bytes)."""

data: Bytes[4096] = Bytes[4096]()
copied: Bytes[4096] = Bytes[4096]()
digest: Bytes[32] = Bytes[32]()
words: Array[u32, 3] = Array[u32, 3]()
"""crc32_bitwise, crc32_table, sum_bytes."""

out_copy: Dma[Bytes[4096]] = Dma[Bytes[4096]]()
out_digest: Dma[Bytes[32]] = Dma[Bytes[32]]()
out_words: Dma[Array[u32, 3]] = Dma[Array[u32, 3]]()


def fill() -> None:
    """The input: the top byte of successive xorshift32 states."""
    x: u32 = SEED
    for i in range(0, SIZE):
        x = x ^ ((x & 0x0007FFFF) << 13)
        x = x ^ (x >> 17)
        x = x ^ ((x & 0x07FFFFFF) << 5)
        data[i] = x >> 24


def mark() -> None:
    """One volatile read the trace shows, between kernels."""
    CCM.CCGR0.read()


def publish() -> None:
    """Copy the results to the DMA region, after the last marker."""
    for i in range(0, SIZE):
        out_copy[i] = copied[i]
    for i in range(0, 32):
        out_digest[i] = digest[i]
    for i in range(0, 3):
        out_words[i] = words[i]


def main() -> None:
    fill()
    mark()
    mark()
    sha256_sw.sha256(data, digest)
    mark()
    words[0] = kernels.crc32_bitwise(data)
    mark()
    words[1] = kernels.crc32_table(data)
    mark()
    kernels.copy_bytes(copied, data)
    mark()
    words[2] = kernels.sum_bytes(data)
    mark()
    publish()
