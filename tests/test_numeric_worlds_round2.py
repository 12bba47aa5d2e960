"""Model worlds for mixed conditionals (issue 11): a mean-field q(z), a q_λ(z) or an r(z|x) beside the model's
p(x, z), p(z), p(z|x), each a normalized density of its own; pair worlds with p(x) and p_θ(x) kept apart;
indexed symbols (m_1) are variables, not undefined names. References: scipy quad, scipy.stats."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from numpy.testing import assert_allclose
from scipy import integrate

from mathcheck.checker import Step, check_step
from mathcheck.notation import Scope
from scipy import stats

from mathcheck.numeric import (ModelNames, Needs, Unsupported, declared_densities, is_variational_key,
                               linear_gaussian_world, linear_gaussian_worlds, mixture_bernoulli_worlds, model_names,
                               shared_needs, world_strategy)
from mathcheck.symbolic import with_scope
from mathcheck.vocab import KL, Density, Normal, integral, labels_resolved

x, z, c = (sp.Symbol(name, real=True) for name in ("x", "z", "c"))
MEAN_FIELD = Density("q", (z,))
LAMBDA = Density("q", (z,), (), "lambda")
R = Density("r", (z,), (x,))
NAMES = ModelNames(x, z, variational=frozenset({("q", ("z",), ()), ("q_lambda", ("z",), ()), ("r", ("z",), ("x",))}))
VARIATIONAL = [MEAN_FIELD, LAMBDA, R]


def _density_at(world, density, value: float) -> float:
    key = (density.family + (f"_{density.label}" if density.label else ""), tuple(map(str, density.variables)),
           tuple(map(str, density.given)))
    return math.exp(float(world.densities[key](lambda symbol: value)))


def _quad(function, world) -> float:
    points = np.unique(np.round(world.breakpoints[z], 6))
    total = 0.0
    for low, high in zip(points[:-1], points[1:]):
        total += integrate.quad(function, low, high, epsabs=0, epsrel=1e-11, limit=200)[0]
    return total


@pytest.mark.parametrize("density", VARIATIONAL, ids=str)
@settings(max_examples=4, deadline=None)
@given(world=linear_gaussian_worlds(NAMES))
def test_each_variational_density_of_the_linear_gaussian_world_integrates_to_one(world, density):
    assert_allclose(_quad(lambda t: _density_at(world, density, t), world), 1.0, rtol=1e-7)


@pytest.mark.parametrize("density", VARIATIONAL, ids=str)
@settings(max_examples=3, deadline=None)
@given(world=mixture_bernoulli_worlds(NAMES))
def test_each_variational_density_of_the_mixture_world_integrates_to_one(world, density):
    assert_allclose(_quad(lambda t: _density_at(world, density, t), world), 1.0, rtol=1e-7)


@settings(max_examples=8, deadline=None)
@given(world=linear_gaussian_worlds(NAMES))
def test_bayes_rule_holds_in_a_world_with_extra_variational_densities(world):
    for value in (-1.0, 0.3, 2.0):
        joint = _density_at(world, Density("p", (x, z)), value)
        posterior, evidence = _density_at(world, Density("p", (z,), (x,)), value), _density_at(world, Density("p", (x,)), value)
        assert_allclose(posterior * evidence, joint, rtol=1e-10)


@settings(max_examples=3, deadline=None)
@given(world=mixture_bernoulli_worlds(NAMES))
def test_evidence_is_the_marginal_of_the_joint_in_a_world_with_extra_variational_densities(world):
    evidence = _density_at(world, Density("p", (x,)), 0.0)
    assert_allclose(_quad(lambda t: _density_at(world, Density("p", (x, z)), t), world), evidence, rtol=1e-7)


@pytest.mark.parametrize("densities, variational", [
    ({("p", ("z",), ("x",)), ("q", ("z",), ())}, {("q", ("z",), ())}),
    ({("p", ("x",), ("z",)), ("p", ("z",), ()), ("q", ("z",), ())}, {("q", ("z",), ())}),
    ({("p", ("x", "z"), ()), ("p", ("z",), ()), ("p", ("z",), ("x",)), ("q_lambda", ("z",), ())},
     {("q_lambda", ("z",), ())}),
    ({("p", ("x", "z"), ()), ("q", ("z",), ("x",)), ("r", ("z",), ())}, {("r", ("z",), ())}),
])
def test_model_names_take_a_density_of_the_latent_of_another_letter_as_variational(densities, variational):
    names = model_names(frozenset(densities), {"x": x, "z": z})
    assert (names.observed, names.latent, names.variational) == (x, z, frozenset(variational))


@pytest.mark.parametrize("key", [("p_theta", ("z",), ()), ("q", ("x",), ()), ("q", ("z",), ("w",)),
                                 ("q", ("x", "z"), ())])
def test_a_density_of_the_model_letter_or_of_another_variable_is_no_variational_density(key):
    assert not is_variational_key(key, ModelNames(x, z))


def test_two_variational_densities_of_a_model_world_are_drawn_apart():
    worlds = _worlds([KL(MEAN_FIELD, Density("p", (z,), (x,))), KL(LAMBDA, Density("p", (z,)))])
    assert {w.family for w in worlds} <= {"linear-gaussian", "mixture-bernoulli"}
    assert any(_density_at(w, MEAN_FIELD, 0.1) != _density_at(w, LAMBDA, 0.1) for w in worlds)


def _worlds(expressions):
    from mathcheck.numeric import sample_worlds
    return sample_worlds(shared_needs(Needs.of(expressions)), 0, 10)


def _verdict(lhs, relation, rhs, scope=None):
    strategy = world_strategy(shared_needs(Needs.of([lhs, rhs], scope)))
    return check_step(lhs, Step(relation, rhs, "test", with_scope(None, scope) if scope else None), strategy,
                      examples=30)[0]


PLANTED = [  # planted errors of the corpus (lecture_notes.tex, paper_section.tex), in the Python API
    ("the swapped KL of a mean-field q",
     integral(MEAN_FIELD * sp.log(Density("p", (x,), (z,))), z) - KL(MEAN_FIELD, Density("p", (z,))), "=",
     integral(MEAN_FIELD * sp.log(Density("p", (x,), (z,))), z) - KL(Density("p", (z,)), MEAN_FIELD)),
    ("the wrong conditioning under q_λ",
     integral(LAMBDA * (sp.log(Density("p", (x, z))) - sp.log(LAMBDA)), z), "=",
     integral(LAMBDA * (sp.log(Density("p", (z,), (x,))) - sp.log(LAMBDA)), z)),
    ("the sign of the KL in the gap", sp.log(Density("p", (x,))), "=",
     integral(MEAN_FIELD * (sp.log(Density("p", (x, z))) - sp.log(MEAN_FIELD)), z) - KL(MEAN_FIELD, Density("p", (z,), (x,)))),
    ("the bound reversed", sp.log(Density("p", (x,))), "<=",
     integral(MEAN_FIELD * (sp.log(Density("p", (x, z))) - sp.log(MEAN_FIELD)), z)),
]


@pytest.mark.parametrize("name, lhs, relation, rhs", PLANTED, ids=[case[0] for case in PLANTED])
def test_a_planted_error_with_a_mean_field_q_is_refuted(name, lhs, relation, rhs):
    assert _verdict(lhs, relation, rhs) == "refuted"


CORRECT = [
    ("the gap is the KL to the posterior", sp.log(Density("p", (x,))), "=",
     integral(MEAN_FIELD * (sp.log(Density("p", (x, z))) - sp.log(MEAN_FIELD)), z) + KL(MEAN_FIELD, Density("p", (z,), (x,)))),
    ("the bound", sp.log(Density("p", (x,))), ">=",
     integral(LAMBDA * (sp.log(Density("p", (x, z))) - sp.log(LAMBDA)), z)),
]


@pytest.mark.parametrize("name, lhs, relation, rhs", CORRECT, ids=[case[0] for case in CORRECT])
def test_a_correct_step_with_a_mean_field_q_is_not_refuted(name, lhs, relation, rhs):
    assert _verdict(lhs, relation, rhs) in ("proved", "holds")


DATA, MODEL = Density("p", (x,)), Density("p", (x,), (), "theta")
KEPT_APART = Scope(observed=frozenset({"x"}), model_labels=frozenset())


def test_kl_between_data_and_model_density_is_not_symmetric_when_the_scope_keeps_them_apart():
    with labels_resolved():
        assert _verdict(KL(DATA, MODEL), "=", KL(MODEL, DATA), KEPT_APART) == "refuted"


def test_kl_between_data_and_model_density_is_not_zero_when_the_scope_keeps_them_apart():
    with labels_resolved():
        assert _verdict(KL(DATA, MODEL), "=", sp.Integer(0), KEPT_APART) == "refuted"


def test_data_and_model_density_are_two_densities_of_a_pair_world():
    with labels_resolved():
        needs = shared_needs(Needs.of([KL(DATA, MODEL)], KEPT_APART))
    assert needs.densities == {("p", ("x",), ()), ("p_theta", ("x",), ())} and needs.variable == x


@pytest.mark.parametrize("name, is_name", [("m_1", False), ("s_2", False), ("x_i", False), ("ELBO", True),
                                           ("KL", True), ("KL_1", True)])
def test_a_letter_with_an_index_is_a_variable_not_an_undefined_name(name, is_name):
    from mathcheck.audit.check import _is_name
    assert _is_name(name) is is_name


# ---------------------------------------------------------------- a condition with a law (CVAE: p(x) beside p(x|z,c))

CONDITIONED = ModelNames(x, z, c, 0.7, marginals=True)
LINEAR_MODEL = dict(m0=0.4, s0=1.3, a=1.7, b=-0.3, s=0.6, x_obs=1.1)
LAWS = [dict(k=0.8, g=-1.1, mc=0.2, sc=0.9), dict(k=-2.0, g=0.5, mc=-1.0, sc=0.4), dict(k=0.0, g=3.0, mc=1.5, sc=2.0)]


def _raw_model(law, cc, zz, xx=LINEAR_MODEL["x_obs"]):
    """p(x|z,c) p(z|c) p(c) from the model's definition (not from the world's Gaussian algebra)."""
    return (stats.norm.pdf(xx, LINEAR_MODEL["a"] * zz + LINEAR_MODEL["b"] + law["g"] * cc, LINEAR_MODEL["s"])
            * stats.norm.pdf(zz, LINEAR_MODEL["m0"] + law["k"] * cc, LINEAR_MODEL["s0"]) * stats.norm.pdf(cc, law["mc"], law["sc"]))


def _world_density(world, over, given=()):
    key = ("p", tuple(map(str, over)), tuple(sorted(map(str, given))))
    return lambda zz: math.exp(float(world.densities[key](lambda symbol: zz)))


def _over_c_and_z(function, law):
    """Simpson's rule on a fine grid of (c, z) (every density here is smooth and within it)."""
    cc = np.linspace(law["mc"] - 12 * law["sc"], law["mc"] + 12 * law["sc"], 1201)
    zz = np.linspace(-40, 40, 4001)
    values = function(zz[None, :], cc[:, None])
    return integrate.simpson(integrate.simpson(values, x=zz, axis=1), x=cc)


