"""The matrix reader, round 2 (issue 12): densities of vectors declared Gaussian in the prose, E and KL over
them, expectations of matrices, the bold zero, N(0, I) of vectors, declarations by apposition, comma lists and
"symmetric" only, and vector-valued functions f(z). Each reading has false variants that must never be proved
or hold."""
import pytest
import sympy as sp

from mathcheck.audit.document import parse_document
from mathcheck.audit.latex import Parser
from mathcheck.matrices import MatrixExpectation, MvNormal, Normalizer, VectorFunction, d, prove_matrix
from mathcheck.vocab import Density, Expectation
from tests.audit_steps import PROVED, REFUTED, document, verdict

HOLDS = "holds"


def formula_expressions(prose: str, formula: str) -> list:
    parsed = parse_document("doc.md", document(prose, formula))
    formula = parsed.formulas[-1]
    return [Parser(item.segment.tokens, parsed.text, formula.context, 0).parse() for item in formula.chains[0]]


FULL = (r"Let $\mathbf{x} \in \mathbb{R}^d$, $q(\mathbf{x}) = \mathcal{N}(\mathbf{x}; \boldsymbol{\mu}_1, \Sigma_1)$ and "
        r"$p(\mathbf{x}) = \mathcal{N}(\mathbf{x}; \boldsymbol{\mu}_2, \Sigma_2)$, where $\boldsymbol{\mu}_1, "
        r"\boldsymbol{\mu}_2 \in \mathbb{R}^d$ and $\Sigma_1$, $\Sigma_2$ are $d \times d$ symmetric positive-definite "
        r"covariance matrices.")
DIAGONAL = (r"The latent is $\mathbf{z} \in \mathbb{R}^J$, the prior $p(\mathbf{z}) = \mathcal{N}(\mathbf{0}, I)$ and "
            r"the encoder $q_\phi(\mathbf{z} \mid \mathbf{x}) = \mathcal{N}(\boldsymbol{\mu}, "
            r"\mathrm{diag}(\boldsymbol{\sigma}^2))$ with $\sigma_j > 0$.")
KL_FULL = r"D_{KL}(q \,\|\, p)"
CLOSED_FULL = (r"\frac{1}{2}\left[\mathrm{tr}\left(\Sigma_2^{-1}\Sigma_1\right) + (\boldsymbol{\mu}_2 - \boldsymbol{\mu}_1)^\top "
               r"\Sigma_2^{-1} (\boldsymbol{\mu}_2 - \boldsymbol{\mu}_1) - d + \log\frac{\det\Sigma_2}{\det\Sigma_1}\right]")
KL_DIAGONAL = r"D_{KL}\left(q_\phi(\mathbf{z} \mid \mathbf{x}) \,\|\, p(\mathbf{z})\right)"


# ---------------------------------------------------------------- densities of vectors declared in the prose


def test_a_density_of_a_vector_declared_gaussian_reads_as_the_engines_normal():
    expressions = formula_expressions(FULL, r"\mathbb{E}_q\left[\mathbf{x}\right] = \boldsymbol{\mu}_1")
    density = expressions[0].density
    assert isinstance(expressions[0], MatrixExpectation) and isinstance(density, MvNormal)
    assert density.mean == sp.MatrixSymbol("mu_1", d, 1) and density.cov.name == "Sigma_1"
    assert density.cov.positive_definite


def test_an_encoder_declared_with_a_diagonal_covariance_reads_as_a_normal_of_its_components():
    (kl, _) = formula_expressions(DIAGONAL, KL_DIAGONAL + r" = 0")
    first, second = kl.args
    assert isinstance(first, MvNormal) and isinstance(second, MvNormal)
    assert first.cov.entry.is_positive and isinstance(second.mean, sp.ZeroMatrix)
    assert second.cov == sp.Identity(sp.Symbol("J", integer=True, positive=True))


