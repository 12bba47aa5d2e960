"""Round 5, laws: a stated law that cannot be used leaves the step undecided whatever the generic density rules
say (G9, r1/r3); the model worlds take a declared likelihood N(x; a z + b, s²) and prior as theirs (p5/g8); the
log of a declared Gaussian with a function mean is proved and an overflow in a world is no error (g6)."""
from __future__ import annotations

import pytest

from tests.audit_steps import document, verdict, verdicts
from mathcheck.audit.check import UNPARSED
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

PASSING = (PROVED, HOLDS)


def last(prose: str, formula: str) -> tuple[str, str]:
    """The verdict of the formula after its prose (a declaration the prose states and mathcheck cannot use is a
    row of its own before it)."""
    return verdicts(document(prose, formula))[-1]

# ---------------------------------------------------------------- G9: a malformed declaration proves nothing

MALFORMED = ["Let $p(x|z) = \\mathcal{N}(z; 2x, 1)$.", "Let $p(x|z) = \\mathcal{N}(x; 2x, 1)$.",
             "Let $p(x|z) = \\mathcal{N}(x; z, -1)$.", "Let $p(x|z) = \\mathcal{N}(z; 0, 1)$."]


@pytest.mark.parametrize("prose", MALFORMED)
def test_a_malformed_declaration_leaves_the_normalization_of_its_density_undecided(prose):
    found = last(prose, "\\int p(x|z) \\, dx = 1")
    assert found[0] == UNDECIDED and "cannot be read" in found[1], found


@pytest.mark.parametrize("prose", MALFORMED)
def test_a_malformed_declaration_refutes_nothing_about_its_density(prose):
    found = last(prose, "\\mathbb{E}_{p(x|z)}[x] = 2 z")
    assert found[0] == UNDECIDED, found


def test_a_malformed_prior_leaves_its_normalization_undecided():
    found = last("Let the prior be $p(z) = \\mathcal{N}(z; z, 1)$.", "\\int p(z) \\, dz = 1")
    assert found[0] == UNDECIDED, found


@pytest.mark.parametrize("prose", ["Let $q(z|x) = \\mathcal{N}(x; 0, 1)$.", "Let $p(z) = \\mathcal{N}(x; 0, 1)$."])
def test_a_gaussian_in_another_variable_than_the_densitys_is_no_declaration(prose):
    density = "q(z|x)" if "q" in prose else "p(z)"
    found = verdicts(document(prose, f"\\int {density} \\, dz = 1"))
    assert found[0][0] == UNPARSED and "not a normalized density of z" in found[0][1], found
    assert found[1][0] == UNDECIDED, found


def test_a_malformed_declaration_leaves_a_proportionality_undecided():
    found = last("Let $q(z|x) = \\mathcal{N}(z; x, -1)$.", "q(z|x) \\propto_z \\exp(-(z - x)^2 / 2)")
    assert found[0] == UNDECIDED and "cannot be read" in found[1], found


# ---------------------------------------------------------------- r1/r3: a named law mathcheck does not read

UNREAD = ["Let the encoder be $q(z|x) = \\mathrm{Laplace}(z; \\mu, b)$ with $b > 0$.",
          "Let $q(z|x) = \\mathrm{StudentT}(z; \\mu, 3)$.", "Let $q(z|x) = \\mathrm{Cauchy}(z; \\mu, 1)$."]


@pytest.mark.parametrize("prose", UNREAD)
def test_the_mean_of_an_unread_law_is_not_refuted_with_another_law(prose):
    found = verdict(prose, "\\mathbb{E}_{q(z|x)}[z] = \\mu")
    assert found[0] == UNDECIDED and "states a law mathcheck does not read" in found[1], found


def test_a_symmetric_moment_identity_of_an_unread_law_is_not_refuted():
    step = ("\\mathbb{E}_{q(z|x)}[z^3] = \\mathbb{E}_{q(z|x)}[z]^3 + 3 \\mathbb{E}_{q(z|x)}[z] "
            "\\left(\\mathbb{E}_{q(z|x)}[z^2] - \\mathbb{E}_{q(z|x)}[z]^2\\right)")
    assert verdict(UNREAD[0], step)[0] == UNDECIDED


def test_a_discrete_unread_law_is_not_proved_normalized_as_a_density():
    found = verdict("Let the decoder be $p(x|z) = \\mathrm{Bernoulli}(x; \\sigma(z))$.", "\\int p(x|z) \\, dx = 1")
    assert found[0] == UNDECIDED, found


def test_a_negated_law_declares_nothing_and_the_generic_proof_stands():
    found = verdict("The encoder $q(z|x)$ is not $\\mathcal{N}(z; 0, 1)$.", "\\int q(z|x) \\, dz = 1")
    assert found[0] == PROVED, found


# ---------------------------------------------------------------- p5/g8: the worlds take the declared likelihood

MODEL = "Let $p(z) = \\mathcal{N}(z; 0, 1)$ and $p(x|z) = \\mathcal{N}(x; z, 1)$."
AFFINE = "Let $p(z) = \\mathcal{N}(z; 0, 1)$ and $p(x|z) = \\mathcal{N}(x; 2z + 1, 0.5)$."


