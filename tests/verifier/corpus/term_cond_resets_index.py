# expect: termination 19
# The measure is written on the index the condition resets: it never reaches the end.
from tamapy.fw import decreases, ensures, requires, u32

pos: u32 = 0


@ensures(lambda result: pos == 0 and result)
def rewind() -> bool:
    global pos
    pos = 0
    return True


@requires(lambda: pos <= 8)
def scan() -> None:
    global pos
    while pos < 8 and rewind():
        decreases(8 - pos)  # bug: rewind() puts pos back to 0 before every body
        pos += 1
