"""Issue 11, the vocabulary: the reader reads any variable name, any density letter, the common spellings
of expectations, entropies, divergences, Gaussians, logarithms and derivatives to the same mathcheck.vocab
objects; a false step written in a new notation is not proved, and a true one in valid LaTeX is read."""
import json

import pytest
import sympy as sp

from mathcheck.audit.document import parse_document
from mathcheck.audit.latex import BareDensity, Context, Unparsed, parse_expression, tokenize
from mathcheck.cli import main
from mathcheck.report import HOLDS, PROVED
from mathcheck.symbolic import reevaluate
from mathcheck.vocab import KL, Density, Expectation, Normal, X, p, q, x, z

h, w, a, s, mu, phi, theta = (sp.Symbol(name, real=True) for name in ("h", "w", "a", "s", "mu", "phi", "theta"))
x_i, x_1 = sp.Symbol("x_i", real=True), sp.Symbol("x_1", real=True)
x_data = sp.Symbol("x^{(i)}", real=True)
z_run, z_before = sp.Symbol("z_1:T", real=True), sp.Symbol("z_t-1", real=True)
f_, g_ = sp.Function("f"), sp.Function("g")


def read(source: str, context: Context | None = None) -> sp.Expr:
    return reevaluate(parse_expression(source, context))


def refusal(source: str) -> Unparsed:
    with pytest.raises(Unparsed) as caught:
        parse_expression(source)
    return caught.value


# ---------------------------------------------------------------- variable names


@pytest.mark.parametrize("source, expected", [
    ("p(x)", p(x)), ("p(X)", p(X)), ("p(h)", p(h)), ("p(w | h)", p(w, given=h)),
    (r"p(\mathbf{x})", p(x)), (r"p(\boldsymbol{x})", p(x)), (r"p(\bm{x})", p(x)), (r"p(\pmb{x})", p(x)),
    (r"p(\mathbf{x} | \mathbf{z})", p(x, given=z)), (r"p({\bf x})", p(x)), (r"p(\boldsymbol{\mu})", p(mu)),
    ("p(x_i)", p(x_i)), ("p(x_1)", p(x_1)), ("p(x^{(i)})", p(x_data)), (r"p(\mathbf{x}^{(i)})", p(x_data)),
    ("p(z_{1:T})", p(z_run)), ("p(z_{t-1})", p(z_before)), ("q(z | x^{(i)})", q(z, given=x_data)),
    (r"p(\bm x)", p(x)), (r"p(\mathbf x | \boldsymbol z)", p(x, given=z)), (r"q_{\boldsymbol\phi}(z)", q(z, label="phi")),
    (r"p(\mathcal{D})", p(sp.Symbol(r"\mathcal{D}", real=True))),
    (r"p(\mathcal{D} | \theta)", p(sp.Symbol(r"\mathcal{D}", real=True), given=theta)),
])
def test_a_density_of_any_variable_name_is_a_density_of_that_symbol(source, expected):
    assert parse_expression(source) == expected


@pytest.mark.parametrize("source, variable", [
    (r"\int p(x) dx", x), (r"\int p(h) \, dh", h), (r"\int p(\mathbf{z}) d\mathbf{z}", z),
    (r"\int p(x_i) dx_i", x_i), (r"\int p(x^{(i)}) dx^{(i)}", x_data), (r"\int p(w) \mathrm{d}w", w),
    (r"\int p(w) \,dw", w), (r"\int p(w) \mathop{}\!\mathrm{d}w", w), (r"\int p(z) \, {\rm d}z", z),
])
def test_an_integral_over_any_variable_name_integrates_that_symbol(source, variable):
    assert parse_expression(source).limits[0][0] == variable


@pytest.mark.parametrize("source, expected", [
    ("x^{(i)} - x", x_data - x), ("x^{(i)} + x_i", x_data + x_i), (r"\log p(\mathbf{x}^{(i)})", sp.log(p(x_data))),
])
def test_a_data_point_index_makes_another_variable_and_a_bold_argument_is_the_plain_one(source, expected):
    assert read(source) == expected


def test_a_data_point_indexed_by_an_enclosing_sum_is_not_read_as_one_variable():
    from mathcheck.sums import AtPoint  # the model's log p(X) at each data point x^(i), not N log p(x^(i))
    (sum_,) = read(r"\sum_{i=1}^{N} \log p(x^{(i)})").atoms(sp.Sum)
    assert isinstance(sum_.function, AtPoint) and sum_.function.expr == sp.log(Density("p", [X]))


