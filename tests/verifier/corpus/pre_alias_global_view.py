# expect: precondition 20
# The same aliasing through a read-only view: bump_and_read() writes the
# global by name while reading it through its view parameter, so its
# assertion (proved for unaliased arguments) fails for this call.
from tamapy.fw import Bytes, View, requires, u8

table: Bytes[4] = Bytes[4]()


@requires(lambda v: len(v) >= 1)
def bump_and_read(v: View[u8]) -> u8:
    before: u8 = v[0]
    table[0] = 7
    after: u8 = v[0]
    assert before == after
    return after


def user() -> u8:
    return bump_and_read(table)  # bug: v views table, which bump_and_read() writes
