"""The numeric checker can fail where a claim fails (issue 10, kinds 19-22): a tolerance from the error
estimate of each evaluation, not a flat relative one; worlds at the boundary cases (q = the posterior,
p = q, edge values); free symbols over their whole domain and a minimum search before an inequality holds;
quadrature panels at the features of the integrand. True claims at extreme scales are not refuted, and a
"holds" says on how many worlds, with which tolerance, and what it can miss.

``numeric_verdict`` checks a claim with the numeric checker alone (the worlds, then the search that
``decide`` runs before an unproved step holds), so that sympy cannot hide a weakness of it;
``step_verdict`` is the whole engine under the audit, ``mathcheck.checker.check_step``.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from mathcheck.calc import Step, calc
from mathcheck.checker import NumericResult, check_chain, check_numeric, check_step, search, strategy_for
from mathcheck.numeric import (Needs, World, boundary_worlds, evaluate, sample_worlds, with_symbols,
                               world_strategy)
from mathcheck.report import HOLDS, PROVED, REFUTED
from mathcheck.vocab import (KL, Normal, X, concave_function, integral, mu, p, positive_function, q, ratio,
                             sigma, times, x, z)

r = sp.Rational
t = sp.Symbol("t", real=True)  # a real parameter (vocab's x is the densities' variable)
s = sp.Symbol("s", positive=True)
f = concave_function("f")
g = positive_function("g")
q_zX = q(z, given=X)
ELBO = integral(times(q_zX, sp.log(ratio(p(X, z), q_zX))), z)
KL_STD = KL(Normal(z, mu, sigma), Normal(z, 0, 1))
KL_CLOSED = (-sp.log(sigma**2) + sigma**2 - 1 + mu**2) / 2
CHECKED = (PROVED, HOLDS)


def numeric_verdict(lhs, relation, rhs) -> NumericResult:
    """The numeric checker alone: the boundary and drawn worlds, then (if they all held) the search."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    result = check_numeric(lhs, relation, rhs, world_strategy(Needs.of([lhs, rhs])))
    return search(lhs, relation, rhs, result) if result.status == "holds" else result


def step_verdict(lhs, relation, rhs, rules=None) -> tuple[str, dict]:
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    return check_step(lhs, Step(relation, rhs, "the claim under test", rules), world_strategy(Needs.of([lhs, rhs])))


# ---------------------------------------------------------------- kind 19: the tolerance


TINY_DISCREPANCIES = {
    "x-times": (t, "=", (1 + r(1, 10**12)) * t),
    "sigma-squared": (sigma**2, "=", (1 + r(1, 10**10)) * sigma**2),
    "cubic-term": (mu + r(1, 10**11) * mu**3, "=", mu),
    "exp-shift": (sp.exp(t), "=", sp.exp(t + r(1, 10**13))),
    "sin-shift": (sp.sin(t), "=", sp.sin(t + r(1, 10**12))),
    "log-shift": (sp.log(1 + t**2), "=", sp.log(1 + t**2 + r(1, 10**14))),
    "huge-ratio": (sp.exp(1000) / (sp.exp(1000) + 1), "=", 1),  # differs by e^-1000 ≈ 1e-434
    "tiny-log": (sp.log(1 + sp.exp(-800)), "=", 0),
    "normal-mean-scaled": (integral(Normal(z, mu, sigma) * z, z), "=", (1 + r(1, 10**12)) * mu),
    "posterior-mean-scaled": (integral(q_zX * z, z), "=", (1 + r(1, 10**12)) * integral(q_zX * z, z)),
    "evidence-shifted": (sp.log(p(X)), "=", sp.log(p(X)) + r(1, 10**11)),
    "derivative-shifted": (sp.Derivative(mu**3, mu), "=", 3 * mu**2 + r(1, 10**9)),
}


@pytest.mark.parametrize("name", sorted(TINY_DISCREPANCIES))
def test_a_tiny_relative_discrepancy_is_refuted_numerically(name):
    result = numeric_verdict(*TINY_DISCREPANCIES[name])
    assert result.status == "refuted", result.detail


