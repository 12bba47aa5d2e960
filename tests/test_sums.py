"""Sums and products over an index (mathcheck.sums): each rule against numpy, false identities refuted, and
the derivations built on them proved; their typical corruptions refuted."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from mathcheck import registry
from mathcheck.calc import Step
from mathcheck.checker import check_chain, check_step
from mathcheck.numeric import Needs, world_strategy
from mathcheck.report import PROVED, REFUTED
from mathcheck.sums import WEIGHTS as w, SampleExpectation as E, normalize, positive, unit_interval
from mathcheck.symbolic import prove
from mathcheck.vocab import Normal

j = sp.Symbol("j", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)
mu = sp.IndexedBase("mu", real=True)
sigma = sp.IndexedBase("sigma", positive=True)
c = sp.Symbol("c", real=True)
SIZE = st.sampled_from((1, 2, 3, 5))
RTOL = 1e-10


def evaluate(expr: sp.Expr, size: int, mus, sigmas, constant: float) -> float:
    """The expression at d = size, with mu_j = mus[j - 1], sigma_j = sigmas[j - 1]: its sums written out by sympy."""
    explicit = sp.sympify(expr).xreplace({d: size}).doit()
    explicit = explicit.replace(lambda n: isinstance(n, Normal), lambda n: n.rewrite(sp.exp))
    values = {mu[n + 1]: mus[n] for n in range(size)} | {sigma[n + 1]: sigmas[n] for n in range(size)} | {c: constant}
    return float(sp.sympify(explicit.xreplace(values)).evalf(30))


components = st.lists(st.floats(-3, 3, allow_nan=False), min_size=5, max_size=5)
scales = st.lists(st.floats(0.1, 4, allow_nan=False), min_size=5, max_size=5)
IDENTITIES = {
    "split-sum": (sp.Sum(mu[j] + sigma[j], (j, 1, d)), sp.Sum(mu[j], (j, 1, d)) + sp.Sum(sigma[j], (j, 1, d)),
                  lambda m, s, a: np.sum(m) + np.sum(s)),
    "pull-out-factor": (sp.Sum(c * mu[j], (j, 1, d)), c * sp.Sum(mu[j], (j, 1, d)), lambda m, s, a: a * np.sum(m)),
    "sum-of-constant": (sp.Sum(c, (j, 1, d)), d * c, lambda m, s, a: len(m) * a),
    "log-of-product": (sp.log(sp.Product(sigma[j], (j, 1, d))), sp.Sum(sp.log(sigma[j]), (j, 1, d)),
                       lambda m, s, a: np.sum(np.log(s))),
    "exp-of-sum": (sp.exp(sp.Sum(mu[j], (j, 1, d))), sp.Product(sp.exp(mu[j]), (j, 1, d)),
                   lambda m, s, a: np.prod(np.exp(m))),
    "factorized-density": (sp.log(sp.Product(Normal(mu[j], c, sigma[j]), (j, 1, d))),
                           sp.Sum(-(mu[j] - c) ** 2 / (2 * sigma[j] ** 2) - sp.log(sigma[j])
                                  - sp.log(2 * sp.pi) / 2, (j, 1, d)),
                           lambda m, s, a: np.sum(-(m - a) ** 2 / (2 * s**2) - np.log(s) - np.log(2 * np.pi) / 2)),
    "index-renamed": (sp.Sum(mu[j] ** 2, (j, 1, d)), sp.Sum(mu[i] ** 2, (i, 1, d)), lambda m, s, a: np.sum(m**2)),
    "peel-last-term": (sp.Sum(mu[j], (j, 1, d + 1)), sp.Sum(mu[j], (j, 1, d)) + mu[d + 1], None),
}
FALSE = {
    "log-of-sum-is-sum-of-logs": (sp.log(sp.Sum(sigma[j], (j, 1, d))), sp.Sum(sp.log(sigma[j]), (j, 1, d))),
    "sum-averaged": (sp.Sum(mu[j] ** 2, (j, 1, d)), sp.Sum(mu[j] ** 2, (j, 1, d)) / d),
    "constant-not-counted": (sp.Sum(c, (j, 1, d)), c),
    "product-of-sums": (sp.Product(sigma[j] + 1, (j, 1, d)), sp.Sum(sigma[j], (j, 1, d)) + 1),
    "log-product-half": (sp.log(sp.Product(sigma[j] ** 2, (j, 1, d))), sp.Sum(sp.log(sigma[j]), (j, 1, d))),
}


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_sum_rule_is_proved(name):
    lhs, rhs, _ = IDENTITIES[name]
    assert prove(lhs, "=", rhs).proved


@pytest.mark.parametrize("name", sorted(n for n, v in IDENTITIES.items() if v[2] is not None))
@settings(max_examples=25, deadline=None)
@given(size=SIZE, mus=components, sigmas=scales, constant=st.floats(-3, 3))
def test_sum_rule_agrees_with_numpy(name, size, mus, sigmas, constant):
    lhs, rhs, reference = IDENTITIES[name]
    expected = reference(np.array(mus[:size]), np.array(sigmas[:size]), constant)
    for side in (lhs, rhs):
        got = evaluate(side, size, mus, sigmas, constant)
        assert got == pytest.approx(expected, rel=RTOL, abs=RTOL * (1 + abs(expected))) or (
            np.isinf(expected) and np.isinf(got))


@pytest.mark.parametrize("name", sorted(FALSE))
def test_false_identity_is_refuted_with_a_counterexample(name):
    lhs, rhs = FALSE[name]
    verdict, detail = check_step(lhs, Step("=", rhs, "a careless step"), world_strategy(Needs.of([lhs, rhs])),
                                 examples=15)
    assert verdict == REFUTED and "counterexample" in detail, detail


@pytest.mark.parametrize("name", sorted(FALSE))
def test_false_identity_is_not_proved(name):
    lhs, rhs = FALSE[name]
    assert not prove(lhs, "=", rhs).proved


def test_an_empty_range_is_not_taken_for_a_positive_sum():
    n = sp.Symbol("n", integer=True, positive=True)
    assert not positive(sp.Sum(sigma[j], (j, 1, n - 1)))
    assert positive(sp.Sum(sigma[j], (j, 1, n)))


def test_leave_one_out_sum_is_positive_only_with_two_terms_at_least():
    n = sp.Symbol("n", integer=True, positive=True)
    assert positive(sp.Sum(w[k], (k, 1, n + 1)) - w[i], {i: (1, n + 1)})
    assert not positive(sp.Sum(w[k], (k, 1, n)) - w[i], {i: (1, n)})  # n = 1 leaves an empty sum


def test_one_minus_a_probability_is_positive_but_not_one_minus_a_positive_number():
    y = unit_interval("y")
    assert positive(1 - y[j])
    assert not positive(1 - sigma[j])


def test_sample_index_beyond_the_samples_is_no_evidence():
    assert normalize(E(w[K + 1], K)) != normalize(E(w[1], K))
    assert not prove(E(w[K + 1], K), "=", sp.log(sp.E)).proved


SUM_DERIVATIONS = ["bernoulli_decoder_bce", "beta_vae_beta_one_is_elbo", "beta_vae_lower_bound", "dataset_elbo_sum",
                   "gaussian_decoder_negative_log_likelihood", "iwae_bound", "iwae_one_sample_is_elbo"]


@pytest.mark.parametrize("name", SUM_DERIVATIONS)
def test_derivation_is_proved_every_step(name):
    report = check_chain(registry.derivation_modules()[name].CHAIN, examples=8)
    assert [s.verdict for s in report.steps] == [PROVED] * len(report.steps), [s.detail for s in report.steps]


def _module(name):
    return registry.derivation_modules()[name]


def _iwae_mutants():
    m = _module("iwae_bound")
    total = m.total
    return {
        "dropped-1/K": (m.CHAIN.start, "=", E(sp.log(total(K)), K)),
        "log-sum-to-sum-log": (m.CHAIN.start, "=", E(sp.Sum(sp.log(w[k]), (k, 1, K)) / K, K)),
        "jensen-reversed": (E(sp.Sum(sp.log(w[k]), (k, 1, K)) / K, K), ">=", m.CHAIN.start),
        "no-1/K-below-evidence": (E(sp.log(total(K + 1)), K + 1), "<=", m.CHAIN.expressions[-1]),
        "tighter-than-evidence": (m.CHAIN.start, ">=", m.CHAIN.expressions[-1]),
    }


def _decoder_mutants():
    g = _module("gaussian_decoder_negative_log_likelihood")
    before, D, x, f, s = g.CHAIN.expressions[2], g.D, g.x, g.f, g.sigma
    b = _module("bernoulli_decoder_bce")
    return {
        "D/2-dropped": (before, "=", sp.Sum((x[i] - f[i]) ** 2, (i, 1, D)) / (2 * s**2) + sp.log(2 * sp.pi * s**2) / 2),
        "sum-averaged": (before, "=", sp.Sum((x[i] - f[i]) ** 2, (i, 1, D)) / (2 * s**2 * D)
                         + D / 2 * sp.log(2 * sp.pi * s**2)),
        "bce-sign": (b.CHAIN.start, "=", -b.CHAIN.steps[-1].expr),
        "bce-log-of-sum": (b.CHAIN.start, "=", -sp.log(sp.Sum(b.y[i] ** b.x[i] * (1 - b.y[i]) ** (1 - b.x[i]),
                                                             (i, 1, b.D)))),
    }


def _other_mutants():
    beta = _module("beta_vae_lower_bound")
    data = _module("dataset_elbo_sum")
    return {
        "beta-at-most-1": (beta.CHAIN.expressions[1].xreplace({beta.delta: -beta.delta}), "<=",
                           beta.CHAIN.expressions[2]),
        "dataset-averaged": (data.CHAIN.start, "=", data.CHAIN.expressions[1] / data.N),
        "dataset-bound-reversed": (data.CHAIN.expressions[1], "<=", data.CHAIN.expressions[2]),
    }


MUTANTS = {**_iwae_mutants(), **_decoder_mutants(), **_other_mutants()}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_derivation_mutant_is_refuted(name):
    lhs, relation, rhs = MUTANTS[name]
    verdict, detail = check_step(lhs, Step(relation, rhs, "a corrupted step"), world_strategy(Needs.of([lhs, rhs])),
                                 examples=15)
    assert verdict == REFUTED, detail


# ---- ∫ over a vector of a factorized density (Fubini): E_{Π_j N(z_j; μ_j, σ_j²)}

from mathcheck.sums import FactorizedExpectation  # noqa: E402

zv = sp.IndexedBase("z", real=True)
Q = sp.Product(Normal(zv[j], mu[j], sigma[j]), (j, 1, d))
STANDARD = sp.Product(Normal(zv[j], 0, 1), (j, 1, d))
DIAGONAL_KL = FactorizedExpectation(sp.log(Q) - sp.log(STANDARD), zv, mu[j], sigma[j], (j, 1, d))
half = sp.Rational(1, 2)
FACTORIZED = {
    "diagonal-kl-closed-form": (DIAGONAL_KL, sp.Sum(half * (mu[j] ** 2 + sigma[j] ** 2 - 1 - sp.log(sigma[j] ** 2)),
                                                    (j, 1, d))),
    "second-moment-of-a-component": (FactorizedExpectation(sp.Sum(zv[i] ** 2, (i, 1, d)), zv, mu[j], sigma[j], (j, 1, d)),
                                     sp.Sum(mu[i] ** 2 + sigma[i] ** 2, (i, 1, d))),
    "other-factors-integrate-to-one": (FactorizedExpectation(c, zv, mu[j], sigma[j], (j, 1, d)), c),
}
FACTORIZED_FALSE = {
    "kl-averaged-over-j": (DIAGONAL_KL, FACTORIZED["diagonal-kl-closed-form"][1] / d),
    "kl-minus-one-dropped": (DIAGONAL_KL, sp.Sum(half * (mu[j] ** 2 + sigma[j] ** 2 - sp.log(sigma[j] ** 2)), (j, 1, d))),
    "kl-sigma-for-variance": (DIAGONAL_KL, sp.Sum(half * (mu[j] ** 2 + sigma[j] - 1 - sp.log(sigma[j])), (j, 1, d))),
    "second-moment-without-variance": (FACTORIZED["second-moment-of-a-component"][0], sp.Sum(mu[i] ** 2, (i, 1, d))),
}


@pytest.mark.parametrize("name", sorted(FACTORIZED))
def test_factorized_expectation_is_proved_and_holds_numerically(name):
    lhs, rhs = FACTORIZED[name]
    verdict, detail = check_step(lhs, Step("=", rhs, "Fubini"), world_strategy(Needs.of([lhs, rhs])), examples=8)
    assert verdict == PROVED and detail.get("worlds", 0) > 0, detail


@pytest.mark.parametrize("name", sorted(FACTORIZED_FALSE))
def test_wrong_factorized_expectation_is_refuted(name):
    lhs, rhs = FACTORIZED_FALSE[name]
    verdict, detail = check_step(lhs, Step("=", rhs, "Fubini, wrongly"), world_strategy(Needs.of([lhs, rhs])),
                                 examples=10)
    assert verdict == REFUTED, detail


def test_a_component_outside_the_product_is_not_integrated():
    outside = FactorizedExpectation(zv[d + 1] ** 2, zv, mu[j], sigma[j], (j, 1, d))
    assert not prove(outside, "=", mu[d + 1] ** 2 + sigma[d + 1] ** 2).proved


def test_jensen_for_samples_is_not_applied_to_a_negated_log():
    mean = E(sp.Sum(w[k], (k, 1, K)) / K, K)
    assert prove(sp.log(mean), ">=", E(sp.log(sp.Sum(w[k], (k, 1, K)) / K), K)).proved
    assert not prove(-sp.log(mean), ">=", -E(sp.log(sp.Sum(w[k], (k, 1, K)) / K), K)).proved


def test_a_shifted_sample_index_keeps_its_range():
    from mathcheck.vocab import X, p

    m = sp.Symbol("m", integer=True)
    shifted = sp.log(E(sp.Sum(w[m + 1], (m, 0, K - 1)) / K, K))
    assert prove(shifted, "=", sp.log(p(X))).proved
    assert not prove(sp.log(E(w[2 * k], K)), "=", sp.log(p(X))).proved  # 2k may exceed K
