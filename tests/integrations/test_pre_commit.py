"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself.

``pre-commit try-repo`` clones this repository (its HEAD, plus uncommitted changes to
tracked files), pip-installs it into a hook environment as pre-commit does for a user, and
runs a hook in another git repository: here a copy of the project (firmware/, specs/, proofs/,
pyproject.toml), with a module added or changed. One try-repo run per case; try-repo keeps its clone and
hook environment in a directory of its own for each run, so each run installs tamapy anew
(a few seconds from the package index's cache). PRE_COMMIT_HOME points at a directory of this
module so that pre-commit's own files stay out of the user's home.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import unavailable

ROOT = Path(__file__).resolve().parents[2]

GOOD = "firmware/runtime/hexcodec.py"
BROKEN = '''def shout(x: int) -> int:
    return x + "a"
'''
UNSAFE = '''from tamapy.fw import u32


def ratio(x: u32, y: u32) -> u32:
    return x // y
'''


def pre_commit_command() -> list[str]:
    """How to run pre-commit (installed with the test extras); fails in CI (CI=true) when missing."""
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    path = shutil.which("pre-commit")
    if path is not None:
        return [path]
    unavailable("pre-commit is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PRE_COMMIT_HOME for the module's runs."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A git repository holding a copy of the project, as a firmware author's checkout would."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to run pre-commit")
    repo = tmp_path / "checkout"
    shutil.copytree(ROOT / "firmware", repo / "firmware")
    shutil.copytree(ROOT / "specs", repo / "specs")
    shutil.copytree(ROOT / "proofs", repo / "proofs")
    shutil.copy2(ROOT / "pyproject.toml", repo / "pyproject.toml")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=tamapy", "-c", "user.email=tamapy@localhost", "commit", "-q", "-m", "project")
    return repo


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def environment(home: Path) -> dict[str, str]:
    """This process's environment without PYTHONPATH: the hook runs the tamapy pre-commit installed."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PRE_COMMIT_COLOR"] = "never"
    return env


def try_repo(repo: Path, home: Path, hook: str, file: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pre_commit_command(), "try-repo", str(ROOT), hook, "--files", file],
                          cwd=repo, env=environment(home), capture_output=True, text=True, timeout=1200)


def add(repo: Path, name: str, text: str) -> str:
    (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", name)
    return name


def test_hooks_and_the_documented_config_pass_pre_commits_own_schemas(tmp_path: Path) -> None:
    pre_commit_command()  # fails in CI, skips elsewhere, without pre-commit
    from pre_commit.clientlib import load_config, load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert [h["id"] for h in hooks] == ["tamapy-check", "tamapy-verify"]
    doc = (ROOT / "docs" / "merge-gate.md").read_text(encoding="utf-8")
    [example] = [b for b in re.findall(r"^```yaml\n(.*?)^```", doc, re.MULTILINE | re.DOTALL) if "repos:" in b]
    (tmp_path / "config.yaml").write_text(example, encoding="utf-8")
    config = load_config(str(tmp_path / "config.yaml"))
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["tamapy-check", "tamapy-verify"]


def test_check_hook_passes_a_good_module(user_repo: Path, pre_commit_home: Path) -> None:
    run = try_repo(user_repo, pre_commit_home, "tamapy-check", GOOD)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "tamapy check" in run.stdout
    assert "Passed" in run.stdout


def test_check_hook_fails_a_broken_module_naming_the_error(user_repo: Path, pre_commit_home: Path) -> None:
    name = add(user_repo, "firmware/runtime/shout.py", BROKEN)
    run = try_repo(user_repo, pre_commit_home, "tamapy-check", name)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed" in run.stdout
    assert "exit code: 2" in run.stdout
    assert f"{name}:2:16: error[E107]: strings are not in the subset" in run.stdout


def test_verify_hook_fails_an_unproved_obligation(user_repo: Path, pre_commit_home: Path) -> None:
    name = add(user_repo, "firmware/runtime/ratio.py", UNSAFE)
    run = try_repo(user_repo, pre_commit_home, "tamapy-verify", name)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed" in run.stdout
    assert f"{name}:5:17: failed[division]: divisor may be zero (in runtime.ratio.ratio)" in run.stdout


def test_verify_hook_passes_a_proved_module_and_leaves_its_certificate(user_repo: Path,
                                                                        pre_commit_home: Path) -> None:
    run = try_repo(user_repo, pre_commit_home, "tamapy-verify", GOOD)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "tamapy verify" in run.stdout
    assert "Passed" in run.stdout
    assert git(user_repo, "status", "--porcelain", "proofs") == ""


def test_verify_hook_reports_the_certificate_it_rewrote(user_repo: Path, pre_commit_home: Path) -> None:
    """A changed module proves, but its committed certificate no longer matches: to be staged."""
    module = user_repo / GOOD
    text = module.read_text(encoding="utf-8")
    assert text.count("    return NOT_HEX\n") == 1
    module.write_text(text.replace("    return NOT_HEX\n", "    return NOT_HEX + 0\n"), encoding="utf-8")
    git(user_repo, "add", GOOD)
    run = try_repo(user_repo, pre_commit_home, "tamapy-verify", GOOD)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "files were modified by this hook" in run.stdout
    assert ", 0 failed, 0 unknown" in run.stdout
    assert git(user_repo, "status", "--porcelain", "proofs") == " M proofs/runtime/hexcodec.json\n"
