"""Interface contracts written as data in specs/interfaces/ bind the implementing function."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.diagnostics import TamapyError
from tamapy.lang import check_paths
from tamapy.verify import Status, verify_tree

INTERFACE = '''[functions.checksum]
module = "examples.impl"
description = "sum of the first n bytes"
params = ["data: View[u8]", "n: u32"]
returns = "u32"
requires = ["n <= len(data)", "len(data) <= 1024"]
ensures = ["result <= 255 * n"]
'''

IMPL = '''from tamapy.fw import View, invariant, u8, u16, u32


def checksum(data: View[u8], n: u32) -> u32:
    total: u32 = 0
    for i in range(0, n):
        invariant(total <= 255 * i)
        total += data[i]
    return total


def caller(data: View[u8]) -> u32:
    return checksum(data, 3)
'''


def _write(project: Path, interface: str = INTERFACE, impl: str = IMPL) -> Path:
    (project / "specs" / "interfaces").mkdir(exist_ok=True)
    (project / "specs" / "interfaces" / "test.toml").write_text(interface)
    path = project / "firmware" / "examples" / "impl.py"
    path.write_text(impl)
    return path


def test_interface_contracts_are_proved_in_the_implementation_and_required_of_callers(project: Path) -> None:
    report = verify_tree([_write(project)], "mcimx6ul-evk", workers=1)
    failed = [(o.function.rsplit(".", 1)[1], o.category.value) for o in report.obligations if o.status is Status.FAILED]
    # checksum proves its interface post-condition (thanks to the interface pre-conditions);
    # caller cannot show 3 <= len(data), so the interface's pre-condition fails there.
    assert failed == [("caller", "precondition"), ("caller", "precondition")]
    assert any(o.category.value == "postcondition" and o.function.endswith("checksum") for o in report.obligations)


def test_signature_must_match_the_interface(project: Path) -> None:
    path = _write(project, impl=IMPL.replace("def checksum(data: View[u8], n: u32)", "def checksum(data: View[u8], n: u16)"))
    with pytest.raises(TamapyError) as info:
        check_paths([path], "mcimx6ul-evk")
    d = info.value.diagnostics[0]
    assert d.code == "E213" and "checksum" in d.message and "test.toml" in d.hint


def test_malformed_interface_is_a_spec_error(project: Path) -> None:
    path = _write(project, interface=INTERFACE.replace("n <= len(data)", "n <= len(data"))
    with pytest.raises(TamapyError) as info:
        check_paths([path], "mcimx6ul-evk")
    d = info.value.diagnostics[0]
    assert d.code == "E333" and d.file.endswith("test.toml")


@pytest.mark.parametrize(("edit", "message"), [
    (('module = "examples.impl"', 'module = "examples.impll"'),
     "functions.checksum.module names `examples.impll`, which is no module below firmware/ "
     "(did you mean `examples.impl`?)"),
    (("[functions.checksum]", "[functions.checksun]"),
     "functions.checksun: module `examples.impl` defines no function `checksun` (did you mean `checksum`?)"),
])
def test_an_interface_naming_nothing_is_an_error_not_a_lost_contract(
        project: Path, edit: tuple[str, str], message: str) -> None:
    """A misspelt module or function would match no function, and its contracts would vanish
    from every caller's proof; it is an error at the interface's line, whatever is checked."""
    _write(project, interface=INTERFACE.replace(*edit))
    hello = project / "firmware" / "examples" / "hello" / "main.py"  # does not use the interface
    for paths in ([project / "firmware"], [hello]):
        with pytest.raises(TamapyError) as info:
            check_paths(paths, "mcimx6ul-evk")
        d = info.value.diagnostics[0]
        assert (d.code, d.line, d.message) == ("E333", 1, message) and d.file.endswith("interfaces/test.toml")
        assert d.hint
