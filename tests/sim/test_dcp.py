"""The DCP model, driven through its registers with work packets in simulated OCRAM (no CPU).

The functional claim -- what the DCP computes equals AES/SHA/CRC of the
input -- is checked against the ``cryptography`` library, hashlib and known
CRC-32/MPEG-2 values on hypothesis-generated keys, IVs, data and packet splits.
"""

from __future__ import annotations

import hashlib
import itertools
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from tamapy.sim.context import default_otp_key, default_unique_id
from tamapy.sim.peripherals.dcp import Crc32Mpeg2, Dcp

from .support import DCP, MK2, OCRAM, OCRAM_SIZE, Bench

CTRL, CTRL_SET, CTRL_CLR = 0x00, 0x04, 0x08
STAT, STAT_CLR = 0x10, 0x18
CHANNELCTRL, CAPABILITY0 = 0x20, 0x30
KEY, KEYDATA = 0x60, 0x70
PACKET1 = 0x90


def cmdptr(ch: int) -> int:
    return 0x100 + 0x40 * ch


def sema(ch: int) -> int:
    return 0x110 + 0x40 * ch


def chstat(ch: int) -> int:
    return 0x120 + 0x40 * ch


SFTRST, CLKGATE = 1 << 31, 1 << 30
# CONTROL0
INTERRUPT, DECR, CHAIN, CONTIGUOUS = 1, 2, 4, 8
MEMCOPY, CIPHER, HASH, BLIT = 1 << 4, 1 << 5, 1 << 6, 1 << 7
ENCRYPT, CIPHER_INIT, OTP_KEY, PAYLOAD_KEY = 1 << 8, 1 << 9, 1 << 10, 1 << 11
HASH_INIT, HASH_TERM, CHECK_HASH, HASH_OUTPUT, FILL = 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 16
# CONTROL1
CBC = 1 << 4
SHA1, CRC32, SHA256 = 0, 1 << 16, 2 << 16
# CHnSTAT
COMPLETE, MISMATCH, ERROR_SETUP, ERROR_PACKET, ERROR_SRC, ERROR_DST = 1, 2, 4, 8, 16, 32

PACKETS = OCRAM
KEYS = OCRAM + 0x1000
SRC = OCRAM + 0x2000
DST = OCRAM + 0xA000
DIGEST = OCRAM + 0x1F000
MAX_DATA = 0x8000


class Dcp6:
    """The DCP on a bench, out of reset, channel 0 enabled (TamaGo's sequence)."""

    def __init__(self, bench: Bench | None = None) -> None:
        self.b = bench or Bench()
        self.b.w(DCP + CTRL_SET, SFTRST)
        self.b.w(DCP + CTRL_CLR, SFTRST)
        self.b.w(DCP + CTRL_CLR, CLKGATE)
        self.b.w(DCP + CHANNELCTRL, 0xF)

    def packet(self, at: int, c0: int, c1: int = 0, src: int = 0, dst: int = 0, size: int = 0,
               payload: int = 0, nxt: int = 0) -> None:
        self.b.memory.write(at, struct.pack("<8I", nxt, c0, c1, src, dst, size, payload, 0))

    def status_word(self, at: int) -> int:
        return int.from_bytes(self.b.memory.read(at + 28, 4), "little")

    def submit(self, at: int, count: int = 1, ch: int = 0) -> None:
        self.b.w(DCP + chstat(ch) + 8, 0xFFFF_FFFF)
        self.b.w(DCP + STAT_CLR, 0xF)
        self.b.w(DCP + cmdptr(ch), at)
        self.b.w(DCP + sema(ch), count)

    def set_key(self, slot: int, key: bytes) -> None:
        for i in range(4):  # TamaGo writes KEY before every word
            self.b.w(DCP + KEY, (slot << 4) | i)
            self.b.w(DCP + KEYDATA, int.from_bytes(key[4 * i:4 * i + 4], "little"))

    def chstat(self, ch: int = 0) -> int:
        return self.b.r(DCP + chstat(ch))

    def irq(self) -> int:
        return self.b.r(DCP + STAT) & 0xF

    def sema_value(self, ch: int = 0) -> int:
        return (self.b.r(DCP + sema(ch)) >> 16) & 0xFF


def aes(key: bytes, data: bytes, *, encrypt: bool, iv: bytes | None) -> bytes:
    engine = Cipher(algorithms.AES(key), modes.CBC(iv) if iv is not None else modes.ECB())
    worker = engine.encryptor() if encrypt else engine.decryptor()
    return worker.update(data) + worker.finalize()