# ---------------------------------------------------------------- density letters


@pytest.mark.parametrize("source, expected", [
    ("r(z)", Density("r", [z])), ("P(x)", Density("P", [x])), ("Q(z | x)", Density("Q", [z], [x])),
    (r"\pi(z)", Density("pi", [z])), (r"\pi_\theta(a | s)", Density("pi", [a], [s], "theta")),
    ("P(x, z)", Density("P", [x, z])),
])
def test_a_conventional_density_letter_applied_to_variables_is_a_density(source, expected):
    assert parse_expression(source) == expected


@pytest.mark.parametrize("source, expected", [
    ("g(x | z)", Density("g", [x], [z])), ("f(x | z)", Density("f", [x], [z])),
    ("g(x | z) g(x)", Density("g", [x], [z]) * Density("g", [x])),
    (r"\mathbb{E}_{g}[x]", Expectation(BareDensity("g"), x)), (r"\mathbb{E}_{g(z)}[z]", Expectation(Density("g", [z]), z)),
    (r"\mathbb{E}_{z \sim g}[z]", Expectation(BareDensity("g"), z)),
    (r"KL(f \| g)", KL(BareDensity("f"), BareDensity("g"))),
    (r"KL(f(x) \| g(x)) + \log g(x)", KL(Density("f", [x]), Density("g", [x])) + sp.log(Density("g", [x]))),
    (r"f(x; \mu, \sigma)", Density("f", [x], (), "mu,sigma")),
])
def test_a_letter_used_as_a_density_is_a_density_everywhere_in_the_formula(source, expected):
    assert read(source) == reevaluate(expected)


@pytest.mark.parametrize("source, expected", [
    ("f(x)", f_(x)), ("g(x) + 1", g_(x) + 1), ("h(x)", sp.Function("h")(x)), (r"\pi (x - 1)", sp.pi * (x - 1)),
    (r"2\pi", 2 * sp.pi), (r"\sqrt{2\pi}", sp.sqrt(2 * sp.pi)), ("r^2", sp.Symbol("r", real=True) ** 2),
    ("r(1 + x)", sp.Symbol("r", real=True) * (1 + x)),
])
def test_a_letter_without_density_usage_stays_a_function_or_a_number(source, expected):
    assert read(source) == expected


def test_a_letter_the_context_declares_a_density_is_a_density():
    context = Context()
    context.density_letters.add("g")
    assert parse_expression("g(x)", context) == Density("g", [x])


@pytest.mark.parametrize("source, label", [
    (r"p_\theta(x)", "theta"), (r"q_\phi(z | x)", "phi"), (r"q_\lambda(z)", "lambda"),
    (r"q_{\phi,\psi}(z | x)", "phi,psi"), (r"p(x; \theta)", "theta"), (r"p(x | z; \theta)", "theta"),
    (r"f(x; \mu, \sigma)", "mu,sigma"),
])
def test_a_density_parameter_written_as_subscript_or_after_a_semicolon_is_its_label(source, label):
    assert parse_expression(source).label == label


@pytest.mark.parametrize("source", [r"p_{\boldsymbol{\theta}}(x)", r"p_{\bm{\theta}}(x)", r"p_{\theta}(x)"])
def test_a_bold_parameter_labels_the_density_as_the_plain_one(source):
    assert parse_expression(source) == p(x, label="theta")


def test_a_named_quantity_takes_its_arguments_split_by_a_semicolon_in_order():
    assert parse_expression(r"\mathcal{L}(\theta, \phi; \mathbf{x})").arguments == (theta, phi, x)


def test_parameters_after_a_semicolon_equal_the_same_subscript():
    assert parse_expression(r"p(x; \theta)") == parse_expression(r"p_\theta(x)")


def test_two_labels_on_one_density_are_refused():
    assert "label" in refusal(r"p_\phi(x; \theta)").reason


# ---------------------------------------------------------------- expectations and entropies


EXPECTATION = Expectation(q(z, given=x), sp.log(p(x, given=z)))


