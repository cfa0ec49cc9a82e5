"""Which i.MX6UL-family part a board carries, and what that changes in the simulator.

One ``imx6ul`` spec directory serves the i.MX6UL, i.MX6ULL and i.MX6ULZ (the
blocks are register-compatible), so the specs cannot say which blocks a part
lacks or how it identifies itself.  The board specs do not say it either, and
the simulator may not invent spec keys, so it keeps this small table keyed by
board name: the part decides which peripheral windows exist (no DCP/RNGB on
the i.MX6UL, as in QEMU 7.2's ``mcimx6ul-evk``, where an access aborts), what
``CCM_ANALOG.USB_ANALOG_DIGPROG`` reads, and whether OCOTP CFG5 carries the
ULZ mark.  See docs/simulator.md, "SoC variants".
"""

from __future__ import annotations

from dataclasses import dataclass

from tamapy.diagnostics import TamapyError, error

BAD_PARAMETER = "E524"
"""A simulator parameter is out of range (unknown SoC variant, unique ID, OTP key size)."""


@dataclass(frozen=True)
class SocVariant:
    """One part of the family, as the simulator presents it."""

    key: str
    """Short name used on the API (``imx6ul``, ``imx6ull``, ``imx6ulz``)."""
    name: str
    """Marketing name for reports (``i.MX6ULZ``)."""
    digprog: int
    """What ``USB_ANALOG_DIGPROG`` reads: family in bits 23:16, revision below."""
    absent: frozenset[str]
    """Spec peripheral names the part does not have: their windows stay unmapped."""
    ulz_mark: bool
    """OCOTP CFG5 bit 6 (ULZ_MARK) fused to 1."""


VARIANTS: dict[str, SocVariant] = {
    # QEMU 7.2 reports 0x00640000: family 0x64 (i.MX6UL), revision 0.0, which
    # TamaGo-style firmware takes for "emulated".  The EVK model keeps that value
    # so firmware behaves as it does under `tamapy run --qemu`.
    "imx6ul": SocVariant("imx6ul", "i.MX6UL", 0x0064_0000, frozenset({"DCP", "RNGB"}), False),
    # Family 0x65 with a non-zero revision (0.1): real silicon.  The exact
    # revision shipping parts report is not sourced; any non-zero value marks
    # "not emulated".
    "imx6ull": SocVariant("imx6ull", "i.MX6ULL", 0x0065_0001, frozenset(), False),
    "imx6ulz": SocVariant("imx6ulz", "i.MX6ULZ", 0x0065_0001, frozenset(), True),
}
"""Every part the simulator can present."""

BOARD_VARIANTS: dict[str, str] = {
    "mcimx6ul-evk": "imx6ul",
    "usbarmory-mk2": "imx6ulz",
}
"""Board name -> part.  A board not listed gets :data:`DEFAULT_VARIANT`."""

DEFAULT_VARIANT = "imx6ul"
"""QEMU's ``mcimx6ul-evk`` part: the conservative choice for an unknown board."""


def variant_for(board: str, override: str | None = None) -> SocVariant:
    """The part of ``board``, or ``override`` when given (TamapyError if unknown)."""
    key = override if override is not None else BOARD_VARIANTS.get(board, DEFAULT_VARIANT)
    found = VARIANTS.get(key)
    if found is None:
        raise bad_parameter(f"unknown SoC variant {key!r}",
                            f"use one of: {', '.join(sorted(VARIANTS))}")
    return found


def bad_parameter(message: str, hint: str) -> TamapyError:
    """A simulator parameter error (exit status 2)."""
    return error("<simulator>", 0, 0, BAD_PARAMETER, message, hint)


__all__ = ["BAD_PARAMETER", "BOARD_VARIANTS", "DEFAULT_VARIANT", "VARIANTS", "SocVariant",
           "bad_parameter", "variant_for"]
