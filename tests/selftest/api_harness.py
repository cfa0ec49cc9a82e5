"""Test application for crypto.api: one interface call per run, chosen by the host.

The host writes words to IN (DDR 0x84000000): op, then arguments; a key at
KEY_IN (up to 256 bytes), an IV at IV_IN, data at DATA_IN (up to 8 KiB).
Every output buffer is filled with 0xA5 bytes (0xA5A5A5A5 words) before the
call, so the host sees what the call wrote, including the zeroing on errors.
The status goes to OUT, the output bytes to OUT_DATA; ``tamapy: exit 0`` ends.

ops:
 0 SHA256        [n]                        api.sha256(data[0:n], digest)
 1 SHA256_ENGINE [n]                        api.sha256_engine(data[0:n], digest)
 2 HMAC          [key_len, n]               api.hmac_sha256(key[0:key_len], data[0:n], mac)
 3 AES           [n, cbc, encrypt]          api.aes128_{ecb,cbc}_{en,de}crypt(key[0:16], iv, data[0:n], out)
 4 DERIVE        []                         api.derive_key(data[0:16], out16)
 5 RNG           [n, calls]                 api.rng_read(words, n), ``calls`` times (results of the last)
 6 RNG_SELFTEST  [n]                        api.rng_self_test(), then api.rng_read(words, n)
"""

from typing import Final

from crypto import api
from runtime import console
from runtime.system import finish
from soc.imx6ul import ccm, wdog

from tamapy.fw import Array, Bytes, mmio, requires, trusted, u32

IN: Final = 0x84000000
KEY_IN: Final = 0x84000100
IV_IN: Final = 0x84000200
DATA_IN: Final = 0x84001000
OUT: Final = 0x84100000
OUT_DATA: Final = 0x84100100
DATA_MAX: Final = 8192
FILL: Final = 0xA5

data: Bytes[8192] = Bytes[8192]()
key: Bytes[256] = Bytes[256]()
iv: Bytes[16] = Bytes[16]()
out: Bytes[4096] = Bytes[4096]()
digest: Bytes[32] = Bytes[32]()
derived: Bytes[16] = Bytes[16]()
words: Array[u32, 64] = Array[u32, 64]()


@requires(lambda i: i < 16)
@trusted("test input in DDR")
def arg(i: u32) -> u32:
    return mmio.read32(IN + 4 * i)


@trusted("test input in DDR")
def load_inputs() -> None:
    for i in range(0, DATA_MAX):
        data[i] = mmio.read8(DATA_IN + i)
    for i in range(0, 256):
        key[i] = mmio.read8(KEY_IN + i)
    for i in range(0, 16):
        iv[i] = mmio.read8(IV_IN + i)


@requires(lambda i, value: i < 64)
@trusted("test output in DDR")
def put(i: u32, value: u32) -> None:
    mmio.write32(OUT + 4 * i, value)


@trusted("test output in DDR")
def put_outputs() -> None:
    for i in range(0, 4096):
        mmio.write8(OUT_DATA + i, out[i])
    for i in range(0, 32):
        mmio.write8(OUT_DATA + 0x1000 + i, digest[i])
    for i in range(0, 16):
        mmio.write8(OUT_DATA + 0x1100 + i, derived[i])
    for i in range(0, 64):
        mmio.write32(OUT_DATA + 0x1200 + 4 * i, words[i])


def fill() -> None:
    for i in range(0, 4096):
        out[i] = FILL
    for i in range(0, 32):
        digest[i] = FILL
    for i in range(0, 16):
        derived[i] = FILL
    for i in range(0, 64):
        words[i] = 0xA5A5A5A5


def main() -> None:
    if not console.init():
        finish(1)
        return
    ccm.enable_wdogs()
    ccm.enable_ocotp()
    ccm.enable_dcp()
    wdog.disable_all_power_down()
    load_inputs()
    fill()
    op: u32 = arg(0)
    n: u32 = arg(1)
    status: api.CryptoStatus = api.CryptoStatus.OK
    if op == 0 or op == 1 or op == 2:
        if n > DATA_MAX:
            n = DATA_MAX
        if op == 0:
            status = api.sha256(data[0:n], digest)
        elif op == 1:
            status = api.sha256_engine(data[0:n], digest)
        else:
            key_len: u32 = arg(2)
            if key_len > 256:
                key_len = 256
            status = api.hmac_sha256(key[0:key_len], data[0:n], digest)
    elif op == 3:
        n = n // 16 * 16
        if n > 4096:
            n = 4096
        if arg(2) != 0:
            if arg(3) != 0:
                status = api.aes128_cbc_encrypt(key[0:16], iv, data[0:n], out)
            else:
                status = api.aes128_cbc_decrypt(key[0:16], iv, data[0:n], out)
        elif arg(3) != 0:
            status = api.aes128_ecb_encrypt(key[0:16], data[0:n], out)
        else:
            status = api.aes128_ecb_decrypt(key[0:16], data[0:n], out)
    elif op == 4:
        status = api.derive_key(data[0:16], derived)
    elif op == 5 or op == 6:
        if n > 64:
            n = 64
        if op == 6:
            put(2, u32(api.rng_self_test()))
        calls: u32 = arg(2)
        if calls > 8:
            calls = 8
        for _ in range(0, calls):
            status = api.rng_read(words, n)
    put(1, u32(status))
    put_outputs()
    put(0, 0xC0DE)
    finish(0)
