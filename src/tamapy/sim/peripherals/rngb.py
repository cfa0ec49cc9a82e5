"""The RNGB: self-test, seeding, a 5-word output FIFO, latched errors, deterministic output.

The model follows the programming sequence of the reference sheet (§2.8,
§3.6) and enforces it: no random word leaves the FIFO before a passed self
test (CMD.ST) and a generated seed (CMD.GS), and an error stays latched in
SR.ERR / ESR until CMD.CE clears it.  Commands complete at once (SR.BUSY
reads 0; STDN, SDN and NSDN are set by the command's store).  CMD reads 0.

* CMD.SR: software reset -- everything back to reset (SLP and RS set, no
  self-test result, no seed, empty FIFO).
* CMD.ST: self test; SR.STDN = 1 and SR.SLP = 0.  With ``rngb-selftest-fail``
  injected it fails: SR.ST_PF = 0b111 (bits 23:21, which covers every driver's
  reading of the disputed layout), ESR.STE and SR.ERR latched.
* CMD.GS: needs a passed self test (the model's rule; otherwise ESR.STE and
  SR.ERR latch and no seed is made) and no latched error (it is ignored
  then); sets SR.SDN (first seed) and SR.NSDN,
  clears SR.RS, and the FIFO starts filling.
* CMD.CE clears ESR and SR.ERR; CMD.CI is accepted (no interrupt is modelled).
* FIFO: refills at the hardware's rate, 5 words per 112 IPG clocks (one word
  per 179.2 CPU cycles of simulated time), up to SR.FIFO_SIZE = 5 words
  (SR.FIFO_LVL).  Reading OUT pops a word; reading it empty (or while an error
  is latched) is an underflow: ESR.FUFE latches, and the read returns 0, or is
  a bus error when CR.FUFMOD = 0b10.  After 2^20 words SR.RS sets; with CR.AR
  a new seed is made at once.
* ``rngb-error`` injected: after the 4th word read, an oscillator error
  (ESR.OSCE, SR.ERR) latches and the FIFO empties; output resumes only after
  CMD.CE and a new CMD.GS.  It happens once per run.

Output: a deterministic DRBG per run.  Seed number k (counting every GS and
auto-reseed of the run from 1) gives an AES-128-CTR keystream (counter block 0
first) under key SHA-256("tamapy-sim rngb\\0" + unique ID as 8 little-endian
bytes + k as 4 little-endian bytes)[:16]; OUT returns its 32-bit
little-endian words in order.  The same unique ID gives the same numbers on
every run; choose another with ``simulate(..., unique_id=...)``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tamapy.sim.context import IPG_HZ
from tamapy.sim.peripherals.base import BusFault, RegisterFile
from tamapy.specs.model import Peripheral, Register

FIFO_SIZE = 5
WORDS_PER_PERIOD = 5
PERIOD_IPG_CLOCKS = 112
RESEED_WORDS = 1 << 20
ERROR_AFTER_WORDS = 4
FUFMOD_BUS_ERROR = 0b10
DRBG_LABEL = b"tamapy-sim rngb\x00"
BATCH_WORDS = 64

SELFTEST_FAIL = "rngb-selftest-fail"
RUN_ERROR = "rngb-error"


class Drbg:
    """AES-128-CTR keystream of one seed (see the module docstring)."""

    def __init__(self, unique_id: int, seed: int) -> None:
        key = hashlib.sha256(DRBG_LABEL + unique_id.to_bytes(8, "little") + seed.to_bytes(4, "little")).digest()[:16]
        self._stream = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
        self._words: list[int] = []

    def word(self) -> int:
        if not self._words:
            block = self._stream.update(bytes(4 * BATCH_WORDS))
            self._words = [int.from_bytes(block[i:i + 4], "little") for i in range(len(block) - 4, -1, -4)]
        return self._words.pop()


class Rngb(RegisterFile):
    """The RNGB instance."""

    def __init__(self, peripheral: Peripheral, instance: str, base: int) -> None:
        self._selftest: str | None = None
        self._seeded = False
        self._seeds = 0
        self._level = 0
        self._fill_anchor = 0
        self._served = 0
        self._served_total = 0
        self._underflows = 0
        self._error_injected = False
        self._errors: list[str] = []
        self._drbg: Drbg | None = None
        super().__init__(peripheral, instance, base)
        self._cmd = self.register("CMD")
        self._sr = self.register("SR")
        self._esr = self.register("ESR")
        self._out = self.register("OUT")
        self._bits = {name: self.field("CMD", name).mask for name in ("ST", "GS", "CI", "CE", "SR")}
        sr = {name: self.field("SR", name) for name in (
            "BUSY", "SLP", "RS", "STDN", "SDN", "NSDN", "FIFO_LVL", "FIFO_SIZE", "ERR", "ST_PF")}
        self._sr_f = sr
        self._esr_bits = {name: self.field("ESR", name).mask for name in ("LFE", "OSCE", "STE", "SATE", "FUFE")}
        self._fufmod = self.field("CR", "FUFMOD")
        self._ar = self.field("CR", "AR").mask

    def reset(self) -> None:
        super().reset()
        self._selftest = None
        self._seeded = False
        self._level = 0
        self._served = 0
        self._drbg = None

    # -- state --------------------------------------------------------------------

    def _set(self, register: str, name: str, on: bool = True) -> None:
        f = self._sr_f[name] if register == "SR" else self.field(register, name)
        value = self.value(register)
        self.set_value(register, value | f.mask if on else value & ~f.mask)

    def _latch(self, error: str, why: str) -> None:
        self.set_value("ESR", self.value("ESR") | self._esr_bits[error])
        self._set("SR", "ERR")
        self._errors.append(f"ESR.{error} at cycle {self.ctx.now()}: {why}")

    @property
    def error_latched(self) -> bool:
        return bool(self.value("SR") & self._sr_f["ERR"].mask)

    def _period_cycles_x5(self) -> int:
        """Cycles per word, times 5 (a word takes 112 / 5 IPG clocks)."""
        return PERIOD_IPG_CLOCKS * self.ctx.clock.hz // IPG_HZ

    def _refill(self) -> None:
        """Words the PRNG made since the FIFO was last looked at."""
        now5 = self.ctx.now() * WORDS_PER_PERIOD
        if not self._seeded or self.error_latched:
            self._fill_anchor = now5
            return
        if self._level >= FIFO_SIZE:
            self._fill_anchor = now5
            return
        per_word = max(self._period_cycles_x5(), 1)
        made = (now5 - self._fill_anchor) // per_word
        if made:
            self._level = min(FIFO_SIZE, self._level + made)
            self._fill_anchor = now5 if self._level == FIFO_SIZE else self._fill_anchor + made * per_word

    def _seed(self) -> None:
        self._seeds += 1
        self._drbg = Drbg(self.ctx.uid, self._seeds)
        self._seeded = True
        self._served = 0
        self._level = 0
        self._fill_anchor = self.ctx.now() * WORDS_PER_PERIOD
        self._set("SR", "SDN")
        self._set("SR", "NSDN")
        self._set("SR", "RS", False)

    # -- bus accesses -------------------------------------------------------------

    def read(self, reg: Register) -> int:
        if reg is self._cmd:
            return 0
        self._refill()
        if reg is self._sr:
            level = self._sr_f["FIFO_LVL"]
            size = self._sr_f["FIFO_SIZE"]
            value = super().read(reg) & ~(level.mask | size.mask | self._sr_f["BUSY"].mask)
            return value | (self._level << level.lsb) | (FIFO_SIZE << size.lsb)
        if reg is self._out:
            return self._pop()
        return super().read(reg)

    def _pop(self) -> int:
        if self._level == 0 or self.error_latched or self._drbg is None:
            self._underflows += 1
            if not self.value("ESR") & self._esr_bits["FUFE"]:
                self._latch("FUFE", "OUT read with an empty FIFO")
            mode = (self.value("CR") & self._fufmod.mask) >> self._fufmod.lsb
            if mode == FUFMOD_BUS_ERROR:
                raise BusFault("bus-error", self.base + self._out.offset,
                               f"read of {self.instance}.OUT with an empty FIFO and CR.FUFMOD = 0b10: bus error")
            return 0
        self._level -= 1
        self._served += 1
        self._served_total += 1
        word = self._drbg.word()
        if RUN_ERROR in self.ctx.faults and not self._error_injected and self._served_total >= ERROR_AFTER_WORDS:
            self._error_injected = True
            self.ctx.hit(RUN_ERROR, f"oscillator error latched after {self._served_total} words")
            self._latch("OSCE", f"injected {RUN_ERROR}")
            self._seeded = False
            self._level = 0
        if self._served >= RESEED_WORDS:
            self._set("SR", "RS")
            if self.value("CR") & self._ar:
                self._seed()
        return word

    def write(self, reg: Register, alias: str | None, value: int) -> None:
        if reg is not self._cmd:
            super().write(reg, alias, value)
            return
        self._refill()
        bits = self._bits
        if value & bits["SR"]:
            self.reset()
        if value & bits["CE"]:
            self.set_value("ESR", 0)
            self._set("SR", "ERR", False)
        if value & bits["ST"]:
            self._self_test()
        if value & bits["GS"]:
            if self._selftest != "passed":
                self._latch("STE", "CMD.GS before a passed self test")
            elif not self.error_latched:
                self._seed()

    def _self_test(self) -> None:
        self._set("SR", "SLP", False)
        self._set("SR", "STDN")
        if SELFTEST_FAIL in self.ctx.faults:
            self._selftest = "failed"
            pf = self._sr_f["ST_PF"]
            self.set_value("SR", self.value("SR") | pf.mask)
            self.ctx.hit(SELFTEST_FAIL, "self test reported failure")
            self._latch("STE", f"injected {SELFTEST_FAIL}")
            return
        self._selftest = "passed"
        self.set_value("SR", self.value("SR") & ~self._sr_f["ST_PF"].mask)

    def notes(self) -> dict[str, Any] | None:
        if self._selftest is None and not self._seeds and not self._underflows and not self._errors:
            return None
        return {
            "self_test": self._selftest or "not run",
            "seeded": self._seeded,
            "seeds": self._seeds,
            "words_read": self._served_total,
            "fifo_level": self._level,
            "underflows": self._underflows,
            "error_latched": self.error_latched,
            "esr": f"0x{self.value('ESR'):02x}",
            "errors": list(self._errors),
        }
