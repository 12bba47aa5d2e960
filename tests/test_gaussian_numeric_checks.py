"""The verify-all provider mathcheck.numeric_checks: registered, honest verdicts, deterministic, sensitive."""
import json

import pytest

from mathcheck import numeric_checks, registry
from mathcheck.mutants import by_name
from mathcheck.report import HOLDS, PROVED, REFUTED, Report, format_json


def test_provider_registers_both_check_families():
    checks = {c.name: c for c in numeric_checks.checks()}
    assert set(checks) == {"gaussian-kl-numeric", "jensen-gap"}
    assert all(isinstance(c, registry.Check) and not c.empirical for c in checks.values())
    assert {"gaussian-kl-numeric", "jensen-gap"} <= set(registry.provider_checks())


@pytest.fixture(scope="module")
def kl_report():
    return numeric_checks.run_gaussian_kl(seed=0, examples=4)


def test_gaussian_kl_check_holds_and_never_claims_proved(kl_report):
    assert kl_report.verdict == HOLDS
    assert all(step.verdict == HOLDS for step in kl_report.steps)
    assert all(step.verdict != PROVED for step in kl_report.steps)


def test_gaussian_kl_steps_report_counts_and_errors(kl_report):
    comparison_steps = [s for s in kl_report.steps if s.relation == "="]
    assert comparison_steps and all(s.detail["instances"] == 4 for s in comparison_steps)
    assert all({"max_abs_error", "max_rel_error", "disagreements"} <= set(s.detail) for s in comparison_steps)
    json.loads(format_json(Report([kl_report], 0.0)))  # the detail is serializable


def test_gaussian_kl_check_is_deterministic_for_a_seed(kl_report):
    again = numeric_checks.run_gaussian_kl(seed=0, examples=4)
    assert [s.detail for s in again.steps] == [s.detail for s in kl_report.steps]


@pytest.mark.parametrize("name", ["plus-one", "pair-direction-swapped", "mvn-logdet-sign"])
def test_gaussian_kl_check_refutes_a_mutant_put_in_place_of_the_formula(name):
    report = numeric_checks.run_gaussian_kl(seed=0, examples=3, formulas=(by_name(name),))
    assert report.verdict == REFUTED
    refuted = [s for s in report.steps if s.verdict == REFUTED]
    assert all("counterexample" in s.detail for s in refuted if s.relation == "=")
    assert all(s.verdict == REFUTED for s in report.steps if s.relation == "=")


def test_registry_runs_the_checks_by_name():
    report = registry.run(["jensen-gap"], seed=1, examples=40)
    assert report.ok and report.entries[0].name == "jensen-gap"
