"""``mathcheck audit``, round 4, the reading attack of /work/notes/attack6.md: each kind of false pass and
false alarm found there, as a property over many spellings. A planted error must never be proved, hold or be
a definition; the true members of each kind must not be refuted.

- F1: an equation that uses its own name (k(x) = k(x) + 1, w = w', g(x) = g(-x)) defines nothing;
- F2: a prose definition ``Let $f(x) = x^3$`` is one: a later display about f is checked against it;
- F3, F9: an assigned value (c := 3, m := z²) is put into the later steps (and into "free of z");
- F4: ∝ in a variable the model worlds hold at one value (the observed x) is not decided numerically;
- F5: ∝ with a zero, infinite or (between densities) negative factor is refuted;
- F6: a negated "up to an additive constant" does not license the additive reading of ∝ between logs;
- F7: a strict inequality between expectations over the data is refuted pointwise only where A > B;
- F8: the score-function identity is not proved for a density whose stated law cannot be read;
- F10: a numeric "holds" needs enough evaluated worlds.
"""
import pytest

from mathcheck.audit.check import DEFINITION, UNPARSED, audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

PASSING = (PROVED, HOLDS, DEFINITION)


def steps(text: str, path: str = "doc.md") -> list:
    return audit_document(parse_document(path, text)).steps


def last_verdict(text: str) -> str:
    return steps(text)[-1].verdict


def display(*formulas: str) -> str:
    return "".join(f"$$\n{formula}\n$$\n\n" for formula in formulas)


# ---------------------------------------------------------------- F1: self-reference defines nothing


SELF_REFERENTIAL = ["k(x) = k(x) + 1", "k(x) := k(x) + 1", "w(x) = \\frac{d}{dx} w(x)", "w(x) := \\frac{d}{dx} w(x)",
                    "g(x) = g(-x)", "g(x) := g(-x)", "f(x) = 2 f(x/2)", "f(t) := f(t)^2", "h(x, y) = h(y, x)"]


@pytest.mark.parametrize("equation", SELF_REFERENTIAL)
def test_an_equation_using_its_own_name_is_not_a_definition(equation):
    assert steps(display(equation))[0].verdict != DEFINITION


@pytest.mark.parametrize("equation", ["k(x) = k(x) + 1", "k(x) := k(x) + 1", "f(t) = f(t) - 2"])
def test_a_self_contradicting_equation_is_never_passed(equation):
    assert steps(display(equation))[0].verdict in (REFUTED, UNPARSED)


@pytest.mark.parametrize("definition", ["h(x) := x^2", "h(x) = x^2"])
def test_a_definition_without_self_reference_still_defines(definition):
    found = steps(display(definition, "h(3) = 9"))
    assert [s.verdict for s in found] == [DEFINITION, PROVED]


# ---------------------------------------------------------------- F2: prose definitions


PROSE_DEFINITIONS = ["Let $f(x) = x^3$ for all real $x$.", "Define $f(x) = x^3$.", "Here $f(x) = x^3$.",
                     "We write $f(t) = t^3$ throughout."]


@pytest.mark.parametrize("prose", PROSE_DEFINITIONS)
def test_a_display_conflicting_with_a_prose_definition_is_refuted(prose):
    found = steps(f"{prose}\n\n" + display("f(x) = x^2", "f(2) = 4"))
    assert [s.verdict for s in found] == [REFUTED, REFUTED], found


@pytest.mark.parametrize("prose", PROSE_DEFINITIONS)
def test_a_prose_definition_proves_its_true_instances(prose):
    assert last_verdict(f"{prose}\n\n" + display("f(2) = 8")) == PROVED


@pytest.mark.parametrize("prose", ["It is not true that $f(x) = x^3$.", "Is $f(x) = x^3$?"])
def test_a_negated_or_questioned_prose_equation_defines_nothing(prose):
    assert last_verdict(f"{prose}\n\n" + display("f(x) = x^2", "f(2) = 4")) == PROVED