@pytest.mark.parametrize("source", [
    r"\mathbb{E}_{q(z|x)}[\log p(x|z)]", r"\mathbb{E}_{z\sim q(z|x)}[\log p(x|z)]",
    r"\mathbb{E}_{q(z|x)}\left[\log p(x|z)\right]", r"\mathbb{E}_{q(z|x)}\big[\log p(x|z)\big]",
    r"\mathbb{E}_{q(z|x)}(\log p(x|z))", r"\mathbb{E}_{q(z|x)}\{\log p(x|z)\}",
    r"\mathbb{E}_{q(z|x)}\left\{\log p(x|z)\right\}", r"\mathbb{E}_{q(z|x)} \log p(x|z)",
    r"\mathbb{E}_{\mathbf{z} \sim q(\mathbf{z}|\mathbf{x})}[\log p(\mathbf{x}|\mathbf{z})]",
    r"E_{q(z|x)}[\log p(x|z)]", r"\mathrm{E}_{q(z|x)}[\log p(x|z)]", r"\mathbb E_{q(z|x)}[\log p(x|z)]",
    r"{\rm E}_{q(z|x)}[\log p(x|z)]",
])
def test_expectation_spellings_read_to_the_expectation_over_the_subscript_density(source):
    assert parse_expression(source) == EXPECTATION


@pytest.mark.parametrize("source", [
    r"\underset{q(z|x)}{\mathbb{E}}[\log p(x|z)]", r"\underset{z \sim q(z|x)}{\mathbb{E}}\left[\log p(x|z)\right]",
    r"\mathop{\mathbb{E}}_{q(z|x)}[\log p(x|z)]", r"\mathop{\mathbb{E}}\limits_{q(z|x)}[\log p(x|z)]",
    r"\underset{q(z|x)}{E}[\log p(x|z)]",
])
def test_an_expectation_with_its_density_set_under_it_reads_as_the_subscript_form(source):
    assert parse_expression(source) == EXPECTATION


def test_a_bare_subscript_names_the_density_by_its_letter():
    assert parse_expression(r"\mathbb{E}_q[\log p(x|z)]") == Expectation(BareDensity("q"), sp.log(p(x, given=z)))
    assert parse_expression(r"\mathbb{E}_\pi[x]") == Expectation(BareDensity("pi"), x)


def test_an_expectation_over_a_gaussian_names_its_variable():
    expected = Expectation(Normal(x, mu, sp.Abs(sp.Symbol("sigma", real=True))), x)
    assert read(r"\mathbb{E}_{x \sim \mathcal{N}(\mu,\sigma^2)}[x]") == reevaluate(expected)


def test_nested_expectations_read_inside_one_another():
    expected = Expectation(p(x), EXPECTATION)
    assert parse_expression(r"\mathbb{E}_{p(x)}\mathbb{E}_{q(z|x)}[\log p(x|z)]") == expected
    assert parse_expression(r"\mathbb{E}_{p(x)}\left[\mathbb{E}_{q(z|x)}[\log p(x|z)]\right]") == expected


@pytest.mark.parametrize("source, expected", [
    (r"\mathbb{E}_{q(z|x)} \log p(x|z) - \log q(z|x)", EXPECTATION - sp.log(q(z, given=x))),
    (r"\mathbb{E}_{q(z|x)} \log p(x|z) + \mathbb{E}_{q(z|x)}[\log p(z)]",
     EXPECTATION + Expectation(q(z, given=x), sp.log(p(z)))),
    (r"-\mathbb{E}_{q(z|x)} \log p(x|z)", -EXPECTATION),
    (r"2 \mathbb{E}_{q(z|x)} \log p(x|z) - 1", 2 * EXPECTATION - 1),
])
def test_a_bracketless_expectation_runs_to_the_next_top_level_sign(source, expected):
    assert read(source) == reevaluate(expected)


ENTROPY = -Expectation(q(z, given=x), sp.log(q(z, given=x)))


@pytest.mark.parametrize("source", [
    r"H[q(z|x)]", r"H(q(z|x))", r"\mathcal{H}(q(z|x))", r"\mathbb{H}[q(z|x)]", r"\mathcal{H}[q(z \mid x)]",
])
def test_entropy_spellings_read_to_minus_the_expected_log_density(source):
    assert parse_expression(source) == ENTROPY


