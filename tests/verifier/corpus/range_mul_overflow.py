# expect: range 7
# Word count to byte count without a bound on the word count.
from tamapy.fw import u32


def words_to_bytes(words: u32) -> u32:
    return words * 4  # bug: overflows for words >= 2**30