@pytest.mark.parametrize("prose, step", [
    (MODEL, "p(z|x) \\propto_z \\exp(-z^2 + x z)"), (MODEL, "p(x) = \\mathcal{N}(x; 0, 2)"),
    (MODEL, "\\mathbb{E}_{p(z|x)}[z] = \\frac{x}{2}"),
    (AFFINE, "\\mathbb{E}_{p(z|x)}[z] = \\frac{4(x - 1)}{9}"), (AFFINE, "p(x) = \\mathcal{N}(x; 1, 4.5)"),
    (AFFINE, "p(z|x) = \\mathcal{N}(z; \\frac{4(x-1)}{9}, \\frac{1}{9})"),
    ("Let the prior be $p(h) = \\mathcal{N}(h; 0, 1)$ and the likelihood $p(y|h) = \\mathcal{N}(y; h, 1)$.",
     "\\mathbb{E}_{p(h|y)}[h] = \\frac{y}{2}")])
def test_a_true_consequence_of_the_declared_model_passes(prose, step):
    assert verdict(prose, step)[0] in PASSING


@pytest.mark.parametrize("prose, step", [
    (MODEL, "p(z|x) \\propto_z \\exp(-\\frac{z^2}{2} + x z)"), (MODEL, "p(x) = \\mathcal{N}(x; 0, 1)"),
    (MODEL, "\\mathbb{E}_{p(z|x)}[z] = x"), (AFFINE, "\\mathbb{E}_{p(z|x)}[z] = \\frac{x - 1}{2}"),
    (AFFINE, "p(z|x) = p(x|z)")])
def test_a_false_consequence_of_the_declared_model_is_refuted_in_it(prose, step):
    found = verdict(prose, step)
    assert found[0] == REFUTED, found
    assert "likelihood': 'x|z ~ normal(" + ("1 z + 0, 1)" if prose == MODEL else "2 z + 1, 0.7071)") in found[1]


SYMBOLIC = "Let $p(z) = \\mathcal{N}(z; 0, 1)$ and $p(x|z) = \\mathcal{N}(x; a z, \\sigma^2)$ with $\\sigma > 0$."


@pytest.mark.parametrize("step", ["p(x) = \\mathcal{N}(x; 0, 2)", "\\mathbb{E}_{p(z|x)}[z] = \\frac{x}{2}"])
def test_a_declared_nonlinear_likelihood_refutes_nothing(step):
    found = verdict("Let $p(z) = \\mathcal{N}(z; 0, 1)$ and $p(x|z) = \\mathcal{N}(x; z^2, 1)$.", step)
    assert found[0] == UNDECIDED, found


@pytest.mark.parametrize("step", ["\\mathbb{E}_{p(z|x)}[z] = \\frac{a x}{a^2 + \\sigma^2}",
                                  "p(x) = \\mathcal{N}(x; 0, a^2 + \\sigma^2)"])
def test_a_step_writing_the_parameters_of_the_declared_likelihood_is_not_checked_in_drawn_worlds(step):
    found = verdict(SYMBOLIC, step)
    assert found[0] == UNDECIDED and "no model world follows" in found[1], found


@pytest.mark.parametrize("step", ["p(x) = \\mathcal{N}(x; 0, 2)", "\\mathbb{E}_{p(z|x)}[z] = \\frac{x}{2}"])
def test_a_false_step_not_writing_the_unspecified_parameters_is_refuted_in_an_instance(step):
    found = verdict(SYMBOLIC, step)
    assert found[0] == REFUTED and "'prior': 'normal(0, 1)'" in found[1], found


# ---------------------------------------------------------------- g6: log of a Gaussian with a function mean

DECODER = "Let the decoder be $p(x|z) = \\mathcal{N}(x; f(z), 1)$."


def test_the_log_of_a_declared_gaussian_with_a_function_mean_is_proved():
    found = verdict(DECODER, "\\log p(x|z) = -\\frac{(x - f(z))^2}{2} - \\frac{1}{2}\\log(2\\pi)")
    assert found[0] == PROVED, found


def test_a_wrong_log_of_a_declared_gaussian_with_a_function_mean_is_refuted():
    found = verdict(DECODER, "\\log p(x|z) = -\\frac{(x - f(z))^2}{2} - \\log(2\\pi)")
    assert found[0] == REFUTED, found


def test_an_overflow_in_a_world_is_no_checker_failure():
    found = verdict(DECODER, "\\log p(x|z) + \\frac{(x - f(z))^2}{2} = - \\frac{1}{2}\\log(2\\pi)")
    assert "OverflowError" not in found[1] and found[0] in PASSING, found


def test_a_python_float_overflow_in_a_world_function_is_a_float_range_not_an_error():
    import sympy as sp
    from mathcheck.numeric import FloatRange, World, evaluate

    t = sp.Symbol("t", real=True)
    world = World("parameters", {}, symbols={t: 1e200}, functions={"f": lambda v: v**3})
    with pytest.raises(FloatRange):
        evaluate(sp.Function("f")(t), world)


def test_the_log_of_a_product_of_exponentials_of_real_valued_terms_expands():
    import sympy as sp
    from mathcheck.symbolic import expand_logs

    x, z, w = sp.Symbol("x", real=True), sp.Symbol("z", real=True), sp.Symbol("w")
    f = sp.Function("f")
    assert expand_logs(sp.log(sp.exp(x * f(z)) * sp.exp(-f(z) ** 2 / 2))) == x * f(z) - f(z) ** 2 / 2
    assert expand_logs(sp.log(sp.exp(w) * 2)).has(sp.exp)  # w may be complex: log(e^w) is not w
