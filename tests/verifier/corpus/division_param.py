# expect: division 7
# Average per item, with no check for an empty batch.
from tamapy.fw import u16


def per_item(total: u16, count: u16) -> u16:
    return total // count  # bug: count may be zero