@pytest.mark.parametrize("formula", [
    KL_FULL + " = " + CLOSED_FULL,
    r"D_{KL}(q \,\|\, p) = \mathbb{E}_q\left[\log q(\mathbf{x}) - \log p(\mathbf{x})\right]",
    r"\mathbb{E}_q\left[(\mathbf{x} - \boldsymbol{\mu}_2)^\top \Sigma_2^{-1} (\mathbf{x} - \boldsymbol{\mu}_2)\right] = "
    r"\mathrm{tr}\left(\Sigma_2^{-1}\Sigma_1\right) + (\boldsymbol{\mu}_1 - \boldsymbol{\mu}_2)^\top \Sigma_2^{-1} "
    r"(\boldsymbol{\mu}_1 - \boldsymbol{\mu}_2)",
])
def test_the_full_gaussian_kl_steps_over_declared_densities_are_proved(formula):
    assert verdict(FULL, formula)[0] == PROVED


@pytest.mark.parametrize("formula", [
    KL_FULL + r" = \frac{1}{2}\left[\mathrm{tr}\left(\Sigma_2^{-1}\Sigma_1\right) + (\boldsymbol{\mu}_2 - "
    r"\boldsymbol{\mu}_1)^\top \Sigma_2^{-1} (\boldsymbol{\mu}_2 - \boldsymbol{\mu}_1) + \log\frac{\det\Sigma_2}{\det\Sigma_1}\right]",
    KL_FULL + r" = \frac{1}{2}\left[\mathrm{tr}\left(\Sigma_1\right) + (\boldsymbol{\mu}_2 - \boldsymbol{\mu}_1)^\top "
    r"\Sigma_2^{-1} (\boldsymbol{\mu}_2 - \boldsymbol{\mu}_1) - d + \log\frac{\det\Sigma_2}{\det\Sigma_1}\right]",
    r"D_{KL}(q \,\|\, p) = \mathbb{E}_q\left[\log p(\mathbf{x}) - \log q(\mathbf{x})\right]",
    r"D_{KL}(p \,\|\, q) = " + CLOSED_FULL,
    r"\mathbb{E}_q\left[\mathbf{x}\right] = \boldsymbol{\mu}_2",
])
def test_a_wrong_full_gaussian_kl_step_is_never_proved(formula):
    assert verdict(FULL, formula)[0] not in (PROVED, HOLDS)


def test_the_diagonal_gaussian_kl_against_the_standard_normal_is_proved_per_dimension():
    formula = KL_DIAGONAL + r" = \frac{1}{2}\sum_{j=1}^{J}\left(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\right)"
    assert verdict(DIAGONAL, formula)[0] == PROVED


@pytest.mark.parametrize("rhs", [
    r"\frac{1}{2}\sum_{j=1}^{J}\left(\mu_j^2 + \sigma_j^2 - \log\sigma_j^2\right)",  # the −1 dropped
    r"\frac{1}{2}\sum_{j=1}^{J}\left(\mu_j^2 + \sigma_j - 1 - \log\sigma_j^2\right)",  # σ for σ²
    r"\sum_{j=1}^{J}\left(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\right)",  # the ½ dropped
])
def test_a_wrong_diagonal_gaussian_kl_is_refuted(rhs):
    assert verdict(DIAGONAL, KL_DIAGONAL + " = " + rhs)[0] == REFUTED


def test_a_declared_density_written_with_other_variables_is_refused():
    found = verdict(DIAGONAL, r"D_{KL}\left(q_\phi(\mathbf{x} \mid \mathbf{z}) \,\|\, p(\mathbf{z})\right) = 0")
    assert found[0] not in (PROVED, HOLDS, REFUTED)


def test_an_undeclared_density_of_vectors_is_opaque_and_linear():
    prose = DIAGONAL + r" The decoder is $p_\theta(\mathbf{x} \mid \mathbf{z})$."
    e = r"\mathbb{E}_{q_\phi(\mathbf{z} \mid \mathbf{x})}\left[\log p_\theta(\mathbf{x} \mid \mathbf{z})\right]"
    assert verdict(prose, rf"2{e} - {KL_DIAGONAL} = {e} - {KL_DIAGONAL} + {e}")[0] == PROVED
    assert verdict(prose, rf"2{e} = {e}")[0] not in (PROVED, HOLDS)