# ---------------------------------------------------------------- F3, F9: assigned values are put in


@pytest.mark.parametrize("assignment, claim", [
    ("c := 3", "c + 1 = 4"), ("c := 3", "2 c = 6"), ("c := 1/2", "c^2 = \\frac{1}{4}"),
    ("m := \\mathbb{E}_{x \\sim p(x)}\\left[x\\right]", "\\mathbb{E}_{x \\sim p(x)}\\left[x - m\\right] = 0"),
    ("a := \\mathbb{E}_{q(z|x)}[\\log p(x|z)]", "a - \\mathbb{E}_{q(z|x)}[\\log p(x|z)] = 0"),
    ("m := z^2", "m - z^2 = 0")])
def test_a_true_claim_about_an_assigned_variable_is_proved(assignment, claim):
    assert last_verdict(display(assignment, claim)) == PROVED


@pytest.mark.parametrize("assignment, claim", [("c := 3", "c + 1 = 5"), ("c := 1/2", "c^2 = \\frac{1}{2}"),
                                               ("m := z^2", "m - z^3 = 0")])
def test_a_false_claim_about_an_assigned_variable_is_refuted(assignment, claim):
    assert last_verdict(display(assignment, claim)) == REFUTED


@pytest.mark.parametrize("assignment, claim", [
    ("m := z^2", "e^{m} p(z) \\propto_z p(z)"), ("m := z", "m\\, p(z) \\propto_z p(z)"),
    ("m := z^2", "p(z) \\propto_z e^{-m} p(z)")])
def test_proportionality_through_a_variable_assigned_from_z_is_not_free_of_z(assignment, claim):
    assert last_verdict(display(assignment, claim)) not in PASSING


def test_a_constant_assigned_stays_free_of_z():
    assert last_verdict(display("c := 3", "c\\, p(z) \\propto_z p(z)")) == PROVED


# ---------------------------------------------------------------- F4: ∝ in the observed variable


OBSERVED_PROPORTIONALITIES = ["p(x|z) \\propto_x p(x)", "p(x, z) \\propto_x 1", "p(z|x) \\propto_x 1",
                              "p(z|x) \\propto_x p(x|z)", "p(x|z) \\propto p(z|x)", "p(x|z) \\propto_x p(z)",
                              "p(z|x) \\propto_x p(x, z)"]


@pytest.mark.parametrize("claim", OBSERVED_PROPORTIONALITIES)
def test_proportionality_in_the_observed_variable_never_holds_numerically(claim):
    assert last_verdict(display(claim)) not in PASSING


@pytest.mark.parametrize("claim", ["p(x|z) \\propto_x p(x, z)", "p(z|x) \\propto_z p(x, z)",
                                   "p(z|x) \\propto p(x|z) p(z)"])
def test_a_proportionality_with_a_constant_ratio_is_still_proved(claim):
    assert last_verdict(display(claim)) == PROVED


@pytest.mark.parametrize("claim", ["p(x) \\propto 1", "p(z|x) \\propto_z 1", "p(x, z) \\propto_z p(z)"])
def test_a_proportionality_in_a_varying_variable_is_still_refuted(claim):
    assert last_verdict(display(claim)) == REFUTED


# ---------------------------------------------------------------- F5: the factor of ∝


BAD_FACTORS = ["p(z|x) \\propto p(x|z) p(z) \\cdot 0", "p(z|x) \\propto 0 \\cdot p(x, z)", "0 \\propto_z p(z)",
               "p(z|x) \\propto -p(x, z)", "p(z|x) \\propto_z -2 p(x|z) p(z)",
               "\\mathcal{N}(z; \\mu, 1) \\propto -e^{-(z-\\mu)^2/2}"]


@pytest.mark.parametrize("claim", BAD_FACTORS)
def test_a_zero_infinite_or_negative_factor_is_refuted(claim):
    assert last_verdict(display(claim)) == REFUTED


