"""Round-2 matrix fixes: an inverted diag(·) is honoured by every normal-form path, and a Gaussian matrix
expectation E[M(x)] is evaluated exactly in the matrix worlds (so a step with one is cross-checked)."""

import numpy as np
import pytest
import sympy as sp

from mathcheck.calc import Step
from mathcheck.checker import check_step
from mathcheck.matrices import (
    Components, Diagonal, MatrixExpectation, MvNormal, Normalizer, covariance, d, j, prove_matrix, scalar, vector,
)
from mathcheck.matrix_numeric import Evaluator, check_matrix_step, worlds_for
from mathcheck.report import PROVED, REFUTED

t_, m_ = sp.IndexedBase("t", real=True), sp.IndexedBase("m", real=True)
s_ = sp.IndexedBase("sigma", real=True)
t, m = Components(t_), Components(m_)
Dt, Dm, Ds2 = Diagonal(t_[j]), Diagonal(m_[j]), Diagonal(s_[j] ** 2)
x, mu = vector("x"), vector("mu")
Sigma = covariance("Sigma")
N = MvNormal(x, mu, Sigma)
centred = MatrixExpectation(N, (x - mu) * (x - mu).T)
second_moment = MatrixExpectation(N, x * x.T)


def _sum(entry):
    return sp.Sum(entry, (j, 1, d))


# (lhs, the true rhs, the rhs with the inverse dropped)
INVERTED_DIAGONALS = [
    ("tr diag(t)^-1", sp.Trace(Dt.I), _sum(1 / t_[j]), _sum(t_[j])),
    ("m^T diag(t)^-1 m", scalar(m.T * Dt.I * m), _sum(m_[j] ** 2 / t_[j]), _sum(t_[j] * m_[j] ** 2)),
    ("tr(diag(t)^-1 diag(m))", sp.Trace(Dt.I * Dm), _sum(m_[j] / t_[j]), _sum(t_[j] * m_[j])),
    ("tr(diag(m) diag(t)^-1)", sp.Trace(Dm * Dt.I), _sum(m_[j] / t_[j]), _sum(t_[j] * m_[j])),
    ("tr diag(sigma^2)^-1", sp.Trace(Ds2.I), _sum(1 / s_[j] ** 2), _sum(s_[j] ** 2)),
    ("tr(diag(t)^-2)", sp.Trace(Dt.I * Dt.I), _sum(1 / t_[j] ** 2), _sum(t_[j] ** 2)),
    ("tr((diag(t) diag(m))^-1)", sp.Trace(sp.Inverse(Dt * Dm)), _sum(1 / (t_[j] * m_[j])), _sum(t_[j] * m_[j])),
]


@pytest.mark.parametrize("name, lhs, true_rhs, dropped", INVERTED_DIAGONALS, ids=[c[0] for c in INVERTED_DIAGONALS])
def test_an_inverted_diagonal_is_inverted_in_the_normal_form(name, lhs, true_rhs, dropped):
    assert prove_matrix(lhs, "=", true_rhs).proved


@pytest.mark.parametrize("name, lhs, true_rhs, dropped", INVERTED_DIAGONALS, ids=[c[0] for c in INVERTED_DIAGONALS])
def test_dropping_the_inverse_of_a_diagonal_is_not_proved(name, lhs, true_rhs, dropped):
    assert not prove_matrix(lhs, "=", dropped).proved


def test_inverting_a_diagonal_states_its_entries_nonzero_as_a_side_condition():
    assert "t[j] ≠ 0" in prove_matrix(sp.Trace(Dt.I), "=", _sum(1 / t_[j])).reason


def test_diag_times_its_inverse_is_the_identity():
    assert prove_matrix(Dt * Dt.I, "=", sp.Identity(d)).proved


def test_the_trace_trick_with_dropped_diagonal_inverse_is_refuted():
    lhs = sp.Trace(centred) + scalar(m.T * Dt.I * m)
    verdict, detail = check_step(lhs, Step("=", sp.Trace(Sigma) + _sum(t_[j] * m_[j] ** 2), "trace trick"))
    assert verdict == REFUTED, detail


def test_the_trace_trick_with_the_diagonal_inverse_is_proved():
    lhs = sp.Trace(centred) + scalar(m.T * Dt.I * m)
    verdict, detail = check_step(lhs, Step("=", sp.Trace(Sigma) + _sum(m_[j] ** 2 / t_[j]), "trace trick"))
    assert verdict == PROVED, detail


