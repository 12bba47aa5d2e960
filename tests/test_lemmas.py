"""The lemmas for the common forms of the evidence bound and its friends (``mathcheck.lemmas``): every true
form is proved, its reason naming the lemma and the conditions checked; every false variant beside it is not."""
from pathlib import Path

import pytest
import sympy as sp

from mathcheck.audit import audit_file
from mathcheck.audit.check import DEFINITION
from mathcheck.lemmas import LEIBNIZ_HYPOTHESIS, Reparametrization, candidate_divergences
from mathcheck.report import PROVED, REFUTED
from mathcheck.symbolic import RULES, prove
from mathcheck.vocab import (
    KL, Defined, Expectation, Normal, X, integral, mu, p, positive_function, q, regular_function, sigma, z,
)

x = sp.Symbol("x", real=True)
x1, x2 = sp.symbols("x1 x2", real=True)
phi = sp.Symbol("phi", real=True)
theta = sp.Symbol("theta", real=True)
epsilon = sp.Symbol("epsilon", real=True)
beta = sp.Symbol("beta", positive=True)
f = sp.Function("f")
g = regular_function("g")


def proved(lhs, relation, rhs, rules=None):
    proof = prove(lhs, relation, rhs, rules)
    assert proof.proved, proof
    return proof


def not_proved(lhs, relation, rhs, rules=None):
    proof = prove(lhs, relation, rhs, rules)
    assert not proof.proved, proof
    return proof


# ---------------------------------------------------------------- the bound: a divergence gap


def reconstruction(data, encoder=None):
    encoder = q(z, given=data) if encoder is None else encoder
    return Expectation(encoder, sp.log(p(data, given=z)))


def elbo(data):
    encoder = q(z, given=data)
    return reconstruction(data) - KL(encoder, p(z))


def entropy(density):
    return -Expectation(density, sp.log(density))


def named_elbo(data):
    encoder = q(z, given=data)
    return Defined("L", (data,), Expectation(encoder, sp.log(p(data, z)) - sp.log(encoder)))


def bound_forms(data):
    encoder = q(z, given=data)
    return {
        "log p >= E log p(x|z) - KL[q||p(z)]": (sp.log(p(data)), ">=", elbo(data)),
        "E log p(x|z) - KL[q||p(z)] <= log p": (elbo(data), "<=", sp.log(p(data))),
        "log p >= E log p(x,z) + H[q]": (sp.log(p(data)), ">=",
                                          Expectation(encoder, sp.log(p(data, z))) + entropy(encoder)),
        "log p >= E[log p(x,z) - log q]": (sp.log(p(data)), ">=",
                                            Expectation(encoder, sp.log(p(data, z)) - sp.log(encoder))),
        "log p >= L (named)": (sp.log(p(data)), ">=", named_elbo(data)),
        "mean-field q(z)": (sp.log(p(data)), ">=", reconstruction(data, q(z)) - KL(q(z), p(z))),
        "labels theta, phi": (sp.log(p(data, label="theta")), ">=",
                              Expectation(q(z, given=data, label="phi"), sp.log(p(data, given=z, label="theta")))
                              - KL(q(z, given=data, label="phi"), p(z, label="theta"))),
        "beta-VAE (1 + beta) KL": (sp.log(p(data)), ">=", reconstruction(data) - (1 + beta) * KL(encoder, p(z))),
        "a constant slack": (sp.log(p(data)) + sp.log(2), ">=", elbo(data)),
    }


def false_bound_forms(data):
    encoder = q(z, given=data)
    return {
        "wrong direction": (sp.log(p(data)), "<=", elbo(data)),
        "KL sign flipped": (sp.log(p(data)), ">=", reconstruction(data) + KL(encoder, p(z))),
        "KL swapped p(z)||q": (sp.log(p(data)), ">=", reconstruction(data) - KL(p(z), encoder)),
        "log p(z|x) for log p(x|z)": (sp.log(p(data)), ">=",
                                      Expectation(encoder, sp.log(p(z, given=data))) - KL(encoder, p(z))),
        "entropy sign flipped": (sp.log(p(data)), ">=",
                                 Expectation(encoder, sp.log(p(data, z))) - entropy(encoder)),
        "beta KL with beta > 0 only": (sp.log(p(data)), ">=", reconstruction(data) - beta * KL(encoder, p(z))),
        "a negative slack": (sp.log(p(data)) - 1, ">=", elbo(data)),
        "twice the bound": (sp.log(p(data)), ">=", 2 * named_elbo(data)),
        "the bound above the evidence": (named_elbo(data), ">=", sp.log(p(data))),
    }


