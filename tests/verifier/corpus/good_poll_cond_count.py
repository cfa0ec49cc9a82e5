# expect: proved
# After poll() the caller re-establishes the count it relies on instead of assuming one run.
from tamapy.fw import poll, u32

tries: u32 = 0


def attempt() -> bool:
    global tries
    if tries < 100:
        tries += 1
    return tries == 3


def wait() -> None:
    global tries
    tries = 0
    ok: bool = poll(attempt(), limit=5)
    if not ok:
        return
    tries = 1
    assert tries == 1
