"""Loading board descriptions: ``specs/boards/<name>.toml``, checked against their SoC.

A board names its SoC, memory map, where the image is loaded, the stack,
the DMA region, the console UART, QEMU's view of it and the boot ROM's
Device Configuration Data.  Each table is checked where it is read, in file
order, and the console UART last, against the SoC's register maps.
"""

from __future__ import annotations

from pathlib import Path

from tamapy.diagnostics import display_path, error
from tamapy.specs.load import ADDRESS_LIMIT, choices, list_boards, list_socs, load_soc
from tamapy.specs.model import Board, MemoryRegion
from tamapy.specs.validate import (
    E_BOARD_NAME,
    E_CONSOLE,
    E_DCD,
    E_DMA_ALIGN,
    E_DMA_REGION,
    E_LOAD_ADDRESS,
    E_MEMORY_OVERLAP,
    E_RANGE,
    E_STACK,
    E_TYPE,
    E_UNKNOWN_BOARD,
    E_UNKNOWN_SOC,
    Doc,
    Table,
)

_BOARD_FILE_KEYS = ("board", "memory", "image", "stack", "dma", "console", "qemu", "dcd")
MAX_DCD_WRITES = 220
"""The boot ROM's DCD format (as U-Boot's mkimage enforces it) holds at most 220 writes."""
_BOARD_KEYS = ("name", "description", "soc", "cpu", "triple")


def load_board(specs_root: Path, name: str) -> Board:
    """The board ``specs_root/boards/<name>.toml``, checked against its SoC's register maps."""
    path = specs_root / "boards" / f"{name}.toml"
    available = list_boards(specs_root)
    if name not in available:  # also keeps names like "../x" from reaching outside boards/
        raise error(
            display_path(specs_root / "boards"),
            0,
            0,
            E_UNKNOWN_BOARD,
            f"unknown board `{name}`",
            choices("boards", available),
        )
    top = Doc(path).root(_BOARD_FILE_KEYS)
    head = top.get_table("board", _BOARD_KEYS)
    board_name, description = head.get_str("name"), head.get_str("description", "")
    soc_name, cpu, triple = head.get_str("soc"), head.get_str("cpu"), head.get_str("triple")
    if board_name != name:
        raise head.fail(
            "name",
            E_BOARD_NAME,
            f"`board.name` is `{board_name}` but the file is {name}.toml",
            f'write name = "{name}" or rename the file',
        )
    memory = _memory(top)
    load_address = _load_address(top, memory)
    stack_size = _stack_size(top)
    dma_region, alignment = _dma(top, memory)
    console = top.get_table("console", ("uart", "qemu_serial_index"))
    uart, serial_index = console.get_str("uart"), _serial_index(console)
    qemu_memory = _positive(top.get_table("qemu", ("memory_mb",)), "memory_mb")
    dcd = _dcd(top)
    if soc_name not in list_socs(specs_root):
        raise head.fail(
            "soc",
            E_UNKNOWN_SOC,
            f"`board.soc` `{soc_name}` is not a SoC under {display_path(specs_root / 'soc')}",
            choices("SoCs", list_socs(specs_root)),
        )
    _check_console(console, specs_root, soc_name, uart)
    return Board(
        name=name,
        description=description,
        soc=soc_name,
        cpu=cpu,
        triple=triple,
        memory=memory,
        load_address=load_address,
        stack_size=stack_size,
        dma_region=dma_region,
        dma_alignment=alignment,
        console_uart=uart,
        qemu_serial_index=serial_index,
        qemu_memory_mb=qemu_memory,
        source=str(path),
        firmware_package=name.replace("-", "_"),
        dcd=dcd,
    )


def _memory(top: Table) -> tuple[MemoryRegion, ...]:
    table = top.get_table("memory")
    regions: list[MemoryRegion] = []
    for rname, raw in table.entries():
        rtable = Table(table.doc, (*table.path, rname), raw, ("base", "size"))
        region = MemoryRegion(rname, rtable.get_int("base"), rtable.get_int("size"))
        if region.base < 0 or region.size <= 0 or region.end > ADDRESS_LIMIT:
            raise rtable.fail(
                "size",
                E_RANGE,
                f"`{rtable.key('size')}`: region {region.base:#x} + "
                f"{region.size:#x} is empty or leaves the 32-bit address space",
                "give a nonzero size and a base within the address space",
            )
        for other in regions:
            if region.base < other.end and other.base < region.end:
                raise rtable.fail(
                    "base",
                    E_MEMORY_OVERLAP,
                    f"`{table.key(rname)}` overlaps `{table.key(other.name)}`",
                    "memory regions must be disjoint",
                )
        regions.append(region)
    return tuple(regions)


