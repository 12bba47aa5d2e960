"""Round 9, the sigmoid named in prose: "$\\sigma$ is the logistic sigmoid", "the sigmoid function $s(\\cdot)$",
"$\\sigma$ はシグモイド関数とする" define the name as 1/(1 + e^{-t}), so its identities are checked against it; a
condition, a question or a negation defines nothing. Reference: sympy's own 1/(1 + exp(-t)) identities."""
from __future__ import annotations

import pytest
import sympy as sp

from tests.audit_steps import step_verdicts as verdicts
from mathcheck.report import HOLDS, PROVED, REFUTED

PASSING = (PROVED, HOLDS)
t = sp.Symbol("t", real=True)
LOGISTIC = 1 / (1 + sp.exp(-t))




NAMINGS = [
    pytest.param("Here $\\sigma$ is the logistic sigmoid.", "\\sigma", id="is-the-logistic-sigmoid"),
    pytest.param("Let $\\sigma(\\cdot)$ denote the sigmoid function.", "\\sigma", id="cdot-denotes"),
    pytest.param("$\\sigma$ はシグモイド関数とする。", "\\sigma", id="ja-sigmoid-function"),
]
TRUE_CLAIMS = [
    pytest.param("{f}(t) + {f}(-t) = 1", id="symmetry"),
    pytest.param("1 - {f}(t) = {f}(-t)", id="complement"),
]
FALSE_CLAIMS = [
    pytest.param("{f}(t) + {f}(-t) = 2", id="symmetry-doubled"),
    pytest.param("{f}(0) = 1", id="value-at-zero"),
]


def test_the_reference_identities_hold():
    assert sp.simplify(LOGISTIC + LOGISTIC.subs(t, -t) - 1) == 0 and LOGISTIC.subs(t, 0) == sp.Rational(1, 2)


@pytest.mark.parametrize("prose, name", NAMINGS)
@pytest.mark.parametrize("claim", TRUE_CLAIMS)
def test_an_identity_of_the_named_sigmoid_passes(prose, name, claim):
    assert verdicts(f"{prose}\n\n$${claim.format(f=name)}$$\n") == [PROVED]


@pytest.mark.parametrize("prose, name", NAMINGS)
@pytest.mark.parametrize("claim", FALSE_CLAIMS)
def test_a_false_identity_of_the_named_sigmoid_is_refuted(prose, name, claim):
    assert verdicts(f"{prose}\n\n$${claim.format(f=name)}$$\n") == [REFUTED]


@pytest.mark.parametrize("prose", [
    pytest.param("If $\\sigma$ were the logistic sigmoid, things would be simpler.", id="counterfactual"),
    pytest.param("Here $\\sigma$ is not the sigmoid.", id="negated"),
    pytest.param("Is $\\sigma$ the sigmoid function?", id="question"),
    pytest.param("$\\sigma$ がシグモイド関数ならば簡単である。", id="ja-conditional"),
    pytest.param("Here $\\sigma$ is the logistic sigmoid derivative.", id="sigmoid-derivative"),
    pytest.param("Here $\\sigma$ is the logistic sigmoid inverse (the logit).", id="sigmoid-inverse"),
    pytest.param("We write the derivative of the sigmoid $\\sigma$ below.", id="derivative-of-the-sigmoid"),
    pytest.param("Unlike the sigmoid $\\sigma$, the probit is another function.", id="unlike"),
    pytest.param("In earlier work $\\sigma$ is the sigmoid; here it is the Gaussian CDF.", id="earlier-work"),
])
def test_a_sigmoid_not_stated_defines_nothing(prose):
    assert verdicts(f"{prose}\n\n$$\\sigma(t) + \\sigma(-t) = 1$$\n")[0] not in PASSING


def test_the_sigmoid_of_a_variable_does_not_define_the_variable():
    assert verdicts("We take the sigmoid of $x$ here.\n\n$$x(t) + x(-t) = 1$$\n")[0] not in PASSING
