"""The command console: one line in, one or more lines out.

Commands (arguments separated by spaces; hex in either case):

    help                              list the commands
    uid                               the 64-bit unique ID
    rand N                            N random bytes, 1..256 (RNGB only)
    sha256 HEX                        SHA-256 of the bytes (DCP, else software)
    aes-cbc KEYHEX IVHEX DATAHEX      AES-128-CBC encryption (DCP only): 16-byte key
                                      and IV, data a non-empty multiple of 16 bytes
    quote NONCEHEX                    the attestation quote over a 1..64-byte nonce,
                                      not all zero
    reset                             software reset through WDOG1
    exit                              end the run (``tamapy: exit N``)

Results are one line ``NAME: HEX`` (``uid:``, ``random:``, ``digest:``,
``ciphertext:``, ``quote:``); anything wrong gives one line starting with
``error: `` and the console goes on serving.
"""

from enum import IntEnum
from typing import Final

from board import console as port
from crypto import api
from examples.selftest import attest, boot, out, reset
from runtime import hexcodec
from soc.imx6ul import gpt
from soc.imx6ul.regs import DCP, GPT1, OCOTP, WDOG1
from tamapy.fw import Array, Bytes, View, clock_enabled, ensures, invariant, requires, u8, u32

MAX_LINE: Final = 512
SPACE: Final = 0x20
MAX_RAND: Final = boot.MAX_RANDOM
BAD_COUNT: Final = 0xFFFF_FFFF
"""What a parse of an argument gives when there is none to use (above every count)."""
MAX_DIGITS: Final = 4
RESET_WAIT_US: Final = 10_000
"""How long to wait for the reset to take effect before saying it did not."""

arg: Bytes[256] = Bytes[256]()
key: Bytes[256] = Bytes[256]()
iv: Bytes[256] = Bytes[256]()
words: Array[u32, 64] = Array[u32, 64]()


# ------------------------------------------------------------------ parsing


@requires(lambda buf, start, n: start <= n and n <= MAX_LINE)
@ensures(lambda buf, start, n, result: start <= result and result <= n)
def skip_spaces(buf: Bytes[512], start: u32, n: u32) -> u32:
    """The first index at or after ``start`` that is not a space (``n`` if none)."""
    for i in range(start, n):
        if buf[i] != SPACE:
            return i
    return n


@requires(lambda buf, start, n: start <= n and n <= MAX_LINE)
@ensures(lambda buf, start, n, result: start <= result and result <= n)
def field_end(buf: Bytes[512], start: u32, n: u32) -> u32:
    """The first index at or after ``start`` that is a space (``n`` if none)."""
    for i in range(start, n):
        if buf[i] == SPACE:
            return i
    return n


@requires(lambda buf, start, end, word: start <= end and end <= MAX_LINE)
def is_word(buf: Bytes[512], start: u32, end: u32, word: View[u8]) -> bool:
    """Whether ``buf[start:end]`` is ``word``."""
    if end - start != len(word):
        return False
    for i in range(0, len(word)):
        if buf[start + i] != word[i]:
            return False
    return True


@requires(lambda buf, start, end: start <= end and end <= MAX_LINE)
@ensures(lambda buf, start, end, result: result <= MAX_RAND or result == BAD_COUNT)
def parse_count(buf: Bytes[512], start: u32, end: u32) -> u32:
    """The decimal number ``buf[start:end]`` if it is 1..MAX_RAND, else BAD_COUNT."""
    if start == end or end - start > MAX_DIGITS:
        return BAD_COUNT
    value: u32 = 0
    for i in range(start, end):
        invariant(value < 10_000)
        ch: u32 = buf[i]
        if ch < 0x30 or ch > 0x39:
            return BAD_COUNT
        if value >= 1000:
            return BAD_COUNT
        value = value * 10 + (ch - 0x30)
    if value == 0 or value > MAX_RAND:
        return BAD_COUNT
    return value