@pytest.mark.parametrize("law", LAWS)
def test_evidence_without_the_condition_is_the_model_integrated_over_z_and_c(law):
    world = linear_gaussian_world(**LINEAR_MODEL, q="posterior", names=CONDITIONED, law=law)
    reference = _over_c_and_z(lambda zz, cc: _raw_model(law, cc, zz), law)
    assert_allclose(_world_density(world, (x,))(0.0), reference, rtol=1e-6)


@pytest.mark.parametrize("law", LAWS)
def test_prior_without_the_condition_is_the_conditional_prior_integrated_over_c(law):
    world = linear_gaussian_world(**LINEAR_MODEL, q="posterior", names=CONDITIONED, law=law)
    for zz in (-1.0, 0.5, 2.0):
        reference = integrate.quad(lambda cc: stats.norm.pdf(zz, LINEAR_MODEL["m0"] + law["k"] * cc, LINEAR_MODEL["s0"])
                                   * stats.norm.pdf(cc, law["mc"], law["sc"]), -np.inf, np.inf, epsrel=1e-11)[0]
        assert_allclose(_world_density(world, (z,))(zz), reference, rtol=1e-8)


@pytest.mark.parametrize("law", LAWS)
def test_joint_without_the_condition_is_the_model_integrated_over_c(law):
    world = linear_gaussian_world(**LINEAR_MODEL, q="posterior", names=CONDITIONED, law=law)
    for zz in (-1.0, 0.5, 2.0):
        reference = integrate.quad(lambda cc: _raw_model(law, cc, zz), law["mc"] - 12 * law["sc"],
                                   law["mc"] + 12 * law["sc"], epsabs=0, epsrel=1e-11, limit=200)[0]
        assert_allclose(_world_density(world, (x, z))(zz), reference, rtol=1e-8)


