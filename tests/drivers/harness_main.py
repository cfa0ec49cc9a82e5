"""Test firmware for the soc.imx6ul drivers: one operation per run, chosen by the host.

The host writes words to IN (DDR 0x84000000): op, then arguments; a key at
KEY_IN, an IV at IV_IN, data at DATA_IN.  The firmware opens the console and
every driver clock gate, runs the operation, writes a status word and
results to OUT / OUT_DATA, and ends with ``tamapy: exit 0``.

ops (arguments after the op word):
 0 SOC:  model, has_dcp, has_rngb, family, revision
 1 FUSE: unique ID (status, 8 bytes), CFG5 via read_fuse, OTPMK0 via read_fuse
         (locked), CFG0 via read_fuse_direct, shadow offsets of bank 5/6 word 7/0
 2 SHA:  [n]                 dcp.sha256(data[0:n])
 3 AES:  [n, source, cbc, encrypt, key_len, iv_len, out_len]  source 0 payload key, 1 key slot 2,
         2 unique key; key_len/iv_len 1..16 pass a shorter key/IV (0: 16 bytes);
         out_len 1..4096 a shorter output view (0: all of OUT)
 4 RNG:  [n, flags]          rngb.init, read_words(n); flags 1: init and read once more;
         flags 2: no init before the first read
 5 GPT:  [us]                gpt.init, delay_us(us), uptime before/after
 6 WDOG: [timeout_ms, rounds, us, service]  wdog.init (WCR after it), then rounds x
         (delay, service?)
 7 RTC:  [ticks, us]         snvs load(LP, ticks), delay, read(LP); start(HP), read(HP)
 8 DCPINIT: dcp.init only (status)
"""

from typing import Final

from runtime import console
from runtime.system import finish
from soc.imx6ul import ccm, dcp, gpt, ocotp, rngb, snvs, soc, wdog
from soc.imx6ul.regs import WDOG1

from tamapy.fw import Array, Bytes, mmio, requires, trusted, u32, u64

IN: Final = 0x84000000
KEY_IN: Final = 0x84000100
IV_IN: Final = 0x84000110
DATA_IN: Final = 0x84001000
OUT: Final = 0x84100000
OUT_DATA: Final = 0x84100100
DATA_MAX: Final = 16384
OUT_MAX: Final = 4096

data: Bytes[16384] = Bytes[16384]()
key: Bytes[16] = Bytes[16]()
iv: Bytes[16] = Bytes[16]()
out: Bytes[4096] = Bytes[4096]()
words: Array[u32, 64] = Array[u32, 64]()


@requires(lambda i: i < 16)
@trusted("test input in DDR")
def arg(i: u32) -> u32:
    return mmio.read32(IN + 4 * i)


@requires(lambda n: n <= DATA_MAX)
@trusted("test input in DDR")
def load_data(n: u32) -> None:
    for i in range(0, n):
        data[i] = mmio.read8(DATA_IN + i)
    for i in range(0, 16):
        key[i] = mmio.read8(KEY_IN + i)
        iv[i] = mmio.read8(IV_IN + i)


@requires(lambda i, value: i < 64)
@trusted("test output in DDR")
def put(i: u32, value: u32) -> None:
    mmio.write32(OUT + 4 * i, value)


@requires(lambda n: n <= OUT_MAX)
@trusted("test output in DDR")
def put_out(n: u32) -> None:
    for i in range(0, n):
        mmio.write8(OUT_DATA + i, out[i])


@requires(lambda n: n <= 64)
@trusted("test output in DDR")
def put_words(n: u32) -> None:
    for i in range(0, n):
        mmio.write32(OUT_DATA + 4 * i, words[i])


def bit(flag: bool) -> u32:
    if flag:
        return 1
    return 0


def op_soc() -> None:
    put(1, u32(soc.model()))
    put(2, bit(soc.has_dcp()))
    put(3, bit(soc.has_rngb()))
    put(4, soc.family())
    put(5, soc.revision())


def op_fuse() -> None:
    uid: Bytes[8] = Bytes[8]()
    put(1, u32(ocotp.unique_id(uid)))
    for i in range(0, 8):
        out[i] = uid[i]
    put_out(8)
    word: Array[u32, 1] = Array[u32, 1]()
    put(2, u32(ocotp.read_fuse(0, 6, word)))
    put(3, word[0])
    put(4, u32(ocotp.read_fuse(2, 0, word)))
    put(5, word[0])
    put(6, u32(ocotp.read_fuse_direct(0, 1, word)))
    put(7, word[0])
    put(10, u32(ocotp.read_fuse(0, 2, word)))
    put(11, word[0])


def op_sha(n: u32) -> None:
    put(1, u32(dcp.init()))
    digest: Bytes[32] = Bytes[32]()
    put(2, u32(dcp.sha256(data[0:n], digest)))
    put(3, dcp.error_status())
    for i in range(0, 32):
        out[i] = digest[i]
    put_out(32)


