"""Hello world: a banner naming the board, then an orderly exit."""

from typing import Final

from runtime import console
from runtime.system import finish

CONSOLE_FAILED: Final = 1


def main() -> None:
    if not console.init():
        finish(CONSOLE_FAILED)
        return
    console.write(b"Hello from tamapy on ")
    console.board_name()
    console.newline()
    console.write_line(b"proven Python firmware, no C inside")
    finish(0)