@pytest.mark.parametrize("law", LAWS)
def test_product_rule_and_bayes_rule_hold_with_the_condition_integrated_out(law):
    world = linear_gaussian_world(**LINEAR_MODEL, q="posterior", names=CONDITIONED, law=law)
    joint, evidence = _world_density(world, (x, z)), _world_density(world, (x,))(0.0)
    for zz in (-1.0, 0.5, 2.0):
        assert_allclose(_world_density(world, (x,), (z,))(zz) * _world_density(world, (z,))(zz), joint(zz), rtol=1e-10)
        assert_allclose(_world_density(world, (z,), (x,))(zz) * evidence, joint(zz), rtol=1e-10)


@pytest.mark.parametrize("law", LAWS)
def test_conditional_prior_and_likelihood_follow_the_condition_value(law):
    world = linear_gaussian_world(**LINEAR_MODEL, q="posterior", names=CONDITIONED, law=law)
    zz = 0.3
    assert_allclose(_world_density(world, (z,), (c,))(zz), stats.norm.pdf(zz, LINEAR_MODEL["m0"] + law["k"] * 0.7, LINEAR_MODEL["s0"]),
                    rtol=1e-12)
    expected = stats.norm.pdf(LINEAR_MODEL["x_obs"], LINEAR_MODEL["a"] * zz + LINEAR_MODEL["b"] + law["g"] * 0.7, LINEAR_MODEL["s"])
    assert_allclose(_world_density(world, (x,), (c, z))(zz), expected, rtol=1e-12)
    assert_allclose(_world_density(world, (c,))(zz), stats.norm.pdf(0.7, law["mc"], law["sc"]), rtol=1e-12)


