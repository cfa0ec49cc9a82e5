"""Section 6, the image: read back from the ELF bytes with pyelftools, not from build metadata,
so the report describes the file a device is given rather than what the linker meant to write."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from typing import Any

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from tamapy.lang import ir

PF_X, PF_W, PF_R = 0x1, 0x2, 0x4
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
LARGEST = 20


def segment_flags(flags: int) -> str:
    return ("R" if flags & PF_R else "-") + ("W" if flags & PF_W else "-") + ("X" if flags & PF_X else "-")


def section_flags(flags: int) -> str:
    """readelf's letters for the flags an audit cares about: W(rite), A(lloc), X (execute)."""
    return "".join(c for bit, c in ((SHF_WRITE, "W"), (SHF_ALLOC, "A"), (SHF_EXECINSTR, "X")) if flags & bit)


def _symbols(elf: ELFFile) -> list[tuple[str, int, int, str]]:
    symtab = elf.get_section_by_name(".symtab")
    if not isinstance(symtab, SymbolTableSection):
        return []
    kinds = {"STT_FUNC": "function", "STT_OBJECT": "object"}
    return [(s.name, s["st_value"] & ~1 if kinds[s["st_info"]["type"]] == "function" else s["st_value"],
             s["st_size"], kinds[s["st_info"]["type"]])
            for s in symtab.iter_symbols() if s.name and s["st_info"]["type"] in kinds]


def image_section(images: Mapping[str, bytes], program: ir.Program) -> dict[str, Any]:
    """``images``: the build's files by name (``<app>.elf``, ``.bin``, ``.imx``), as written."""
    by_suffix = {name.rsplit(".", 1)[1]: data for name, data in images.items()}
    elf = ELFFile(io.BytesIO(by_suffix["elf"]))
    segments = [s.header for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
    wx = [f"0x{s['p_vaddr']:08x}" for s in segments if s["p_flags"] & PF_W and s["p_flags"] & PF_X]
    sections = sorted((s["sh_addr"], s.name, s["sh_size"], s["sh_flags"]) for s in elf.iter_sections()
                      if s["sh_flags"] & SHF_ALLOC)
    symbols = _symbols(elf)
    modules = {f.qualname: f.module for f in program.functions}
    sizes: dict[str, int] = {}
    for name, _, size, kind in symbols:
        if kind == "function" and name in modules:
            sizes[modules[name]] = sizes.get(modules[name], 0) + size
    return {
        "entry": elf["e_entry"],
        "segments": [{"vaddr": s["p_vaddr"], "paddr": s["p_paddr"], "filesz": s["p_filesz"], "memsz": s["p_memsz"],
                      "flags": segment_flags(s["p_flags"])} for s in segments],
        "wx": {"ok": not wx, "detail": f"writable and executable: segment at {', '.join(wx)}" if wx else
               f"none of the {len(segments)} loadable segments is both writable and executable"},
        "sections": [{"name": n, "address": a, "size": size, "flags": section_flags(f)} for a, n, size, f in sections],
        "largest_symbols": [{"name": n, "address": a, "size": size, "kind": k}
                            for n, a, size, k in sorted(symbols, key=lambda s: (-s[2], s[0], s[1]))[:LARGEST]],
        "size_by_module": [{"module": m, "bytes": b} for m, b in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))],
        "digests": {suffix: hashlib.sha256(data).hexdigest() for suffix, data in sorted(by_suffix.items())},
    }
