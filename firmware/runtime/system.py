"""Orderly end of a firmware run.

``finish`` prints the final line ``tamapy: exit N`` that runners (the
simulator, ``tamapy run --qemu``) wait for, then idles forever.
"""

from typing import Final

from board import console as port
from runtime import console
from tamapy.fw import clock_enabled, forever, requires, u32, wfi

EXIT_PREFIX: Final = b"tamapy: exit "


@requires(lambda code: clock_enabled(port.PORT))
def finish(code: u32) -> None:
    console.write(EXIT_PREFIX)
    console.write_dec(code)
    console.newline()
    while forever():
        wfi()