def test_model_names_give_the_condition_a_law_where_the_step_integrates_it_out():
    densities = frozenset({("p", ("x",), ()), ("p", ("x",), ("c", "z")), ("p", ("z",), ("c",)), ("p", ("z",), ("c", "x"))})
    names = model_names(densities, {"x": x, "z": z, "c": c})
    assert (names.observed, names.latent, names.condition, names.marginals) == (x, z, c, True)


def test_model_names_give_the_condition_no_law_where_every_density_is_given_it():
    densities = frozenset({("p", ("x",), ("c",)), ("p", ("x",), ("c", "z")), ("p", ("z",), ("c",))})
    assert not model_names(densities, {"x": x, "z": z, "c": c}).marginals


def _p(over, given=()):
    return Density("p", over, given)


def test_bayes_rule_with_the_unconditioned_evidence_is_refuted():
    lhs = _p((z,), (x, c))
    assert _verdict(lhs, "=", _p((x,), (z, c)) * _p((z,), (c,)) / _p((x,))) == "refuted"


def test_bayes_rule_with_the_conditioned_evidence_is_not_refuted():
    lhs = _p((z,), (x, c)) * _p((x,))  # p(x) present, so the condition has a law in the worlds
    assert _verdict(lhs, "=", _p((x,), (z, c)) * _p((z,), (c,)) / _p((x,), (c,)) * _p((x,))) in ("proved", "holds")


# ---------------------------------------------------------------- a declared prior (p(z) = N(z; 0, 1))

PRIOR = (("p", ("z",), ()), 0.0, 1.0)
mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
Q = Normal(z, mu, sigma)
# the reader writes the declared formula for p(z) itself; p(x, z) still has the declared prior in it
WITH_DECLARED = (integral(Q * sp.log(_p((x, z))), z), "=",
                 integral(Q * sp.log(_p((x,), (z,))), z) + integral(Q * sp.log(Normal(z, 0, 1)), z))


def test_a_declared_prior_is_the_prior_of_the_model_worlds():
    with declared_densities(frozenset({PRIOR})):
        names = Needs.of([_p((x, z)), _p((z,), (x,))]).model
        worlds = _worlds([_p((x, z)), _p((z,), (x,))])
    assert names.prior_law == (0.0, 1.0)
    assert all(w.family == "linear-gaussian" for w in worlds)
    for world in worlds:
        assert_allclose(_density_at(world, _p((z,)), 0.4), stats.norm.pdf(0.4), rtol=1e-12)


def test_the_product_rule_with_the_declared_prior_written_out_is_not_refuted():
    with declared_densities(frozenset({PRIOR})):
        assert _verdict(*WITH_DECLARED) in ("proved", "holds")


def test_the_product_rule_with_a_standard_normal_for_an_undeclared_prior_is_refuted():
    assert _verdict(*WITH_DECLARED) == "refuted"


def test_a_declared_density_no_model_world_can_take_leaves_the_step_without_a_model_world():
    declared = frozenset({(("p", ("x",), ()), 0.0, 1.0)})  # the evidence: fixed by the model, not free
    with declared_densities(declared):
        needs = shared_needs(Needs.of([_p((x, z)), _p((z,), (x,))]))
    with pytest.raises(Unsupported):
        world_strategy(needs)
