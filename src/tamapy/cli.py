"""The ``tamapy`` command line (DESIGN §9).

Exit status: 0 success; 1 a build or run failed; 2 bad input or usage.
Every user error is printed as ``file:line:col: error[CODE]: message`` with
a hint; no traceback reaches the user (set TAMAPY_DEBUG=1 to see one for
an internal error).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import tempfile
import traceback
from pathlib import Path

from tamapy import __version__
from tamapy.build import DEFAULT_BOARD, BuildRefused
from tamapy.diagnostics import TamapyError
from tamapy.project import Project


def _write_out(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def cmd_check(args: argparse.Namespace) -> int:
    from tamapy.lang import check_paths

    count = check_paths([Path(p) for p in args.paths], args.board)
    print(f"checked {count} module(s): no errors")
    return 0


def _progress(done: int, total: int, stage: str = "verifying") -> None:
    """A bar for long work, on a terminal only (pipes and logs stay as they were)."""
    if sys.stderr.isatty() and total > 4:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total and stage == "verifying" else ""
        print(f"\r\033[K{stage} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} functions", end=end,
              file=sys.stderr, flush=True)


def _stage(name: str) -> None:
    """What a build or run is doing, on a terminal only (pipes and logs stay as they were)."""
    if sys.stderr.isatty():
        print(f"\r\033[Ktamapy: {name} ...", end="" if name != "done" else "\r\033[K", file=sys.stderr, flush=True)


def _build_progress(done: int, total: int) -> None:
    """The verify stage of a build or run: a bar on the stage line, left for the next stage."""
    _progress(done, total, "tamapy: verify")


def cmd_verify(args: argparse.Namespace) -> int:
    from tamapy.project import find_project
    from tamapy.verify import ProofCache, ProofStore, cache_dir, verify_tree
    from tamapy.verify.outputs import OutputOptions, write_outputs

    def path(name: str | None) -> Path | None:
        return Path(name) if name else None

    timeout_ms = int(args.timeout * 1000)
    options = OutputOptions(json=path(args.json), sarif=path(args.sarif), junit=path(args.junit),
                            replay=path(args.replay), smt2=path(args.smt2), recheck=args.recheck,
                            timeout_ms=timeout_ms, jobs=args.jobs)
    paths = [Path(p) for p in args.paths]
    project = find_project(paths[0])
    store = ProofStore(project.root)
    report = verify_tree(paths, args.board, workers=args.jobs, timeout_ms=timeout_ms,
                         store=store, with_smt2=options.needs_scripts, progress=_progress,
                         cache=ProofCache(cache_dir(project.root, _cache(args))))
    outputs_status = write_outputs(report, options, project.root)
    leftover, gone_files = store.leftovers(list(report.results), lambda m: _module_covered(project, m, paths))
    if not args.check:
        store.write(list(report.results), gone_files)
    totals = report.totals()
    problems = len(report.stale) + len(leftover)
    boards = f" on {len(report.boards)} boards" if len(report.boards) > 1 else ""
    print(f"{sum(totals.values())} obligations in {len({r.function for r in report.results})} functions{boards}: "
          f"{totals['proved']} proved, {totals['failed']} failed, {totals['unknown']} unknown"
          + (f"; {problems} certificate(s) stale" if args.check and problems else ""))
    if args.check and problems:
        altered = set(store.altered)
        for name in report.stale:
            why = "altered after it was written (digest mismatch)" if name in altered else "stale or missing"
            print(f"{why} certificate: {name}", file=sys.stderr)
        for name in leftover:
            print(f"certificate of a function that no longer exists: {name}", file=sys.stderr)
        return 1
    return 0 if report.all_proved and outputs_status == 0 else 1


def _cache(args: argparse.Namespace) -> Path | None:
    return Path(args.cache) if args.cache else None


def _module_covered(project: Project, module: str, paths: list[Path]) -> bool:
    """Whether ``module`` (whether or not its source still exists) lies under the verified ``paths``."""
    where = project.firmware.joinpath(*module.split(".")).resolve()
    return any(where == p.resolve() or p.resolve() in where.parents or p.resolve() == where.with_suffix(".py")
               for p in paths)


def cmd_stubs(args: argparse.Namespace) -> int:
    from tamapy.build import write_stubs
    from tamapy.diagnostics import display_path, error
    from tamapy.project import find_project

    if not Path(args.root).exists():
        raise error(display_path(args.root), 0, 0, "E001", "no such file or directory", "check the path")
    root = find_project(Path(args.root)).root
    stale = write_stubs(root, check=args.check)
    if args.check:
        for path in stale:
            print(f"stale type stub: {display_path(path)} (run `tamapy stubs`)", file=sys.stderr)
        print(f"type stubs: {len(stale)} stale" if stale else "type stubs: up to date")
        return 1 if stale else 0
    for path in stale:
        print(f"wrote {display_path(path)}")
    if not stale:
        print("type stubs: up to date")
    return 0


def _refused(exc: BuildRefused) -> int:
    for o in exc.result.failures():
        print(f"{o.span.file}:{o.span.line}:{o.span.col}: {o.status.value}[{o.category.value}]: {o.message}", file=sys.stderr)
        if o.counterexample:
            for line in o.counterexample.lines():
                print(f"  {line}", file=sys.stderr)
    print("tamapy: build refused: unproven obligations (use --unverified to build anyway, marked unverified)", file=sys.stderr)
    return 1


def cmd_build(args: argparse.Namespace) -> int:
    from tamapy.attest import load_signing_key, reproduce, write_attestation
    from tamapy.build import build

    app, out = Path(args.app), Path(args.output)
    key = load_signing_key(Path(args.sign)) if args.sign else None  # a bad key fails before building
    try:
        result = build(app, args.board, out, unverified=args.unverified, cache=_cache(args), reuse_objects=key is None,
                       stage=_stage, progress=_build_progress)
    except BuildRefused as exc:
        return _refused(exc)
    finally:
        _stage("done")
    if key is not None:
        print(f"signed provenance: {write_attestation(result, app, key, out)}")
    if args.reproduce:
        differing = reproduce(app, args.board, out)
        if differing:
            print(f"tamapy: not reproducible: {', '.join(differing)} differ in a fresh rebuild", file=sys.stderr)
            return 1
        print("reproduced: a fresh rebuild in another directory and time zone gives identical bytes")
    image = result.image
    load = sum(s.filesz for s in image.segments)
    state = "verified" if result.verified else "UNVERIFIED"
    totals = result.report.totals() if result.report else {}
    print(f"built {result.elf_path} for {result.program.board.name} ({state}: {totals.get('proved', 0)} obligations proved): "
          f"entry 0x{image.entry:08x}, {load} bytes loaded, {len(image.elf)} bytes ELF")
    for s in image.segments:
        print(f"  {s.name:7} 0x{s.vaddr:08x} file {s.filesz:6} mem {s.memsz:6} {s.flags}")
    for o in result.stack:
        print(f"  {o.message}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from tamapy.build import build
    from tamapy.diagnostics import error

    sim_only = [flag for flag, used in (("--inject", args.inject), ("--trace", args.trace),
                                        ("--trace-only", args.trace_only), ("--no-fast-forward", args.no_fast_forward),
                                        ("--json", args.json),
                                        ("--unique-id", args.unique_id), ("--otp-key", args.otp_key),
                                        ("--soc", args.soc)) if used]
    if args.qemu and sim_only:
        raise error("<command line>", 0, 0, "E524", f"{', '.join(sim_only)}: only the built-in simulator has "
                    "these options", "drop --qemu, or drop the simulator-only options")
    if not args.qemu:
        from tamapy.sim import check_names

        check_names(args.inject)  # fail before building
    with tempfile.TemporaryDirectory(prefix="tamapy-run-") as tmp:
        out = Path(args.output) if args.output else Path(tmp)
        try:
            result = build(Path(args.app), args.board, out, unverified=args.unverified, cache=_cache(args),
                           stage=_stage, progress=_build_progress)
        except BuildRefused as exc:
            return _refused(exc)
        finally:
            _stage("done")
        assert result.elf_path is not None
        board = result.program.board
        if args.qemu:
            from tamapy.qemu import run_qemu

            outcome = run_qemu(board, result.elf_path, args.timeout, echo=_write_out)
            if outcome.final is None:
                print(f"\ntamapy: timeout after {args.timeout:g} s without a final line", file=sys.stderr)
            return outcome.status
        from tamapy.sim.runner import messages, run_image

        sim = run_image(result.image.elf, board, result.program.soc, echo=_write_out, inject=args.inject,
                        unique_id=args.unique_id, otp_key=args.otp_key, variant=args.soc,
                        trace_path=args.trace, json_path=args.json, exceptions=args.exceptions,
                        max_insns=args.max_insns, timeout=args.timeout, trace_only=args.trace_only,
                        fast_forward=not args.no_fast_forward)
        lines = messages(sim)
        if lines:
            print("\n" + "\n".join(lines), file=sys.stderr)
        return sim.status


def cmd_image_show(args: argparse.Namespace) -> int:
    from tamapy.link.imx import show_image

    print(show_image(Path(args.file), as_json=args.json))
    return 0


def cmd_attest_keygen(args: argparse.Namespace) -> int:
    from tamapy.attest import keygen

    private, public = keygen(Path(args.out), args.algorithm, force=args.force)
    print(f"wrote {private} (private, mode 0600) and {public}")
    return 0


def cmd_attest_verify(args: argparse.Namespace) -> int:
    from tamapy.attest import verify_envelope

    reasons = verify_envelope(Path(args.key), Path(args.envelope),
                              Path(args.artifacts) if args.artifacts else None, args.rebuild)
    for reason in reasons:
        print(reason, file=sys.stderr)
    if not reasons:
        print("attestation verified")
    return 1 if reasons else 0


def cmd_audit(args: argparse.Namespace) -> int:
    from tamapy.audit import write_audit
    from tamapy.diagnostics import error

    if (args.envelope is None) != (args.key is None):
        raise error("<command line>", 0, 0, "E525", "--envelope and --key go together",
                    "pass both (the signed build's .intoto.jsonl and the public key), or neither")
    out = Path(args.output)
    audit = write_audit(Path(args.app), args.board, out, Path(args.envelope) if args.envelope else None,
                        Path(args.key) if args.key else None, cache=_cache(args))
    print(f"wrote the audit of {audit['app']} on {audit['board']} to {out}: {audit['verdict']['summary']}")
    return 0


def cmd_gate(args: argparse.Namespace) -> int:
    from tamapy.gate import GateOptions, run_gate, write_reports
    from tamapy.gate.render import render_text
    from tamapy.gate.revisions import WORKTREE

    options = GateOptions(args.base, args.head or WORKTREE, tuple(args.app or ()), tuple(args.board or ()),
                          _cache(args), progress=lambda what: print(f"gate: {what}", file=sys.stderr))
    result = run_gate(options)
    path = {k: Path(v) if v else None for k, v in vars(args).items() if k in ("markdown", "json", "sarif", "junit")}
    write_reports(result, markdown=path["markdown"], json_file=path["json"], sarif=path["sarif"], junit=path["junit"])
    print(render_text(result.doc), end="")
    return 0 if result.doc["passed"] else 1


def _add_gate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    g = sub.add_parser("gate", help="gate a change on proofs made afresh: findings and policy (docs/gate-reference.md)")
    g.add_argument("base", metavar="BASE", help="the git ref the change is compared with")
    g.add_argument("head", metavar="HEAD", nargs="?", help="the git ref under review (default: the work tree)")
    g.add_argument("--app", action="append", metavar="APP", help="an application directory (repeatable; default: "
                   "every firmware/examples/*/main.py)")
    g.add_argument("--board", action="append", metavar="B", help="a board (repeatable; default: the app's declared boards)")
    g.add_argument("--cache", metavar="DIR", help="the proof cache (default: $TAMAPY_CACHE, else .tamapy/gate-cache)")
    for name, what in (("markdown", "a Markdown PR comment"), ("json", "the JSON document (tamapy-gate/1)"),
                       ("sarif", "SARIF 2.1.0 of what the change introduced"), ("junit", "JUnit XML")):
        g.add_argument(f"--{name}", metavar="F", help=f"write {what} to F")
    g.set_defaults(func=cmd_gate)


def _add_audit(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = sub.add_parser("audit", help="write the audit report of a build (JSON, Markdown, HTML, SARIF, SBOM)")
    a.add_argument("app", help="application directory (holding main.py)")
    a.add_argument("--board", required=True)
    a.add_argument("-o", "--output", default="audit", help="output directory (default: audit)")
    a.add_argument("--envelope", metavar="FILE", help="the signed build's DSSE envelope (<app>.intoto.jsonl) to check")
    a.add_argument("--key", metavar="PUB", help="the public key (PEM) the envelope must be signed with")
    a.add_argument("--cache", metavar="DIR", help="the proof cache directory, shared by boards, apps and checkouts (default: $TAMAPY_CACHE, else .tamapy/proofs)")
    a.set_defaults(func=cmd_audit)


def _add_verify(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    v = sub.add_parser("verify", help="prove the absence of run-time errors with Z3")
    v.add_argument("paths", nargs="+", help="files or directories under firmware/")
    v.add_argument("--board", default=None, help="verify for this board only (default: every board each "
                   "application supports, [tool.tamapy.apps] in pyproject.toml)")
    v.add_argument("--check", action="store_true", help="fail (exit 1) on any unproved obligation or stale certificate; write nothing to proofs/")
    v.add_argument("--jobs", type=int, default=None, help="parallel solver processes (default: all cores)")
    v.add_argument("--timeout", type=float, default=10.0, help="solver time limit per obligation, seconds (default 10)")
    v.add_argument("--json", metavar="FILE", help="write the results as JSON")
    v.add_argument("--sarif", metavar="FILE", help="write the results as SARIF 2.1.0")
    v.add_argument("--junit", metavar="FILE", help="write the results as JUnit XML")
    v.add_argument("--replay", metavar="DIR", help="write a pytest file per failed obligation that replays it in CPython")
    v.add_argument("--smt2", metavar="DIR", help="export every obligation as SMT-LIB2")
    v.add_argument("--recheck", choices=["cvc5"], help="re-check every obligation with a second solver")
    v.add_argument("--cache", metavar="DIR", help="the proof cache directory, shared by boards, apps and checkouts (default: $TAMAPY_CACHE, else .tamapy/proofs)")
    v.set_defaults(func=cmd_verify)


def _add_stubs(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    st = sub.add_parser("stubs", help="write the type stubs mypy, pyright and editors read (register modules, board)")
    st.add_argument("root", nargs="?", default=".", help="a path inside the project (default: the current directory)")
    st.add_argument("--check", action="store_true", help="fail (exit 1) if a stub is missing or stale; write nothing")
    st.set_defaults(func=cmd_stubs)


@functools.cache
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tamapy", description="Proven bare-metal firmware in a checked subset of Python.")
    p.add_argument("--version", action="version", version=f"tamapy {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="parse and type-check firmware modules")
    c.add_argument("paths", nargs="+", help="files or directories under firmware/")
    c.add_argument("--board", default=DEFAULT_BOARD, help="board for board-independent modules")
    c.set_defaults(func=cmd_check)

    _add_verify(sub)

    _add_stubs(sub)

    b = sub.add_parser("build", help="compile an application into an ELF image")
    b.add_argument("app", help="application directory (holding main.py)")
    b.add_argument("--board", required=True)
    b.add_argument("-o", "--output", default="out", help="output directory (default: out)")
    b.add_argument("--unverified", action="store_true", help="build even if obligations are unproved; the image is marked unverified")
    b.add_argument("--sign", metavar="KEY", help="sign in-toto/SLSA provenance with this private key (DSSE envelope)")
    b.add_argument("--reproduce", action="store_true", help="rebuild in a fresh directory and compare every byte")
    b.add_argument("--cache", metavar="DIR", help="the proof cache directory, shared by boards, apps and checkouts (default: $TAMAPY_CACHE, else .tamapy/proofs)")
    b.set_defaults(func=cmd_build)

    _add_audit(sub)
    _add_gate(sub)

    im = sub.add_parser("image", help="inspect boot images").add_subparsers(dest="image_command", required=True)
    show = im.add_parser("show", help="print the IVT, boot data and DCD of an .imx image")
    show.add_argument("file")
    show.add_argument("--json", action="store_true", help="print stable JSON instead of text")
    show.set_defaults(func=cmd_image_show)

    from tamapy.attest.keys import ALGORITHMS

    at = sub.add_parser("attest", help="keys and provenance verification").add_subparsers(dest="attest_command", required=True)
    kg = at.add_parser("keygen", help="generate a signing key pair (PEM)")
    kg.add_argument("out", help="private key file; the public key goes to OUT.pub")
    kg.add_argument("--algorithm", choices=ALGORITHMS, default=ALGORITHMS[0])
    kg.add_argument("--force", action="store_true", help="overwrite existing key files")
    kg.set_defaults(func=cmd_attest_keygen)
    av = at.add_parser("verify", help="verify a signed build: signature, digests, proofs, optionally a rebuild")
    av.add_argument("--key", required=True, help="public key (PEM)")
    av.add_argument("--envelope", required=True, help="the DSSE envelope (<app>.intoto.jsonl)")
    av.add_argument("--artifacts", help="directory holding the ELF, bin and imx to check")
    av.add_argument("--rebuild", action="store_true", help="also rebuild and compare byte for byte")
    av.set_defaults(func=cmd_attest_verify)

    r = sub.add_parser("run", help="build and boot an application in the simulator or QEMU")
    r.add_argument("app")
    r.add_argument("--board", required=True)
    r.add_argument("--qemu", action="store_true", help="boot in qemu-system-arm instead of the simulator")
    r.add_argument("--timeout", type=float, default=30.0, help="wall-clock limit in seconds (default 30)")
    r.add_argument("--max-insns", type=int, default=200_000_000, help="simulator instruction budget")
    r.add_argument("-o", "--output", help="keep the build outputs in this directory")
    r.add_argument("--unverified", action="store_true", help="run even if obligations are unproved")
    r.add_argument("--cache", metavar="DIR", help="the proof cache directory, shared by boards, apps and checkouts (default: $TAMAPY_CACHE, else .tamapy/proofs)")
    r.add_argument("--inject", action="append", default=[], metavar="FAULT",
                   help="inject a hardware fault into the simulator (repeatable): rngb-selftest-fail, "
                        "rngb-error, dcp-channel-error, dcp-hang, uart-stuck, wdog-unserviced")
    r.add_argument("--trace", metavar="FILE", help="write every MMIO access to FILE, one per line")
    r.add_argument("--trace-only", metavar="NAMES", help="trace only these peripherals: instance or type "
                                                        "names, comma-separated (GPIO1,UART2 or UART)")
    r.add_argument("--no-fast-forward", action="store_true",
                   help="run timer waits cycle by cycle (simulated time = instructions)")
    r.add_argument("--json", metavar="FILE", help="write the run report to FILE as JSON")
    r.add_argument("--unique-id", metavar="N", help="the device's 64-bit unique ID (OCOTP CFG0/CFG1); "
                                                     "default derived from the board name")
    r.add_argument("--otp-key", metavar="HEX", help="the device's 16-byte DCP OTP key in hex; "
                                                    "default derived from the unique ID")
    r.add_argument("--soc", metavar="PART", help="simulate this part (imx6ul, imx6ull, imx6ulz) instead of "
                                                   "the board's: which blocks exist, DIGPROG, the ULZ mark")
    r.add_argument("--exceptions", choices=["deliver", "stop"], default="deliver",
                   help="CPU exceptions: run the firmware's handlers (default) or stop the run")
    r.set_defaults(func=cmd_run)
    return p


BROKEN_PIPE = 141
"""Exit status when the output pipe closed early: what a shell reports for a tool killed by SIGPIPE."""


def _silence_closed_pipes() -> None:
    """Point stdout and stderr at /dev/null, so flushing them at exit raises nothing more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(devnull, stream.fileno())
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TamapyError as exc:
        for d in exc.diagnostics:
            print(d.render(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tamapy: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left (``| head``): stop quietly, as command-line tools do
        _silence_closed_pipes()
        return BROKEN_PIPE
    except Exception as exc:  # a tamapy bug: say so plainly instead of a traceback
        if os.environ.get("TAMAPY_DEBUG"):
            traceback.print_exc()
        print(f"tamapy: internal error: {type(exc).__name__}: {exc} (set TAMAPY_DEBUG=1 for details)", file=sys.stderr)
        return 3