@pytest.mark.parametrize("name", ["x-times", "normal-mean-scaled", "huge-ratio"])
def test_a_tiny_relative_discrepancy_is_refuted_by_the_engine(name):
    verdict, detail = step_verdict(*TINY_DISCREPANCIES[name])
    assert verdict == REFUTED, detail


def test_a_counterexample_shows_enough_digits_to_tell_the_sides_apart():
    verdict, detail = step_verdict(*TINY_DISCREPANCIES["x-times"])
    assert verdict == REFUTED and "1.000000000001" in detail["reason"]


# ---------------------------------------------------------------- kind 20: strict inequalities at equality


STRICT_AT_EQUALITY = {
    "evidence-above-elbo": (sp.log(p(X)), ">", ELBO),  # equal when q is the posterior
    "posterior-kl-positive": (KL(q_zX, p(z, given=X)), ">", 0),
    "prior-kl-positive": (KL(q_zX, p(z)), ">", 0),  # 0 when q is the prior
    "pair-kl-positive": (KL(p(x), q(x)), ">", 0),  # 0 when p = q
    "jensen-log-strict": (sp.log(integral(p(x) * g(x), x)), ">", integral(p(x) * sp.log(g(x)), x)),  # g constant
    "jensen-concave-strict": (f(integral(p(x) * x, x)), ">", integral(p(x) * f(x), x)),  # f affine
    "gauss-kl-integral-positive": (KL_STD, ">", 0),  # 0 at mu = 0, sigma = 1
    "gauss-kl-formula-positive": (KL_CLOSED, ">", 0),
    "kl-core-positive": (sigma**2 - 1 - sp.log(sigma**2), ">", 0),
    "am-gm-strict": (mu**2 + sigma**2, ">", 2 * mu * sigma),
    "irrational-tangent": (t**2 + 2, ">", 2 * sp.sqrt(2) * t),  # equal at t = √2, between floats
    "exp-tangent-strict": (sp.exp(t), ">", 1 + t),
}


@pytest.mark.parametrize("name", sorted(STRICT_AT_EQUALITY))
def test_a_strict_inequality_failing_at_its_equality_point_does_not_hold_numerically(name):
    result = numeric_verdict(*STRICT_AT_EQUALITY[name])
    assert result.status != "holds", result.detail


@pytest.mark.parametrize("name", sorted(STRICT_AT_EQUALITY))
def test_a_strict_inequality_failing_at_its_equality_point_is_neither_proved_nor_holds(name):
    verdict, detail = step_verdict(*STRICT_AT_EQUALITY[name])
    assert verdict not in CHECKED, detail


@pytest.mark.parametrize("name, case", [("evidence-above-elbo", "q = the exact posterior"),
                                        ("prior-kl-positive", "q = the prior"), ("pair-kl-positive", "p = q")])
def test_the_tie_is_found_in_the_boundary_world_where_the_bound_is_tight(name, case):
    result = numeric_verdict(*STRICT_AT_EQUALITY[name])
    assert "strict inequality cannot be confirmed" in result.detail["reason"] and case in result.detail["reason"]


@pytest.mark.parametrize("name", ["gauss-kl-formula-positive", "kl-core-positive", "am-gm-strict"])
def test_an_exact_equality_refutes_a_strict_inequality(name):
    result = numeric_verdict(*STRICT_AT_EQUALITY[name])
    assert result.status == "refuted" and "exactly equal" in result.detail["counterexample"]["note"]