blocks = st.integers(1, 32).flatmap(lambda n: st.binary(min_size=16 * n, max_size=16 * n))
keys = st.binary(min_size=16, max_size=16)


# ------------------------------------------------------------------------- AES


@settings(max_examples=40, deadline=None)
@given(key=keys, iv=keys, data=blocks, slot=st.integers(0, 3), cbc=st.booleans(), encrypt=st.booleans())
def test_aes_with_key_slot_matches_cryptography(key: bytes, iv: bytes, data: bytes, slot: int, cbc: bool,
                                                encrypt: bool) -> None:
    dcp = Dcp6()
    dcp.set_key(slot, key)
    dcp.b.memory.write(KEYS, iv)
    dcp.b.memory.write(SRC, data)
    c0 = INTERRUPT | DECR | CIPHER | (ENCRYPT if encrypt else 0) | (CIPHER_INIT if cbc else 0)
    dcp.packet(PACKETS, c0, (CBC if cbc else 0) | slot << 8, SRC, DST, len(data), KEYS)
    dcp.submit(PACKETS)
    assert dcp.b.memory.read(DST, len(data)) == aes(key, data, encrypt=encrypt, iv=iv if cbc else None)
    assert (dcp.status_word(PACKETS), dcp.chstat(), dcp.irq(), dcp.sema_value()) == (COMPLETE, 0, 1, 0)


@settings(max_examples=25, deadline=None)
@given(key=keys, iv=keys, data=blocks, encrypt=st.booleans())
def test_aes_cbc_in_place_with_payload_key(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> None:
    dcp = Dcp6()
    dcp.b.memory.write(KEYS, key + iv)
    dcp.b.memory.write(SRC, data)
    c0 = DECR | CIPHER | CIPHER_INIT | PAYLOAD_KEY | (ENCRYPT if encrypt else 0)
    dcp.packet(PACKETS, c0, CBC, SRC, SRC, len(data), KEYS)
    dcp.submit(PACKETS)
    assert dcp.b.memory.read(SRC, len(data)) == aes(key, data, encrypt=encrypt, iv=iv)


@settings(max_examples=25, deadline=None)
@given(key=keys, iv=keys, data=blocks, split=st.integers(0, 32), encrypt=st.booleans())
def test_cbc_continues_across_chained_packets(key: bytes, iv: bytes, data: bytes, split: int, encrypt: bool) -> None:
    """Only the first packet has CIPHER_INIT; the second continues from the last block."""
    cut = min(split, len(data) // 16) * 16
    dcp = Dcp6()
    dcp.set_key(1, key)
    dcp.b.memory.write(KEYS, iv)
    dcp.b.memory.write(SRC, data)
    mode = ENCRYPT if encrypt else 0
    dcp.packet(PACKETS, DECR | CHAIN | CIPHER | CIPHER_INIT | mode, CBC | 1 << 8, SRC, DST, cut, KEYS,
               nxt=PACKETS + 0x40)
    dcp.packet(PACKETS + 0x40, INTERRUPT | DECR | CIPHER | mode, CBC | 1 << 8, SRC + cut, DST + cut,
               len(data) - cut, 0)
    dcp.submit(PACKETS, count=2)
    assert dcp.b.memory.read(DST, len(data)) == aes(key, data, encrypt=encrypt, iv=iv)
    assert dcp.status_word(PACKETS) == dcp.status_word(PACKETS + 0x40) == COMPLETE


@pytest.mark.parametrize("select", [0xFE, 0xFF])
def test_device_key_is_the_runs_otp_key(select: int) -> None:
    data = bytes(range(32))
    default = Dcp6()
    custom = Dcp6(Bench(otp_key=bytes(range(100, 116))))
    for dcp in (default, custom):
        dcp.b.memory.write(SRC, data)
        dcp.packet(PACKETS, DECR | CIPHER | ENCRYPT | OTP_KEY, select << 8, SRC, DST, len(data))
        dcp.submit(PACKETS)
    expected_key = default_otp_key(default_unique_id(MK2))
    assert default.b.memory.read(DST, 32) == aes(expected_key, data, encrypt=True, iv=None)
    assert custom.b.memory.read(DST, 32) == aes(bytes(range(100, 116)), data, encrypt=True, iv=None)


def test_disabled_unique_key_is_a_setup_error() -> None:
    dcp = Dcp6()
    dcp.b.w(DCP + CAPABILITY0, 1 << 29)
    assert not dcp.b.r(DCP + STAT) & (1 << 28)  # OTP_KEY_READY drops
    dcp.packet(PACKETS, DECR | CIPHER | ENCRYPT | OTP_KEY | 0x5A << 24, 0xFE << 8, SRC, DST, 16)
    dcp.submit(PACKETS)
    status = dcp.chstat()
    assert status & ERROR_SETUP and (status >> 16) & 0xFF == 0x05 and status >> 24 == 0x5A
    assert dcp.status_word(PACKETS) == status


# ----------------------------------------------------------------------- hashes


def one_shot(dcp: Dcp6, data: bytes, select: int, extra: int = 0) -> bytes:
    dcp.b.memory.write(SRC, data)
    dcp.packet(PACKETS, INTERRUPT | DECR | HASH | HASH_INIT | HASH_TERM | extra, select, SRC, 0, len(data), DIGEST)
    dcp.submit(PACKETS)
    return dcp.b.memory.read(DIGEST, 4 if select == CRC32 else 20 if select == SHA1 else 32)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=600))