def cases(build):
    return [pytest.param(*claim, id=f"{data}: {name}") for data in (X, x) for name, claim in build(data).items()]


@pytest.mark.parametrize("lhs, relation, rhs", cases(bound_forms))
def test_a_bound_whose_gap_is_a_divergence_is_proved_by_gibbs(lhs, relation, rhs):
    proof = proved(lhs, relation, rhs)
    assert "Gibbs" in proof.reason and "≥ 0" in proof.reason


@pytest.mark.parametrize("lhs, relation, rhs", cases(false_bound_forms))
def test_a_false_variant_of_the_bound_is_not_proved(lhs, relation, rhs):
    not_proved(lhs, relation, rhs)


def test_the_gap_of_the_difference_form_is_the_posterior_divergence():
    proof = proved(sp.log(p(X)), ">=", elbo(X))
    assert "KL[q(z|X) || p(z|X)]" in proof.reason


def test_a_sum_of_bounds_is_proved_by_a_sum_of_divergences():
    proof = proved(sp.log(p(x1)) + sp.log(p(x2)), ">=", elbo(x1) + elbo(x2))
    assert "KL[q(z|x1) || p(z|x1)] + KL[q(z|x2) || p(z|x2)]" in proof.reason


def test_a_sum_of_bounds_with_one_divergence_flipped_is_not_proved():
    not_proved(sp.log(p(x1)) + sp.log(p(x2)), ">=", elbo(x1) + elbo(x2) + 2 * KL(q(z, given=x1), p(z)))


@pytest.mark.parametrize("relation", [">", "<"])
def test_a_strict_bound_is_not_proved_by_a_divergence_that_may_vanish(relation):
    big, small = sp.log(p(X)), elbo(X)
    not_proved(*((big, relation, small) if relation == ">" else (small, relation, big)))


def test_the_candidate_divergences_are_between_densities_of_the_same_variables():
    candidates = candidate_divergences(sp.log(p(X)) - elbo(X))
    assert KL(q(z, given=X), p(z, given=X)) in candidates
    assert all(tuple(d.first.variables) == tuple(d.second.variables) for d in candidates if isinstance(d, KL))


def data_average(body):
    return Expectation(p(x), body)


AVERAGED_FORMS = {
    "E_p(x)[log p(x)] >= E_p(x)[ELBO(x)]": (data_average(sp.log(p(x))), ">=", data_average(elbo(x)), True),
    "E_p(x)[ELBO(x)] <= E_p(x)[log p(x)]": (data_average(elbo(x)), "<=", data_average(sp.log(p(x))), True),
    "the averaged bound reversed": (data_average(sp.log(p(x))), "<=", data_average(elbo(x)), False),
    "the averaged bound with + KL": (data_average(sp.log(p(x))), ">=",
                                     data_average(reconstruction(x) + KL(q(z, given=x), p(z))), False),
}


@pytest.mark.parametrize("lhs, relation, rhs, true", AVERAGED_FORMS.values(), ids=AVERAGED_FORMS)
def test_a_bound_averaged_over_the_data_is_proved_by_an_averaged_divergence(lhs, relation, rhs, true):
    proof = prove(lhs, relation, rhs)
    assert proof.proved is true, proof
    assert not true or "average over a density" in proof.reason


# ---------------------------------------------------------------- ELBO = E_q[log p(x, z)] + H[q]; log p = ELBO + KL


def identity_forms(data):
    encoder, posterior = q(z, given=data), p(z, given=data)
    lower = named_elbo(data)
    return {
        "L = E log p(x,z) + H[q]": (lower, "=", Expectation(encoder, sp.log(p(data, z))) + entropy(encoder)),
        "L = E log p(x|z) - KL[q||p(z)]": (lower, "=", elbo(data)),
        "log p = L + KL[q||p(z|x)]": (sp.log(p(data)), "=", lower + KL(encoder, posterior)),
        "log p - L = KL[q||p(z|x)]": (sp.log(p(data)) - lower, "=", KL(encoder, posterior)),
        "L = log p - KL[q||p(z|x)]": (lower, "=", sp.log(p(data)) - KL(encoder, posterior)),
        "log p = E log p(x|z) - KL[q||p(z)] + KL[q||p(z|x)]": (sp.log(p(data)), "=", elbo(data) + KL(encoder, posterior)),
    }