def test_the_entropy_of_a_bare_density_and_the_cross_entropy_of_two():
    assert parse_expression("H[q]") == -Expectation(BareDensity("q"), sp.log(BareDensity("q")))
    assert parse_expression("H(p, q)") == -Expectation(BareDensity("p"), sp.log(BareDensity("q")))


def test_h_of_a_variable_is_not_an_entropy():
    assert not parse_expression("H(x)").has(Expectation)


# ---------------------------------------------------------------- divergences and Gaussians


KL_QP = KL(q(z, given=x), p(z))


@pytest.mark.parametrize("name", [r"D_{KL}", r"D_\text{KL}", r"D_{\mathrm{KL}}", r"D_\mathrm{KL}", r"\mathrm{KL}",
                                  r"\operatorname{KL}", "KL", r"\mathbb{KL}", r"\text{KL}", r"D_{\text{KL}}",
                                  r"D_{\rm KL}", r"{\rm KL}", r"\mathrm{D}_{\mathrm{KL}}", r"\text{D}_{\text{KL}}"])
@pytest.mark.parametrize("arguments", [r"(q(z|x) \| p(z))", r"(q(z|x) \,\|\, p(z))", r"[q(z|x) || p(z)]",
                                       r"(q(z|x) \Vert p(z))", r"(q(z|x) \parallel p(z))", r"(q(z|x) ; p(z))",
                                       r"\left( q(z|x) \middle\| p(z) \right)", r"\left[ q(z|x) \| p(z) \right]"])
def test_kl_spellings_read_to_the_kl_of_the_two_densities_in_order(name, arguments):
    assert parse_expression(name + arguments) == KL_QP


@pytest.mark.parametrize("source, expected", [
    (r"\mathcal{N}(z; \mu, 1)", Normal(z, mu, 1)), (r"\mathcal{N}(z | \mu, 1)", Normal(z, mu, 1)),
    (r"\mathcal{N}(z \mid \mu, 1)", Normal(z, mu, 1)), (r"N(z; \mu, 1)", Normal(z, mu, 1)),
    (r"\mathcal{N}(0, 1)", Normal(x, 0, 1)),
    ("N(0, I)", Normal(x, 0, 1)), (r"\mathcal{N}(z; 0, I)", Normal(z, 0, 1)),
    (r"KL(q(z|x) \| \mathcal{N}(0, I))", KL(q(z, given=x), Normal(z, 0, 1))),
])
def test_gaussian_spellings_read_to_the_normal_density_of_their_variable(source, expected):
    assert parse_expression(source) == expected


@pytest.mark.parametrize("source", [r"\mathcal{N}(0, I_d)", r"\mathcal{N}(z; 0, \mathbf{I})", r"N(0, I_{d})"])
def test_the_identity_of_a_vector_space_is_never_read_as_the_number_one(source):
    try:
        read_as = parse_expression(source)
    except Unparsed as refused:  # the scalar reader's refusal (or the matrix reader's)
        assert refused.reason
        return
    assert read_as not in (Normal(x, 0, 1), Normal(z, 0, 1))  # the matrix reader's covariance, not 1


# ---------------------------------------------------------------- functions and operators


@pytest.mark.parametrize("source", [
    r"\log p(x)", r"\ln p(x)", r"log p(x)", r"ln p(x)", r"{\rm log}\, p(x)", r"{\rm log} p(x)",
    r"\operatorname{log} p(x)", r"\mathrm{log}\, p(x)", r"\log\left(p(x)\right)", r"log(p(x))",
])
def test_log_spellings_read_to_the_natural_logarithm(source):
    assert parse_expression(source) == sp.log(p(x))


@pytest.mark.parametrize("source", [r"\exp(x)", "exp(x)", r"\operatorname{exp}(x)", r"{\rm exp}(x)", "e^{x}", "e^x"])
def test_exp_spellings_read_to_the_exponential(source):
    assert read(source) == sp.exp(x)


@pytest.mark.parametrize("source", [r"\log_2 p(x)", r"\log_{2} p(x)", r"log_2 p(x)"])
def test_log_base_two_is_the_natural_log_over_log_two(source):
    assert parse_expression(source) == sp.log(p(x)) / sp.log(2)


@pytest.mark.parametrize("source", [r"\frac12", r"\frac{1}{2}", r"\tfrac12", r"\dfrac{1}{2}", r"{1 \over 2}",
                                    r"\tfrac{1}{2}"])
