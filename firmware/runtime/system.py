"""Orderly end of a firmware run.

``finish`` prints the final line ``tamapy: exit N`` that runners (the
simulator, ``tamapy run --qemu``) wait for, then idles forever.
"""

from typing import Final

from runtime import console
from tamapy.fw import forever, u32, wfi

EXIT_PREFIX: Final = b"tamapy: exit "


def finish(code: u32) -> None:
    console.write(EXIT_PREFIX)
    console.write_dec(code)
    console.newline()
    while forever():
        wfi()