def false_identity_forms(data):
    encoder, posterior = q(z, given=data), p(z, given=data)
    lower = named_elbo(data)
    return {
        "L = E log p(x,z) - H[q]": (lower, "=", Expectation(encoder, sp.log(p(data, z))) - entropy(encoder)),
        "log p = L - KL[q||p(z|x)]": (sp.log(p(data)), "=", lower - KL(encoder, posterior)),
        "log p = L + KL[p(z|x)||q]": (sp.log(p(data)), "=", lower + KL(posterior, encoder)),
        "log p = L + KL[q||p(z)]": (sp.log(p(data)), "=", lower + KL(encoder, p(z))),
    }


@pytest.mark.parametrize("lhs, relation, rhs", cases(identity_forms))
def test_the_elbo_identities_are_proved(lhs, relation, rhs):
    proved(lhs, relation, rhs)


@pytest.mark.parametrize("lhs, relation, rhs", cases(false_identity_forms))
def test_a_false_elbo_identity_is_not_proved(lhs, relation, rhs):
    not_proved(lhs, relation, rhs)


# ---------------------------------------------------------------- the score-function identity

encoder_phi = q(z, given=X, label="phi")
DECLARED = RULES + (LEIBNIZ_HYPOTHESIS,)


def score(density, body, parameter=phi):
    return Expectation(density, body * sp.Derivative(sp.log(density), parameter))


SCORE_FORMS = {
    "E_q[f d log q]": (sp.Derivative(Expectation(encoder_phi, f(z)), phi), score(encoder_phi, f(z)), DECLARED),
    "integral of f dq": (sp.Derivative(Expectation(encoder_phi, f(z)), phi),
                         integral(f(z) * sp.Derivative(encoder_phi, phi), z), DECLARED),
    "f = log p(x, z)": (sp.Derivative(Expectation(encoder_phi, sp.log(p(X, z))), phi),
                        score(encoder_phi, sp.log(p(X, z))), DECLARED),
    "f = log p_theta(x|z)": (sp.Derivative(Expectation(encoder_phi, sp.log(p(X, given=z, label="theta"))), phi),
                             score(encoder_phi, sp.log(p(X, given=z, label="theta"))), DECLARED),
    "Gaussian q, regular f": (sp.Derivative(Expectation(Normal(z, phi, 1), g(z)), phi),
                              score(Normal(z, phi, 1), g(z)), RULES),
    "Gaussian q, mean phi**2, scale sigma": (sp.Derivative(Expectation(Normal(z, phi**2, sigma), g(z)), phi),
                                             score(Normal(z, phi**2, sigma), g(z)), RULES),
}

FALSE_SCORE_FORMS = {
    "without the f": (sp.Derivative(Expectation(encoder_phi, f(z)), phi),
                      Expectation(encoder_phi, sp.Derivative(sp.log(encoder_phi), phi)), DECLARED),
    "f depends on phi": (sp.Derivative(Expectation(encoder_phi, phi * z), phi), score(encoder_phi, phi * z), DECLARED),
    "f holds q_phi": (sp.Derivative(Expectation(encoder_phi, sp.log(encoder_phi) * z), phi),
                      score(encoder_phi, sp.log(encoder_phi) * z), DECLARED),
    "theta moves the model's p": (sp.Derivative(Expectation(encoder_phi, sp.log(p(X, z))), theta),
                                  score(encoder_phi, sp.log(p(X, z)), theta), DECLARED),
    "sign flipped": (sp.Derivative(Expectation(encoder_phi, f(z)), phi), -score(encoder_phi, f(z)), DECLARED),
    "no regularity hypothesis": (sp.Derivative(Expectation(encoder_phi, f(z)), phi), score(encoder_phi, f(z)), RULES),
    "Gaussian q, f of unknown growth": (sp.Derivative(Expectation(Normal(z, phi, 1), f(z)), phi),
                                        score(Normal(z, phi, 1), f(z)), RULES),
    "second derivative": (sp.Derivative(Expectation(encoder_phi, f(z)), phi, 2),
                          Expectation(encoder_phi, f(z) * sp.Derivative(sp.log(encoder_phi), phi, 2)), DECLARED),
}


@pytest.mark.parametrize("lhs, rhs, rules", SCORE_FORMS.values(), ids=SCORE_FORMS)
def test_the_score_function_identity_is_proved_with_its_conditions(lhs, rhs, rules):
    proof = proved(lhs, "=", rhs, rules)
    assert "score-function" in proof.reason and "does not involve" in proof.reason
    assert "differentiation under ∫" in proof.reason


