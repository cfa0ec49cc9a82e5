"""The DCP: work packets in RAM, run at the semaphore write, computed with real crypto.

Firmware drives the DCP by building 32-byte work packets in memory, pointing
CHnCMDPTR at the first and adding to CHnSEMA; the model then fetches and
runs the packets through the machine's DMA view of RAM (OCRAM and DDR), at
once, and reports as the hardware does: packet STATUS word, CHnSTAT,
STAT.IRQ, the semaphore.  The arithmetic is done by the ``cryptography``
library (AES-128), :mod:`hashlib` (SHA-1, SHA-256) and :mod:`zlib` (CRC-32),
so what the DCP computes here is what those libraries compute.

Packet layout and control bits follow the reference sheet (§2.7, §3.5):
words NEXT, CONTROL0, CONTROL1, SOURCE, DESTINATION, BUFFER_SIZE, PAYLOAD,
STATUS.  Choices where the sources are silent or disagree (docs/simulator.md
"DCP" lists them all):

* Packets run when CHnSEMA is incremented while the block is out of reset
  (CTRL.SFTRST = 0, CTRL.CLKGATE = 0) and the channel is enabled
  (CHANNELCTRL.ENABLE_CHANNEL); otherwise they wait until it is.  After each
  packet: STATUS = 1 (complete), the semaphore drops if DECR_SEMAPHORE, STAT.IRQ
  bit n is set if INTERRUPT, and the next packet is NEXT (CHAIN, error 0x01 if
  NEXT is 0) or the following 32 bytes (CHAIN_CONTIGUOUS); CHnCMDPTR follows.
  A chain that ends while the semaphore is still non-zero is error 0x02.
* Errors: the failing packet's STATUS and CHnSTAT get the error bits,
  ERROR_CODE and the packet's TAG; STAT.IRQ bit n is set whatever INTERRUPT
  says (so polling drivers see the end); the semaphore is cleared and the
  channel stops.  Bus errors (an address outside RAM): ERROR_PACKET (fetching
  the packet), ERROR_SRC (source), ERROR_DST (destination), and code 0x04 for
  the payload (key, IV, digest).  Setup errors (ERROR_SETUP): code 0x05 for an
  unsupported mode (blit, memcopy with cipher, an unknown cipher, mode or hash,
  a disabled key or decryption), code 0 for a cipher buffer size that is not
  a multiple of 16 or a CBC continuation with no previous IV.
* Keys: KEY selects slot (INDEX) and word (SUBWORD); a KEYDATA write stores the
  word and advances SUBWORD (mod 4).  The slot's AES key is its four words as
  little-endian bytes (word 0 first), TamaGo's convention; KEY_BYTESWAP /
  KEY_WORDSWAP swap bytes within words / the word order.  KEYDATA reads 0 (key
  RAM is not readable in the model).  KEY_SELECT 0xFE (unique key) and 0xFF
  (OTP key) both select the device's OTP key, a per-run secret
  (``simulate(..., otp_key=...)``); CAPABILITY0.DISABLE_UNIQUE_KEY disables it.
  A payload key (PAYLOAD_KEY) is payload[0:16], its IV payload[16:32].
* AES-128 ECB and CBC, encrypt and decrypt; CIPHER_INIT loads the IV from the
  payload, later CBC packets of the channel continue from the last
  ciphertext block.
* Hashes: SHA-1, SHA-256 and CRC-32.  HASH_INIT starts a new hash (so does a
  packet when the channel has none running); packets without HASH_TERM keep
  the state in the channel (any size; the ENABLE_CONTEXT_* bits are not
  needed); HASH_TERM writes the digest byte-reversed (every driver reverses
  it) to the payload, after the key and IV when the packet also ciphers
  (payload + 16 per key or IV present).  CHECK_HASH compares instead of
  writing and sets HASH_MISMATCH (the packet still completes).  HASH_OUTPUT
  hashes the cipher or copy output instead of the input.
* CRC-32 is CRC-32/MPEG-2 (poly 0x04C11DB7, init 0xFFFFFFFF, not reflected, no
  final XOR; check value 0x0376E6E7 for "123456789"): the parameters NXP's DCP
  driver examples state and DCP users report, not zlib's CRC-32.  The
  reference sheet names the algorithm only.  It is computed with zlib on
  bit-reversed data.  Its 4-byte result is written like a SHA digest: the
  big-endian value reversed, i.e. little-endian.
* Memory copy (ENABLE_MEMCOPY) and CONSTANT_FILL (SOURCE word repeated);
  INPUT/OUTPUT byte swaps reverse bytes within 32-bit words, word swaps the
  words within 16-byte blocks.
* Not modelled: blit, context switching to the CONTEXT buffer, the page table,
  interrupts (no GIC), timing (packets complete within the store that starts
  them), channel priorities (channels run in index order).
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tamapy.sim.memory import DmaError
from tamapy.sim.peripherals.base import RegisterFile
from tamapy.specs.model import Peripheral, Register

CHANNELS = 4
KEY_SLOTS = 4
PACKET_BYTES = 32
AES_BLOCK = 16
MAX_PACKETS = 1 << 16
"""Packets one kick may run before the model calls the chain endless (a loop without DECR_SEMAPHORE)."""
MAX_RECORDED = 256
"""Operations kept for the run report (the total is always counted)."""

# CONTROL0 bits (packet word 1), from the reference sheet's packet table.
INTERRUPT = 1 << 0
DECR_SEMAPHORE = 1 << 1
CHAIN = 1 << 2
CHAIN_CONTIGUOUS = 1 << 3
ENABLE_MEMCOPY = 1 << 4
ENABLE_CIPHER = 1 << 5
ENABLE_HASH = 1 << 6
ENABLE_BLIT = 1 << 7
CIPHER_ENCRYPT = 1 << 8
CIPHER_INIT = 1 << 9
OTP_KEY = 1 << 10
PAYLOAD_KEY = 1 << 11
HASH_INIT = 1 << 12
HASH_TERM = 1 << 13
CHECK_HASH = 1 << 14
HASH_OUTPUT = 1 << 15
CONSTANT_FILL = 1 << 16
KEY_BYTESWAP = 1 << 18
KEY_WORDSWAP = 1 << 19
INPUT_BYTESWAP = 1 << 20
INPUT_WORDSWAP = 1 << 21
OUTPUT_BYTESWAP = 1 << 22
OUTPUT_WORDSWAP = 1 << 23

# CONTROL1 (packet word 2)
CIPHER_AES128 = 0
MODE_ECB, MODE_CBC = 0, 1
KEY_UNIQUE, KEY_OTP = 0xFE, 0xFF
HASH_SHA1, HASH_CRC32, HASH_SHA256 = 0, 1, 2
HASH_NAMES = {HASH_SHA1: "sha1", HASH_CRC32: "crc32", HASH_SHA256: "sha256"}

# ERROR_CODE values (CHnSTAT bits 23:16)
CODE_NEXT_ZERO = 0x01
CODE_NO_CHAIN = 0x02
CODE_PAYLOAD = 0x04
CODE_MODE = 0x05

CHANNEL_ERROR = "dcp-channel-error"
HANG = "dcp-hang"

_REVERSE_BITS = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


class Crc32Mpeg2:
    """CRC-32/MPEG-2 (see the module docstring), incremental, computed with zlib.

    zlib computes the reflected CRC; feeding it bit-reversed bytes and
    bit-reversing its register gives the non-reflected one.
    """

    name = "crc32"

    def __init__(self) -> None:
        self._reflected = 0xFFFF_FFFF  # bitrev32(0xFFFFFFFF)

    def update(self, data: bytes) -> None:
        self._reflected = zlib.crc32(data.translate(_REVERSE_BITS), self._reflected ^ 0xFFFF_FFFF) ^ 0xFFFF_FFFF

    @property
    def value(self) -> int:
        return int(f"{self._reflected:032b}"[::-1], 2)  # the register, bit-reversed

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


class HashState(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


def new_hash(algorithm: int) -> HashState:
    if algorithm == HASH_SHA1:
        return hashlib.sha1()
    if algorithm == HASH_SHA256:
        return hashlib.sha256()
    return Crc32Mpeg2()


def byteswap_words(data: bytes) -> bytes:
    """Reverse the bytes of every whole 32-bit word (a trailing partial word is kept)."""
    whole = len(data) - len(data) % 4
    out = bytearray(data)
    for i in range(0, whole, 4):
        out[i:i + 4] = data[i:i + 4][::-1]
    return bytes(out)


def wordswap_blocks(data: bytes) -> bytes:
    """Reverse the order of the 32-bit words in every whole 16-byte block."""
    whole = len(data) - len(data) % 16
    out = bytearray(data)
    for i in range(0, whole, 16):
        out[i:i + 16] = b"".join(data[j:j + 4] for j in range(i + 12, i - 1, -4))
    return bytes(out)


def swapped(data: bytes, control0: int, byteswap: int, wordswap: int) -> bytes:
    if control0 & byteswap:
        data = byteswap_words(data)
    if control0 & wordswap:
        data = wordswap_blocks(data)
    return data


@dataclass(frozen=True)
class Packet:
    """One work packet as fetched from memory."""

    address: int
    next: int
    control0: int
    control1: int
    source: int
    destination: int
    size: int
    payload: int

    @classmethod
    def parse(cls, address: int, raw: bytes) -> Packet:
        words = struct.unpack("<8I", raw)
        return cls(address, *words[:7])

    @property
    def tag(self) -> int:
        return self.control0 >> 24


class PacketError(Exception):
    """A packet the DCP refuses or cannot complete: status bits, error code, why."""

    def __init__(self, bits: str, code: int, message: str) -> None:
        super().__init__(message)
        self.bits = bits
        self.code = code
        self.message = message


@dataclass
class Channel:
    sema: int = 0
    hash: HashState | None = None
    hash_algorithm: int | None = None
    iv: bytes | None = None
    hung: bool = False
    stuck_packets: int = 0
    completed: int = 0
    errors: int = 0


@dataclass
class Operations:
    """What the DCP ran, for the run report."""

    total: int = 0
    recorded: list[dict[str, Any]] = field(default_factory=list)

    def add(self, op: dict[str, Any]) -> None:
        self.total += 1
        if len(self.recorded) < MAX_RECORDED:
            self.recorded.append(op)


class Dcp(RegisterFile):
    """The DCP instance."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self.channels = [Channel() for _ in range(CHANNELS)]
        self.keys = [[0] * 4 for _ in range(KEY_SLOTS)]
        self.operations = Operations()
        self._keys_loaded: set[int] = set()
        super().__init__(peripheral, instance, base)
        self._ctrl = self.register("CTRL")
        self._stat = self.register("STAT")
        self._channelctrl = self.register("CHANNELCTRL")
        self._keydata = self.register("KEYDATA")
        self._sftrst = self.field("CTRL", "SFTRST").mask
        self._clkgate = self.field("CTRL", "CLKGATE").mask
        self._irq = self.field("STAT", "IRQ")
        self._ready = self.field("STAT", "READY_CHANNELS")
        self._current = self.field("STAT", "CUR_CHANNEL")
        self._otp_ready = self.field("STAT", "OTP_KEY_READY").mask
        self._enable = self.field("CHANNELCTRL", "ENABLE_CHANNEL")
        self._subword = self.field("KEY", "SUBWORD")
        self._index = self.field("KEY", "INDEX")
        self._no_unique = self.field("CAPABILITY0", "DISABLE_UNIQUE_KEY").mask
        self._no_decrypt = self.field("CAPABILITY0", "DISABLE_DECRYPT").mask
        self._cmdptr = [self.register(f"CH{n}CMDPTR") for n in range(CHANNELS)]
        self._sema = [self.register(f"CH{n}SEMA") for n in range(CHANNELS)]
        self._sema_inc = self.field("CH0SEMA", "INCREMENT")
        self._sema_value = self.field("CH0SEMA", "VALUE")
        self._status = {name: self.field("CH0STAT", name).mask for name in (
            "COMPLETE", "HASH_MISMATCH", "ERROR_SETUP", "ERROR_PACKET", "ERROR_SRC", "ERROR_DST")}
        self._code = self.field("CH0STAT", "ERROR_CODE")
        self._tag = self.field("CH0STAT", "TAG")
        self._sema_ids = {id(r): n for n, r in enumerate(self._sema)}

    def reset(self) -> None:
        super().reset()
        self.channels = [Channel() for _ in range(CHANNELS)]
        self.keys = [[0] * 4 for _ in range(KEY_SLOTS)]

    # -- state ------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Out of soft reset and clocked (CTRL.SFTRST = CTRL.CLKGATE = 0)."""
        return not self.value("CTRL") & (self._sftrst | self._clkgate)

    def enabled(self, n: int) -> bool:
        return bool((self.value("CHANNELCTRL") & self._enable.mask) >> self._enable.lsb & (1 << n))

    def key_bytes(self, slot: int) -> bytes:
        """The AES key of key-RAM slot ``slot`` (words as little-endian bytes)."""
        return b"".join(w.to_bytes(4, "little") for w in self.keys[slot])

    # -- bus accesses -----------------------------------------------------------

    def read(self, reg: Register) -> int:
        if reg is self._stat:
            value = super().read(reg) & ~(self._ready.mask | self._current.mask | self._otp_ready)
            ready = sum(1 << n for n, ch in enumerate(self.channels) if ch.sema)
            hung = next((n for n, ch in enumerate(self.channels) if ch.hung and ch.sema), None)
            value |= ready << self._ready.lsb
            if hung is not None:
                value |= (hung + 1) << self._current.lsb
            if not self.value("CAPABILITY0") & self._no_unique:
                value |= self._otp_ready
            return value
        n = self._sema_ids.get(id(reg))
        if n is not None:
            return self.channels[n].sema << self._sema_value.lsb
        if reg is self._keydata:
            return 0
        return super().read(reg)

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        n = self._sema_ids.get(id(reg))
        if n is not None:
            increment = (value & self._sema_inc.mask) >> self._sema_inc.lsb
            channel = self.channels[n]
            channel.sema = (channel.sema + increment) & 0xFF
            self.kick()
            return
        if reg is self._keydata:
            key = self.value("KEY")
            slot = (key & self._index.mask) >> self._index.lsb
            word = (key & self._subword.mask) >> self._subword.lsb
            self.keys[slot][word] = value
            self._keys_loaded.add(slot)
            self.set_value("KEY", (key & ~self._subword.mask) | (((word + 1) % 4) << self._subword.lsb))
            return
        if reg is self._ctrl:
            before = self.value("CTRL")
            super().write(reg, alias, value)
            if self.value("CTRL") & self._sftrst and not before & self._sftrst:
                self.soft_reset()
            self.kick()
            return
        super().write(reg, alias, value)
        if reg is self._channelctrl:
            self.kick()

    def soft_reset(self) -> None:
        """CTRL.SFTRST set: every register and channel back to reset, key RAM cleared,
        CLKGATE set (as an STMP block does); SFTRST stays set until cleared."""
        ctrl = self.value("CTRL")
        self.reset()
        self.set_value("CTRL", ctrl | self._clkgate)

    # -- running packets -----------------------------------------------------------

    def kick(self) -> None:
        """Run whatever the semaphores allow."""
        if not self.running:
            return
        for n in range(CHANNELS):
            if self.enabled(n) and self.channels[n].sema:
                self._run_channel(n)

    def _run_channel(self, n: int) -> None:
        channel = self.channels[n]
        if HANG in self.ctx.faults:
            channel.hung = True
            channel.stuck_packets = channel.sema
            self.ctx.hit(HANG, f"channel {n}: {channel.sema} packet(s) accepted, never completed")
            return
        for _ in range(MAX_PACKETS):
            if not channel.sema:
                return
            address = self.value(self._cmdptr[n].name)
            try:
                packet = Packet.parse(address, self.ctx.memory.read(address, PACKET_BYTES))
            except DmaError as exc:
                self._fail(n, None, PacketError("ERROR_PACKET", 0, f"cannot fetch the packet at 0x{address:08x}: {exc}"))
                return
            self._show(packet)
            op: dict[str, Any] = {"channel": n, "packet": f"0x{address:08x}", "cycle": self.ctx.now()}
            try:
                if CHANNEL_ERROR in self.ctx.faults:
                    self.ctx.hit(CHANNEL_ERROR, f"channel {n}: packet at 0x{address:08x} failed")
                    raise PacketError("ERROR_SRC", 0, f"injected {CHANNEL_ERROR}")
                mismatch = self._execute(n, packet, op)
            except PacketError as exc:
                op["error"] = exc.message
                self.operations.add(op)
                self._fail(n, packet, exc)
                return
            status = self._status["COMPLETE"] | (self._status["HASH_MISMATCH"] if mismatch else 0)
            self._write_status(packet, status)
            if mismatch:
                self._set_chstat(n, self.value(f"CH{n}STAT") | self._status["HASH_MISMATCH"])
            channel.completed += 1
            self.operations.add(op)
            c0 = packet.control0
            if c0 & DECR_SEMAPHORE:
                channel.sema -= 1
            if c0 & INTERRUPT:
                self._raise_irq(n)
            if c0 & CHAIN:
                if packet.next == 0:
                    self._fail(n, packet, PacketError("ERROR_SETUP", CODE_NEXT_ZERO, "CHAIN with NEXT = 0"))
                    return
                self.set_value(self._cmdptr[n].name, packet.next)
            elif c0 & CHAIN_CONTIGUOUS:
                self.set_value(self._cmdptr[n].name, (address + PACKET_BYTES) & 0xFFFF_FFFF)
            elif channel.sema:
                self._fail(n, packet, PacketError(
                    "ERROR_SETUP", CODE_NO_CHAIN, "the chain ended with the semaphore still non-zero"))
                return
            else:
                return
        channel.hung = True
        channel.stuck_packets = channel.sema

    def _show(self, packet: Packet) -> None:
        """PACKET0..6 mirror the packet being executed."""
        words = (packet.next, packet.control0, packet.control1, packet.source, packet.destination,
                 packet.size, packet.payload)
        for i, word in enumerate(words):
            self.set_value(f"PACKET{i}", word)

    def _raise_irq(self, n: int) -> None:
        self.set_value("STAT", self.value("STAT") | (1 << (self._irq.lsb + n)))

    def _set_chstat(self, n: int, value: int) -> None:
        self.set_value(f"CH{n}STAT", value)

    def _write_status(self, packet: Packet, status: int) -> None:
        with contextlib.suppress(DmaError):  # the packet was readable a moment ago
            self.ctx.memory.write(packet.address + 28, status.to_bytes(4, "little"))

    def _fail(self, n: int, packet: Packet | None, exc: PacketError) -> None:
        tag = packet.tag if packet is not None else 0
        status = self._status[exc.bits] | (exc.code << self._code.lsb) | (tag << self._tag.lsb)
        self._set_chstat(n, self.value(f"CH{n}STAT") | status)
        if packet is not None:
            self._write_status(packet, status)
        channel = self.channels[n]
        channel.sema = 0
        channel.errors += 1
        self._raise_irq(n)

    def _dma_read(self, address: int, size: int, bits: str, code: int, what: str) -> bytes:
        try:
            return self.ctx.memory.read(address, size)
        except DmaError as exc:
            raise PacketError(bits, code, f"cannot read the {what} at 0x{address:08x}: {exc}") from None

    def _dma_write(self, address: int, data: bytes, bits: str, code: int, what: str) -> None:
        try:
            self.ctx.memory.write(address, data)
        except DmaError as exc:
            raise PacketError(bits, code, f"cannot write the {what} at 0x{address:08x}: {exc}") from None

    def _execute(self, n: int, packet: Packet, op: dict[str, Any]) -> bool:
        """Run one packet; True if CHECK_HASH found a mismatch."""
        c0 = packet.control0
        memcopy, cipher, hashing = c0 & ENABLE_MEMCOPY, c0 & ENABLE_CIPHER, c0 & ENABLE_HASH
        if c0 & ENABLE_BLIT:
            raise PacketError("ERROR_SETUP", CODE_MODE, "blit is not modelled")
        if memcopy and cipher:
            raise PacketError("ERROR_SETUP", CODE_MODE, "memory copy and cipher in one packet")
        if c0 & CONSTANT_FILL and not memcopy:
            raise PacketError("ERROR_SETUP", CODE_MODE, "CONSTANT_FILL without ENABLE_MEMCOPY")
        if c0 & HASH_OUTPUT and hashing and not (memcopy or cipher):
            raise PacketError("ERROR_SETUP", CODE_MODE, "HASH_OUTPUT with no output to hash")
        size = packet.size
        op["bytes"] = size
        if memcopy and c0 & CONSTANT_FILL:
            data = (packet.source.to_bytes(4, "little") * (size // 4 + 1))[:size]
        elif (memcopy or cipher or hashing) and size:
            data = self._dma_read(packet.source, size, "ERROR_SRC", 0, "source buffer")
        else:
            data = b""
        data = swapped(data, c0, INPUT_BYTESWAP, INPUT_WORDSWAP)
        output: bytes | None = None
        if cipher:
            output = self._cipher(n, packet, data, op)
        elif memcopy:
            output = data
            op["op"] = "fill" if c0 & CONSTANT_FILL else "memcopy"
        if output is not None and size:
            self._dma_write(packet.destination, swapped(output, c0, OUTPUT_BYTESWAP, OUTPUT_WORDSWAP),
                            "ERROR_DST", 0, "destination buffer")
        if not (memcopy or cipher):
            op["op"] = "hash" if hashing else "none"
        if hashing:
            hashed = output if c0 & HASH_OUTPUT and output is not None else data
            return self._hash(n, packet, hashed, op)
        return False

    def _key(self, packet: Packet, op: dict[str, Any]) -> bytes:
        c0 = packet.control0
        select = (packet.control1 >> 8) & 0xFF
        if c0 & PAYLOAD_KEY:
            op["key"] = "payload"
            key = self._dma_read(packet.payload, AES_BLOCK, "ERROR_SRC", CODE_PAYLOAD, "payload key")
        elif c0 & OTP_KEY or select in (KEY_UNIQUE, KEY_OTP):
            if select not in (KEY_UNIQUE, KEY_OTP):
                raise PacketError("ERROR_SETUP", CODE_MODE, f"OTP_KEY with KEY_SELECT 0x{select:02x}")
            if self.value("CAPABILITY0") & self._no_unique:
                raise PacketError("ERROR_SETUP", CODE_MODE,
                                  "the device key is disabled (CAPABILITY0.DISABLE_UNIQUE_KEY)")
            op["key"] = "unique-key" if select == KEY_UNIQUE else "otp-key"
            key = self.ctx.key
        elif select < KEY_SLOTS:
            op["key"] = f"slot {select}"
            key = self.key_bytes(select)
        else:
            raise PacketError("ERROR_SETUP", CODE_MODE, f"KEY_SELECT 0x{select:02x} is no key")
        return swapped(key, c0, KEY_BYTESWAP, KEY_WORDSWAP)

    def _cipher(self, n: int, packet: Packet, data: bytes, op: dict[str, Any]) -> bytes:
        c0, c1 = packet.control0, packet.control1
        algorithm, mode = c1 & 0xF, (c1 >> 4) & 0xF
        if algorithm != CIPHER_AES128:
            raise PacketError("ERROR_SETUP", CODE_MODE, f"CIPHER_SELECT {algorithm} is not AES-128")
        if mode not in (MODE_ECB, MODE_CBC):
            raise PacketError("ERROR_SETUP", CODE_MODE, f"CIPHER_MODE {mode} is neither ECB nor CBC")
        if packet.size % AES_BLOCK:
            raise PacketError("ERROR_SETUP", 0, f"cipher buffer size {packet.size} is not a multiple of 16")
        encrypt = bool(c0 & CIPHER_ENCRYPT)
        if not encrypt and self.value("CAPABILITY0") & self._no_decrypt:
            raise PacketError("ERROR_SETUP", CODE_MODE, "decryption is disabled (CAPABILITY0.DISABLE_DECRYPT)")
        key = self._key(packet, op)
        channel = self.channels[n]
        op["op"] = f"aes-128-{'cbc' if mode == MODE_CBC else 'ecb'}-{'encrypt' if encrypt else 'decrypt'}"
        if mode == MODE_CBC:
            if c0 & CIPHER_INIT:
                at = packet.payload + (AES_BLOCK if c0 & PAYLOAD_KEY else 0)
                iv = self._dma_read(at, AES_BLOCK, "ERROR_SRC", CODE_PAYLOAD, "IV")
            elif channel.iv is not None:
                iv = channel.iv
            else:
                raise PacketError("ERROR_SETUP", 0, "CBC packet without CIPHER_INIT and no IV to continue from")
            algo: Any = modes.CBC(iv)
        else:
            iv, algo = b"", modes.ECB()
        engine = Cipher(algorithms.AES(key), algo)
        worker = engine.encryptor() if encrypt else engine.decryptor()
        out: bytes = worker.update(data) + worker.finalize()
        if mode == MODE_CBC:
            channel.iv = (out if encrypt else data)[-AES_BLOCK:] if data else iv
        return out

    def _hash(self, n: int, packet: Packet, data: bytes, op: dict[str, Any]) -> bool:
        c0 = packet.control0
        algorithm = (packet.control1 >> 16) & 0xF
        if algorithm not in HASH_NAMES:
            raise PacketError("ERROR_SETUP", CODE_MODE, f"HASH_SELECT {algorithm} is not a hash")
        channel = self.channels[n]
        if c0 & HASH_INIT or channel.hash is None:
            channel.hash, channel.hash_algorithm = new_hash(algorithm), algorithm
        elif channel.hash_algorithm != algorithm:
            raise PacketError("ERROR_SETUP", CODE_MODE, "HASH_SELECT changed without HASH_INIT")
        assert channel.hash is not None
        channel.hash.update(data)
        op["hash"] = HASH_NAMES[algorithm]
        op["hash_stage"] = ("init+" if c0 & HASH_INIT else "") + ("term" if c0 & HASH_TERM else "update")
        if not c0 & HASH_TERM:
            return False
        digest = channel.hash.digest()[::-1]
        channel.hash, channel.hash_algorithm = None, None
        at = packet.payload
        if c0 & ENABLE_CIPHER:
            at += (AES_BLOCK if c0 & PAYLOAD_KEY else 0) + (AES_BLOCK if c0 & CIPHER_INIT else 0)
        if c0 & CHECK_HASH:
            expected = self._dma_read(at, len(digest), "ERROR_SRC", CODE_PAYLOAD, "expected digest")
            op["check"] = "match" if expected == digest else "mismatch"
            return expected != digest
        self._dma_write(at, digest, "ERROR_DST", CODE_PAYLOAD, "digest")
        return False

    def notes(self) -> dict[str, Any] | None:
        hung = {str(n): ch.stuck_packets for n, ch in enumerate(self.channels) if ch.hung}
        if not self.operations.total and not hung and not self._keys_loaded:
            return None
        notes: dict[str, Any] = {
            "operations_total": self.operations.total,
            "operations": list(self.operations.recorded),
            "key_slots_loaded": sorted(self._keys_loaded),
            "errors": sum(ch.errors for ch in self.channels),
        }
        if hung:
            notes["hung_channels"] = hung
        return notes
