# expect: assert 21
# poll() may run its condition several times: a counter it bumps is not known to be 1 afterwards.
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
    assert tries == 1  # bug: the condition ran three times before it held
