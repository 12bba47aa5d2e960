"""The numeric checker's robustness: the minimum search starts from every kind of world (each family, each
boundary case), so a claim false only in one family or one corner of it does not hold; a seed draws the
same worlds whatever literals the local modules hold; rounding noise never refutes (the evidence of a
mixture world, a weighted log-sum with a tiny weight, an integral amplified by 1/σ², an overflow; a
floating-point refutation is examined at 40 digits before it is reported); mathcheck's hypothesis runs
leave no ``.hypothesis`` folder in the working directory.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import strategies as st

import mathcheck.checker as checker
import mathcheck.numeric as numeric
from mathcheck.checker import (DISPUTED, Tally, check_numeric, decide, judge_world, reexamined,
                               search, search_kind)
from mathcheck.numeric import (CANONICAL_LINEAR_GAUSSIAN, CANONICAL_MIXTURE, Law, MixtureDensity, Needs,
                               ScipyDensity, World, evaluate, family_parameters, hypothesis_run,
                               linear_gaussian_world, log_weighted_sum, mixture_bernoulli_world, normal_density,
                               pair_world, precise_sides, sample_worlds, with_family, with_symbols)
from mathcheck.report import PROVED, UNDECIDED
from mathcheck.vocab import KL, Normal, X, integral, mu, p, q, ratio, sigma, times, x, z

q_zX = q(z, given=X)
ELBO = integral(times(q_zX, sp.log(ratio(p(X, z), q_zX))), z)
EVIDENCE = ("p", ("X",), ())
# log p(X) = log(1/2) exactly: one pixel with logit 0; the prior's first component sits at -3.7e-246, so its
# panels leave one of width 3.7e-246 at the peak (scipy's logsumexp(b=) lost 8.7e-14 there: seed 3)
SEED_3_WORLD = dict(weight=0.688, means=(-3.747e-246, 0.0), scales=(1.0, 1.438), bits=(0,), slopes=(0.0,),
                    offsets=(0.0,))
# log p(X) ≈ -4e-14: one pixel almost surely 1 whatever z is; a true log p(X) ≤ 0 is tight to rounding there
NEARLY_CERTAIN = dict(weight=0.4, means=(-1.2, 1.5), scales=(0.7, 0.9), bits=(1,), slopes=(0.0,), offsets=(30.0,))


def judged_then_searched(lhs, relation, rhs, worlds, kinds=None):
    """The numeric verdict from ``worlds`` alone, then the search (its kinds of world limited to ``kinds``)."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    tally = Tally(relation)
    for world in worlds:
        tally.add(judge_world(lhs, relation, rhs, world), world)
    result = tally.finish()
    if result.status != "holds":
        return result
    if kinds is None:
        return search(lhs, relation, rhs, result)
    saved = checker._kinds_to_search
    checker._kinds_to_search = lambda found: saved(found)[:kinds]
    try:
        return search(lhs, relation, rhs, result)
    finally:
        checker._kinds_to_search = saved


# ---------------------------------------------------------------- the search: every kind of world


def test_the_search_starts_from_every_kind_of_world_that_judged_the_step():
    worlds = [mixture_bernoulli_world(**NEARLY_CERTAIN, q="posterior"),
              linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q="posterior", probe="q = the exact posterior p(z|X)"),
              linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q=normal_density(0.2, 0.7))]
    tally = Tally("<=")
    for world in worlds:
        tally.add(judge_world(sp.log(p(X)), "<=", sp.Integer(0), world), world)
    kinds = [search_kind(starts[0]) for starts in checker._kinds_to_search(tally.finish())]
    assert kinds[0] == ("mixture-bernoulli", "")  # the tightest world's kind first
    assert sorted(kinds) == [("linear-gaussian", ""), ("linear-gaussian", "q = the exact posterior p(z|X)"),
                             ("mixture-bernoulli", "")]