def test_an_expectation_over_an_opaque_density_keeps_what_depends_on_its_variables():
    z = sp.Symbol("z", real=True)
    density = Density("p", [z])
    c = sp.Symbol("c", real=True)
    normal = Normalizer()
    expanded = normal.scalar(Expectation(density, c * sp.log(Density("r", [z])) + c))
    assert expanded == c * Expectation(density, sp.log(Density("r", [z]))) + c


def test_an_expectation_over_a_gaussian_of_a_function_of_its_variable_is_not_taken_out():
    mu, x = sp.MatrixSymbol("mu", d, 1), sp.MatrixSymbol("x", d, 1)
    sigma = sp.MatrixSymbol("S", d, d)
    from mathcheck.matrices import Covariance
    normal = MvNormal(x, mu, Covariance("S", d, d))
    body = sp.log(Density("p", [sp.Symbol("x", real=True)]))
    assert not prove_matrix(Expectation(normal, body), "=", body).proved
    assert sigma.shape == (d, d)


# ---------------------------------------------------------------- expectations of matrices


def test_the_trace_trick_with_the_expectation_of_an_outer_product_is_proved():
    formula = (r"\mathrm{tr}\left(\Sigma_1^{-1}\, \mathbb{E}_q\left[(\mathbf{x} - \boldsymbol{\mu}_1)(\mathbf{x} - "
               r"\boldsymbol{\mu}_1)^\top\right]\right) = \mathrm{tr}\left(\Sigma_1^{-1} \Sigma_1\right)")
    assert verdict(FULL, formula)[0] == PROVED


@pytest.mark.parametrize("rhs", [
    r"\mathrm{tr}\left(\Sigma_1^{-1} \Sigma_2\right)",
    r"\mathrm{tr}\left(\Sigma_1^{-1} (\Sigma_1 + \boldsymbol{\mu}_1\boldsymbol{\mu}_1^\top)\right)",
    r"\mathrm{tr}\left(\Sigma_1^{-1}\right)",
])
def test_a_wrong_expectation_of_an_outer_product_is_never_proved(rhs):
    formula = (r"\mathrm{tr}\left(\Sigma_1^{-1}\, \mathbb{E}_q\left[(\mathbf{x} - \boldsymbol{\mu}_1)(\mathbf{x} - "
               r"\boldsymbol{\mu}_1)^\top\right]\right) = " + rhs)
    assert verdict(FULL, formula)[0] not in (PROVED, HOLDS)


def test_the_expectation_of_a_raw_outer_product_is_the_second_moment():
    formula = (r"\mathbb{E}_q\left[\mathbf{x}\mathbf{x}^\top\right] = \Sigma_1 + "
               r"\boldsymbol{\mu}_1\boldsymbol{\mu}_1^\top")
    assert verdict(FULL, formula)[0] == PROVED
    assert verdict(FULL, r"\mathbb{E}_q\left[\mathbf{x}\mathbf{x}^\top\right] = \Sigma_1")[0] not in (PROVED, HOLDS)


# ---------------------------------------------------------------- the zero vector and N(0, I) of vectors


@pytest.mark.parametrize("zero", [r"\mathbf{0}", r"\boldsymbol{0}", r"\mathbf 0"])
def test_a_bold_zero_is_the_zero_vector_of_a_standard_normal(zero):
    prose = r"Let $\boldsymbol{\mu}_1 \in \mathbb{R}^d$ and $\Sigma_1$ be a $d\times d$ covariance matrix."
    kl = rf"D_{{KL}}\left(\mathcal{{N}}(\boldsymbol{{\mu}}_1, \Sigma_1) \,\|\, \mathcal{{N}}({zero}, I)\right)"
    right = r"\frac{1}{2}\left[\mathrm{tr}(\Sigma_1) + \boldsymbol{\mu}_1^\top\boldsymbol{\mu}_1 - d - \log\det\Sigma_1\right]"
    assert verdict(prose, f"{kl} = {right}")[0] == PROVED
    assert verdict(prose, f"{kl} = {right.replace(' - d', '')}")[0] == REFUTED


