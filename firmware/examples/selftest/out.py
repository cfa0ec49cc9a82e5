"""Console output of the self-test: the runtime console's functions under short
names, and the names of statuses.  After the first byte the UART refuses,
``alive()`` turns False and the application stops serving (see main.py).
"""

from board import console as port
from crypto import api
from runtime.console import alive, newline, putc, write
from runtime.console import write_dec as dec
from runtime.console import write_hex as hex_word
from runtime.console import write_hex_bytes as hex_bytes
from runtime.console import write_line as line
from tamapy.fw import clock_enabled, requires


@requires(lambda status: clock_enabled(port.PORT))
def status_name(status: api.CryptoStatus) -> None:
    """The name of a crypto status, as in specs/interfaces/crypto.toml."""
    if status == api.CryptoStatus.OK:
        write(b"OK")
    elif status == api.CryptoStatus.UNAVAILABLE:
        write(b"UNAVAILABLE")
    elif status == api.CryptoStatus.ENGINE_ERROR:
        write(b"ENGINE_ERROR")
    elif status == api.CryptoStatus.TIMEOUT:
        write(b"TIMEOUT")
    elif status == api.CryptoStatus.BAD_INPUT:
        write(b"BAD_INPUT")
    else:
        write(b"UNHEALTHY")