@pytest.mark.parametrize("expectation, exact", [
    (centred, lambda mean, cov: cov),
    (second_moment, lambda mean, cov: cov + mean @ mean.T),
    (MatrixExpectation(N, x), lambda mean, cov: mean),
], ids=["centred", "second moment", "mean"])
def test_a_gaussian_matrix_expectation_evaluates_to_its_exact_moment(expectation, exact):
    world = worlds_for([sp.Trace(expectation)], seed=3)[1]
    evaluator = Evaluator(world)
    mean, cov = evaluator.matrix(mu)[0], evaluator.matrix(Sigma)[0]
    assert np.allclose(evaluator.matrix(expectation)[0], exact(mean, cov), rtol=1e-9, atol=1e-9)


def test_a_wrong_second_moment_is_refuted_in_the_matrix_worlds():
    result = check_matrix_step(sp.Trace(second_moment), "=", sp.Trace(Sigma))
    assert result.status == "refuted", result.reason


def test_a_product_of_two_sums_equals_the_double_sum():
    from mathcheck.sums import normalize

    k = sp.Symbol("k", integer=True, positive=True)
    x_, y_ = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
    lhs = sp.Sum(x_[j], (j, 1, d)) * sp.Sum(y_[k], (k, 1, d))
    rhs = sp.Sum(sp.Sum(x_[j] * y_[k], (j, 1, d)), (k, 1, d))  # sympy keeps it as one Sum of two limits
    assert sp.expand(normalize(lhs) - normalize(rhs)) == 0


def _audited(text: str) -> list:
    from mathcheck.audit.check import audit_document
    from mathcheck.audit.document import parse_document

    return [(step.verdict, step.reason) for step in audit_document(parse_document("doc.md", text)).steps]


F0B_PROSE = "$x, \\mu, m, t \\in \\mathbb{R}^d$. $\\Sigma$ is a $d \\times d$ covariance matrix.\n\n"
F0B_LHS = "\\mathrm{tr}(\\mathbb{E}_{x \\sim \\mathcal{N}(\\mu, \\Sigma)}[(x-\\mu)(x-\\mu)^T]) + m^T \\mathrm{diag}(t)^{-1} m"


def test_the_audited_trace_trick_with_the_diagonal_inverse_dropped_is_refuted():
    [(verdict, reason)] = _audited(F0B_PROSE + f"$${F0B_LHS} = \\mathrm{{tr}}(\\Sigma) + \\sum_{{j=1}}^d t_j m_j^2$$\n")
    assert verdict == REFUTED, reason


def test_the_audited_trace_trick_with_the_diagonal_inverse_is_proved():
    text = F0B_PROSE + f"$${F0B_LHS} = \\mathrm{{tr}}(\\Sigma) + \\sum_{{j=1}}^d \\frac{{m_j^2}}{{t_j}}$$\n"
    [(verdict, reason)] = _audited(text)
    assert verdict == PROVED, reason


@pytest.mark.parametrize("formula", [
    "\\prod_{j=3}^{d} c = c^{d-2}",  # d = 1: the empty product 1, not 1/c
    "\\sum_{j=3}^{d} 1 = d-2",  # d = 1: the empty sum 0, not -1
], ids=["product", "sum"])
def test_a_count_over_a_possibly_empty_range_is_refuted_at_the_empty_range(formula):
    [(verdict, reason)] = _audited(f"$${formula}$$\n")
    assert verdict == REFUTED, reason


@pytest.mark.parametrize("formula", [
    "\\sum_{j=1}^d x_j \\sum_{k=1}^d y_k = \\sum_{k=1}^d\\sum_{j=1}^d x_j y_k",
    "\\prod_{j=1}^d \\prod_{k=1}^d c = c^{d^2}",
    "\\prod_{j=1}^d \\prod_{k=1}^d a_j = \\prod_{j=1}^d a_j^d",
], ids=["double sum", "double product", "double product of a_j"])
def test_a_double_sum_or_product_is_proved(formula):
    [(verdict, reason)] = _audited(f"$${formula}$$\n")
    assert verdict == PROVED, reason


def test_a_wrongly_paired_double_sum_is_refuted():
    [(verdict, reason)] = _audited("$$\\sum_{j=1}^d x_j \\sum_{k=1}^d y_k = \\sum_{k=1}^d\\sum_{j=1}^d x_j y_j$$\n")
    assert verdict == REFUTED, reason


def test_a_reversed_sum_read_with_an_index_expression_is_not_refuted():
    [(verdict, reason)] = _audited("$$\\sum_{j=1}^{d} x_j = \\sum_{j=1}^{d} x_{d+1-j}$$\n")
    assert verdict in (PROVED, "holds"), reason


def test_a_shifted_index_is_read_as_a_component():
    [(verdict, reason)] = _audited("$$\\sum_{j=1}^{d} x_{j+1} = \\sum_{j=1}^{d} x_j$$\n")
    assert verdict == REFUTED and "x_j+1" not in reason, reason
