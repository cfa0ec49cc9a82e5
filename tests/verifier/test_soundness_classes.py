"""Every class of false proof found in review keeps at least three failing shapes and a proved twin.

The programs themselves run elsewhere -- seeded-bug corpus programs in
``test_corpus.py`` (each must fail at its line with its category, or be
proved), rejected shapes in ``tests/lang/test_python_meaning.py`` (each
must be refused with its code at its line and column), and a few whole
tests.  This index keeps the classes from silently losing their coverage:
it checks that each named program exists and is what it claims to be.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.lang import test_python_meaning as meaning
from tests.verifier.test_corpus import CORPUS, expectation

ROOT = Path(__file__).resolve().parents[2]

CLASSES: dict[str, tuple[list[str], list[str]]] = {
    "call with effects in a while condition": (
        ["corpus:index_while_cond_effect", "corpus:clock_while_cond_gate", "corpus:pre_while_cond_effect",
         "corpus:inv_cond_breaks_invariant"],
        ["corpus:good_loop_cond_effects", "corpus:good_cond_keeps_invariant"]),
    "poll() condition evaluated up to limit times": (
        ["corpus:index_poll_cond_effect", "corpus:pre_poll_cond_effect", "corpus:assert_poll_cond_count"],
        ["corpus:good_poll_cond_count"]),
    "evaluation order of effects inside expressions": (
        ["corpus:assert_order_global_before_call", "corpus:assert_order_short_circuit", "corpus:assert_order_chain",
         "corpus:assert_order_conditional"],
        ["corpus:good_order_effects", "test:tests/lang/test_core.py::test_consumers_refuse_a_function_not_in_core_form"]),
    "a[i] += f() where f changes i": (
        ["lang:aug-index-global-changed-by-call", "lang:aug-index-global-in-sum", "lang:aug-index-global-nested-call"],
        ["lang:aug-index-local"]),
    "calls inside decreases()": (
        ["lang:call-in-decreases", "lang:call-deep-in-decreases", "lang:effect-in-decreases"],
        ["lang:pure-measure"]),
    "termination measure taken after the condition's call": (
        ["corpus:term_cond_refills_measure", "corpus:term_cond_resets_index", "corpus:term_cond_grows_measure"],
        ["corpus:good_cond_local_measure"]),
    "scoping that is not Python's": (
        ["lang:local-named-len", "lang:local-shadows-global", "lang:nested-for-same-variable",
         "test:tests/lang/test_python_meaning.py::test_from_import_of_a_mutable_scalar_is_rejected"],
        ["lang:builtin-name-renamed", "lang:global-read-then-local", "lang:nested-for-distinct"]),
    "slices of slices": (
        ["lang:slice-of-slice-argument", "lang:slice-of-global-slice", "lang:len-of-slice-of-slice"],
        ["lang:one-slice"]),
    "a global used only in a callee's contracts, passed as its array": (
        ["corpus:pre_alias_contract_global", "corpus:pre_alias_contract_global_requires",
         "corpus:pre_alias_contract_global_invariant"],
        ["corpus:good_alias_contract_global"]),
    "main's @requires assumed, never established": (
        ["entry:false", "entry:on-a-global", "entry:after-an-ensures"],
        ["test:tests/lang/test_python_meaning.py::test_entry_point_cannot_have_a_precondition"]),
    "and/or/not with integer operands": (
        ["lang:int-or", "lang:int-and-in-condition", "lang:not-int"],
        ["lang:bool-operands", "lang:int-truth-in-if"]),
    "contracts with run-time errors, or wrapping arithmetic": (
        ["corpus:division_in_ensures", "corpus:index_in_requires", "corpus:index_in_invariant",
         "corpus:range_contract_exact", "corpus:shift_in_contract"],
        ["corpus:good_contract_guarded"]),
    "contracts that touch hardware": (
        ["lang:register-read-in-requires", "lang:register-read-in-invariant", "lang:poll-in-ensures",
         "lang:addr-of-in-requires"],
        ["corpus:good_contract_guarded"]),
    "trusted code's raw accesses invisible to callers": (
        ["corpus:assert_trusted_mmio_write", "corpus:assert_trusted_mmio_self", "corpus:pre_trusted_mmio_scalar",
         "corpus:clock_trusted_raw_ccm", "corpus:assert_trusted_declared", "corpus:assert_trusted_undeclared"],
        ["corpus:good_trusted_mmio_reestablish", "corpus:good_trusted_raw_ccm", "corpus:good_trusted_declared_read"]),
    "RNGB health outliving a failed or re-run self-test": (
        ["corpus:protocol_rngb_self_test_failed", "corpus:protocol_rngb_self_test_rerun",
         "corpus:protocol_rngb_error_cleared", "corpus:protocol_rngb_reset_in_callee"],
        ["corpus:good_protocol_rngb_status_check", "corpus:good_protocol_rngb_self_test_rerun"]),
    "certificates taken on trust": (
        ["test:tests/verify_engine/test_engine.py::test_check_detects_a_certificate_edited_by_hand"],
        ["test:tests/verify_engine/test_engine.py::test_unchanged_tree_reverifies_from_cache"]),
    "arrays chosen by a conditional expression (aliases and constants through the arms)": (
        ["lang:conditional-array-to-modify", "lang:conditional-view-aliases-modified",
         "corpus:pre_view_conditional_global", "corpus:pre_view_conditional_length"],
        ["lang:view-chosen", "corpus:good_view_conditional"]),
    "old() values: taken on entry, before the body (and before the call), wherever they stand": (
        ["corpus:post_old_changed", "corpus:post_old_return", "corpus:index_old_unguarded",
         "corpus:assert_old_caller_assumes_more", "corpus:pre_alias_old_global",
         "test:tests/sim/test_host_old.py::test_old_under_a_lazy_operator_is_still_taken_on_entry"],
        ["corpus:good_old_counter", "corpus:good_old_swap", "corpus:good_old_ring"]),
    "unsigned division encoded as signed": (
        ["corpus:division_param", "corpus:division_mod_param", "corpus:division_after_decrement"],
        ["corpus:good_tick_divider"]),
}
"""Class -> (shapes that must fail or be refused, twins that must be proved or accepted)."""

_MIN_BAD = 3


def _exists(ref: str, bad: bool) -> str | None:
    """Why ``ref`` is not what it claims to be (None: it is)."""
    kind, _, name = ref.partition(":")
    if kind == "corpus":
        path = CORPUS / f"{name}.py"
        if not path.is_file():
            return "no such corpus program"
        proved = expectation(path).category is None
        return None if proved != bad else ("expected to be proved" if proved else "expected to fail")
    if kind == "lang":
        ids = {c[0] for c in meaning.REJECTED} if bad else {c[0] for c in meaning.TWINS}
        return None if name in ids else "no such case in tests/lang/test_python_meaning.py"
    if kind == "entry":
        return None if name in {c[0] for c in meaning.ENTRY_SHAPES} else "no such entry-point shape"
    if kind == "test":
        file, _, function = name.partition("::")
        tree = ast.parse((ROOT / file).read_text())
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        return None if function in names else f"no test {function} in {file}"
    return f"unknown kind {kind}"


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_class_keeps_its_shapes_and_twins(name: str) -> None:
    bad, good = CLASSES[name]
    wrong = {r: why for r, why in [(r, _exists(r, True)) for r in bad] + [(r, _exists(r, False)) for r in good] if why}
    assert not wrong, wrong
    tests = [r for r in bad if r.startswith("test:")]
    assert len(bad) >= _MIN_BAD or tests, f"{name}: only {len(bad)} failing shapes"
    assert good, f"{name}: no proved twin"