@pytest.mark.parametrize("claim", ["p(z|x) \\propto_z 2 p(x|z) p(z)", "\\mathcal{N}(z; \\mu, 1) \\propto e^{-(z-\\mu)^2/2}"])
def test_a_positive_factor_is_proved(claim):
    assert last_verdict(display(claim)) == PROVED


# ---------------------------------------------------------------- F6: the prose's additive constant, negated


NEGATED = ["Note that $\\propto$ here does not mean equality up to an additive constant.",
           "Here $\\propto$ is never equality up to an additive constant.",
           "We don't read $\\propto$ as equal up to an additive constant."]


@pytest.mark.parametrize("prose", NEGATED)
def test_a_negated_additive_constant_does_not_license_the_additive_reading(prose):
    assert last_verdict(f"{prose}\n\n" + display("\\log p(z|x) \\propto \\log p(x|z) + \\log p(z)")) not in PASSING


def test_a_stated_additive_constant_licenses_it():
    prose = "Here $\\propto$ between logs means equality up to an additive constant."
    assert last_verdict(f"{prose}\n\n" + display("\\log p(z|x) \\propto \\log p(x|z) + \\log p(z)")) == PROVED


# ---------------------------------------------------------------- F7: strict inequalities over the data


DATA = ("Throughout, $p(x)$ is the **data distribution** and $p_\\theta(x)$ is the **model**, with a prior $p(z)$ "
        "and an encoder $q_\\phi(z \\mid x)$.\n\n")
KL = "D_{KL}(q_\\phi(z \\mid x) \\,\\|\\, p(z))"


def expectation(body: str) -> str:
    return f"\\mathbb{{E}}_{{x \\sim p(x)}}\\left[{body}\\right]"


@pytest.mark.parametrize("claim", [
    f"{expectation(KL + ' - x^2')} < {expectation(KL)}", f"{expectation(KL)} > {expectation(KL + ' - (x-1)^2')}",
    f"{expectation(KL + ' - x^4')} < {expectation(KL)}", f"{expectation('x^2')} > 0"])
def test_a_strict_inequality_with_equality_at_a_point_is_not_refuted(claim):
    assert last_verdict(DATA + display(claim)) != REFUTED


@pytest.mark.parametrize("claim", [f"{expectation(KL + ' + x^2')} < {expectation(KL)}",
                                   f"{expectation(KL + ' + 1')} < {expectation(KL)}",
                                   f"{expectation(KL)} > {expectation(KL + ' + (x-1)^2')}"])
def test_a_strict_inequality_failing_somewhere_is_refuted(claim):
    assert last_verdict(DATA + display(claim)) == REFUTED


# ---------------------------------------------------------------- F8: score function with an unread law


UNREAD_LAWS = ["Let $q_\\phi(z) = \\mathcal{U}(z; 0, \\phi)$ be the uniform density on $[0, \\phi]$ with $\\phi > 0$.",
               "Let $q_\\phi(z) = \\mathrm{Unif}(z; 0, \\phi)$.", "Let $z \\sim \\mathcal{U}(0, \\phi)$ with $\\phi > 0$.",
               "Here $q_\\phi(z) = \\operatorname{Beta}(z; \\phi, 1)$."]
SCORE_STEPS = ["\\nabla_\\phi \\mathbb{E}_{q_\\phi(z)}[z] = \\mathbb{E}_{q_\\phi(z)}[z \\nabla_\\phi \\log q_\\phi(z)] "
               "\\quad \\text{(Leibniz)}",
               "\\nabla_\\phi \\mathbb{E}_{q_\\phi(z)}[f(z)] = \\mathbb{E}_{q_\\phi(z)}[f(z) \\nabla_\\phi \\log q_\\phi(z)] "
               "\\quad \\text{(differentiating under the integral sign)}"]


@pytest.mark.parametrize("prose", UNREAD_LAWS)
@pytest.mark.parametrize("step", SCORE_STEPS)
def test_the_score_function_identity_is_not_proved_for_an_unread_stated_law(prose, step):
    assert last_verdict(f"{prose}\n\n" + display(step)) not in PASSING


