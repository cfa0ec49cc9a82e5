"""Counterexamples of corpus programs replay in CPython and fail there for the reported reason.

For every bad corpus program of a category that CPython can witness (index,
division, range, shift, pre/post-condition, assert) and that does not need
the register bus, ``tamapy verify --replay`` writes a pytest file; running
those files must reproduce each failure (the generated tests pass only if
the expected exception is raised).  Which programs replay, which replay but
cannot fail in CPython, and which get no replay are pinned by name, each with
its reason, so a change in any of them shows.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
REPLAYABLE = {"index", "division", "range", "shift", "precondition", "postcondition", "assert"}
NOT_CONCRETE = {
    # Modular verification: the counterexample is real for the function checked alone,
    # but no concrete run of the whole module reaches it.
    "assert_callee_range": "the callee has no post-condition; its actual result never breaks the assert",
    "pre_weak_postcondition": "same: a callee's weak post-condition, not its code, breaks the caller",
    "post_bit_count": "the loop invariant is too weak to carry the bit count; the value comes from it",
    # Not errors CPython would raise at all; the subset rules them out on purpose.
    "pre_alias_global": "aliasing an array with a global is legal Python",
    "pre_alias_global_view": "likewise, through a view",
    "pre_view_conditional_global": "likewise, through a view chosen by a conditional expression",
    "pre_mutview_global": "likewise, through a MutView of the global",
    "range_intermediate": "CPython computes intermediate results exactly",
    "shift_table": "CPython accepts shifting by the width or more",
    # The replay imports the module as plain Python, without the host's import hook that hands
    # poll() its condition as a lambda, so the condition runs once instead of up to `limit` times.
    "index_poll_cond_effect": "poll's condition is evaluated once in a plain import",
    "pre_poll_cond_effect": "likewise",
    "assert_poll_cond_count": "likewise",
    # Raw mmio and addr_of need a simulated bus and placed arrays, which a plain import has not.
    "assert_trusted_mmio_write": "addr_of() and mmio have no meaning in a plain import",
    "assert_trusted_mmio_self": "likewise",
    "pre_trusted_mmio_scalar": "likewise",
    "assert_trusted_declared": "likewise",
    "assert_trusted_undeclared": "likewise",
    # Ghost code: CPython evaluates contracts with unbounded integers and legal aliasing.
    "pre_alias_contract_global": "aliasing an array with a global a contract names is legal Python",
    "pre_alias_contract_global_requires": "likewise, named in the pre-condition",
    "pre_alias_contract_global_invariant": "likewise, named in a loop invariant",
    "pre_alias_old_global": "likewise, named only inside old()",
    "assert_old_caller_assumes_more": "a callee's weak post-condition, not its code, breaks the caller",
    "range_contract_exact": "CPython reports the false post-condition, not a range: it computes 2**72 exactly",
    "shift_in_contract": "CPython shifts by any amount; the verifier's exact range ends at 64",
}
"""Corpus programs whose replay cannot fail in CPython, and why (kept exact: a change shows)."""
REPLAYED = {
    "post_old_changed", "index_old_unguarded", "assert_mutview_caller_forgets", "pre_view_conditional_content", "pre_view_conditional_length",
    "assert_alignment", "assert_chained", "assert_order_chain", "assert_order_conditional",
    "assert_order_global_before_call", "assert_order_short_circuit", "assert_mask", "assert_param", "division_after_decrement",
    "division_call_result", "division_in_ensures", "division_mod_param", "division_param",
    "division_signed_guard", "index_in_invariant", "index_in_requires", "index_table_lookup",
    "index_while_cond_effect", "index_word_table", "post_clamp_missing_path", "post_half", "post_larger_wrong",
    "pre_loop_off_by_one", "pre_swapped_arguments", "pre_while_cond_effect", "range_add_overflow",
    "range_enum_conversion", "range_intermediate_compare", "range_invert_unmasked",
    "range_mul_overflow", "range_narrow_argument", "range_narrow_assign", "range_narrow_return",
    "range_negate", "range_shift_overflow", "range_signed_to_unsigned", "range_sub_underflow",
    "shift_byte_width", "shift_loop_bound", "shift_mask_u64", "shift_negative_amount",
    "shift_nibble_off_by_one", "shift_signed_width",
    "index_struct_member", "range_struct_member", "assert_struct_members_swapped", "assert_struct_caller_forgets",
}
"""Corpus programs whose counterexample replays and fails in CPython for the reported reason."""
ARRAY_PARAMETER = "an array or view parameter: a replay calls the function with integer and bool arguments only"
NO_REPLAY: dict[str, str] = {
    "post_struct_parameter": "a struct parameter: a replay calls the function with integer and bool arguments only",
    "assert_after_loop": ARRAY_PARAMETER,
    "index_mutview_past_end": ARRAY_PARAMETER,
    "division_array_element": ARRAY_PARAMETER,
    "division_view_length": ARRAY_PARAMETER,
    "index_array_param": ARRAY_PARAMETER,
    "index_copy_longer_source": ARRAY_PARAMETER,
    "index_grid": ARRAY_PARAMETER,
    "index_off_by_one_for": ARRAY_PARAMETER,
    "index_off_by_one_while": ARRAY_PARAMETER,
    "index_slice_reversed": ARRAY_PARAMETER,
    "index_slice_stop": ARRAY_PARAMETER,
    "index_view_offset": ARRAY_PARAMETER,
    "post_array_final_contents": ARRAY_PARAMETER,
    "post_find_not_found": ARRAY_PARAMETER,
    "post_old_return": ARRAY_PARAMETER,
    "pre_missing_bounds": ARRAY_PARAMETER,
    "pre_unchecked_limit": ARRAY_PARAMETER,
    "range_counter_in_loop": ARRAY_PARAMETER,
}
"""Corpus programs of a replayable category for which ``--replay`` writes nothing, and why."""


def _replayable() -> list[Path]:
    chosen = []
    for path in sorted(CORPUS.glob("*.py")):
        text = path.read_text()
        m = re.match(r"# expect: ([a-z]+) ", text)
        if m and m.group(1) in REPLAYABLE and "soc." not in text and "board" not in text:
            chosen.append(path)
    return chosen


def test_corpus_counterexamples_replay_in_cpython(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "firmware", tmp_path / "firmware")
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    package = tmp_path / "firmware" / "examples" / "corpus"
    package.mkdir()
    (package / "__init__.py").write_text("")
    replays = tmp_path / "replays"
    programs = _replayable()
    for program in programs:
        shutil.copy(program, package / program.name)
        subprocess.run(
            [sys.executable, "-m", "tamapy", "verify", str(package / program.name), "--replay", str(replays / program.stem)],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )
    generated = sorted(replays.rglob("test_replay_*.py"))
    replayed_programs = {p.parent.name for p in generated}
    assert replayed_programs == REPLAYED | set(NOT_CONCRETE), sorted(replayed_programs ^ (REPLAYED | set(NOT_CONCRETE)))
    assert {p.stem for p in programs} - replayed_programs == set(NO_REPLAY)
    for name in NO_REPLAY:  # and skipped for that reason, as the replay index records
        skipped = json.loads((replays / name / "index.json").read_text())["skipped"]
        assert skipped and all("not an integer or bool" in s["reason"] for s in skipped), (name, skipped)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(replays)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    failing = set(re.findall(r"FAILED replays/([a-z0-9_]+)/", run.stdout))
    assert failing == set(NOT_CONCRETE), run.stdout[-4000:]
    assert "error" not in summary, run.stdout[-4000:]
    assert passed >= len(REPLAYED), summary