@requires(lambda buf, pos, n, dst: pos <= n and n <= MAX_LINE and clock_enabled(port.PORT))
def hex_field(buf: Bytes[512], pos: u32, n: u32, dst: Bytes[256]) -> u32:
    """``dst[0:result]`` = the bytes of the hex field at ``buf[pos:n]`` (up to the next
    space); a code above ``hexcodec.MAX_BYTES`` if it is not hex, its error line printed."""
    code: u32 = hexcodec.decode(buf[pos:field_end(buf, pos, n)], dst)
    if code == hexcodec.BAD_DIGIT:
        out.line(b"error: bad hex digit")
    elif code == hexcodec.ODD_LENGTH:
        out.line(b"error: odd number of hex digits")
    elif code > hexcodec.MAX_BYTES:
        out.line(b"error: hex argument too long (at most 256 bytes)")
    return code


@requires(lambda buf, pos, n: pos <= n and n <= MAX_LINE)
@ensures(lambda buf, pos, n, result: pos <= result and result <= n)
def next_field(buf: Bytes[512], pos: u32, n: u32) -> u32:
    """Where the field after the one at ``pos`` starts (``n`` if there is none)."""
    return skip_spaces(buf, field_end(buf, pos, n), n)


@requires(lambda buf, pos, n, dst, usage: pos <= n and n <= MAX_LINE and clock_enabled(port.PORT))
def last_hex_field(buf: Bytes[512], pos: u32, n: u32, dst: Bytes[256], usage: View[u8]) -> u32:
    """``hex_field`` of the line's last field; ``usage`` printed (and a code above
    ``hexcodec.MAX_BYTES``) if another field follows."""
    if next_field(buf, pos, n) != n:
        out.line(usage)
        return BAD_COUNT
    return hex_field(buf, pos, n, dst)


@requires(lambda what, status, label, result: clock_enabled(port.PORT))
def report(what: View[u8], status: api.CryptoStatus, label: View[u8], result: View[u8]) -> None:
    """``label`` and ``result`` in hex if ``status`` is OK, else ``error: what STATUS``."""
    if status != api.CryptoStatus.OK:
        out.write(b"error: ")
        out.write(what)
        out.write(b" ")
        out.status_name(status)
        out.newline()
        return
    out.write(label)
    out.hex_bytes(result)
    out.newline()


# ------------------------------------------------------------------ commands


@requires(lambda: clock_enabled(port.PORT))
def show_help() -> None:
    out.line(b"commands:")
    out.line(b"  help                          this list")
    out.line(b"  uid                           the 64-bit unique ID")
    out.line(b"  rand N                        N random bytes, 1..256")
    out.line(b"  sha256 HEX                    SHA-256 of the bytes")
    out.line(b"  aes-cbc KEYHEX IVHEX DATAHEX  AES-128-CBC encryption (16-byte key and IV)")
    out.line(b"  quote NONCEHEX                attestation quote over a 1..64-byte nonce, not all zero")
    out.line(b"  reset                         software reset")
    out.line(b"  exit                          end the run")


