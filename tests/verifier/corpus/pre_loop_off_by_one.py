# expect: precondition 16
# Summing the byte lanes of a word with one lane too many.
from tamapy.fw import ensures, invariant, requires, u32


@requires(lambda word, k: k < 4)
@ensures(lambda word, k, result: result <= 255)
def byte_lane(word: u32, k: u32) -> u32:
    return (word >> (8 * k)) & 0xFF


def lane_sum(word: u32) -> u32:
    total: u32 = 0
    for k in range(0, 5):
        invariant(total <= 255 * k)
        total = total + byte_lane(word, k)  # bug: k reaches 4
    return total