def test_fraction_spellings_of_one_half(source):
    assert parse_expression(source) == sp.Rational(1, 2)


@pytest.mark.parametrize("source", [r"\mu \cdot x", r"\mu \times x", r"\mu x", r"\mu * x"])
def test_product_spellings_multiply(source):
    assert read(source) == mu * x


@pytest.mark.parametrize("source, expected", [
    (r"\nabla_\phi f(\phi)", sp.Derivative(f_(phi), phi)), (r"\nabla_{\phi} f(\phi)", sp.Derivative(f_(phi), phi)),
    (r"\partial_\phi f(\phi)", sp.Derivative(f_(phi), phi)),
    (r"\frac{\partial}{\partial \phi} f(\phi)", sp.Derivative(f_(phi), phi)),
    (r"\frac{d}{d\phi} f(\phi)", sp.Derivative(f_(phi), phi)),
    (r"\frac{\mathrm{d}}{\mathrm{d}\phi} f(\phi)", sp.Derivative(f_(phi), phi)),
    (r"\frac{\partial f(\phi)}{\partial \phi}", sp.Derivative(f_(phi), phi)),
    (r"\frac{d}{dx} x^2", sp.Derivative(x**2, x)),
    (r"\nabla_\mu \mathcal{N}(x; \mu, 1)", sp.Derivative(Normal(x, mu, 1), mu)),
])
def test_derivative_spellings_read_to_the_sympy_derivative(source, expected):
    assert parse_expression(source) == expected


@pytest.mark.parametrize("source", [r"\frac{\partial}{\partial \phi} q(z)", r"\nabla_\phi \mathcal{L}",
                                    r"\nabla_\theta \log q_\phi(z)"])
def test_a_derivative_of_a_density_whose_parameter_is_only_a_label_is_refused(source):
    assert "not written out" in refusal(source).reason


@pytest.mark.parametrize("source", [r"\nabla_\phi \mathbb{E}_{q_\phi(z)}[f(z)]", r"\nabla_\theta \log p_\theta(x)"])
def test_a_derivative_in_the_label_of_a_density_is_kept_as_a_derivative(source):
    # q_φ depends on φ through its label: the derivative is kept (the engine decides it symbolically only)
    assert parse_expression(source).atoms(sp.Derivative)


@pytest.mark.parametrize("source", [r"\nabla_\phi \mu^2", r"\frac{\partial}{\partial \phi} (\mu + \sigma)",
                                    r"\frac{d}{dz} \int f(z) dz"])
def test_a_derivative_of_an_expression_that_does_not_write_the_parameter_is_refused(source):
    assert "does not write" in refusal(source).reason


def test_ell_is_a_letter():
    assert read(r"\ell + 1") == sp.Symbol("ell", real=True) + 1


@pytest.mark.parametrize("source", [r"\underbrace{\mathbb{E}_{q(z|x)}[\log p(x|z)]}_{\text{reconstruction}}",
                                    r"\overbrace{\mathbb{E}_{q(z|x)}[\log p(x|z)]}^{\text{ELBO}}",
                                    r"\underbrace{\mathbb{E}_{q(z|x)}[\log p(x|z)]}"])
def test_a_braced_part_reads_as_what_it_braces(source):
    assert parse_expression(source) == EXPECTATION


# ---------------------------------------------------------------- relations


@pytest.mark.parametrize("relation", [":=", r"\coloneqq", r"\triangleq", r"\stackrel{\text{def}}{=}",
                                      r"\overset{\text{def}}{=}", r"\overset{\mathrm{def}}{=}", r"\stackrel{\Delta}{=}",
                                      "≔", "≜"])
def test_definition_marks_read_as_a_definition(relation):
    (token,) = [t for t in tokenize(f"L {relation} 1") if t.kind == "rel"]
    assert token.text == ":="


@pytest.mark.parametrize("relation, shown", [(r"\equiv", "="), (r"\approx", "≈"), (r"\propto", "∝")])
def test_equivalence_approximation_and_proportion_keep_their_relation(relation, shown):
    (token,) = [t for t in tokenize(f"a {relation} b") if t.kind == "rel"]
    assert token.text == shown


# ---------------------------------------------------------------- prose declarations