# ---------------------------------------------------------------- declarations


@pytest.mark.parametrize("prose", [
    r"For a $d \times d$ symmetric positive-definite covariance matrix $S$ and $\mathbf{m} \in \mathbb{R}^d$,",
    r"Let $\mathbf{m} \in \mathbb{R}^d$, $S$ a $d\times d$ covariance matrix.",
    r"Here $\mathbf{m} \in \mathbb{R}^d$ and $S$ is a positive definite $d \times d$ matrix.",
])
def test_a_covariance_named_after_its_kind_or_by_apposition_is_positive_definite(prose):
    formula = (r"\log \mathcal{N}(\mathbf{x}; \mathbf{m}, S) = -\frac{d}{2}\log(2\pi) - \frac{1}{2}\log\det S - "
               r"\frac{1}{2}(\mathbf{x} - \mathbf{m})^\top S^{-1} (\mathbf{x} - \mathbf{m})")
    assert verdict(prose, formula)[0] == PROVED
    assert verdict(prose, formula.replace(r"- \frac{1}{2}\log\det S", r"+ \frac{1}{2}\log\det S"))[0] not in (
        PROVED, HOLDS)


SYMMETRIC = r"Let $x \in \mathbb{R}^d$, $A$ a $d\times d$ symmetric matrix and $B$ a $d \times d$ matrix."


@pytest.mark.parametrize("formula, expected", [
    (r"(A B)^\top = B^\top A", PROVED),
    (r"(B A)^\top = A B", REFUTED),  # B is not symmetric
    (r"(A B)^\top = B A", REFUTED),
])
def test_a_symmetric_only_declaration_makes_its_matrix_symmetric_and_no_other(formula, expected):
    assert verdict(SYMMETRIC, formula)[0] == expected


def test_a_symmetric_only_matrix_is_not_positive_definite():
    assert verdict(SYMMETRIC, r"\log\det(A A) = 2\log\det A")[0] not in (PROVED, HOLDS)


def test_an_and_before_an_article_is_no_apposition():
    prose = r"Let $x$ and a $d\times d$ matrix $B$ be given."
    assert verdict(prose, r"(x B)^\top = B^\top x")[0] not in (PROVED, HOLDS)


@pytest.mark.parametrize("prose", [
    r"$\Sigma_1$, $\Sigma_2$ are $d \times d$ symmetric positive-definite covariance matrices.",
    r"$\Sigma_1$ and $\Sigma_2$ are $d \times d$ covariance matrices.",
])
def test_each_matrix_of_a_comma_list_is_declared(prose):
    assert verdict(prose, r"\left(\Sigma_2^{-1}\Sigma_1\right)^\top = \Sigma_1\Sigma_2^{-1}")[0] == PROVED
    assert verdict(prose, r"\left(\Sigma_2^{-1}\Sigma_1\right)^\top = \Sigma_2^{-1}\Sigma_1")[0] == REFUTED


def test_positive_components_declared_with_dots_make_a_positive_definite_diagonal():
    prose = (r"The mean is $\boldsymbol{\mu} \in \mathbb{R}^d$ and $\sigma_1, \dots, \sigma_d > 0$; the covariance is "
             r"$\mathrm{diag}(\boldsymbol{\sigma}^2)$.")
    formula = (r"\log\det\mathrm{diag}(\boldsymbol{\sigma}^2) = \sum_{j=1}^{d}\log\sigma_j^2")
    assert verdict(prose, formula)[0] == PROVED
    assert verdict(prose, r"\log\det\mathrm{diag}(\boldsymbol{\sigma}^2) = \sum_{j=1}^{d}\log\sigma_j")[0] not in (
        PROVED, HOLDS)


def test_a_non_integer_power_of_a_matrix_is_refused_with_its_reason():
    found = verdict(r"$\Sigma$ is a $d\times d$ covariance matrix.", r"\Sigma^{1/2}\Sigma^{1/2} = \Sigma")
    assert found[0] == "unparsed" and "non-integer power" in found[1]


