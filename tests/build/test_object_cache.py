"""LLVM's output is reused only for the same input: the same IR, target and LLVM give the same
object, so a warm build is byte-identical to a cold one; any change of the IR compiles again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy import build as build_module
from tamapy.build import compile_app


def _no_llvm(*args: object) -> tuple[bytes, str]:
    raise AssertionError("LLVM ran although its output for this IR was cached")


def test_an_unchanged_app_does_not_run_llvm_again(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = project / "firmware" / "examples" / "hello"
    objects = tmp_path / "objects"
    cold = compile_app(app, "mcimx6ul-evk", verify=False, objects=objects)
    assert len(list(objects.glob("*.o"))) == 1
    monkeypatch.setattr(build_module, "compile_ir", _no_llvm)
    warm = compile_app(app, "mcimx6ul-evk", verify=False, objects=objects)
    assert warm.images == cold.images and warm.image.elf == cold.image.elf


def test_a_changed_app_compiles_again(project: Path, tmp_path: Path) -> None:
    app = project / "firmware" / "examples" / "hello"
    objects = tmp_path / "objects"
    first = compile_app(app, "mcimx6ul-evk", verify=False, objects=objects)
    main = app / "main.py"
    main.write_text(main.read_text().replace("no C inside", "no C inside at all"))
    second = compile_app(app, "mcimx6ul-evk", verify=False, objects=objects)
    assert len(list(objects.glob("*.o"))) == 2 and second.image.elf != first.image.elf
    fresh = compile_app(app, "mcimx6ul-evk", verify=False)
    assert fresh.image.elf == second.image.elf


def test_a_signed_build_never_reuses_a_cached_object(project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    app = project / "firmware" / "examples" / "hello"
    seen: list[Path | None] = []
    real = build_module.compile_app

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs.get("objects"))  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "compile_app", spy)
    build_module.build(app, "mcimx6ul-evk", tmp_path / "a", reuse_objects=False, cache=tmp_path / "proofs")
    build_module.build(app, "mcimx6ul-evk", tmp_path / "b", cache=tmp_path / "proofs")
    assert seen == [None, project / ".tamapy" / "objects"]
