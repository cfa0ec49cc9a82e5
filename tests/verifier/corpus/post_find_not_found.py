# expect: postcondition 11
# "Not found" is len(data), which the contract excludes.
from tamapy.fw import View, ensures, u8, u32


@ensures(lambda data, key, result: result < len(data))
def find(data: View[u8], key: u8) -> u32:
    for i in range(0, len(data)):
        if data[i] == key:
            return i
    return len(data)  # bug: the contract promises a valid index
