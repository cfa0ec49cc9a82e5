"""What an audit reads: the application compiled with its proofs, and the state of each certificate.

Everything else in :mod:`tamapy.audit` is computed from the :class:`Evidence` this
gathers once, so every section describes the same build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tamapy.build import BuildResult, compile_app, object_cache
from tamapy.project import Project, find_project
from tamapy.verify import ProofStore
from tamapy.verify.locations import source_uri

CURRENT, STALE, MISSING = "current", "stale", "missing"


@dataclass(frozen=True)
class Evidence:
    """One application's build for one board, with what its certificates say about it."""

    project: Project
    app: str
    """The application directory relative to ``firmware/``, with ``/``."""
    result: BuildResult
    certificates: dict[str, str]
    """Function -> ``current`` | ``stale`` | ``missing``: whether ``proofs/`` holds its proof for this board."""

    @property
    def root(self) -> Path:
        return self.project.root

    def relative(self, file: str) -> str:
        """A path the build recorded (absolute, or relative to the directory it ran in), from the root."""
        return source_uri(file, self.root)

    def certificate_file(self, module: str) -> str:
        return ProofStore(self.root).path_for(module).relative_to(self.root).as_posix()


def collect(app: Path, board: str, cache: Path | None = None, objects: Path | None = None) -> Evidence:
    """Compile ``app`` for ``board`` with its proofs (from the certificates or the proof cache by key);
    LLVM's objects from ``objects``, by default the project's own object cache."""
    result = compile_app(app, board, verify=True, cache=cache,
                         objects=objects or object_cache(app))  # refuses a non-app
    project = find_project(app)
    name = app.resolve().relative_to(project.firmware.resolve()).as_posix()
    return Evidence(project, name, result, certificate_states(ProofStore(project.root), result))


def certificate_states(store: ProofStore, result: BuildResult) -> dict[str, str]:
    """Each verified function's certificate state, decided as ``verify --check`` does: current when
    ``proofs/`` holds its key naming this board with an intact digest, stale when it holds another
    (or an altered) one, missing when it holds none."""
    certified = store.cached()
    named = {name for name, _ in certified} | set(store.altered)
    board = result.program.board.name
    states: dict[str, str] = {}
    for r in result.report.results if result.report else ():
        held = certified.get((r.function, r.key))
        if held is not None and board in held[0]:
            states[r.function] = CURRENT
        else:
            states[r.function] = STALE if r.function in named else MISSING
    return states