@pytest.mark.parametrize("lhs, rhs, rules", FALSE_SCORE_FORMS.values(), ids=FALSE_SCORE_FORMS)
def test_a_score_identity_outside_its_conditions_is_not_proved(lhs, rhs, rules):
    not_proved(lhs, "=", rhs, rules)


# ---------------------------------------------------------------- the law of the unconscious statistician

m = sp.Function("m")(X)
s = positive_function("s")(X)
STANDARD = Normal(epsilon, 0, 1)
ENCODER = q(z, given=X)
DECLARED_ENCODER = RULES + (Reparametrization(z, m + s * epsilon, STANDARD, ENCODER),)
GAUSSIAN = Normal(z, mu, sigma)


def checked(transform):
    return RULES + (Reparametrization(z, transform, STANDARD, GAUSSIAN),)


LOTUS_FORMS = {
    "Gaussian in standard form": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(mu + sigma * epsilon)), RULES),
    "declared abstract encoder": (Expectation(ENCODER, f(z)), Expectation(STANDARD, f(m + s * epsilon)),
                                  DECLARED_ENCODER),
    "declared encoder, log p(x|z)": (Expectation(ENCODER, sp.log(p(X, given=z))),
                                     Expectation(STANDARD, sp.log(p(X, given=z)).xreplace({z: m + s * epsilon})),
                                     DECLARED_ENCODER),
    "checked Gaussian": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(mu + sigma * epsilon)),
                         checked(mu + sigma * epsilon)),
    "checked Gaussian, negative slope": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(mu - sigma * epsilon)),
                                         checked(mu - sigma * epsilon)),
}

FALSE_LOTUS_FORMS = {
    "wrong scale": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(mu + 2 * sigma * epsilon)), RULES),
    "mean and scale swapped": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(sigma + mu * epsilon)), RULES),
    "undeclared encoder": (Expectation(ENCODER, f(z)), Expectation(STANDARD, f(m + s * epsilon)), RULES),
    "another g than declared": (Expectation(ENCODER, f(z)), Expectation(STANDARD, f(m + 2 * s * epsilon)),
                                DECLARED_ENCODER),
    "a wrong g declared for a Gaussian": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(mu + 2 * sigma * epsilon)),
                                          checked(mu + 2 * sigma * epsilon)),
    "a g that is not onto": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(sp.exp(epsilon))),
                             checked(sp.exp(epsilon))),
    "a g that is not one-to-one": (Expectation(GAUSSIAN, f(z)), Expectation(STANDARD, f(mu + sigma * epsilon**2)),
                                   checked(mu + sigma * epsilon**2)),
}


@pytest.mark.parametrize("lhs, rhs, rules", LOTUS_FORMS.values(), ids=LOTUS_FORMS)
def test_the_law_of_the_unconscious_statistician_is_proved(lhs, rhs, rules):
    proof = proved(lhs, "=", rhs, rules)
    assert "unconscious statistician" in proof.reason or "normal forms agree" in proof.reason


@pytest.mark.parametrize("lhs, rhs, rules", FALSE_LOTUS_FORMS.values(), ids=FALSE_LOTUS_FORMS)
def test_a_wrong_reparametrization_is_not_proved(lhs, rhs, rules):
    not_proved(lhs, "=", rhs, rules)


def test_a_bound_variable_declared_positive_is_not_renamed():
    t = sp.Symbol("t", positive=True)  # |t| = t for sympy, although ∫ dt runs over ℝ
    not_proved(integral(Normal(t, 0, 1) * sp.Abs(t) * f(t), t), "=", integral(STANDARD * epsilon * f(epsilon), epsilon))


def test_a_declared_reparametrization_is_named_in_the_reason():
    proof = proved(Expectation(ENCODER, f(z)), "=", Expectation(STANDARD, f(m + s * epsilon)), DECLARED_ENCODER)
    assert "declared" in proof.reason and "law of" in proof.reason


def test_a_checked_reparametrization_states_the_bijection_and_the_jacobian():
    proof = proved(Expectation(GAUSSIAN, f(z)), "=", Expectation(STANDARD, f(mu + sigma * epsilon)),
                   checked(mu + sigma * epsilon))
    assert "bijection" in proof.reason and "|slope|" in proof.reason


# ---------------------------------------------------------------- through `mathcheck audit`

