"""Every error code means one thing: a module-level constant such as ``BAD_LAYOUT = "E703"``
is defined once in the whole package (two commands once shared E700-E703)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "tamapy"
CODE = re.compile(r"E\d{3}")


def test_each_error_code_constant_is_defined_once() -> None:
    places: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str) \
                    and CODE.fullmatch(value.value):
                places[value.value].append(f"{path.relative_to(SRC)}:{target.id}")
    assert len(places) > 50  # the scan finds the codes
    assert {code: where for code, where in places.items() if len(where) > 1} == {}