def test_single_packet_hashes_match_hashlib(data: bytes) -> None:
    dcp = Dcp6()
    assert one_shot(dcp, data, SHA256)[::-1] == hashlib.sha256(data).digest()
    assert one_shot(dcp, data, SHA1)[::-1] == hashlib.sha1(data).digest()
    crc = Crc32Mpeg2()
    crc.update(data)
    assert int.from_bytes(one_shot(dcp, data, CRC32), "little") == crc.value


def crc32_mpeg2_reference(data: bytes) -> int:
    """Bitwise CRC-32/MPEG-2: poly 0x04C11DB7, init 0xFFFFFFFF, no reflection, no final XOR."""
    crc = 0xFFFF_FFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C1_1DB7 if crc & 0x8000_0000 else crc << 1) & 0xFFFF_FFFF
    return crc


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=300))
def test_crc32_is_mpeg2(data: bytes) -> None:
    assert int.from_bytes(one_shot(Dcp6(), data, CRC32), "little") == crc32_mpeg2_reference(data)


def test_crc32_check_value() -> None:
    """The CRC-32/MPEG-2 check value, stored little-endian; zlib's CRC-32 would be 0xCBF43926."""
    assert one_shot(Dcp6(), b"123456789", CRC32) == (0x0376_E6E7).to_bytes(4, "little")


def chain_packets(dcp: Dcp6, data: bytes, cuts: list[int], *, contiguous: bool) -> int:
    """Packets hashing ``data`` split at ``cuts`` (INIT on the first, TERM on the last); returns their count."""
    bounds = [0, *sorted(set(cuts)), len(data)]
    pieces = [(a, b - a) for a, b in itertools.pairwise(bounds)]
    dcp.b.memory.write(SRC, data)
    for i, (start, size) in enumerate(pieces):
        last = i == len(pieces) - 1
        c0 = DECR | HASH | (HASH_INIT if i == 0 else 0) | (HASH_TERM | INTERRUPT if last else 0)
        if not last:
            c0 |= CONTIGUOUS if contiguous else CHAIN
        at = PACKETS + 0x20 * i if contiguous else PACKETS + 0x40 * i
        dcp.packet(at, c0, SHA256, SRC + start, 0, size, DIGEST if last else 0,
                   nxt=0 if last or contiguous else PACKETS + 0x40 * (i + 1))
    return len(pieces)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=MAX_DATA // 8), cuts=st.lists(st.integers(0, MAX_DATA // 8), max_size=6),
       contiguous=st.booleans())
def test_sha256_over_chained_packets_matches_hashlib(data: bytes, cuts: list[int], contiguous: bool) -> None:
    dcp = Dcp6()
    count = chain_packets(dcp, data, [c for c in cuts if c <= len(data)], contiguous=contiguous)
    dcp.submit(PACKETS, count=count)
    assert dcp.b.memory.read(DIGEST, 32)[::-1] == hashlib.sha256(data).digest()
    assert (dcp.chstat(), dcp.irq(), dcp.sema_value()) == (0, 1, 0)