@pytest.mark.parametrize("step", SCORE_STEPS)
def test_the_score_function_identity_is_proved_for_an_abstract_density(step):
    assert last_verdict(display(step)) == PROVED


def test_the_score_function_identity_is_proved_for_a_declared_gaussian():
    prose = "Let $q_\\phi(z) = \\mathcal{N}(z; \\phi, 1)$."
    step = "\\nabla_\\phi \\mathbb{E}_{q_\\phi(z)}[z^2] = \\mathbb{E}_{q_\\phi(z)}[z^2 \\nabla_\\phi \\log q_\\phi(z)]"
    assert last_verdict(f"{prose}\n\n" + display(step)) == PROVED


# ---------------------------------------------------------------- F10: too few worlds


def test_a_step_most_worlds_skip_does_not_hold():
    step = ("\\nabla_\\phi \\mathbb{E}_{\\epsilon \\sim \\mathcal{N}(0, 1)}\\left[\\frac{|\\phi - \\epsilon|}{\\phi - "
            "\\epsilon}\\right] = \\mathbb{E}_{\\epsilon \\sim \\mathcal{N}(0, 1)}\\left[\\nabla_\\phi \\frac{|\\phi - "
            "\\epsilon|}{\\phi - \\epsilon}\\right] \\quad \\text{(reparameterization trick)}")
    found = steps(display(step))[-1]
    assert found.verdict not in PASSING and "evaluated" in found.reason, found


# ---------------------------------------------------------------- minor: derivatives


@pytest.mark.parametrize("claim, verdict", [
    ("\\frac{d f}{dx} = 3x^2", PROVED), ("\\frac{d^2 f}{dx^2} = 6x", PROVED), ("\\frac{d^2 f}{dx^2} = 3x", REFUTED),
    ("\\frac{d^2}{dx^2} f(x) = 3x", REFUTED)])
def test_a_derivative_of_a_defined_function_uses_its_definition(claim, verdict):
    assert last_verdict(display("f(x) := x^3", claim)) == verdict


def test_a_leibniz_fraction_of_an_abstract_function_is_its_derivative():
    assert last_verdict(display("\\frac{d^2 g}{dx^2} = \\frac{d}{dx} \\frac{d}{dx} g(x)")) == PROVED


@pytest.mark.parametrize("sign", ["Let $\\sigma < 0$.", "Let $\\sigma > 0$.", "The variance is $\\sigma^2 > 0$.", ""])
@pytest.mark.parametrize("claim, verdict", [
    ("\\frac{\\partial}{\\partial \\sigma^2} \\log \\sigma^2 = \\frac{1}{\\sigma^2}", PROVED),
    ("\\frac{\\partial}{\\partial \\sigma^2} \\log \\sigma^2 = \\frac{1}{\\sigma}", REFUTED)])
def test_a_derivative_in_a_square_of_an_even_expression_holds_for_either_sign(sign, claim, verdict):
    assert last_verdict(f"{sign}\n\n" + display(claim)) == verdict


@pytest.mark.parametrize("claim", ["\\frac{\\partial \\sigma}{\\partial \\sigma^2} = \\frac{1}{2\\sigma}",
                                   "\\frac{\\partial}{\\partial \\sigma^2} \\sqrt{\\sigma^2} = \\frac{1}{2\\sigma}"])
def test_a_derivative_in_a_square_of_unknown_sign_is_not_passed_for_an_odd_expression(claim):
    assert last_verdict("The variance is $\\sigma^2 > 0$.\n\n" + display(claim)) not in PASSING


@pytest.mark.parametrize("claim, verdict", [
    ("\\frac{\\partial}{\\partial \\sigma} |\\sigma| = -1", PROVED),
    ("\\frac{\\partial \\sigma}{\\partial \\sigma^2} = \\frac{1}{2\\sigma}", PROVED),
    ("\\frac{\\partial \\sigma}{\\partial \\sigma^2} = -\\frac{1}{2\\sigma}", REFUTED)])