def length(requested: u32) -> u32:
    if requested == 0 or requested > 16:
        return 16
    return requested


def op_aes(n: u32, source: u32, cbc: u32, encrypt: u32, key_len: u32, iv_len: u32, out_len: u32) -> None:
    put(1, u32(dcp.init()))
    enc: bool = encrypt != 0
    kl: u32 = length(key_len)
    il: u32 = length(iv_len)
    ol: u32 = OUT_MAX if out_len == 0 or out_len > OUT_MAX else out_len
    status: dcp.DcpStatus = dcp.DcpStatus.OK
    if source == 0:
        if cbc != 0:
            status = dcp.aes_cbc(key[0:kl], iv[0:il], enc, data[0:n], out[0:ol])
        else:
            status = dcp.aes_ecb(key[0:kl], enc, data[0:n], out[0:ol])
    elif source == 1:
        status = dcp.set_key(2, key[0:kl])
        if status == dcp.DcpStatus.OK:
            if cbc != 0:
                status = dcp.aes_cbc_slot(2, iv[0:il], enc, data[0:n], out[0:ol])
            else:
                status = dcp.aes_ecb_slot(2, enc, data[0:n], out[0:ol])
    elif cbc != 0:
        status = dcp.aes_cbc_unique(iv[0:il], enc, data[0:n], out[0:ol])
    else:
        status = dcp.aes_ecb_unique(enc, data[0:n], out[0:ol])
    put(2, u32(status))
    put(3, dcp.error_status())
    put(4, dcp.error_code())
    if n <= OUT_MAX:
        put_out(n)


def op_rng(n: u32, flags: u32) -> None:
    if flags & 2 == 0:
        put(1, u32(rngb.init()))
    else:
        put(1, 0xFFFF)
    put(2, u32(rngb.read_words(words, n)))
    put_words(n)
    if flags & 1 != 0:
        put(3, u32(rngb.init()))
        for i in range(0, 64):
            words[i] = 0
        put(4, u32(rngb.read_words(words, n)))
        for i in range(0, n):
            mmio_copy_word(i)


@requires(lambda i: i < 64)
@trusted("test output in DDR")
def mmio_copy_word(i: u32) -> None:
    mmio.write32(OUT_DATA + 0x100 + 4 * i, words[i])


def put64(i: u32, value: u64) -> None:
    put(i, u32(value & 0xFFFFFFFF))
    put(i + 1, u32(value >> 32))


def op_gpt(us: u32) -> None:
    put(1, bit(gpt.init()))
    put64(2, gpt.uptime_ticks())
    put(4, bit(gpt.delay_us(us)))
    put64(5, gpt.uptime_ticks())


def op_wdog(timeout_ms: u32, rounds: u32, us: u32, service: u32) -> None:
    gpt.init()
    wdog.init(timeout_ms)
    put(2, u32(WDOG1.WCR.read()))
    for r in range(0, rounds):
        gpt.delay_us(us)
        if service != 0:
            wdog.service()
        put(1, r + 1)


def op_rtc(ticks: u64, us: u32) -> None:
    gpt.init()
    put(1, bit(snvs.load(snvs.Counter.LP, ticks)))
    gpt.delay_us(us)
    t: Array[u64, 1] = Array[u64, 1]()
    put(2, bit(snvs.read(snvs.Counter.LP, t)))
    put64(3, t[0])
    put(5, bit(snvs.start(snvs.Counter.HP)))
    gpt.delay_us(us)
    put(6, bit(snvs.read(snvs.Counter.HP, t)))
    put64(7, t[0])
    put64(9, snvs.seconds(t[0] & snvs.MAX_TICKS))


def open_clock_gates() -> None:
    ccm.enable_gpt1()
    ccm.enable_wdogs()
    ccm.enable_ocotp()
    ccm.enable_snvs()
    ccm.enable_dcp()


def main() -> None:
    if not console.init():
        finish(1)
        return
    open_clock_gates()
    wdog.disable_all_power_down()
    op: u32 = arg(0)
    n: u32 = arg(1)
    if n > DATA_MAX:
        n = DATA_MAX
    if op == 2 or op == 3:
        load_data(n)
    if op == 0:
        op_soc()
    elif op == 1:
        op_fuse()
    elif op == 2:
        op_sha(n)
    elif op == 3:
        op_aes(n, arg(2), arg(3), arg(4), arg(5), arg(6), arg(7))
    elif op == 4:
        if n > 64:
            n = 64
        op_rng(n, arg(2))
    elif op == 5:
        op_gpt(arg(1))
    elif op == 6:
        op_wdog(arg(1), arg(2), arg(3), arg(4))
    elif op == 7:
        op_rtc(u64(arg(1)) | (u64(arg(2)) << 32), arg(3))
    elif op == 8:
        put(1, u32(dcp.init()))
    put(0, 0xC0DE)
    finish(0)