def test_the_boundary_world_q_is_the_exact_posterior():
    worlds = boundary_worlds(Needs.of([ELBO]))
    tight = [w for w in worlds if w.probe == "q = the exact posterior p(z|X)"]
    grid = np.linspace(-3, 3, 13)
    assert {w.family for w in tight} == {"linear-gaussian", "mixture-bernoulli"}
    for world in tight:
        lookup = lambda symbol: grid  # noqa: E731
        q_log = world.densities[("q", ("z",), ("X",))](lookup)
        posterior_log = world.densities[("p", ("z",), ("X",))](lookup)
        assert np.allclose(q_log, posterior_log, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- kind 21: true only inside the drawn ranges


RANGE_LIMITED = {
    "gauss-kl-below-250": (KL_STD, "<=", 250),
    "mu-squared": (mu**2, "<=", 10**6),
    "sigma-small": (sigma, "<=", 1000),
    "sigma-not-tiny": (sigma, ">=", r(1, 10**6)),
    "log-variance-bounded": (sp.log(sigma**2), ">=", -100),
    "exp-mu": (sp.exp(mu), "<=", 10**30),
    "inverse-sigma": (1 / sigma, "<=", 10**8),
    "abs-bounded": (sp.Abs(t), "<", 10**10),
    "prior-kl-bounded": (KL(q_zX, p(z)), "<=", 100),
    "posterior-kl-bounded": (KL(q_zX, p(z, given=X)), "<=", 1000),
    "evidence-below": (sp.log(p(X)), ">=", -1000),
    "evidence-above": (sp.log(p(X)), "<=", 10),  # p(X) is a density: as large as a tiny noise makes it
    "second-moment": (integral(q_zX * z**2, z), "<=", 100),
    "pair-entropy": (-integral(p(x) * sp.log(p(x)), x), "<=", 5),
}


@pytest.mark.parametrize("name", sorted(RANGE_LIMITED))
def test_a_claim_true_only_on_moderate_values_is_refuted_numerically(name):
    result = numeric_verdict(*RANGE_LIMITED[name])
    assert result.status == "refuted", result.detail


def test_the_issue_example_kl_below_250_is_refuted_by_the_engine():
    verdict, detail = step_verdict(*RANGE_LIMITED["gauss-kl-below-250"])
    assert verdict == REFUTED, detail


def test_free_symbols_are_drawn_over_their_whole_domain():
    worlds = sample_worlds(Needs.of([mu * sigma]), seed=0, examples=60)
    sigmas = [w.symbols[sigma] for w in worlds]
    mus = [w.symbols[mu] for w in worlds]
    assert min(sigmas) < 1e-100 and max(sigmas) > 1e100 and all(v > 0 for v in sigmas)
    assert min(mus) < -1e100 and max(mus) > 1e100 and any(abs(v) < 10 for v in mus)


def test_the_boundary_worlds_put_every_symbol_at_its_edges():
    values = {(w.symbols[mu], w.symbols[sigma]) for w in boundary_worlds(Needs.of([mu * sigma]))}
    assert (0.0, 1.0) in values  # the equality point of the Gaussian KL
    assert {m for m, _ in values} >= {0.0, 1.0, -1.0, 1e-300, 1e300, -1e300, 5e-324}
    assert {v for _, v in values} >= {1.0, 1e-300, 1e300, 5e-324, 1.7976931348623157e308}


# claims false only in one world family, or only in a corner of one family's parameters: the search starts
# from the tightest world of every kind (family, boundary case), not only from the closest world
i_pixel = sp.Symbol("i", integer=True, positive=True)
D_pixels = sp.Symbol("D", integer=True, positive=True)
yhat = sp.Function("yhat")(i_pixel, z)
pixel = sp.Function("x")
BERNOULLI_LOG_LIKELIHOOD = sp.Sum(pixel(i_pixel) * sp.log(yhat) + (1 - pixel(i_pixel)) * sp.log(1 - yhat),
                                  (i_pixel, 1, D_pixels))
POSTERIOR = p(z, given=X)


def variance(density):
    return integral(density * z**2, z) - integral(density * z, z) ** 2


ONE_FAMILY_OR_CORNER = {
    "evidence-at-most-one": (sp.log(p(X)), "<=", 0),  # true for the Bernoulli pixels, false for a narrow normal
    "q-entropy-above": (-integral(q_zX * sp.log(q_zX), z), ">=", -10),  # q narrower than 1e-5
    "q-entropy-below": (-integral(q_zX * sp.log(q_zX), z), "<=", 10),  # q wider than 7e3
    "prior-entropy-below": (-integral(p(z) * sp.log(p(z)), z), "<=", 7),
    "posterior-entropy-below": (-integral(POSTERIOR * sp.log(POSTERIOR), z), "<=", 7),
    "prior-kl-below-1e12": (KL(q_zX, p(z)), "<=", 10**12),
    "reconstruction-above": (integral(q_zX * sp.log(p(X, given=z)), z), ">=", -10**10),
    "bernoulli-reconstruction-above": (integral(q_zX * BERNOULLI_LOG_LIKELIHOOD, z), ">=", -10**5),  # mixtures only
    "bernoulli-evidence-above": (sp.log(p(X)), ">=", -1000 * (1 + pixel(1) ** 2)),  # mixtures only
    "posterior-variance-shrinks": (variance(POSTERIOR), "<=", variance(p(z))),  # true for linear-Gaussian only
    "pair-entropy-above": (-integral(p(x) * sp.log(p(x)), x), ">=", -10),
    "pair-kl-below-1e9": (KL(p(x), q(x)), "<=", 10**9),
    "elbo-below": (ELBO, "<=", 5),
}


def boundary_then_search(lhs, relation, rhs) -> NumericResult:
    """The boundary worlds alone (moderate parameters, where these claims hold), then the search: whether
    the search by itself reaches the family and the corner where the claim fails."""
    from mathcheck.checker import Tally, _boundary_worlds_for, judge_world

    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    tally = Tally(relation)
    for world in _boundary_worlds_for([lhs, rhs]):
        tally.add(judge_world(lhs, relation, rhs, world), world)
    result = tally.finish()
    return search(lhs, relation, rhs, result) if result.status == "holds" else result


@pytest.mark.parametrize("name", sorted(ONE_FAMILY_OR_CORNER))
def test_a_claim_false_in_one_family_or_corner_is_refuted_numerically(name):
    result = numeric_verdict(*ONE_FAMILY_OR_CORNER[name])
    assert result.status == "refuted", result.detail


@pytest.mark.parametrize("name", sorted(ONE_FAMILY_OR_CORNER))
def test_a_claim_false_in_one_family_or_corner_is_refuted_by_the_search_from_moderate_worlds(name):
    result = boundary_then_search(*ONE_FAMILY_OR_CORNER[name])
    assert result.status == "refuted", result.detail


@pytest.mark.parametrize("name", sorted(ONE_FAMILY_OR_CORNER))
def test_a_claim_false_in_one_family_or_corner_is_neither_proved_nor_holds(name):
    verdict, detail = step_verdict(*ONE_FAMILY_OR_CORNER[name])
    assert verdict not in CHECKED, detail


# ---------------------------------------------------------------- kind 22: narrow failure regions


NARROW_FAILURES = {
    "shifted-parabola": ((t - r(1234, 1000))**2, ">=", r(1, 10**5)),  # fails on an interval of width 0.006
    "narrow-parabola": ((t - r(123, 1000))**2 + r(1, 10**6), ">=", r(2, 10**6)),
    "narrow-peak": (sp.exp(-100 * (t - r(3, 10))**2), "<=", r(99, 100)),
    "lorentz-peak": (1 / (1 + 10**4 * (t - r(1, 2))**2), "<=", r(999, 1000)),
    "small-interval": (t**2, ">=", r(1, 10**4) * t),
    "double-cos": (sp.cos(t) + sp.cos(sp.sqrt(2) * t), ">=", r(-1999, 1000)),  # near -2 only at rare t
    "s-log-s": (s * sp.log(s), ">=", r(-36, 100)),  # min -1/e at 1/e
    "s-power-s": (s**s, ">=", r(7, 10)),  # min e^(-1/e) = 0.692
    "log-tangent": (sp.log(s), "<=", s / r(272, 100)),  # log 2.72 > 1
    "integral-plus-bump": (integral(Normal(z, mu, 1) * z, z) + sp.exp(-10**4 * (mu - r(3, 10))**2), "<=",
                           mu + r(1, 2)),
}


@pytest.mark.parametrize("name", sorted(NARROW_FAILURES))
def test_a_failure_confined_to_a_narrow_region_is_found(name):
    result = numeric_verdict(*NARROW_FAILURES[name])
    assert result.status == "refuted", result.detail


def test_an_unproved_step_is_searched_before_it_holds():
    verdict, detail = step_verdict(*NARROW_FAILURES["double-cos"])
    assert verdict == REFUTED and detail["counterexample"]["world"]["boundary case"] == "found by the minimum search"


C = r(1, 3)
MEAN_ABSOLUTE = 2 * sp.exp(-C**2 / 2) / sp.sqrt(2 * sp.pi) + C * sp.erf(C / sp.sqrt(2))  # E|Z − c|, Z ~ N(0, 1)
NARROW_FEATURES = {
    "gaussian-bump": (integral(Normal(z, 0, 1) * (1 + 1000 * sp.exp(-(z - r(3, 10))**2 / r(1, 10**8))), z), "=", 1),
    "narrow-normal": (integral(Normal(z, 0, 1) + r(1, 1000) * Normal(z, r(37, 10), r(1, 10**4)), z), "=", 1),
    "lorentz-bump": (integral(Normal(z, 0, 1) * (1 + 1 / (1 + 10**8 * (z - r(3, 10))**2)), z), "=", 1),
    "narrow-width": (integral(sp.exp(-10**12 * z**2), z), "=", 0),
    "bump-under-q": (integral(q_zX * (1 + sp.exp(-10**6 * (z - r(3, 10))**2)), z), "=", 1),
    "kink-of-abs": (integral(Normal(z, 0, 1) * sp.Abs(z - r(1, 3)), z), "=", MEAN_ABSOLUTE + r(1, 10**9)),
}


@pytest.mark.parametrize("name", sorted(NARROW_FEATURES))
def test_an_integrand_feature_between_the_density_panels_is_integrated(name):
    result = numeric_verdict(*NARROW_FEATURES[name])
    assert result.status == "refuted", result.detail


def test_a_gaussian_bump_is_integrated_to_the_reference_value():
    value, error = evaluate(NARROW_FEATURES["gaussian-bump"][0], World("parameters", {}))
    reference = 1 + 1000 * np.sqrt(1e-8 / (1e-8 + 2)) * np.exp(-0.09 / (2 + 1e-8))  # a product of Gaussians
    assert value == pytest.approx(reference, rel=1e-12) and error < 1e-10


# ---------------------------------------------------------------- true claims at extreme scales


TRUE_AT_EXTREMES = {
    "gauss-kl-closed-form": (KL_STD, "=", KL_CLOSED),
    "normal-mass": (integral(Normal(z, mu, sigma), z), "=", 1),
    "normal-mean": (integral(Normal(z, mu, sigma) * z, z), "=", mu),
    "normal-variance": (integral(Normal(z, mu, sigma) * (z - mu)**2, z), "=", sigma**2),
    "log-of-square": (sp.log(sigma**2), "=", 2 * sp.log(sigma)),
    "square-expanded": ((t + 1)**2, "=", t**2 + 2 * t + 1),  # cancels 1e300-sized terms
    "reciprocal": (sigma * (1 / sigma), "=", 1),
    "am-gm": (sigma + 1 / sigma, ">=", 2),
    "exp-tangent": (sp.exp(t), ">=", 1 + t),
    "quarter": (t * (1 - t), "<=", r(1, 4)),
    "evidence-bound": (sp.log(p(X)), ">=", ELBO),
    "posterior-kl": (KL(q_zX, p(z, given=X)), ">=", 0),
    "elbo-decomposition": (ELBO, "=", sp.log(p(X)) - KL(q_zX, p(z, given=X))),
    "bayes": (sp.log(p(z, given=X)), "=", sp.log(p(X, z)) - sp.log(p(X))),
    "pair-gibbs": (KL(p(x), q(x)), ">=", 0),
    "mean-absolute-deviation": (integral(Normal(z, 0, 1) * sp.Abs(z - C), z), "=", MEAN_ABSOLUTE),  # a kink
}


@pytest.mark.parametrize("name", sorted(TRUE_AT_EXTREMES))
def test_a_true_claim_holds_numerically_at_extreme_scales(name):
    result = numeric_verdict(*TRUE_AT_EXTREMES[name])
    assert result.status == "holds", result.detail


@pytest.mark.parametrize("name", sorted(TRUE_AT_EXTREMES))
def test_a_true_claim_is_proved_or_holds(name):
    verdict, detail = step_verdict(*TRUE_AT_EXTREMES[name])
    assert verdict in CHECKED, detail


def test_a_true_identity_holds_in_interval_arithmetic_at_1e300():
    world = with_symbols(World("parameters", {}), {t: 1e300})
    result = check_numeric((t + 1)**2, "=", t**2 + 2 * t + 1, st_just(world))
    assert result.status == "holds" and result.methods == {"interval"}


def st_just(world: World):
    from hypothesis import strategies as st

    return st.just(world)


# ---------------------------------------------------------------- what "holds" says, and when it may not


def test_a_holds_verdict_reports_worlds_tolerance_search_and_what_it_can_miss():
    lhs, _, rhs = TRUE_AT_EXTREMES["normal-variance"]
    verdict, detail = step_verdict(lhs, "=", rhs, rules=())  # no rule: sympy cannot prove it
    assert verdict == HOLDS, detail
    assert detail["worlds"] > 0 and 0 < detail["tolerance"] < 1e-6 and "quadrature error" in detail["tolerance_rule"]
    assert "narrower than the quadrature" in detail["can_miss"] and "no search reached" in detail["can_miss"]
    assert detail["search"].startswith("minimum search over mu, sigma")
    assert detail["reason"].startswith(f"held on {detail['worlds']} worlds, relative tolerance ≤")


def test_a_step_that_no_world_can_judge_does_not_hold():
    result = numeric_verdict(integral(Normal(z, 0, 1) * sp.cos(10**6 * z), z), "=", 0)
    assert result.status == "unsupported" and "no world could judge it" in result.detail["reason"]


def test_worlds_that_floating_point_cannot_evaluate_are_skipped_and_counted_not_decisive():
    lhs, _, rhs = TRUE_AT_EXTREMES["normal-mean"]
    unresolvable = with_symbols(World("parameters", {}), {mu: 1.0, sigma: 1e-300})  # no panel resolves it
    result = check_numeric(lhs, "=", rhs, st_just(unresolvable))
    assert result.status == "holds" and result.worlds > 0
    assert any("narrower than floating point resolves" in reason for reason in result.skipped)


# ---------------------------------------------------------------- the chain path (verify-all)


@pytest.mark.parametrize("name, relation, rhs, why", [
    ("evidence-above-elbo", ">", ELBO, "Jensen, strictly"),
    ("gauss-kl-below-250", "<=", 250, "bounded"),
    ("x-times", "=", (1 + r(1, 10**12)) * t, "almost"),
])
def test_a_chain_step_is_not_passed_where_the_single_step_is_not(name, relation, rhs, why):
    start = {"evidence-above-elbo": sp.log(p(X)), "gauss-kl-below-250": KL_STD, "x-times": t}[name]
    chain = calc(start, (relation, rhs, why), name=name, title=name, source="test")
    report = check_chain(chain)
    assert report.steps[0].verdict not in CHECKED, report.steps[0].detail


def test_the_chain_path_refutes_from_its_shared_worlds():
    chain = calc(KL_STD, ("=", KL_CLOSED, "closed form"), ("<=", 250, "bounded"), name="c", title="", source="")
    assert strategy_for(chain)[0] is not None
    verdicts = [step.verdict for step in check_chain(chain).steps]
    assert verdicts[0] in CHECKED and verdicts[1] == REFUTED


def test_the_boundary_world_of_two_densities_has_p_equal_to_q():
    world = boundary_worlds(Needs.of([KL(p(x), q(x))]))[0]
    assert world.params["p(x)"] == world.params["q(x)"]
    assert evaluate(KL(p(x), q(x)), world)[0] == pytest.approx(0, abs=1e-14)


def test_a_tower_of_exponentials_is_bounded_in_time_and_never_holds():
    import time

    from mathcheck.checker import check_step, strategy_for
    from mathcheck.calc import Step, calc

    lhs = sp.exp(sp.exp(sp.exp(sp.Integer(10))))
    start = time.monotonic()
    chain = calc(lhs, ("=", 1, "hostile"), name="tower", title="", source="")
    strategy, _ = strategy_for(chain)
    verdict, _ = check_step(lhs, Step("=", sp.Integer(1), "hostile"), strategy)
    assert verdict != "holds" and verdict != "proved"
    assert time.monotonic() - start < 60