@settings(max_examples=10, deadline=None)
@given(length=st.integers(0, MAX_DATA))
def test_sha256_of_any_length_in_64_byte_multiples_then_a_tail(length: int) -> None:
    """TamaGo's streaming: intermediate packets are multiples of 64 bytes."""
    data = bytes((i * 7 + 3) & 0xFF for i in range(length))
    dcp = Dcp6()
    count = chain_packets(dcp, data, list(range(4096, length, 4096)), contiguous=False)
    dcp.submit(PACKETS, count=count)
    assert dcp.b.memory.read(DIGEST, 32)[::-1] == hashlib.sha256(data).digest()


def test_hash_state_waits_in_the_channel_between_submissions() -> None:
    """One packet per semaphore increment: INIT, update, TERM submitted separately."""
    data = bytes(range(200))
    dcp = Dcp6()
    dcp.b.memory.write(SRC, data)
    parts = [(0, 64, HASH_INIT), (64, 64, 0), (128, 72, HASH_TERM)]
    for i, (start, size, flags) in enumerate(parts):
        at = PACKETS + 0x40 * i
        dcp.packet(at, DECR | HASH | flags, SHA256, SRC + start, 0, size, DIGEST)
        dcp.submit(at)
    assert dcp.b.memory.read(DIGEST, 32)[::-1] == hashlib.sha256(data).digest()


def test_check_hash_reports_a_mismatch_without_writing() -> None:
    data = b"firmware image"
    good = hashlib.sha256(data).digest()[::-1]
    dcp = Dcp6()
    dcp.b.memory.write(DIGEST, good)
    one_shot(dcp, data, SHA256, CHECK_HASH)
    assert dcp.chstat() == 0 and dcp.status_word(PACKETS) == COMPLETE
    dcp.b.memory.write(DIGEST, bytes(32))
    one_shot(dcp, data, SHA256, CHECK_HASH)
    assert dcp.chstat() & MISMATCH and dcp.status_word(PACKETS) == COMPLETE | MISMATCH
    assert dcp.b.memory.read(DIGEST, 32) == bytes(32)


def test_memcopy_fill_and_hash_of_output() -> None:
    dcp = Dcp6()
    dcp.b.memory.write(SRC, b"0123456789abcdef")
    dcp.packet(PACKETS, DECR | MEMCOPY | HASH | HASH_INIT | HASH_TERM | HASH_OUTPUT, SHA1, SRC, DST, 16, DIGEST)
    dcp.submit(PACKETS)
    assert dcp.b.memory.read(DST, 16) == b"0123456789abcdef"
    assert dcp.b.memory.read(DIGEST, 20)[::-1] == hashlib.sha1(b"0123456789abcdef").digest()
    dcp.packet(PACKETS, DECR | MEMCOPY | FILL, 0, 0xA5A5_5A5A, DST, 10)
    dcp.submit(PACKETS)
    assert dcp.b.memory.read(DST, 12) == bytes.fromhex("5a5aa5a5" * 2 + "5a5a") + b"ab"


# ----------------------------------------------------------------------- errors


def test_packet_outside_ram_is_a_packet_error() -> None:
    dcp = Dcp6()
    dcp.submit(0x3000_0000)
    assert dcp.chstat() & ERROR_PACKET and dcp.irq() == 1 and dcp.sema_value() == 0


def test_source_and_destination_outside_ram_are_bus_errors() -> None:
    dcp = Dcp6()
    dcp.packet(PACKETS, DECR | MEMCOPY | 0x11 << 24, 0, 0x1000_0000, DST, 16)
    dcp.submit(PACKETS)
    assert dcp.chstat() == ERROR_SRC | 0x11 << 24 == dcp.status_word(PACKETS)
    dcp.packet(PACKETS, DECR | MEMCOPY, 0, SRC, OCRAM + OCRAM_SIZE - 8, 16)
    dcp.submit(PACKETS)
    assert dcp.chstat() & ERROR_DST


def test_chain_errors_carry_their_codes() -> None:
    dcp = Dcp6()
    dcp.packet(PACKETS, DECR | CHAIN | MEMCOPY, 0, SRC, DST, 16, nxt=0)
    dcp.packet(PACKETS + 0x20, DECR | MEMCOPY, 0, SRC, DST, 16)
    dcp.submit(PACKETS, count=2)
    assert dcp.chstat() & ERROR_SETUP and (dcp.chstat() >> 16) & 0xFF == 0x01
    dcp.packet(PACKETS, MEMCOPY, 0, SRC, DST, 16)  # no DECR_SEMAPHORE and no chain
    dcp.submit(PACKETS, count=1)
    assert (dcp.chstat() >> 16) & 0xFF == 0x02 and dcp.sema_value() == 0


