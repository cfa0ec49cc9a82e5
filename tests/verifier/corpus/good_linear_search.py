# expect: proved
# Linear search whose post-condition the caller relies on to index safely.
from tamapy.fw import View, ensures, u8, u32


@ensures(lambda data, key, result: result <= len(data) and (result == len(data) or data[result] == key))
def find(data: View[u8], key: u8) -> u32:
    for i in range(0, len(data)):
        if data[i] == key:
            return i
    return len(data)


def byte_after(data: View[u8], key: u8) -> u8:
    i: u32 = find(data, key)
    if i < len(data) and i + 1 < len(data):
        return data[i + 1]
    return 0