def test_a_claim_false_only_in_another_family_than_the_closest_world_is_refuted():
    # log p(X) ≤ 0 holds in every mixture world (p(X) is a probability) and fails in a linear-Gaussian one
    # with a narrow evidence; the mixture world comes closest
    worlds = [mixture_bernoulli_world(**NEARLY_CERTAIN, q="posterior"),
              linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q="posterior")]
    result = judged_then_searched(sp.log(p(X)), "<=", 0, worlds)
    assert result.status == "refuted", result.detail
    assert result.detail["counterexample"]["world"]["family"] == "linear-gaussian"


def test_searching_from_the_closest_kind_alone_misses_it():
    worlds = [mixture_bernoulli_world(**NEARLY_CERTAIN, q="posterior"),
              linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q="posterior")]
    assert judged_then_searched(sp.log(p(X)), "<=", 0, worlds, kinds=1).status == "holds"


def test_a_family_met_only_with_a_tie_is_searched_untied():
    # the boundary worlds of KL(p ‖ q) all have p = q (KL = 0): the bound fails only with p and q apart
    lhs, rhs = KL(p(x), q(x)), sp.Integer(10**9)
    worlds = checker._boundary_worlds_for([lhs, rhs])
    assert {search_kind(w)[1] for w in worlds} == {"p = q"}
    result = judged_then_searched(lhs, "<=", rhs, worlds)
    assert result.status == "refuted" and "q(x)" in result.detail["counterexample"]["world"], result.detail


@pytest.mark.parametrize("family", ["linear-gaussian", "mixture-bernoulli"])
def test_a_world_with_q_the_posterior_keeps_it_while_the_search_varies_the_family(family):
    base = (linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q="posterior") if family == "linear-gaussian"
            else mixture_bernoulli_world(**CANONICAL_MIXTURE, q="posterior"))
    names = sorted(family_parameters(base))
    assert not any(name.startswith("q_") for name in names)
    moved = with_family(base, {names[0]: family_parameters(base)[names[0]] + 0.37})
    kl, _ = evaluate(KL(q_zX, p(z, given=X)), moved)
    assert kl == pytest.approx(0, abs=1e-12)


def test_a_mixture_world_is_rebuilt_from_its_parameters():
    world = mixture_bernoulli_world(**CANONICAL_MIXTURE, q=normal_density(0.3, 1.1))
    rebuilt = with_family(world, {})
    assert set(family_parameters(world)) >= {"weight", "mean1", "std2", "slope3", "offset1", "q_mean", "q_std"}
    assert evaluate(ELBO, rebuilt)[0] == evaluate(ELBO, world)[0]


def test_the_search_keeps_the_mixture_parameters_where_its_quadrature_resolves_them():
    base = mixture_bernoulli_world(**CANONICAL_MIXTURE, q=normal_density(0.3, 1.1))
    objective = checker._Objective(sp.log(p(X)), ">=", sp.Integer(-10**6), base, seconds=1.0)
    objective.run([objective.coordinates_of(base)])
    for _, point in objective.best:
        values = dict(zip(objective.names, (axis.value(u) for axis, u in zip(objective.axes, point))))
        mixture = {k: v for k, v in values.items() if not k.startswith("q_")}
        assert all(abs(v) <= 1e4 * (1 + 1e-12) for v in mixture.values())
        assert 1e-6 * (1 - 1e-5) <= values["weight"] <= 1 - 1e-6 * (1 - 1e-5)  # the axis ends, to rounding
        assert min(values["std1"], values["std2"]) >= 1e-4 * (1 - 1e-12)


# ---------------------------------------------------------------- draws: the seed and the engine alone


def _drawn(needs: Needs, seed: int) -> list:
    return [world.describe() for world in sample_worlds.__wrapped__(needs, seed, 40)]


