"""tamapy's linker: one ARM relocatable object in, one bare-metal ELF executable out."""

from tamapy.link.layout import LinkLayout, Segment
from tamapy.link.linker import LinkedImage, link

__all__ = ["LinkLayout", "LinkedImage", "Segment", "link"]