def test_a_derivative_in_the_square_of_a_negative_variable_is_read_on_its_branch(claim, verdict):
    assert last_verdict("Let $\\sigma < 0$.\n\n" + display(claim)) == verdict


@pytest.mark.parametrize("claim, verdict", [
    ("\\frac{\\partial^2}{\\partial \\sigma^2 \\partial \\mu} (\\mu \\sigma^2) = 1", PROVED),
    ("\\frac{\\partial^2}{\\partial \\sigma^2 \\partial \\mu} (\\mu \\sigma^2) = 2", REFUTED),
    ("\\frac{\\partial^2}{\\partial \\sigma^2 \\partial \\mu} (\\mu^2 \\sigma^4) = 4 \\mu \\sigma^2", PROVED)])
def test_a_mixed_derivative_once_in_a_square_is_read(claim, verdict):
    assert last_verdict("Let $\\sigma > 0$.\n\n" + display(claim)) == verdict


SCHWARZ = ("\\frac{\\partial^2}{\\partial x \\partial y} u(x, y) = \\frac{\\partial^2}{\\partial y \\partial x} u(x, y)")


def test_schwarz_symmetry_of_an_arbitrary_function_is_not_proved():
    assert last_verdict(display(SCHWARZ)) not in PASSING


@pytest.mark.parametrize("prose", ["Let $u$ be twice continuously differentiable.", "Let $u \\in C^2$.",
                                   "Let $u$ be smooth."])
def test_schwarz_symmetry_is_proved_for_a_stated_c2_function(prose):
    assert last_verdict(f"{prose}\n\n" + display(SCHWARZ)) == PROVED


def test_a_mixed_derivative_of_a_formula_in_either_order_is_read():
    assert last_verdict(display("\\frac{\\partial^2}{\\partial y \\partial x} (x^2 y) = 2x")) == PROVED


# ---------------------------------------------------------------- minor: data sets, samples, integrals, signs


IID = "We observe a data set $\\mathcal{D} = \\{x^{(i)}\\}_{i=1}^N$ of $N$ i.i.d. points.\n\n"


def test_the_iid_step_given_the_parameter_is_proved():
    claim = "\\log p(\\mathcal{D} | \\theta) = \\sum_{i=1}^N \\log p(x^{(i)} | \\theta)"
    assert last_verdict(IID + display(claim)) == PROVED


@pytest.mark.parametrize("claim", ["\\log p(\\mathcal{D} | \\theta) = \\sum_{i=1}^N \\log p(x^{(i)})",
                                   "\\log p(\\mathcal{D} | \\theta) = N \\log p(x^{(1)} | \\theta)",
                                   "\\log p(\\mathcal{D}|z) = \\sum_{i=1}^N \\log p(x^{(i)} | z)"])
def test_a_wrong_or_unfounded_iid_step_is_not_passed(claim):
    assert last_verdict(IID + display(claim)) not in PASSING


@pytest.mark.parametrize("claim, verdict", [
    ("\\mathbb{E}_{z_k \\sim q(z \\mid x)}[z_k] = \\mathbb{E}_{q(z|x)}[z]", PROVED),
    ("\\mathbb{E}_{z_k \\sim q(z \\mid x)}\\left[\\frac{p(x, z_k)}{q(z_k \\mid x)}\\right] = p(x)", PROVED),
    ("\\mathbb{E}_{z_k \\sim q(z \\mid x)}[z_k^2] = \\mathbb{E}_{q(z|x)}[z]", REFUTED),
    ("\\mathbb{E}_{z_k \\sim q(z \\mid x)}[z_k z] = 0", UNPARSED),
    ("\\mathbb{E}_{z_k \\sim q(z \\mid x)}[w_k] = p(x)", UNPARSED)])
def test_an_expectation_over_a_named_draw_is_the_expectation_over_the_density(claim, verdict):
    assert last_verdict(display(claim)) == verdict