def _load_address(top: Table, memory: tuple[MemoryRegion, ...]) -> int:
    """``[image] load_address``: 4 KiB aligned, inside a memory region."""
    image = top.get_table("image", ("load_address",))
    load_address = image.get_int("load_address")
    if load_address % 0x1000 or not any(r.contains(load_address) for r in memory):
        raise image.fail(
            "load_address",
            E_LOAD_ADDRESS,
            f"`image.load_address` = "
            f"{load_address:#x} is "
            + ("not 4 KiB aligned" if load_address % 0x1000 else "in no memory region"),
            "use a 4 KiB aligned address inside one of: "
            + ", ".join(f"{r.name} {r.base:#x}-{r.end - 1:#x}" for r in memory),
        )
    return load_address


def _stack_size(top: Table) -> int:
    """``[stack] size``: a nonzero multiple of 8 (the AAPCS stack alignment)."""
    stack = top.get_table("stack", ("size",))
    stack_size = stack.get_int("size")
    if stack_size <= 0 or stack_size % 8:
        raise stack.fail(
            "size",
            E_STACK,
            f"`stack.size` = {stack_size:#x} is not a nonzero multiple of 8",
            "the AAPCS keeps the stack 8-byte aligned",
        )
    return stack_size


def _dma(top: Table, memory: tuple[MemoryRegion, ...]) -> tuple[str, int]:
    """``[dma] region, alignment``: a memory region's name and a power of two."""
    dma = top.get_table("dma", ("region", "alignment"))
    dma_region = dma.get_str("region")
    if all(r.name != dma_region for r in memory):
        raise dma.fail(
            "region",
            E_DMA_REGION,
            f"`dma.region` `{dma_region}` is not a [memory.*] region",
            choices("regions", [r.name for r in memory]),
        )
    alignment = dma.get_int("alignment")
    if alignment <= 0 or alignment & (alignment - 1):
        raise dma.fail(
            "alignment",
            E_DMA_ALIGN,
            f"`dma.alignment` = {alignment} is not a power of two",
            "use 1, 2, 4, 8, ...",
        )
    return dma_region, alignment


def _serial_index(console: Table) -> int:
    serial_index = console.get_int("qemu_serial_index")
    if serial_index < 0:
        raise console.fail(
            "qemu_serial_index",
            E_RANGE,
            f"`console.qemu_serial_index` must not be negative ({serial_index})",
            "0 is QEMU's first -serial (UART1)",
        )
    return serial_index


def _check_console(console: Table, specs_root: Path, soc_name: str, uart: str) -> None:
    """The console UART is an instance of the board's SoC."""
    soc = load_soc(specs_root, soc_name)
    if soc.instance(uart) is None:
        uarts = soc.peripheral("UART")
        names = (
            [i for i, _ in uarts.instances]
            if uarts
            else [i for p in soc.peripherals for i, _ in p.instances]
        )
        raise console.fail(
            "uart",
            E_CONSOLE,
            f"`console.uart` `{uart}` is not an instance of SoC {soc_name}",
            choices("UARTs", names),
        )


def _positive(table: Table, key: str) -> int:
    value = table.get_int(key)
    if value <= 0:
        raise table.fail(
            key,
            E_RANGE,
            f"`{table.key(key)}` must be positive, not {value}",
            "give a number greater than 0",
        )
    return value


def _dcd(top: Table) -> tuple[tuple[int, int], ...]:
    """The optional ``[dcd] writes = [[address, value], ...]`` list, checked the way the ROM needs it.

    Addresses are 4-byte aligned 32-bit register addresses and values 32-bit,
    because every entry becomes one 32-bit Write Data pair of the boot image.
    """
    table = top.get_table("dcd", ("writes",), optional=True)
    raw = table._get("writes", list, "an array of [address, value] pairs", [])
    if len(raw) > MAX_DCD_WRITES:
        raise table.fail(
            "writes",
            E_DCD,
            f"`dcd.writes` has {len(raw)} entries, more than the {MAX_DCD_WRITES} a DCD can hold",
            "do the rest of the set-up in the firmware's start-up code",
        )
    writes: list[tuple[int, int]] = []
    for i, item in enumerate(raw):
        where = f"`dcd.writes[{i}]`"
        if not (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in item)
        ):
            raise table.fail(
                "writes",
                E_TYPE,
                f"{where} must be [address, value] (two integers), not {item!r}",
                "write each entry as [0x020C4068, 0xFFFFFFFF]",
            )
        address, value = item
        if not 0 <= address < ADDRESS_LIMIT or address % 4:
            raise table.fail(
                "writes",
                E_DCD,
                f"{where} address {address:#x} is not a 4-byte aligned 32-bit address",
                "DCD entries are 32-bit register writes",
            )
        if not 0 <= value < 1 << 32:
            raise table.fail(
                "writes",
                E_DCD,
                f"{where} value {value:#x} does not fit in 32 bits",
                "use 0 to 0xffffffff",
            )
        writes.append((address, value))
    return tuple(writes)
