"""Every wrong KL formula in the catalogue is rejected by the quadrature and Monte Carlo checks; no correct one is."""
import numpy as np
import pytest

from mathcheck.mutants import CORRECT, KINDS, MUTANTS, by_name
from mathcheck.numeric_checks import MUTANT_INSTANCES, draw_instances, mutant_outcomes, quadrature_reference

NAMES = [m.name for m in MUTANTS]
CORRECT_NAMES = [c.name for c in CORRECT]


@pytest.fixture(scope="module")
def outcomes():
    return {reference: {o.formula: o for o in found} for reference, found in mutant_outcomes(seed=0).items()}


def test_catalogue_has_at_least_ten_distinct_mutants_of_known_kinds():
    assert len(MUTANTS) >= 10
    assert len(set(NAMES)) == len(NAMES)
    assert {m.kind for m in MUTANTS} == set(KINDS)


@pytest.mark.parametrize("name", NAMES)
def test_every_mutant_differs_from_the_truth_on_every_distinguishing_instance(name):
    mutant = by_name(name)
    instances = draw_instances(mutant.kind, MUTANT_INSTANCES, seed=0, distinguishing=True)
    gaps = [abs(mutant.formula(*args) - quadrature_reference(mutant.kind, args)) for args in instances]
    assert min(gaps) > 0.05, gaps


@pytest.mark.parametrize("name", NAMES)
def test_quadrature_check_rejects_mutant(outcomes, name):
    assert outcomes["quadrature"][name].disagreements == MUTANT_INSTANCES


@pytest.mark.parametrize("name", NAMES)
def test_monte_carlo_check_rejects_mutant(outcomes, name):
    assert outcomes["monte-carlo"][name].disagreements == MUTANT_INSTANCES


@pytest.mark.parametrize("name", CORRECT_NAMES)
@pytest.mark.parametrize("reference", ["quadrature", "monte-carlo"])
def test_checks_accept_correct_formula(outcomes, reference, name):
    assert outcomes[reference][name].agrees, outcomes[reference][name].counterexample


def test_rejection_reports_a_counterexample(outcomes):
    counterexample = outcomes["quadrature"]["missing-half"].counterexample
    assert set(counterexample) >= {"args", "formula", "quadrature"}
    assert not np.isclose(counterexample["formula"], counterexample["quadrature"])


def test_unknown_formula_name_is_a_clear_error():
    with pytest.raises(ValueError, match="no formula named"):
        by_name("nope")


# ---- matrix mutants: a step of a multivariate KL derivation written wrong


from mathcheck.mutants import MATRIX_MUTANTS, matrix_mutant_verdict  # noqa: E402
from mathcheck.report import REFUTED  # noqa: E402


def test_matrix_catalogue_covers_the_kinds_of_matrix_error():
    described = " ".join(m.description for m in MATRIX_MUTANTS)
    for kind in ("transpose on the wrong factor", "non-cyclic", "det(Σ₁ + Σ₂) split", "−d dropped", "tr(Σ₁) for tr(Σ₂⁻¹Σ₁)"):
        assert kind in described, kind


@pytest.mark.parametrize("mutant", MATRIX_MUTANTS, ids=[m.name for m in MATRIX_MUTANTS])
def test_matrix_mutant_step_is_refuted(mutant):
    verdict, detail = matrix_mutant_verdict(mutant)
    assert verdict == REFUTED, detail.get("reason")
    assert "ill-formed" in detail["reason"] or detail["counterexample"]["d"] in (1, 2, 3, 5)