TRUE_LINES = [
    r"\log p(x) \geq \mathbb{E}_{z\sim q(z|x)}[\log p(x|z)] - D_{\mathrm{KL}}(q(z|x) \,\|\, p(z))",
    r"\mathbb{E}_{q(z|x)}[\log p(x|z)] - D_{KL}(q(z|x) \| p(z)) \leq \log p(x)",
    r"\log p(X) \geq \mathbb{E}_{q(z|X)}[\log p(X|z)] - D_{KL}(q(z|X) \| p(z))",
    r"\log p(x) \geq \mathbb{E}_{q(z|x)}[\log p(x, z)] - \mathbb{E}_{q(z|x)}[\log q(z|x)]",
    r"\log p(x) = \mathbb{E}_{q(z|x)}[\log p(x|z)] - D_{KL}(q(z|x) \| p(z)) + D_{KL}(q(z|x) \| p(z|x))",
    r"\log p(x) - D_{KL}(q(z|x) \| p(z|x)) = \mathbb{E}_{q(z|x)}[\log p(x, z) - \log q(z|x)]",
]

FALSE_LINES = [
    r"\log p(X) \leq \mathbb{E}_{q(z|X)}[\log p(X|z)] - D_{KL}(q(z|X) \| p(z))",
    r"\log p(X) \geq \mathbb{E}_{q(z|X)}[\log p(X|z)] + D_{KL}(q(z|X) \| p(z))",
    r"\log p(X) \geq \mathbb{E}_{q(z|X)}[\log p(X|z)] - D_{KL}(p(z) \| q(z|X))",
    r"\log p(X) \geq \mathbb{E}_{q(z|X)}[\log p(z|X)] - D_{KL}(q(z|X) \| p(z))",
    r"\log p(x) \geq \mathbb{E}_{q(z|x)}[\log p(x|z)] + D_{KL}(q(z|x) \| p(z))",
    r"\log p(x) = \mathbb{E}_{q(z|x)}[\log p(x|z)] - D_{KL}(q(z|x) \| p(z)) - D_{KL}(q(z|x) \| p(z|x))",
]


def audited(tmp_path_factory, lines) -> dict[str, object]:
    path = Path(tmp_path_factory.mktemp("lemmas")) / "bound.md"
    path.write_text("# The bound\n\n" + "".join(f"$$ {line} $$\n\n" for line in lines), encoding="utf-8")
    report = audit_file(str(path))
    by_line = {step.line: step for step in report.steps}
    return {line: by_line.get(3 + 2 * index) for index, line in enumerate(lines)}


@pytest.fixture(scope="module")
def true_report(tmp_path_factory):
    return audited(tmp_path_factory, TRUE_LINES)


@pytest.fixture(scope="module")
def false_report(tmp_path_factory):
    return audited(tmp_path_factory, FALSE_LINES)


NAMED_LINES = [  # the bound named once, then used: (line, verdict)
    (r"\mathcal{L} = \mathbb{E}_{q(z|x)}[\log p(x, z)] + H[q(z|x)]", DEFINITION),
    (r"\log p(x) = \mathcal{L} + D_{KL}(q(z|x) \| p(z|x))", PROVED),
    (r"\log p(x) \geq \mathcal{L}", PROVED),
    (r"\log p(x) - \mathcal{L} = D_{KL}(q(z|x) \| p(z|x))", PROVED),
    (r"\mathcal{L} = \mathbb{E}_{q(z|x)}[\log p(x|z)] - D_{KL}(q(z|x) \| p(z))", PROVED),
    (r"\log p(X) \geq \mathbb{E}_{q(z|X)}[\log p(X, z)] - H[q(z|X)]", REFUTED),
    (r"\log p(X) = \mathbb{E}_{q(z|X)}[\log p(X, z)] + H[q(z|X)] - D_{KL}(q(z|X) \| p(z|X))", REFUTED),
]


@pytest.fixture(scope="module")
def named_report(tmp_path_factory):
    return audited(tmp_path_factory, [line for line, _ in NAMED_LINES])


@pytest.mark.parametrize("line, verdict", NAMED_LINES)
def test_an_audited_named_bound_has_its_verdict(named_report, line, verdict):
    step = named_report[line]
    assert step is not None and step.verdict == verdict, (step and step.verdict, step and step.reason)


@pytest.mark.parametrize("line", TRUE_LINES)
def test_an_audited_form_of_the_bound_is_proved(true_report, line):
    step = true_report[line]
    assert step is not None and step.verdict == PROVED, (step and step.verdict, step and step.reason)


@pytest.mark.parametrize("line", FALSE_LINES)
def test_an_audited_false_variant_is_neither_proved_nor_held(false_report, line):
    step = false_report[line]
    assert step is not None and step.verdict not in (PROVED, "holds"), (step.verdict, step.reason)
