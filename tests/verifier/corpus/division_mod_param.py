# expect: division 7
# Hash-table slot for a table that may have no buckets.
from tamapy.fw import u32


def slot(key: u32, buckets: u32) -> u32:
    return key % buckets  # bug: an empty table has zero buckets