@pytest.mark.parametrize("sentence", [
    "Let $g$ be a density.", "Here $g(x|z)$ is Gaussian.", "Let $g$ denote the density.",
    "Let $g_\\psi$ be the approximate posterior density.", "$g$ は確率密度とする。", "$g(x)$ denotes a density.",
])
def test_a_letter_the_prose_declares_a_density_reads_as_a_density_afterwards(sentence):
    document = parse_document("doc.md", f"{sentence}\n\n$$\n\\int g(x) dx = 1\n$$\n")
    assert "g" in document.formulas[0].context.density_letters


@pytest.mark.parametrize("sentence", ["$g$ is not a density.", "Is $g$ a density?", "Perhaps $g$ is a density."])
def test_a_negated_or_questioned_density_declaration_declares_nothing(sentence):
    document = parse_document("doc.md", f"{sentence}\n\n$$\n\\int g(x) dx = 1\n$$\n")
    assert "g" not in document.formulas[0].context.density_letters


@pytest.mark.parametrize("sentence", ["Let $q(z) = N(m, s^2)$.", "Let $q(z) = \\mathcal{N}(m, s^2)$ and $s > 0$.",
                                      "Here $q(z) = \\mathcal{N}(z; m, s^2)$."])
def test_a_density_equated_to_a_gaussian_in_the_prose_is_declared_gaussian(sentence):
    document = parse_document("doc.md", f"{sentence}\n\n$$\n\\int q(z) dz = 1\n$$\n")
    assert ("q", "") in document.formulas[0].context.densities


@pytest.mark.parametrize("sentence", ["$q(z) = N(m, s^2)$ is not assumed.", "Is $q(z) = N(m, s^2)$?",
                                      "Let $\\mu(z) = N(m, s^2)$."])
def test_an_equation_that_is_not_a_plain_gaussian_declaration_declares_nothing(sentence):
    document = parse_document("doc.md", f"{sentence}\n\n$$\n\\int q(z) dz = 1\n$$\n")
    assert ("q", "") not in document.formulas[0].context.densities


def test_a_with_clause_declares_its_condition_for_the_next_formula_only():
    text = ("The same computation, with $s > 0$, gives\n\n$$\n\\log s^2 = 2 \\log s\n$$\n\nand\n\n"
            "$$\n\\log s^2 = 2 \\log s\n$$\n")
    document = parse_document("doc.md", text)
    assert document.formulas[0].context.symbols["s"].is_positive
    assert "s" not in document.formulas[1].context.symbols


def test_a_letter_used_with_a_bar_is_a_density_in_the_formulas_that_follow():
    document = parse_document("doc.md", "$$\ng(x|z) = g(x|z)\n$$\n\n$$\n\\int g(x) dx = 1\n$$\n")
    assert "g" in document.formulas[1].context.density_letters


def test_a_bare_density_names_the_one_density_of_its_letter_the_document_wrote_before():
    document = parse_document("doc.md", "$$\n\\int q(z|x) dz = 1\n$$\n\n$$\n\\mathbb{E}_q[1] = 1\n$$\n")
    assert parse_expression(r"\mathbb{E}_q[1]", document.formulas[1].context) == Expectation(q(z, given=x), 1)


def test_a_bare_density_stays_bare_when_the_document_wrote_two_of_its_letter():
    text = "$$\n\\int q(z|x) dz = 1\n$$\n\n$$\n\\int q(z) dz = 1\n$$\n\n$$\n\\mathbb{E}_q[1] = 1\n$$\n"
    document = parse_document("doc.md", text)
    assert parse_expression(r"\mathbb{E}_q[1]", document.formulas[2].context) == Expectation(BareDensity("q"), 1)


def test_a_bare_density_in_a_display_that_writes_its_letter_on_another_side_is_left_to_that_display():
    text = "$$\n\\int q(z|x) dz = 1\n$$\n\n$$\nKL(p \\| q) = \\int p(w) \\log \\frac{p(w)}{q(w)} dw\n$$\n"
    document = parse_document("doc.md", text)
    assert parse_expression(r"KL(p \| q)", document.formulas[1].context) == KL(BareDensity("p"), BareDensity("q"))


def test_a_bare_density_in_a_formula_that_writes_its_letter_is_left_to_that_formula():
    context = Context()
    context.written_densities[("q", "")] = {q(z, given=x)}
    assert parse_expression(r"\mathbb{E}_q[1] + q(w)", context).has(BareDensity("q"))