# ---------------------------------------------------------------- vector-valued functions


DECODER = r"Let $\mathbf{x} \in \mathbb{R}^D$, $\mathbf{z} \in \mathbb{R}^J$ and $\sigma > 0$."
NEG_LOG = r"-\log \mathcal{N}(\mathbf{x}; f(\mathbf{z}), \sigma^2 I)"


def test_the_gaussian_decoder_is_a_scaled_squared_error_plus_a_constant():
    formula = NEG_LOG + r" = \frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{2\sigma^2} + \frac{D}{2}\log(2\pi\sigma^2)"
    assert verdict(DECODER, formula)[0] == PROVED


@pytest.mark.parametrize("rhs", [
    r"\frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{\sigma^2} + \frac{D}{2}\log(2\pi\sigma^2)",
    r"\frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{2\sigma^2} + \frac{1}{2}\log(2\pi\sigma^2)",
    r"\frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{2\sigma^2} + \frac{D}{2}\log(2\pi\sigma)",
    r"\frac{\|\mathbf{x}\|^2 - \|f(\mathbf{z})\|^2}{2\sigma^2} + \frac{D}{2}\log(2\pi\sigma^2)",
])
def test_a_wrong_gaussian_decoder_is_never_proved(rhs):
    assert verdict(DECODER, f"{NEG_LOG} = {rhs}")[0] not in (PROVED, HOLDS)


def test_a_function_added_to_a_vector_reads_as_a_vector_valued_function():
    (left, _) = formula_expressions(DECODER, r"\|\mathbf{x} - f(\mathbf{z})\|^2 = 0")
    assert any(isinstance(node, VectorFunction) for node in sp.preorder_traversal(left))


def test_the_expectation_over_z_of_a_function_of_z_is_not_taken_out():
    prose = DECODER + r" The encoder is $q(\mathbf{z}) = \mathcal{N}(\mathbf{z}; \boldsymbol{\mu}, I)$."
    formula = (r"\mathbb{E}_{q}\left[\|\mathbf{x} - f(\mathbf{z})\|^2\right] = \|\mathbf{x} - f(\mathbf{z})\|^2")
    assert verdict(prose, formula)[0] not in (PROVED, HOLDS)


# ---------------------------------------------------------------- inequalities: KL ≥ 0


INEQUALITY = r"Let $\boldsymbol{\mu}_1 \in \mathbb{R}^d$ and $\Sigma_1$ be a $d\times d$ covariance matrix, and $a \geq 0$."
KL_STANDARD = r"D_{KL}\left(\mathcal{N}(\boldsymbol{\mu}_1, \Sigma_1) \,\|\, \mathcal{N}(\mathbf{0}, I)\right)"


@pytest.mark.parametrize("formula", [f"{KL_STANDARD} \\geq 0", f"-a {KL_STANDARD} \\leq 0", f"0 \\leq a {KL_STANDARD}"])
def test_a_multivariate_kl_is_nonnegative(formula):
    assert verdict(INEQUALITY, formula)[0] == PROVED


@pytest.mark.parametrize("formula", [f"{KL_STANDARD} > 0", f"a {KL_STANDARD} \\leq 0", f"{KL_STANDARD} \\leq 0",
                                     f"{KL_STANDARD} \\geq a"])
def test_a_multivariate_kl_inequality_that_does_not_follow_is_never_proved(formula):
    assert verdict(INEQUALITY, formula)[0] not in (PROVED, HOLDS)


@pytest.mark.parametrize("formula", [f"a {KL_STANDARD} \\leq 0", f"{KL_STANDARD} \\leq -1",
                                     r"\boldsymbol{\mu}_1^\top\boldsymbol{\mu}_1 + 1 \leq 0"])
def test_a_multivariate_inequality_false_in_a_world_is_refuted(formula):
    assert verdict(INEQUALITY, formula)[0] == REFUTED


