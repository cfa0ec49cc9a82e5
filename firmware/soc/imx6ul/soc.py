"""Which part of the i.MX6UL family the firmware runs on, and which blocks it has.

One ``imx6ul`` register map serves the i.MX6UL, i.MX6ULL and i.MX6ULZ, but
the DCP and the RNGB exist only on the ULL/ULZ (the i.MX6UL has the CAAM
there; on QEMU's ``mcimx6ul-evk`` an access to their windows aborts).
Detection therefore reads only registers every part has:

* ``CCM_ANALOG.USB_ANALOG_DIGPROG``: bits 23:16 the family (0x64 i.MX6UL,
  0x65 i.MX6ULL/ULZ), bits 15:8 and 7:0 the major and minor revision.
  Revision 0.0 is what an emulator reports (QEMU 7.2: 0x00640000), taken as
  "emulated", as TamaGo does;
* OCOTP fuse shadow ``CFG5`` bit 6 (ULZ_MARK): 1 on the i.MX6ULZ;
* OCOTP ``CFG3`` bit 14 (DCP_UNAVAILABLE, ULL/ULZ): the DCP fused off.

No function here touches the DCP or the RNGB.
"""

from enum import IntEnum
from typing import Final

from soc.imx6ul.regs import CCM_ANALOG, OCOTP
from tamapy.fw import clock_enabled, ensures, requires, u32

FAMILY_UL: Final = 0x64
FAMILY_ULL: Final = 0x65


# The part: a real one, the same family under emulation (revision 0.0), or unknown.
class Model(IntEnum):
    UNKNOWN = 0
    UL = 1
    ULL = 2
    ULZ = 3
    EMULATED_UL = 4
    EMULATED_ULL = 5
    EMULATED_ULZ = 6


def family() -> u32:
    """DIGPROG bits 23:16: 0x64 on the i.MX6UL, 0x65 on the i.MX6ULL/ULZ."""
    return CCM_ANALOG.USB_ANALOG_DIGPROG.MAJOR_UPPER


def revision() -> u32:
    """DIGPROG bits 15:0: major revision << 8 | minor revision (0 when emulated)."""
    return CCM_ANALOG.USB_ANALOG_DIGPROG.read() & 0xFFFF


@ensures(lambda fam, rev, ulz, result: (fam == FAMILY_UL or fam == FAMILY_ULL or result == Model.UNKNOWN)
         and (result != Model.UNKNOWN or (fam != FAMILY_UL and fam != FAMILY_ULL)))
def classify(fam: u32, rev: u32, ulz: bool) -> Model:
    """The model for a DIGPROG family and revision and the ULZ mark (no register access)."""
    if fam == FAMILY_UL:
        if rev == 0:
            return Model.EMULATED_UL
        return Model.UL
    if fam == FAMILY_ULL:
        if rev == 0:
            if ulz:
                return Model.EMULATED_ULZ
            return Model.EMULATED_ULL
        if ulz:
            return Model.ULZ
        return Model.ULL
    return Model.UNKNOWN


@requires(lambda: clock_enabled(OCOTP))
def model() -> Model:
    """Detect the part (reads DIGPROG, and the CFG5 fuse shadow on a ULL/ULZ)."""
    digprog: u32 = CCM_ANALOG.USB_ANALOG_DIGPROG.read()
    fam: u32 = (digprog >> 16) & 0xFF
    ulz: bool = False
    if fam == FAMILY_ULL:
        ulz = OCOTP.CFG5.ULZ_MARK == 1
    return classify(fam, digprog & 0xFFFF, ulz)


@ensures(lambda m, result: result == (m == Model.ULL or m == Model.ULZ))
def model_has_dcp_block(m: Model) -> bool:
    """Whether part ``m`` has a DCP and an RNGB at all (real ULL/ULZ silicon only:
    emulators of the family do not map them)."""
    return m == Model.ULL or m == Model.ULZ


@requires(lambda: clock_enabled(OCOTP))
def has_dcp() -> bool:
    """A usable DCP: a real i.MX6ULL/ULZ whose DCP is not fused off (CFG3.DCP_UNAVAILABLE)."""
    if not model_has_dcp_block(model()):
        return False
    return OCOTP.CFG3.DCP_UNAVAILABLE == 0


@requires(lambda: clock_enabled(OCOTP))
def has_rngb() -> bool:
    """An RNGB: a real i.MX6ULL/ULZ."""
    return model_has_dcp_block(model())


@ensures(lambda m, result: result == (m == Model.EMULATED_UL or m == Model.EMULATED_ULL or m == Model.EMULATED_ULZ))
def is_emulated(m: Model) -> bool:
    return m == Model.EMULATED_UL or m == Model.EMULATED_ULL or m == Model.EMULATED_ULZ