# ---------------------------------------------------------------- the whole pipeline


def audit_verdicts(tmp_path, capsys, text: str) -> list[str]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    main(["audit", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return [step["verdict"] for step in json.loads(captured.out)["steps"]]


ELBO_RHS = r"\mathbb{E}_{q(z|x)}\left[\log \frac{p(x|z) p(z)}{q(z|x)}\right]"
FALSE_STEPS = [
    r"\mathbb{E}_{q(z|x)}[\log p(x|z)] + \operatorname{KL}(q(z|x) \| p(z)) = " + ELBO_RHS,  # wrong sign of the KL
    r"\mathbb{E}_q \log p(x|z) + \mathrm{KL}(q(z|x) \,\|\, p(z)) = " + ELBO_RHS,
    r"\mathbb{E}_q \log p(x|z) - \log q(z|x) = \mathbb{E}_{q(z|x)}\left[\log p(x|z) - \log q(z|x)\right]",  # mis-scoped
    r"KL(q(z|x) ; p(z)) = KL(p(z) ; q(z|x))",  # KL is not symmetric
    r"H[q(z|x)] = \int q(z|x) \log q(z|x) \, dz",  # the entropy's sign
    r"log p(x) = \log_2 p(x)", r"{\rm log}\, p(x) = \log p(x) + 1", r"\ln p(x) = \exp p(x)",
    r"\frac{d}{d\mu} \mu^2 = \mu", r"\nabla_\mu \mu^3 = 3\mu", r"\frac{\partial \mu^2}{\partial \mu} = 2",
    r"\int p(\mathbf{x}) d\mathbf{x} = 2", r"\mathbb{E}_{x \sim \mathcal{N}(\mu, 1)}[x] = \mu + 1",
    r"\mathbb{E}_{z \sim \mathcal{N}(0, I)}[z^2] = 2", r"\partial_\phi f(\phi) = 0", r"\nabla_\phi f(\phi) = f(\phi)",
    r"\nabla_\phi \mu^2 = 0", r"g(x|z) = g(x)", r"\int \pi(z|x) dz = 2", r"\underset{q(z|x)}{\mathbb{E}}[1] = 2",
]


@pytest.mark.parametrize("step", FALSE_STEPS)
def test_a_false_step_in_a_new_notation_is_not_proved(tmp_path, capsys, step):
    verdicts = audit_verdicts(tmp_path, capsys, f"$${step}$$\n")
    assert verdicts and not any(v in (PROVED, HOLDS, "definition") for v in verdicts), verdicts


TRUE_STEPS = [
    r"\mathbb{E}_{q(z|x)}[\log p(x|z)] - \operatorname{KL}(q(z|x) \| p(z)) = " + ELBO_RHS,
    r"\mathbb{E}_q \log p(x|z) - D_\text{KL}(q(z|x) \Vert p(z)) = " + ELBO_RHS,
    r"H[q(z|x)] = -\int q(z|x) \log q(z|x) \, dz", r"log p(x) = \ln p(x)", r"{\rm log}\, p(x) = \log p(x)",
    r"\log_2 p(x) = \frac{\ln p(x)}{\ln 2}", r"\frac{d}{d\mu} \mu^2 = 2\mu", r"\nabla_\mu \mu^3 = 3\mu^2",
    r"\int p(\mathbf{x}) d\mathbf{x} = 1", r"\mathbb{E}_{x \sim \mathcal{N}(\mu, 1)}[x] = \mu",
    r"\mathbb{E}_{z \sim \mathcal{N}(0, I)}[z^2] = 1", r"\int \pi(z|x) dz = 1", r"\int g(x|z) \, dx = 1",
    r"\underset{q(z|x)}{\mathbb{E}}[1] = 1", r"\mathbb{E}_{\mathbf{z} \sim q(\mathbf{z}|\mathbf{x})}[1] = 1",
]


@pytest.mark.parametrize("step", TRUE_STEPS)
def test_a_true_step_in_a_new_notation_is_read_and_not_refuted(tmp_path, capsys, step):
    verdicts = audit_verdicts(tmp_path, capsys, f"$${step}$$\n")
    assert verdicts and all(v in (PROVED, HOLDS) for v in verdicts), verdicts