@pytest.mark.parametrize(("c0", "c1", "size", "code"), [
    (DECR | CIPHER | ENCRYPT, 0, 24, 0x00),          # not a multiple of 16
    (DECR | BLIT, 0, 16, 0x05),                       # blit is not modelled
    (DECR | CIPHER | MEMCOPY, 0, 16, 0x05),           # two engines
    (DECR | CIPHER | ENCRYPT, 1, 16, 0x05),           # cipher 1 is not AES-128
    (DECR | CIPHER | ENCRYPT, 2 << 4, 16, 0x05),      # mode 2
    (DECR | HASH | HASH_INIT, 3 << 16, 16, 0x05),     # hash 3
    (DECR | CIPHER, CBC, 16, 0x00),                   # CBC continuation with no IV
])
def test_setup_errors(c0: int, c1: int, size: int, code: int) -> None:
    dcp = Dcp6()
    dcp.packet(PACKETS, c0 | 0x77 << 24, c1, SRC, DST, size, KEYS)
    dcp.submit(PACKETS)
    assert dcp.chstat() == ERROR_SETUP | code << 16 | 0x77 << 24
    assert dcp.irq() == 1  # errors end the channel's work whatever INTERRUPT says


def test_packets_wait_while_the_block_is_held_in_reset() -> None:
    bench = Bench()
    dcp = Dcp6.__new__(Dcp6)
    dcp.b = bench
    bench.w(DCP + CHANNELCTRL, 1)
    dcp.b.memory.write(SRC, b"abc")
    dcp.packet(PACKETS, INTERRUPT | DECR | HASH | HASH_INIT | HASH_TERM, SHA256, SRC, 0, 3, DIGEST)
    dcp.submit(PACKETS)  # CTRL still has SFTRST and CLKGATE from reset
    assert dcp.sema_value() == 1 and dcp.irq() == 0
    assert bench.r(DCP + STAT) >> 16 & 0xFF == 1  # READY_CHANNELS
    bench.w(DCP + CTRL_CLR, SFTRST | CLKGATE)
    assert dcp.sema_value() == 0 and dcp.irq() == 1
    assert bench.r(DCP + PACKET1) == INTERRUPT | DECR | HASH | HASH_INIT | HASH_TERM


def test_soft_reset_clears_keys_and_gates_the_clock() -> None:
    dcp = Dcp6()
    dcp.set_key(2, b"K" * 16)
    device = dcp.b.bus.device("DCP")
    assert isinstance(device, Dcp) and device.key_bytes(2) == b"K" * 16
    dcp.b.w(DCP + CTRL_SET, SFTRST)
    assert dcp.b.r(DCP + CTRL) & CLKGATE and device.key_bytes(2) == bytes(16)
    assert dcp.b.r(DCP + KEYDATA) == 0  # key RAM is not readable


# ---------------------------------------------------------------- injected faults


def test_injected_channel_error() -> None:
    dcp = Dcp6(Bench(inject=("dcp-channel-error",)))
    one_shot(dcp, b"abc", SHA256)
    assert dcp.chstat() == ERROR_SRC == dcp.status_word(PACKETS)
    assert dcp.irq() == 1 and dcp.sema_value() == 0
    (fault,) = dcp.b.ctx.faults.active.values()
    assert fault.triggered == 1 and "channel 0" in fault.detail


def test_injected_hang_never_completes() -> None:
    dcp = Dcp6(Bench(inject=("dcp-hang",)))
    dcp.b.memory.write(SRC, b"abc")
    dcp.packet(PACKETS, INTERRUPT | DECR | HASH | HASH_INIT | HASH_TERM, SHA256, SRC, 0, 3, DIGEST)
    dcp.submit(PACKETS)
    stat = dcp.b.r(DCP + STAT)
    assert stat & 0xF == 0 and (stat >> 16) & 0xFF == 1 and (stat >> 24) & 0xF == 1  # CUR_CHANNEL = ch 0
    assert dcp.sema_value() == 1 and dcp.status_word(PACKETS) == 0 and dcp.chstat() == 0
    notes = dcp.b.bus.device("DCP").notes()
    assert notes is not None and notes["hung_channels"] == {"0": 1}
