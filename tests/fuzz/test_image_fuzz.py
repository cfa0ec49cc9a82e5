"""Fuzz target ``image``: mutants of a real boot image through ``tamapy image show`` and ``--json``.

The seed is the hello app's ``.imx``.  Mutations aim where the parser makes
decisions: words of the IVT, the boot data and the DCD overwritten with
boundary values (0, all ones, the image's own addresses and lengths a little
off, huge lengths), the big-endian DCD lengths, byte flips, truncations and
insertions.  Whatever the bytes, both commands end with exit 0 or 2 within
the time bound, every error has a hint, and ``--json`` prints JSON.
"""

from __future__ import annotations

import json
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tamapy.build import compile_app
from tests.fuzz.support import fuzz_settings, keep, problems, regressions, run_cli

HELLO = Path(__file__).resolve().parents[2] / "firmware" / "examples" / "hello"
TIME_BOUND = 5.0

IVT_WORDS = tuple(range(0x04, 0x20, 4))
BOOT_DATA_WORDS = (0x20, 0x24, 0x28)
DCD_HALVES = (0x2D, 0x31)
"""The big-endian lengths of the DCD header and of its first command."""


@pytest.fixture(scope="module")
def seed() -> bytes:
    """The hello app's boot image, built once for this module."""
    return compile_app(HELLO, "usbarmory-mk2", verify=False).images["hello.imx"]


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """A directory for the mutant file."""
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory)


def boundary_words(seed: bytes) -> list[int]:
    """Values on the edges of what the parser compares against, for this image."""
    entry, _, dcd, boot, self_, _, _ = struct.unpack_from("<7I", seed, 4)
    start, length, _ = struct.unpack_from("<3I", seed, 0x20)
    near = [base + delta for base in (self_, start, start + length, self_ + 0xC00, entry, boot, dcd, length,
                                      len(seed), 0x1000, 0xC00, 0x400)
            for delta in (-0x400, -4, -1, 0, 1, 4, 0x20, 0x400)]
    return sorted({v & 0xFFFFFFFF for v in near} | {0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFF})


def mutate(seed: bytes, data: st.DataObject) -> bytes:
    """One to four mutations of ``seed``, drawn from ``data``."""
    words = boundary_words(seed)
    image = bytearray(seed)
    header = st.integers(0, 0x100)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        kind = data.draw(st.sampled_from(["word", "half", "flip", "cut", "insert"]), label="kind")
        size = max(len(image), 1)
        if kind == "word":
            at = data.draw(st.one_of(st.sampled_from(IVT_WORDS + BOOT_DATA_WORDS),
                                     st.integers(0x2C, 0x100).map(lambda a: a & ~3)))
            value = data.draw(st.one_of(st.sampled_from(words), st.integers(0, 0xFFFFFFFF)))
            order = "<" if at < 0x2C else data.draw(st.sampled_from("<>"))
            image[at : at + 4] = struct.pack(order + "I", value)
        elif kind == "half":
            at = data.draw(st.sampled_from(DCD_HALVES))
            value = data.draw(st.sampled_from([0, 1, 3, 4, 8, 12, 16, 0x40, 0x6E8, 0x6E9, 0xBD4, 0xFFFF]))
            image[at : at + 2] = struct.pack(">H", value)
        elif kind == "flip":
            at = data.draw(st.one_of(header, st.integers(0, size - 1)))
            if at < len(image):
                image[at] ^= data.draw(st.integers(1, 255))
        elif kind == "cut":
            cut = data.draw(st.one_of(st.sampled_from([0, 0x1F, 0x20, 0x2B, 0x2C, 0x2F, 0x30, 0xBFF, 0xC00]),
                                      st.integers(0, size)))
            del image[cut:]
        else:
            at = data.draw(st.one_of(header, st.integers(0, size)))
            image[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    return bytes(image)


def check(image: bytes, workdir: Path) -> list[str]:
    """What breaks the property for ``image`` under ``image show`` and ``image show --json``."""
    path = workdir / "mutant.imx"
    path.write_bytes(image)
    text = run_cli(["image", "show", str(path)])
    as_json = run_cli(["image", "show", "--json", str(path)])
    found = problems(text, time_bound=TIME_BOUND) + problems(as_json, time_bound=TIME_BOUND)
    if text.status != as_json.status:
        found.append(f"exit {text.status} for text but {as_json.status} for --json")
    if as_json.status == 0:
        try:
            json.loads(as_json.stdout)
        except ValueError as exc:
            found.append(f"--json printed no JSON: {exc}")
    if text.status == 0 and "i.MX boot image" not in text.stdout:
        found.append(f"no description printed: {text.stdout[:200]!r}")
    return found


def test_the_seed_is_a_valid_image(seed: bytes, workdir: Path) -> None:
    """Without this the mutants would prove nothing: the unmutated image shows cleanly."""
    assert check(seed, workdir) == []
    assert run_cli(["image", "show", str(workdir / "mutant.imx")]).status == 0


@fuzz_settings(3000)
@given(data=st.data())
def test_mutated_images_are_shown_or_refused(seed: bytes, workdir: Path, data: st.DataObject) -> None:
    image = mutate(seed, data)
    found = check(image, workdir)
    if found:
        keep("image", image, ".imx")
    assert found == []


def test_kept_regressions_still_hold(workdir: Path) -> None:
    for path in regressions("image"):
        assert check(path.read_bytes(), workdir) == [], path.name
