"""The panic hook: called by panic(code) and by the compiled safety checks.

It (re)initialises the console, whatever state the panic left it in, and
reports the code as the final line ``tamapy: panic 0xCODE``; the startup
code halts the CPU when it returns.
"""

from typing import Final

from runtime import console
from tamapy.fw import u32

PANIC_PREFIX: Final = b"tamapy: panic 0x"


def on_panic(code: u32) -> None:
    console.init()
    console.write(PANIC_PREFIX)
    console.write_hex(code, 8)
    console.newline()
