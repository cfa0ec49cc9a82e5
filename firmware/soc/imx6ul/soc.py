"""Which part of the i.MX6UL family the firmware runs on, and which blocks it has.

One ``imx6ul`` register map serves the i.MX6UL, i.MX6ULL and i.MX6ULZ, but
the DCP and the RNGB exist only on the ULL/ULZ (the i.MX6UL has the CAAM
there; on QEMU's ``mcimx6ul-evk`` an access to their windows aborts).
Detection therefore reads only registers every part has:

* ``CCM_ANALOG.USB_ANALOG_DIGPROG``: bits 23:16 the family (0x64 i.MX6UL,
  0x65 i.MX6ULL/ULZ), bits 15:8 and 7:0 the major and minor revision.
  Revision 0.0 is what an emulator reports (QEMU 7.2: 0x00640000), taken as
  "emulated" (``emulated()``), as TamaGo does;
* OCOTP fuse shadow ``CFG5`` bit 6 (ULZ_MARK): 1 on the i.MX6ULZ;
* OCOTP ``CFG3`` bit 14 (DCP_UNAVAILABLE, ULL/ULZ): the DCP fused off.

No function here touches the DCP or the RNGB.
"""

from enum import IntEnum
from typing import Final

from soc.imx6ul.regs import CCM_ANALOG, OCOTP
from tamapy.fw import clock_enabled, ensures, requires, u32


# The part (real, or what an emulator presents: ``emulated()``), or unknown.
class Model(IntEnum):
    UNKNOWN = 0
    UL = 1
    ULL = 2
    ULZ = 3


FAMILY_UL: Final = 0x64
FAMILY_ULL: Final = 0x65
"""``family()`` of the i.MX6UL, and of the i.MX6ULL and i.MX6ULZ."""


def family() -> u32:
    """DIGPROG bits 23:16: 0x64 on the i.MX6UL, 0x65 on the i.MX6ULL/ULZ."""
    return CCM_ANALOG.USB_ANALOG_DIGPROG.MAJOR_UPPER


def revision() -> u32:
    """DIGPROG bits 15:0: major revision << 8 | minor revision (0 when emulated)."""
    return CCM_ANALOG.USB_ANALOG_DIGPROG.read() & 0xFFFF


@ensures(lambda fam, ulz, result: (result == Model.UNKNOWN) == (fam != FAMILY_UL and fam != FAMILY_ULL))
def classify(fam: u32, ulz: bool) -> Model:
    """The model for a DIGPROG family and the ULZ mark (no register access)."""
    if fam == FAMILY_UL:
        return Model.UL
    if fam != FAMILY_ULL:
        return Model.UNKNOWN
    if ulz:
        return Model.ULZ
    return Model.ULL


@requires(lambda: clock_enabled(OCOTP))
def model() -> Model:
    """Detect the part (reads DIGPROG, and the CFG5 fuse shadow on a ULL/ULZ)."""
    fam: u32 = family()
    ulz: bool = False
    if fam == FAMILY_ULL:
        ulz = OCOTP.CFG5.ULZ_MARK == 1
    return classify(fam, ulz)


def emulated() -> bool:
    """Revision 0.0: an emulator of the family (real parts count from 1.0)."""
    return revision() == 0


@requires(lambda: clock_enabled(OCOTP))
def has_dcp_block() -> bool:
    """Whether the part has a DCP and an RNGB at all: real ULL/ULZ silicon only
    (emulators of the family do not map them)."""
    m: Model = model()
    return (m == Model.ULL or m == Model.ULZ) and not emulated()


@requires(lambda: clock_enabled(OCOTP))
def has_dcp() -> bool:
    """A usable DCP: a real i.MX6ULL/ULZ whose DCP is not fused off (CFG3.DCP_UNAVAILABLE)."""
    if not has_dcp_block():
        return False
    return OCOTP.CFG3.DCP_UNAVAILABLE == 0


@requires(lambda: clock_enabled(OCOTP))
def has_rngb() -> bool:
    """An RNGB: a real i.MX6ULL/ULZ."""
    return has_dcp_block()
