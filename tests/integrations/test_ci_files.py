"""The pre-commit hooks file, the CI examples and docs/merge-gate.md: valid YAML, the expected
structure, and no ``tamapy`` command or option that the command line does not have.

The verbs and options come from the real parser (``tamapy.cli.parser()``), so a file naming a
command that does not exist, or an option a command lacks, fails here.
"""

from __future__ import annotations

import argparse
import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tamapy.cli import parser

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / ".pre-commit-hooks.yaml"
GITHUB = ROOT / "examples" / "ci" / "github" / "tamapy-gate.yml"
GITLAB = ROOT / "examples" / "ci" / "gitlab" / ".gitlab-ci.yml"
DOC = ROOT / "docs" / "merge-gate.md"
YAML_FILES = [HOOKS, GITHUB, GITLAB]

# The keys whose values are shell commands: GitHub steps, GitLab jobs, pre-commit hooks.
COMMAND_KEYS = {"run", "script", "before_script", "after_script", "entry"}
GATE = ("tamapy gate", "--cache .tamapy/gate-cache", "--markdown gate.md", "--sarif gate.sarif",
        "--junit gate.xml")
# A fenced code block, indented (in a list item) or not.
FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def strings_under(node: Any, keys: set[str]) -> Iterator[str]:
    """Every string (or list item) under a key of ``keys``, anywhere in a YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in keys:
                yield from ([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)])
            else:
                yield from strings_under(value, keys)
    elif isinstance(node, list):
        for item in node:
            yield from strings_under(item, keys)


def command_lines(text: str) -> Iterator[str]:
    """The lines of a shell text, backslash continuations joined."""
    yield from text.replace("\\\n", " ").splitlines()


def tamapy_commands(text: str) -> Iterator[list[str]]:
    """Each ``tamapy ...`` command in a shell text, as its words up to a shell operator or comment."""
    for line in command_lines(text):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        for i, token in enumerate(tokens):
            if token != "tamapy" or i + 1 == len(tokens) or is_operator(tokens[i + 1]):
                continue
            words: list[str] = []
            for word in tokens[i + 1:]:
                if is_operator(word):
                    break
                words.append(word)
            yield words


def is_operator(token: str) -> bool:
    return bool(token) and all(c in "();<>|&" for c in token)


def subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser] | None:
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return None


def problems(words: list[str]) -> list[str]:
    """What is wrong with ``tamapy WORDS``: an unknown verb (or sub-verb), or an unknown option."""
    command = "tamapy"
    p = parser()
    rest = list(words)
    while (choices := subparsers(p)) is not None:
        if not rest or rest[0] not in choices:
            return [f"{command}: unknown command {rest[0] if rest else '(none)'!r}"]
        verb = rest.pop(0)
        command, p = f"{command} {verb}", choices[verb]
    known = {s for action in p._actions for s in action.option_strings}
    return [f"{command}: unknown option {word.split('=')[0]!r}" for word in rest
            if word.startswith("-") and word != "-" and word.split("=")[0] not in known]


def commands_in_files() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for path in YAML_FILES:
        for text in strings_under(load(path), COMMAND_KEYS):
            found += [(path.relative_to(ROOT).as_posix(), words) for words in tamapy_commands(text)]
    for block in FENCE.findall(DOC.read_text(encoding="utf-8")):
        found += [(DOC.relative_to(ROOT).as_posix(), words) for words in tamapy_commands(block)]
    return found


@pytest.mark.parametrize("path", [*YAML_FILES], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_parses_as_yaml(path: Path) -> None:
    assert isinstance(load(path), (dict, list))


def test_every_tamapy_command_in_the_files_exists_with_its_options() -> None:
    found = commands_in_files()
    # The gate in both CI examples, both hooks, the gate command shown in the doc.
    assert len(found) >= 5
    reported = [f"{where}: {problem}" for where, words in found for problem in problems(words)]
    assert reported == []


def test_the_command_checker_reports_what_does_not_exist() -> None:
    text = ("tamapy verify --check --cache .tamapy/x firmware/ | tee log\n"
            "PYTHONPATH=src tamapy frobnicate firmware/\n"
            "tamapy check --board usbarmory-mk2 --no-such-option \\\n  --also-not firmware/\n"
            "tamapy image show --json --jsn a.imx && tamapy attest verify --key k --envelope e\n"
            "tamapy attest sign x\n")
    assert [problems(words) for words in tamapy_commands(text)] == [
        [],
        ["tamapy: unknown command 'frobnicate'"],
        ["tamapy check: unknown option '--no-such-option'", "tamapy check: unknown option '--also-not'"],
        ["tamapy image show: unknown option '--jsn'"],
        [],
        ["tamapy attest: unknown command 'sign'"],
    ]
    # Not commands: a path, a hook id, a comment, the package's name alone.
    assert list(tamapy_commands("ls .tamapy/gate-cache; echo tamapy-check  # where tamapy is\n"
                                "pip install tamapy\n")) == []


def test_pre_commit_hooks() -> None:
    hooks = {hook["id"]: hook for hook in load(HOOKS)}
    assert set(hooks) == {"tamapy-check", "tamapy-verify"}
    assert hooks["tamapy-check"]["entry"] == "tamapy check"
    assert hooks["tamapy-verify"]["entry"] == "tamapy verify"
    assert hooks["tamapy-verify"]["require_serial"] is True
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True
        files = re.compile(hook["files"])
        assert files.search("firmware/runtime/hexcodec.py")
        assert not files.search("tests/integrations/test_ci_files.py")
        assert not files.search("firmware/soc/imx6ul/regs.pyi")
    # `language: python` installs this repository: its package must provide the entry's executable.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["tamapy"] == "tamapy.cli:main"


def test_github_workflow() -> None:
    workflow = load(GITHUB)
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in on
    assert workflow["permissions"]["pull-requests"] == "write"
    assert workflow["permissions"]["security-events"] == "write"
    [job] = workflow["jobs"].values()
    steps = job["steps"]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0
    assert str(uses["actions/setup-python"]["with"]["python-version"]) == "3.11"
    restore, save = uses["actions/cache/restore"], uses["actions/cache/save"]
    assert restore["with"]["path"] == save["with"]["path"] == ".tamapy/gate-cache"
    assert restore["with"]["key"] == save["with"]["key"]
    assert "restore-keys" in restore["with"]
    assert save["if"] == "always()"
    sarif = uses["github/codeql-action/upload-sarif"]
    assert sarif["with"]["sarif_file"] == "gate.sarif"
    assert sarif["if"].startswith("always()")
    assert "gate.xml" in uses["actions/upload-artifact"]["with"]["path"]
    runs = [step["run"] for step in steps if "run" in step]
    assert any(r.strip().startswith("pip install .") for r in runs)
    [gate] = [r for r in runs if "tamapy gate" in r]
    assert gate.startswith('tamapy gate "origin/$BASE_REF" HEAD')
    assert all(part in gate for part in GATE)
    [gate_step] = [s for s in steps if s.get("run") == gate]
    assert gate_step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    [comment] = [s for s in steps if "gh pr comment" in s.get("run", "")]
    assert "--body-file gate.md" in comment["run"]
    assert comment["if"].startswith("always()")
    assert comment["env"]["GH_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    # The cache is restored before the gate and saved after it; the reports come after the gate.
    order = [steps.index(restore), steps.index(gate_step), steps.index(save), steps.index(sarif),
             steps.index(comment)]
    assert order == sorted(order)


def test_gitlab_job() -> None:
    [job] = load(GITLAB).values()
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert str(job["variables"]["GIT_DEPTH"]) == "0"
    assert ".tamapy/gate-cache" in job["cache"]["paths"]
    [gate] = [s for s in job["script"] if "tamapy gate" in s]
    assert gate.startswith('tamapy gate "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" HEAD')
    assert all(part in gate for part in GATE)
    # The target branch is fetched as the remote-tracking ref the gate names.
    assert any("refs/remotes/origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in s for s in job["before_script"])
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"] == {"junit": "gate.xml"}
    assert {"gate.md", "gate.sarif"} <= set(job["artifacts"]["paths"])


def test_doc_links_and_examples() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "(gate-reference.md)" in text
    for example in ("examples/ci/github/tamapy-gate.yml", "examples/ci/gitlab/.gitlab-ci.yml"):
        assert example in text
        assert (ROOT / example).is_file()
    # The TOML examples (policy, approvals) parse, with the keys the gate reads.
    tomls = [tomllib.loads(b) for b in re.findall(r"^```toml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]
    policy = next(t["tool"]["tamapy"]["gate"] for t in tomls if "tool" in t)
    assert set(policy) == {"max_tcb_lines", "require_approval_for_trusted", "forbid_contract_weakening",
                           "forbid_unproved"}
    [approval] = next(t["approval"] for t in tomls if "approval" in t)
    assert set(approval) == {"function", "sha256", "by", "reason"}