@pytest.mark.parametrize("formula", [f"{KL_STANDARD} > 0", r"\boldsymbol{\mu}_1^\top\boldsymbol{\mu}_1 \geq 0",
                                     r"\log\det\Sigma_1 \leq \mathrm{tr}(\Sigma_1) - d"])
def test_a_true_multivariate_inequality_is_not_refuted(formula):
    assert verdict(INEQUALITY, formula)[0] != REFUTED


def test_a_wrong_weight_on_the_kl_next_to_an_opaque_reconstruction_term_is_refuted():
    prose = DIAGONAL + r" The decoder is $p_\theta(\mathbf{x} \mid \mathbf{z})$ and $\beta > 0$."
    e = r"\mathbb{E}_{q_\phi(\mathbf{z} \mid \mathbf{x})}\left[\log p_\theta(\mathbf{x} \mid \mathbf{z})\right]"
    assert verdict(prose, rf"{e} - \beta {KL_DIAGONAL} = {e} - {KL_DIAGONAL}")[0] not in (PROVED, HOLDS)
    assert verdict(prose, rf"{e} - 2 {KL_DIAGONAL} = {e} - {KL_DIAGONAL}")[0] == REFUTED
    assert verdict(prose, rf"{e} - 2 {KL_DIAGONAL} \leq {e} - {KL_DIAGONAL}")[0] == PROVED
    assert verdict(prose, rf"{e} - 2 {KL_DIAGONAL} \geq {e} - {KL_DIAGONAL}")[0] == REFUTED


def test_an_expectation_over_the_condition_of_a_declared_encoder_is_refused():
    prose = DIAGONAL + r" The data distribution is $p(\mathbf{x})$."
    formula = rf"\mathbb{{E}}_{{p(\mathbf{{x}})}}\left[{KL_DIAGONAL}\right] = {KL_DIAGONAL}"
    assert verdict(prose, formula)[0] == "unparsed"


@pytest.mark.parametrize("formula, expected", [
    (r"\boldsymbol{\mu}_1^\top\boldsymbol{\mu}_1 \geq 0", PROVED),
    (r"\|\boldsymbol{\mu}_1\|^2 + 1 > 0", PROVED),
    (r"\mathrm{tr}(\Sigma_1 \Sigma_1^\top) \geq 0", PROVED),
    (r"\boldsymbol{\mu}_1^\top\boldsymbol{\mu}_1 > 0", "not proved"),  # μ = 0
    (r"\mathrm{tr}(\Sigma_1 \Sigma_1) - \mathrm{tr}(\Sigma_1) \geq 0", "not proved"),
])
def test_a_squared_norm_is_nonnegative_and_nothing_more(formula, expected):
    found = verdict(INEQUALITY, formula)[0]
    assert found == expected if expected == PROVED else found not in (PROVED, HOLDS)


def test_a_standard_normal_prior_keeps_the_declared_size_of_its_variable():
    prose = (r"Let $\mathbf{x} \in \mathbb{R}^D$ and $\mathbf{z} \in \mathbb{R}^J$, the prior "
             r"$p(\mathbf{z}) = \mathcal{N}(\mathbf{0}, I)$ and the encoder $q(\mathbf{z}) = "
             r"\mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))$ with $\sigma_j > 0$.")
    formula = (r"D_{KL}(q(\mathbf{z}) \,\|\, p(\mathbf{z})) = \frac{1}{2}\sum_{j=1}^{J}\left(\mu_j^2 + \sigma_j^2 - 1 - "
               r"\log\sigma_j^2\right)")
    assert verdict(prose, formula)[0] == PROVED


def test_a_questioned_gaussian_density_is_not_declared():
    prose = r"Let $\mathbf{x} \in \mathbb{R}^d$. Is $q(\mathbf{x}) = \mathcal{N}(\mathbf{x}; \boldsymbol{\mu}, \Sigma)$?"
    formula = r"\mathbb{E}_q\left[\mathbf{x}\right] = \boldsymbol{\mu}"
    assert verdict(prose, formula)[0] not in (PROVED, HOLDS)