def test_importing_a_module_full_of_float_literals_does_not_change_the_worlds_a_seed_draws(tmp_path, monkeypatch):
    needs = Needs.of([sp.log(p(X)), mu * sigma])
    before = [_drawn(needs, seed) for seed in (0, 1)]
    rng = np.random.default_rng(7)
    literals = ", ".join(repr(float(v)) for v in np.concatenate([rng.uniform(-3, 3, 300), rng.uniform(0, 1, 300)]))
    (tmp_path / "robustness_literals_module.py").write_text(f"VALUES = [{literals}]\nCOUNTS = [3, 17, 250, 4096]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("robustness_literals_module")
    assert [_drawn(needs, seed) for seed in (0, 1)] == before


def test_the_counterexample_a_seed_finds_does_not_depend_on_local_literals(tmp_path, monkeypatch):
    claim = (integral(Normal(z, mu, sigma) * z**2, z), "<=", 10 * sigma**2 + 1)  # fails for |mu| > 3 sigma
    strategy = numeric.world_strategy(Needs.of([claim[0], claim[2]]))
    first = check_numeric(*claim, strategy, seed=5).detail["counterexample"]["values"]
    (tmp_path / "robustness_more_literals.py").write_text("A = [0.123456789, 2.5, -1.75, 1e-3, 7.25, 0.999]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("robustness_more_literals")
    assert check_numeric(*claim, strategy, seed=5).detail["counterexample"]["values"] == first


def test_hypothesis_local_constants_are_back_after_a_run_and_off_during_nested_ones():
    from hypothesis.internal.conjecture import providers

    original = providers._get_local_constants
    with hypothesis_run():
        with hypothesis_run():
            assert providers._get_local_constants is not original
            assert len(providers._get_local_constants()) == 0
        assert providers._get_local_constants is not original  # the outer run is still on
    assert providers._get_local_constants is original


# ---------------------------------------------------------------- rounding never refutes


def test_a_weighted_log_sum_is_accurate_where_the_peak_has_a_tiny_weight():
    logs = np.array([-0.9189385332046727, -0.9189385332046727, -1.4189385332046727, -3.0])
    weights = np.array([1.873e-246, 0.5, 0.75, 0.25])
    with mpmath.workdps(50):
        exact = mpmath.log(mpmath.fsum(mpmath.mpf(w) * mpmath.exp(mpmath.mpf(v)) for v, w in zip(logs, weights)))
    assert abs(float(log_weighted_sum(logs, weights)) - float(exact)) <= 2 * numeric.EPS


def test_the_mixture_evidence_is_exact_next_to_a_panel_of_width_1e_246():
    world = mixture_bernoulli_world(**SEED_3_WORLD, q=normal_density(0, 0.05))
    assert world.densities[EVIDENCE](None) == pytest.approx(np.log(0.5), abs=4 * numeric.EPS)


def test_the_marginalization_step_is_proved_in_the_seed_3_world():
    from mathcheck.derivations.elbo_le_log_evidence import CHAIN

    lhs, step = next(iter(CHAIN.pairs()))
    world = mixture_bernoulli_world(**SEED_3_WORLD, q=normal_density(0, 0.05))
    verdict, detail = decide(lhs, step, check_numeric(lhs, step.relation, step.expr, st.just(world)), CHAIN.model)
    assert verdict == PROVED, detail


def _biased(world: World, shift: float) -> World:
    """``world`` with its log p(X) off by ``shift``: a floating-point evaluation that errs."""
    true = world.densities[EVIDENCE](None)
    world.densities = {**world.densities, EVIDENCE: lambda env: true + shift}
    return world


def test_a_float_refutation_of_a_proved_step_is_examined_at_40_digits_and_the_proof_stands():
    from mathcheck.derivations.elbo_le_log_evidence import CHAIN

    lhs, step = next(iter(CHAIN.pairs()))  # log p(X) = log ∫ p(X, z) dz
    world = _biased(mixture_bernoulli_world(**CANONICAL_MIXTURE, q=normal_density(0.3, 1.1)), 3e-12)
    found = check_numeric(lhs, step.relation, step.expr, st.just(world))
    assert found.status == "refuted"
    verdict, detail = decide(lhs, step, found, CHAIN.model)
    assert verdict == PROVED and "at 40 digits" in detail["numeric"] and "rounding" in detail["numeric"]


def test_a_real_counterexample_stands_after_the_examination_at_40_digits():
    lhs, rhs = integral(Normal(z, mu, sigma) * z, z), (1 + sp.Rational(1, 10**12)) * mu
    world = with_symbols(World("parameters", {}), {mu: 3.0, sigma: 0.5})
    found = check_numeric(lhs, "=", rhs, st.just(world))
    examined = reexamined(lhs, "=", rhs, found)
    assert examined.status == "refuted" and "at 40 digits" in examined.detail["counterexample"]["precise"]


def test_a_refutation_that_cannot_be_examined_precisely_is_undecided_not_refuted():
    from mathcheck.derivations.elbo_le_log_evidence import CHAIN

    lhs, step = next(iter(CHAIN.pairs()))
    world = _biased(mixture_bernoulli_world(**CANONICAL_MIXTURE, q=normal_density(0.3, 1.1)), 3e-12)
    world.spec = ()  # no parameters to rebuild it from in mpmath
    found = check_numeric(lhs, step.relation, step.expr, st.just(world))
    assert reexamined(lhs, step.relation, step.expr, found).status == DISPUTED
    verdict, detail = decide(lhs, step, found, CHAIN.model)
    assert verdict == UNDECIDED and "could not be examined at 40 digits" in detail["reason"]


def test_a_true_bound_tight_to_rounding_in_a_mixture_world_is_not_refuted():
    world = mixture_bernoulli_world(**NEARLY_CERTAIN, q="posterior")
    assert world.densities[EVIDENCE](None) == pytest.approx(0, abs=1e-12)
    result = judged_then_searched(sp.log(p(X)), "<=", 0, [world], kinds=1)
    assert result.status == "holds", result.detail


def test_an_integral_amplified_by_one_over_sigma_squared_is_not_refuted_by_rounding():
    from mathcheck.derivations.gaussian_kl_std import CHAIN  # seed 6 refuted its fourth step here

    lhs, step = list(CHAIN.pairs())[3]
    world = with_symbols(World("parameters", {}), {mu: 0.001, sigma: 1e-8})
    assert judge_world(lhs, step.relation, step.expr, world).status == "holds"


def test_an_overflow_skips_the_world_instead_of_leaving_the_step_undecided():
    from mathcheck.derivations.reparameterization_gradient import CHAIN  # seed 5 left its first step undecided

    lhs, step = next(iter(CHAIN.pairs()))  # ∂/∂μ E[f(z)]: f(z) = e^{0.238 z} overflows at z ≈ 3e5, inf − inf
    world = with_symbols(World("parameters", {}, functions={"f": lambda t: np.exp(0.715 * t / 3)}),
                         {mu: 311546.0, sigma: 1.0})
    outcome = judge_world(lhs, step.relation, step.expr, world)
    assert outcome.status == "skipped" and "overflows floating point" in outcome.reason


EXTREME_MIXTURE = dict(weight=0.0005643397144649651, means=(903.1473747934622, 7.601010078394426),
                       scales=(8.660520508907654e-07, 380.4783937657068), bits=(1, 0, 1),
                       slopes=(-4.606330844060662, -9.043896062235666, -906.03946882822),
                       offsets=(-2640.655915496688, 7.891634119786906, 648.6007603551307))


def test_the_rounding_estimate_carries_the_cancellation_inside_the_mixture_posterior():
    # log p(z|X) = log p(X|z) + log p(z) − log p(X) cancels terms of size 2650 here: ELBO = log p(X) − KL
    # was refuted by 6e-5 against a tolerance of 1.8e-5
    world = mixture_bernoulli_world(**EXTREME_MIXTURE, q="posterior")
    world.probe = "a hard world"
    outcome = judge_world(ELBO, "=", sp.log(p(X)) - KL(q_zX, p(z, given=X)), world)
    assert outcome.status == "holds", outcome
    assert numeric.rounding_estimate(ELBO, world, evaluate(ELBO, world)[0]) > 1e-10


PRECISE_WORLDS = {
    "linear-gaussian, normal q": lambda: linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q=normal_density(0.2, 0.7)),
    "linear-gaussian, logistic q": lambda: linear_gaussian_world(
        **CANONICAL_LINEAR_GAUSSIAN, q=ScipyDensity(Law("logistic", (0.4, 0.5)), "logistic")),
    "linear-gaussian, skew q": lambda: linear_gaussian_world(
        **CANONICAL_LINEAR_GAUSSIAN, q=ScipyDensity(Law("skewnorm", (3.0, -0.2, 0.9)), "skew")),
    "linear-gaussian, q = prior": lambda: linear_gaussian_world(**CANONICAL_LINEAR_GAUSSIAN, q="prior"),
    "mixture, mixture q": lambda: mixture_bernoulli_world(**CANONICAL_MIXTURE, q=MixtureDensity(
        (0.3, 0.7), (Law("norm", (-1.0, 0.5)), Law("norm", (1.5, 0.8))), "mixture")),
    "mixture, q = posterior": lambda: mixture_bernoulli_world(**CANONICAL_MIXTURE, q="posterior"),
}


@pytest.mark.parametrize("name", sorted(PRECISE_WORLDS))
def test_the_40_digit_evaluation_agrees_with_the_float_one_in_every_family(name):
    world = PRECISE_WORLDS[name]()
    left, right, error = precise_sides(ELBO, KL(q_zX, p(z)), world)
    assert float(left) == pytest.approx(evaluate(ELBO, world)[0], rel=1e-12, abs=1e-12)
    assert float(right) == pytest.approx(evaluate(KL(q_zX, p(z)), world)[0], rel=1e-12, abs=1e-12)
    assert error < 1e-25


def test_the_40_digit_evaluation_of_two_densities_of_x():
    world = pair_world({"p": normal_density(0.3, 1.2), "q": normal_density(-1.0, 0.4)})
    kl, _, _ = precise_sides(KL(p(x), q(x)), sp.Integer(0), world)
    exact = np.log(0.4 / 1.2) + (1.2**2 + 1.3**2) / (2 * 0.4**2) - 0.5
    assert float(kl) == pytest.approx(exact, rel=1e-14)


# ---------------------------------------------------------------- no .hypothesis in the working directory


def test_check_chain_from_a_fresh_directory_leaves_no_hypothesis_folder(tmp_path):
    work, cache = tmp_path / "notebooks", tmp_path / "cache"
    work.mkdir()
    script = textwrap.dedent("""
        from mathcheck.checker import check_chain, check_step, strategy_for
        from mathcheck.derivations.jensen_log import CHAIN
        report = check_chain(CHAIN, seed=1, examples=5)
        lhs, step = next(iter(CHAIN.pairs()))
        check_step(lhs, step, strategy_for(CHAIN)[0], seed=2, examples=5)
        print(report.steps[0].verdict)
    """)
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env["XDG_CACHE_HOME"] = str(cache)
    done = subprocess.run([sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (work / ".hypothesis").exists() and sorted(os.listdir(work)) == []


def test_a_run_puts_hypothesis_home_back_where_it_was():
    from hypothesis import configuration

    before = getattr(configuration, "__hypothesis_home_directory")
    sample_worlds.__wrapped__(Needs.of([mu]), 3, 3)
    assert getattr(configuration, "__hypothesis_home_directory") == before


def test_a_side_given_as_a_python_number_is_refuted_with_its_readable_counterexample():
    from mathcheck.calc import Step
    from mathcheck.checker import check_step

    step = Step("<=", 1000, "a bound given as an int")
    verdict, detail = check_step(sigma, step, numeric.world_strategy(Needs.of([sigma])))
    assert verdict == "refuted" and "counterexample" in detail, detail