@requires(lambda buf, pos, n: pos <= n and n <= MAX_LINE and clock_enabled(port.PORT) and clock_enabled(OCOTP))
def rand(buf: Bytes[512], pos: u32, n: u32) -> None:
    end: u32 = field_end(buf, pos, n)
    count: u32 = parse_count(buf, pos, end)
    if count == BAD_COUNT or skip_spaces(buf, end, n) != n:
        out.line(b"error: usage: rand N (N = 1..256)")
        return
    status: api.CryptoStatus = api.rng_read(words, (count + 3) // 4)
    boot.word_bytes(words, count, arg)  # all zero unless OK
    report(b"rand", status, b"random: ", arg[0:count])


@requires(lambda data: clock_enabled(port.PORT) and clock_enabled(OCOTP) and clock_enabled(DCP))
def sha256(data: View[u8]) -> None:
    digest: Bytes[32] = Bytes[32]()
    status: api.CryptoStatus = api.sha256(data, digest)
    report(b"sha256", status, b"digest: ", digest)


@requires(lambda buf, pos, n: pos <= n and n <= MAX_LINE
          and clock_enabled(port.PORT) and clock_enabled(OCOTP) and clock_enabled(DCP))
def aes_cbc(buf: Bytes[512], pos: u32, n: u32) -> None:
    key_len: u32 = hex_field(buf, pos, n, key)
    if key_len > hexcodec.MAX_BYTES:
        return
    pos = next_field(buf, pos, n)
    iv_len: u32 = hex_field(buf, pos, n, iv)
    if iv_len > hexcodec.MAX_BYTES:
        return
    pos = next_field(buf, pos, n)
    data_len: u32 = last_hex_field(buf, pos, n, arg, b"error: usage: aes-cbc KEYHEX IVHEX DATAHEX")
    if data_len > hexcodec.MAX_BYTES:
        return
    if key_len != api.KEY_BYTES:
        out.line(b"error: the key must be 16 bytes")
        return
    if iv_len != api.BLOCK_BYTES:
        out.line(b"error: the IV must be 16 bytes")
        return
    if data_len == 0 or data_len % api.BLOCK_BYTES != 0:
        out.line(b"error: the data must be a non-empty multiple of 16 bytes")
        return
    status: api.CryptoStatus = api.aes128_cbc_encrypt(key[0:api.KEY_BYTES], iv[0:api.BLOCK_BYTES], arg[0:data_len],
                                                      boot.wide)
    report(b"aes-cbc", status, b"ciphertext: ", boot.wide[0:data_len])


@requires(lambda nonce: clock_enabled(port.PORT) and clock_enabled(OCOTP) and clock_enabled(DCP))
def quote(nonce: View[u8]) -> None:
    """The quote over the verifier's nonce.  Its freshness is the verifier's to ensure,
    but an all-zero nonce is refused here as in ``attest.quote``: it is the one value a
    failed or unwritten nonce holds, so a quote over it is the one worth replaying."""
    if len(nonce) == 0 or len(nonce) > attest.MAX_NONCE:
        out.line(b"error: the nonce must be 1..64 bytes")
        return
    if not attest.usable_nonce(nonce):
        out.line(b"error: the nonce must not be all zero")
        return
    mac: Bytes[32] = Bytes[32]()
    status: api.CryptoStatus = attest.quote(nonce, mac)
    report(b"quote", status, b"quote: ", mac)


@requires(lambda: clock_enabled(port.PORT) and clock_enabled(WDOG1) and clock_enabled(GPT1))
def restart() -> None:
    out.line(b"reset: requesting a software reset")
    reset.request()
    gpt.delay_us(RESET_WAIT_US)
    out.line(b"error: the reset did not happen")


# What the console does after a command.
class Next(IntEnum):
    CONTINUE = 0
    EXIT = 1


@requires(lambda buf, n: n <= MAX_LINE and clock_enabled(port.PORT) and clock_enabled(OCOTP)
          and clock_enabled(DCP) and clock_enabled(WDOG1) and clock_enabled(GPT1))
def execute(buf: Bytes[512], n: u32) -> Next:
    """Run the command in ``buf[0:n]``: CONTINUE, or EXIT for ``exit``."""
    start: u32 = skip_spaces(buf, 0, n)
    if start == n:
        return Next.CONTINUE
    end: u32 = field_end(buf, start, n)
    pos: u32 = skip_spaces(buf, end, n)
    count: u32 = 0
    if is_word(buf, start, end, b"help"):
        show_help()
    elif is_word(buf, start, end, b"uid"):
        boot.print_uid()
    elif is_word(buf, start, end, b"rand"):
        rand(buf, pos, n)
    elif is_word(buf, start, end, b"sha256"):
        count = last_hex_field(buf, pos, n, arg, b"error: usage: sha256 HEX")
        if count <= hexcodec.MAX_BYTES:
            sha256(arg[0:count])
    elif is_word(buf, start, end, b"quote"):
        count = last_hex_field(buf, pos, n, arg, b"error: usage: quote NONCEHEX")
        if count <= hexcodec.MAX_BYTES:
            quote(arg[0:count])
    elif is_word(buf, start, end, b"aes-cbc"):
        aes_cbc(buf, pos, n)
    elif is_word(buf, start, end, b"reset"):
        restart()
    elif is_word(buf, start, end, b"exit"):
        return Next.EXIT
    else:
        out.line(b"error: unknown command (type help)")
    return Next.CONTINUE