@pytest.mark.parametrize("claim, verdict", [("\\iint p(x, z) \\, dx \\, dz = 1", PROVED),
                                            ("\\iint p(x, z) \\, dx \\, dz = 2", REFUTED)])
def test_a_double_integral_sign_is_two_integrals(claim, verdict):
    assert last_verdict(display(claim)) == verdict


@pytest.mark.parametrize("relation, verdict", [("\\geq", HOLDS), ("\\leq", REFUTED)])
def test_a_sign_declared_for_an_indexed_letter_holds_for_its_instances(relation, verdict):
    prose = "Each weight $w_k > 0$ for every $k$.\n\n"
    claim = f"\\log\\left(\\frac{{w_1 + w_2}}{{2}}\\right) {relation} \\frac{{\\log w_1 + \\log w_2}}{{2}}"
    assert last_verdict(prose + display(claim)) in ((PROVED, HOLDS) if verdict == HOLDS else (verdict,))


ELBO_PROSE = "Where $\\mathcal{L}(x) = \\mathbb{E}_{q(z|x)}[\\log p(x,z) - \\log q(z|x)]$ is the ELBO.\n\n"


@pytest.mark.parametrize("claim, verdict", [
    ("\\log p(x) = \\mathcal{L}(x) + D_{KL}(q(z|x) \\| p(z|x))", PROVED),
    ("\\log p(x) = \\mathcal{L}(x) + D_{KL}(p(z|x) \\| q(z|x))", REFUTED)])
def test_a_named_quantity_defined_in_the_prose_is_used(claim, verdict):
    assert last_verdict(ELBO_PROSE + display(claim)) == verdict


def test_a_density_factorization_in_the_prose_is_no_definition():
    prose = "The model is $p(x, z) = p(x|z) p(z)$.\n\n"
    assert last_verdict(prose + display("p(x, z) = p(x|z) p(z)")) == PROVED


@pytest.mark.parametrize("prose", ["Here $\\propto$ means equality up to an additive constant, not a factor.",
                                   "Between logs, $\\propto$ is equality up to an additive constant."])
def test_an_affirmed_additive_constant_followed_by_a_denial_of_the_factor_licenses_it(prose):
    assert last_verdict(f"{prose}\n\n" + display("\\log p(z|x) \\propto \\log p(x|z) + \\log p(z)")) == PROVED


def test_a_negation_set_off_by_commas_still_denies_the_additive_reading():
    prose = "We do not, as some authors do, read $\\propto$ as equality up to an additive constant."
    assert last_verdict(f"{prose}\n\n" + display("\\log p(z|x) \\propto \\log p(x|z) + \\log p(z)")) not in PASSING


def test_smoothness_stated_for_something_else_does_not_license_schwarz():
    assert last_verdict("The loss is smooth in $\\theta$.\n\n" + display(SCHWARZ)) not in PASSING


def test_a_mixed_derivative_of_a_defined_function_in_either_order_is_read():
    assert last_verdict(display("h(x, y) := x^2 y", "\\frac{\\partial^2}{\\partial y \\partial x} h(x, y) = 2x")) == PROVED


@pytest.mark.parametrize("claim", ["\\mathcal{N}(z; 0, \\sigma^2) \\propto_z e^{-z^2/(2\\sigma^2)}",
                                   "\\mathcal{N}(z; \\mu, s^2) \\propto_z \\exp(-(z - \\mu)^2 / (2 s^2))"])
def test_a_gaussian_is_proportional_to_its_kernel_whatever_the_sign_of_its_scale(claim):
    assert last_verdict(display(claim)) == PROVED


@pytest.mark.parametrize("claim, verdict", [("|a| p(z) \\propto_z p(z)", UNDECIDED),
                                            ("\\mathcal{N}(z; 0, \\sigma^2) \\propto_z -e^{-z^2/(2\\sigma^2)}", REFUTED)])
def test_a_factor_that_may_vanish_or_is_negative_is_not_proved(claim, verdict):
    assert last_verdict(display(claim)) == verdict
