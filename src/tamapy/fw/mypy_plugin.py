"""The mypy plugin for firmware: ``Array[u32, 4]`` and ``RegValue[RNGB.SR]`` in annotations.

mypy accepts only types as type arguments, and firmware writes sizes
(``Bytes[16]``) and registers (``RegValue[RNGB.SR]``) there.  Sizes and
fields are what ``tamapy check`` and the verifier decide, so the plugin reads
each of these annotations as its class (``Bytes``, ``RegValue``), which is
what the ``tamapy.fw`` stub declares them to be; pyright reaches the same
reading through their ``__class_getitem__``.  Enable it with
``plugins = ["tamapy.fw.mypy_plugin"]`` (see ``firmware/mypy.ini``).
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.plugin import AnalyzeTypeContext, Plugin
from mypy.types import Type

SIZED: frozenset[str] = frozenset({"Array", "Bytes", "View", "MutView", "Dma", "RegValue"})
"""The subscripted names of ``tamapy.fw`` whose arguments are not types."""


def _as_class(ctx: AnalyzeTypeContext) -> Type:
    """``Bytes[16]`` -> ``Bytes``: the arguments are left to tamapy's own checker."""
    name = ctx.type.name.rsplit(".", 1)[-1]
    return ctx.api.named_type(f"tamapy.fw.{name}", [])


class FirmwarePlugin(Plugin):
    """Reads ``tamapy.fw``'s sized annotations as their classes."""

    def get_type_analyze_hook(self, fullname: str) -> Callable[[AnalyzeTypeContext], Type] | None:
        module, _, name = fullname.rpartition(".")
        return _as_class if module == "tamapy.fw" and name in SIZED else None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return FirmwarePlugin
