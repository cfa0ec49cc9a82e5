"""tamapy: proven bare-metal firmware in a checked subset of Python (see README)."""

__version__ = "0.1.0"
