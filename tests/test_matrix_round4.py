"""The matrix reader and engine, round 4 (issue 12): the identity read by the shape of its formula, the ones
vector, entries of matrices (Σ_jj, (Σ)_ij, diag(Σ)_j) and sums over an index that are matrix products, vector
functions evaluated in the matrix worlds, elementwise products proved, triangular factors, E[...] over a stated
law, sizes written after a law, and Bayes' rule for the evidence bound of vector densities. Each true reading is
proved; each planted error beside it is refuted (never proved or holds)."""
import numpy as np
import pytest
import sympy as sp

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.matrices import (Components, Entry, MvNormal, VectorFunction, covariance, d, j, matrix, prove_matrix,
                                scalar, triangular, vector)
from mathcheck.matrix_numeric import check_matrix_step, draw_world
from mathcheck.vocab import KL, Density, Expectation
from tests.audit_steps import PROVED, REFUTED, assert_proved, assert_refuted, verdict, verdicts

UNPARSED = "unparsed"
NEVER_FOR_A_MUTANT = ("proved", "holds")


MATRICES = r"Let $A, B \in \mathbb{R}^{d\times d}$ be invertible and $\Sigma$ a $d\times d$ covariance matrix."


# ---------------------------------------------------------------- the identity, read by the shape of its formula

IDENTITIES = [r"I", r"I_d", r"I_{d}", r"\mathbf{I}", r"\boldsymbol{I}", r"\mathbb{I}", r"\mathrm{I}"]
INVERSE_PAIRS = [r"A^{-1}A", r"A A^{-1}", r"\Sigma\Sigma^{-1}", r"\Sigma^{-1}\Sigma"]


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("pair", INVERSE_PAIRS)
def test_a_matrix_times_its_inverse_is_the_identity_in_every_spelling(pair, identity):
    assert_proved(MATRICES, f"{pair} = {identity}")


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("wrong", [r"A A^\top", r"2 A^{-1} A", r"A^{-1} A + A"])
def test_a_product_that_is_not_the_identity_is_refuted(wrong, identity):
    assert_refuted(MATRICES, f"{wrong} = {identity}")


def test_a_bare_identity_takes_the_size_of_the_formulas_matrices():
    assert_proved(r"Let $A \in \mathbb{R}^{n\times n}$ be invertible.", r"A^{-1}(A + I) = I + A^{-1}")


@pytest.mark.parametrize("trace", [r"\mathrm{tr}(I_d)", r"\mathrm{tr}(I)", r"\operatorname{tr}(\mathbf{I})"])
def test_the_trace_of_the_identity_is_the_dimension(trace):
    assert_proved(MATRICES, f"{trace} = d")


@pytest.mark.parametrize("trace", [r"\mathrm{tr}(I_d)", r"\mathrm{tr}(I)"])
def test_a_trace_of_the_identity_off_by_one_is_refuted(trace):
    assert_refuted(MATRICES, f"{trace} = d + 1")


def test_the_inverse_of_a_product_reverses_its_factors():
    assert_proved(MATRICES, r"(A B)^{-1} = B^{-1} A^{-1}")


def test_the_inverse_of_a_product_in_the_same_order_is_refuted():
    assert_refuted(MATRICES, r"(A B)^{-1} = A^{-1} B^{-1}")


def test_a_lone_i_in_a_formula_without_matrices_stays_a_number():
    document = parse_document("doc.md", "$$\nI = 1 + 1\n$$\n")
    audit = audit_document(document)
    assert all("ill-formed" not in step.reason for step in audit.steps)
    assert "<identity>" not in document.formulas[0].context.shapes


@pytest.mark.parametrize("ones", [r"\mathbf{1}", r"\boldsymbol{1}", r"\mathbf{1}_d"])
def test_the_ones_vector_sums_the_components(ones):
    assert_proved(r"Let $x \in \mathbb{R}^d$.", rf"{ones}^\top x = \sum_{{j=1}}^d x_j")


@pytest.mark.parametrize("ones", [r"\mathbf{1}", r"\mathbf{1}_d"])
def test_the_ones_vector_has_squared_norm_d(ones):
    assert_proved(r"Let $x \in \mathbb{R}^d$.", rf"{ones}^\top {ones} = d")


def test_the_ones_vector_is_not_one():
    assert_refuted(r"Let $x \in \mathbb{R}^d$.", r"\mathbf{1}^\top \mathbf{1} = 1")


def test_the_ones_vector_is_not_the_identity():
    assert verdict(MATRICES, r"\Sigma^{-1}\Sigma = \mathbf{1}")[0] in (REFUTED, UNPARSED)


# ---------------------------------------------------------------- entries and sums that are matrix products

COVARIANCE = r"Let $\Sigma$ be a $d\times d$ covariance matrix, $A$ a $d\times d$ matrix and $x \in \mathbb{R}^d$."
DIAGONAL_ENTRIES = [r"\Sigma_{jj}", r"\Sigma_{j,j}", r"(\Sigma)_{jj}", r"\mathrm{diag}(\Sigma)_j",
                    r"\left(\Sigma\right)_{jj}"]


@pytest.mark.parametrize("entry", DIAGONAL_ENTRIES)
@pytest.mark.parametrize("limits", [r"_{j=1}^d", r"_{j}"])
def test_the_trace_is_the_sum_of_the_diagonal_entries(entry, limits):
    assert_proved(COVARIANCE, rf"\mathrm{{tr}}(\Sigma) = \sum{limits} {entry}")


@pytest.mark.parametrize("entry", DIAGONAL_ENTRIES)
def test_a_trace_off_by_one_diagonal_entry_sum_is_refuted(entry):
    assert_refuted(COVARIANCE, rf"\mathrm{{tr}}(\Sigma) = \sum_{{j=1}}^d {entry} + 1")


@pytest.mark.parametrize("form", [r"\sum_{i=1}^d \sum_{j=1}^d x_i \Sigma_{ij} x_j",
                                  r"\sum_{i=1}^d \sum_{j=1}^d \Sigma_{ij} x_i x_j",
                                  r"\sum_{i=1}^d x_i (\Sigma x)_i",
                                  r"\sum_{j=1}^d \sum_{i=1}^d x_j \Sigma_{ji} x_i"])
def test_a_quadratic_form_is_the_double_sum_of_its_entries(form):
    assert_proved(COVARIANCE, rf"x^\top \Sigma x = {form}")


def test_a_quadratic_form_missing_a_factor_is_refuted():
    assert_refuted(COVARIANCE, r"x^\top \Sigma x = \sum_{i=1}^d \sum_{j=1}^d x_i \Sigma_{ij}")


@pytest.mark.parametrize("sum_", [r"\sum_{i=1}^d \sum_{j=1}^d A_{ij} \Sigma_{ji}",
                                  r"\sum_{i=1}^d \sum_{j=1}^d A_{ij} \Sigma_{ij}"])
def test_the_trace_of_a_product_with_a_symmetric_factor_is_a_double_sum(sum_):
    assert_proved(COVARIANCE, rf"\mathrm{{tr}}(A\Sigma) = {sum_}")


def test_the_trace_of_a_product_of_general_matrices_pairs_ij_with_ji_only():
    prose = r"Let $A, B \in \mathbb{R}^{d\times d}$."
    assert_proved(prose, r"\mathrm{tr}(AB) = \sum_{i=1}^d \sum_{j=1}^d A_{ij} B_{ji}")
    assert_refuted(prose, r"\mathrm{tr}(AB) = \sum_{i=1}^d \sum_{j=1}^d A_{ij} B_{ij}")


def test_the_trace_of_a_product_is_not_the_sum_of_products_of_diagonal_entries():
    assert_refuted(COVARIANCE, r"\mathrm{tr}(A\Sigma) = \sum_{i=1}^d A_{ii} \Sigma_{ii}")


@pytest.mark.parametrize("formula", [r"\Sigma_{ij} = \Sigma_{ji}", r"(\Sigma^{-1})_{ij} = (\Sigma^{-1})_{ji}",
                                     r"(A^\top)_{ij} = A_{ji}", r"(A + \Sigma)_{ij} = A_{ij} + \Sigma_{ij}"])
def test_entries_of_symmetric_transposed_and_summed_matrices(formula):
    assert verdict(COVARIANCE, formula)[0] in (PROVED, "holds")


def test_a_general_matrix_is_not_symmetric_entrywise():
    assert verdict(COVARIANCE, r"A_{ij} = A_{ji}")[0] not in NEVER_FOR_A_MUTANT


@pytest.mark.parametrize("ambiguous", [r"\Sigma_{jj}^{-1}", r"\Sigma^{-1}_{jj}"])
def test_an_entry_with_an_inverse_mark_is_ambiguous_and_refused(ambiguous):
    found = verdict(COVARIANCE, rf"\sum_{{j=1}}^d {ambiguous} = \mathrm{{tr}}(\Sigma^{{-1}})")
    assert found[0] == UNPARSED and "ambiguous" in found[1]


def test_the_diag_of_a_matrix_without_an_index_is_refused_not_refuted():
    found = verdict(COVARIANCE, r"\mathrm{diag}(\Sigma) = \mathrm{diag}(\Sigma)")
    assert found[0] == UNPARSED and "diag of a square matrix" in found[1]


SIGMAS = r"Let $\sigma \in \mathbb{R}^J$ with $\sigma_j > 0$."


@pytest.mark.parametrize("right", [r"\sum_{j=1}^J \log\sigma_j^2", r"2\sum_{j=1}^J \log\sigma_j",
                                   r"\sum_{j} \log \sigma_j^2"])
def test_the_log_det_of_a_diagonal_covariance_is_a_sum_of_logs(right):
    assert_proved(SIGMAS, rf"\log\det\mathrm{{diag}}(\sigma^2) = {right}")


@pytest.mark.parametrize("wrong", [r"\sum_{j=1}^J \log\sigma_j", r"\sum_{j=1}^J \sigma_j^2"])
def test_a_wrong_log_det_of_a_diagonal_covariance_is_refuted(wrong):
    assert_refuted(SIGMAS, rf"\log\det\mathrm{{diag}}(\sigma^2) = {wrong}")


def test_an_entry_is_evaluated_at_its_index_in_the_worlds():
    sigma, a = covariance("Sigma"), matrix("A")
    i = sp.Symbol("i", integer=True, positive=True)
    assert check_matrix_step(Entry(a.T, i, j), "=", Entry(a, j, i)).status == "holds"
    assert check_matrix_step(Entry(a, i, j), "=", Entry(a, j, i)).status == "refuted"
    assert check_matrix_step(Entry(sigma, i, j), "=", Entry(sigma, j, i)).status == "holds"


def test_a_free_index_is_drawn_inside_the_axis_it_indexes():
    a = matrix("A")
    i = sp.Symbol("i", integer=True, positive=True)
    for size in (1, 2, 3, 5):
        world = draw_world([Entry(a, i, j)], size, "well", seed=size)
        assert 1 <= world.values[i] <= size and 1 <= world.values[j] <= size


# ---------------------------------------------------------------- triangular factors

CHOLESKY = r"Let $L$ be a $d \times d$ lower-triangular matrix with positive diagonal."


@pytest.mark.parametrize("formula", [r"\det L = \prod_{j=1}^{d} L_{jj}",
                                     r"\log\det(L L^\top) = 2\sum_{j=1}^{d}\log L_{jj}",
                                     r"\det(L L^\top) = \det(L)^2"])
def test_a_triangular_factor_has_the_product_of_its_diagonal_as_determinant(formula):
    assert_proved(CHOLESKY, formula)


@pytest.mark.parametrize("formula", [r"\det L = \sum_{j=1}^{d} L_{jj}",
                                     r"\log\det(L L^\top) = \sum_{j=1}^{d}\log L_{jj}",
                                     r"(L L^\top)^{-1} = L^{-1} L^{-\top}"])
def test_a_wrong_determinant_or_inverse_of_a_triangular_factor_is_refuted(formula):
    assert_refuted(CHOLESKY, formula)


def test_a_triangular_world_is_triangular_with_a_positive_diagonal():
    factor = triangular("L", lower=True, positive_diagonal=True)
    world = draw_world([sp.Determinant(factor)], 3, "badly", seed=4)
    value = world.values[factor]
    assert np.allclose(value, np.tril(value)) and (np.diag(value) > 0).all()


# ---------------------------------------------------------------- vector functions in the matrix worlds

DECODER = (r"The decoder is $p_\theta(\mathbf{x} \mid \mathbf{z}) = \mathcal{N}(\mathbf{x}; f(\mathbf{z}), \sigma^2 I)$ "
           r"with $\mathbf{x} \in \mathbb{R}^D$, $\mathbf{z} \in \mathbb{R}^J$ and $\sigma > 0$.")


@pytest.mark.parametrize("formula", [
    r"-\log \mathcal{N}(\mathbf{x}; f(\mathbf{z}), \sigma^2 I_D) = \frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{2\sigma^2}"
    r" + \frac{D}{2}\log(2\pi\sigma^2)",
    r"\|\mathbf{x} - f(\mathbf{z})\|^2 = \mathbf{x}^\top\mathbf{x} - 2\mathbf{x}^\top f(\mathbf{z}) + \|f(\mathbf{z})\|^2",
])
def test_a_decoder_step_with_its_mean_function_is_proved(formula):
    assert_proved(DECODER, formula)


@pytest.mark.parametrize("formula", [
    r"-\log \mathcal{N}(\mathbf{x}; f(\mathbf{z}), \sigma^2 I_D) = \frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{2\sigma^2}"
    r" + \frac{D}{2}\log(2\pi\sigma)",
    r"-\log \mathcal{N}(\mathbf{x}; f(\mathbf{z}), \sigma^2 I_D) = \frac{\|\mathbf{x} - f(\mathbf{z})\|^2}{\sigma^2}"
    r" + \frac{D}{2}\log(2\pi\sigma^2)",
    r"\|\mathbf{x} - f(\mathbf{z})\|^2 = \mathbf{x}^\top\mathbf{x} - \mathbf{x}^\top f(\mathbf{z}) + \|f(\mathbf{z})\|^2",
    r"\|\mathbf{x} - f(\mathbf{z})\|^2 = \mathbf{x}^\top\mathbf{x} + \|f(\mathbf{z})\|^2",
])
def test_a_wrong_decoder_step_with_its_mean_function_is_refuted(formula):
    assert_refuted(DECODER, formula)


X, Z, W = vector("x", sp.Symbol("D", integer=True, positive=True)), vector("z"), vector("w")
F = VectorFunction("f", [Z], X.shape[0])


@pytest.mark.parametrize("lhs, rhs", [(F, F), (scalar((X - F).T * (X - F)), scalar(X.T * X) - 2 * scalar(X.T * F)
                                                + scalar(F.T * F))])
def test_a_vector_function_is_one_map_on_both_sides(lhs, rhs):
    assert check_matrix_step(lhs, "=", rhs).status == "holds"


@pytest.mark.parametrize("lhs, rhs", [(F, VectorFunction("f", [W], X.shape[0])), (scalar(F.T * F), scalar(F.T * X)),
                                      (F, X), (VectorFunction("f", [Z], X.shape[0]), VectorFunction("g", [Z], X.shape[0]))])
def test_the_worlds_tell_a_vector_function_from_other_values(lhs, rhs):
    assert check_matrix_step(lhs, "=", rhs).status == "refuted"


def test_an_expectation_of_a_vector_function_has_a_monte_carlo_error_bound():
    density = MvNormal(Z, sp.ZeroMatrix(d, 1), sp.Identity(d))
    body = scalar((X - F).T * (X - F))
    expanded = scalar(X.T * X) - 2 * scalar(X.T * VectorFunction("f", [Z], X.shape[0])) + scalar(F.T * F)
    assert check_matrix_step(Expectation(density, body), "=", Expectation(density, expanded)).status != "refuted"
    assert check_matrix_step(Expectation(density, body), "=", scalar(X.T * X)).status == "refuted"


# ---------------------------------------------------------------- elementwise products

REPARAMETRIZED = (r"Let $\boldsymbol{\mu}, \boldsymbol{\sigma} \in \mathbb{R}^J$ with $\sigma_j > 0$, and "
                  r"$\boldsymbol{\epsilon} \sim \mathcal{N}(\mathbf{0}, I)$.")
SAMPLES = [r"\boldsymbol{\sigma} \odot \boldsymbol{\epsilon}", r"\boldsymbol{\epsilon} \odot \boldsymbol{\sigma}"]
EXPECTATIONS = [r"\mathbb{E}_{\boldsymbol{\epsilon}}", r"\mathbb{E}_{\boldsymbol{\epsilon} \sim \mathcal{N}(\mathbf{0}, I)}"]


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("expectation", EXPECTATIONS)
def test_the_reparametrized_sample_has_mean_mu(sample, expectation):
    assert_proved(REPARAMETRIZED, rf"{expectation}[\boldsymbol{{\mu}} + {sample}] = \boldsymbol{{\mu}}")


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_reparametrized_sample_with_mean_mu_plus_sigma_is_refuted(sample):
    assert_refuted(REPARAMETRIZED, rf"\mathbb{{E}}_{{\boldsymbol{{\epsilon}}}}[\boldsymbol{{\mu}} + {sample}] = "
                                   r"\boldsymbol{\mu} + \boldsymbol{\sigma}")


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_reparametrized_sample_has_covariance_diag_sigma_squared(sample):
    assert_proved(REPARAMETRIZED, rf"\mathbb{{E}}_{{\boldsymbol{{\epsilon}}}}[({sample})({sample})^\top] = "
                                  r"\mathrm{diag}(\boldsymbol{\sigma}^2)")


@pytest.mark.parametrize("wrong", [r"\mathrm{diag}(\boldsymbol{\sigma})", r"\boldsymbol{\sigma}\boldsymbol{\sigma}^\top"])
def test_a_wrong_covariance_of_the_reparametrized_sample_is_refuted(wrong):
    sample = SAMPLES[0]
    assert_refuted(REPARAMETRIZED, rf"\mathbb{{E}}_{{\boldsymbol{{\epsilon}}}}[({sample})({sample})^\top] = {wrong}")


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_squared_norm_of_an_elementwise_product_is_a_sum_of_squares(sample):
    assert_proved(REPARAMETRIZED, rf"\|{sample}\|^2 = \sum_{{j=1}}^J \sigma_j^2 \epsilon_j^2")


@pytest.mark.parametrize("wrong", [r"\sum_{j=1}^J \sigma_j \epsilon_j^2", r"\sum_{j=1}^J \sigma_j^2 \epsilon_j"])
def test_a_wrong_squared_norm_of_an_elementwise_product_is_refuted(wrong):
    assert_refuted(REPARAMETRIZED, rf"\|\boldsymbol{{\sigma}} \odot \boldsymbol{{\epsilon}}\|^2 = {wrong}")


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_components_of_the_reparametrized_sample(sample):
    assert_proved(REPARAMETRIZED, rf"(\boldsymbol{{\mu}} + {sample})_j = \mu_j + \sigma_j \epsilon_j")


def test_wrong_components_of_the_reparametrized_sample_are_refuted():
    assert_refuted(REPARAMETRIZED, r"(\boldsymbol{\mu} + \boldsymbol{\sigma} \odot \boldsymbol{\epsilon})_j = "
                                   r"\mu_j + \sigma_j")


@pytest.mark.parametrize("right", [SAMPLES[1], r"\mathrm{diag}(\boldsymbol{\sigma})\boldsymbol{\epsilon}"])
def test_an_elementwise_product_commutes_and_is_a_diagonal_times_a_vector(right):
    assert_proved(REPARAMETRIZED, rf"{SAMPLES[0]} = {right}")


def test_an_elementwise_product_is_not_the_square():
    assert_refuted(REPARAMETRIZED, rf"{SAMPLES[0]} = \boldsymbol{{\epsilon}} \odot \boldsymbol{{\epsilon}}")


def test_elementwise_products_of_opaque_vectors_normalize():
    sigma, epsilon, mu = vector("sigma"), vector("epsilon"), vector("mu")
    from sympy.matrices.expressions.hadamard import HadamardProduct
    from mathcheck.matrices import MatrixExpectation
    noise = MvNormal(epsilon, sp.ZeroMatrix(d, 1), sp.Identity(d))
    assert prove_matrix(HadamardProduct(sigma, epsilon), "=", HadamardProduct(epsilon, sigma)).proved
    assert prove_matrix(MatrixExpectation(noise, mu + HadamardProduct(sigma, epsilon)), "=", mu).proved
    assert not prove_matrix(MatrixExpectation(noise, mu + HadamardProduct(sigma, epsilon)), "=", mu + sigma).proved


# ---------------------------------------------------------------- E[...] over a stated law, sizes written later

LAW = r"Let $\boldsymbol{x} \sim \mathcal{N}(\boldsymbol{\mu}, \boldsymbol{\Sigma})$ with $\boldsymbol{x} \in \mathbb{R}^n$."


@pytest.mark.parametrize("left, right", [
    (r"\mathbb{E}[\boldsymbol{x}^\top A \boldsymbol{x}]", r"\operatorname{tr}(A\boldsymbol{\Sigma}) + "
                                                          r"\boldsymbol{\mu}^\top A \boldsymbol{\mu}"),
    (r"\mathbb{E}[\boldsymbol{x}]", r"\boldsymbol{\mu}"),
    (r"\mathbb{E}[\boldsymbol{x}\boldsymbol{x}^\top]", r"\boldsymbol{\Sigma} + \boldsymbol{\mu}\boldsymbol{\mu}^\top"),
])
def test_an_expectation_without_a_subscript_is_over_the_stated_law(left, right):
    assert_proved(LAW + r" Let $A$ be an $n\times n$ matrix.", f"{left} = {right}")


def test_an_expectation_without_a_subscript_that_drops_the_mean_is_refuted():
    assert_refuted(LAW + r" Let $A$ be an $n\times n$ matrix.",
                   r"\mathbb{E}[\boldsymbol{x}^\top A \boldsymbol{x}] = \operatorname{tr}(A\boldsymbol{\Sigma})")


def test_an_expectation_without_a_subscript_over_two_stated_laws_is_refused():
    prose = LAW + r" Let $\boldsymbol{y} \sim \mathcal{N}(\boldsymbol{\mu}, \boldsymbol{\Sigma})$."
    found = verdict(prose, r"\mathbb{E}[\boldsymbol{x}^\top \boldsymbol{y}] = \boldsymbol{\mu}^\top\boldsymbol{\mu}")
    assert found[0] == UNPARSED


LATE_SIZE = (r"Let $p(x) = \mathcal{N}(x; \mu_1, \Sigma_1)$ and $q(x) = \mathcal{N}(x; \mu_2, \Sigma_2)$ where "
             r"$x \in \mathbb{R}^k$ and $\Sigma_1, \Sigma_2$ are covariance matrices.")


@pytest.mark.parametrize("formula", [
    r"(x - \mu_2)^T \Sigma_2^{-1} (x - \mu_2) = \operatorname{tr}\left(\Sigma_2^{-1} (x - \mu_2)(x - \mu_2)^T\right)",
    r"\mathbb{E}_p\left[(x - \mu_2)^T \Sigma_2^{-1} (x - \mu_2)\right] = \operatorname{tr}(\Sigma_2^{-1}\Sigma_1) + "
    r"(\mu_1 - \mu_2)^T \Sigma_2^{-1} (\mu_1 - \mu_2)",
    r"D_{KL}(p \,\|\, q) = \frac{1}{2}\left[\log\frac{|\Sigma_2|}{|\Sigma_1|} - k + \operatorname{tr}(\Sigma_2^{-1}\Sigma_1)"
    r" + (\mu_2 - \mu_1)^T \Sigma_2^{-1}(\mu_2 - \mu_1)\right]",
])
def test_a_size_written_after_the_laws_sizes_their_means_and_covariances(formula):
    assert_proved(LATE_SIZE, formula)


@pytest.mark.parametrize("formula", [
    r"\mathbb{E}_p\left[(x - \mu_2)^T \Sigma_2^{-1} (x - \mu_2)\right] = \operatorname{tr}(\Sigma_1\Sigma_2) + "
    r"(\mu_1 - \mu_2)^T \Sigma_2^{-1} (\mu_1 - \mu_2)",
    r"D_{KL}(p \,\|\, q) = \frac{1}{2}\left[\log\frac{|\Sigma_2|}{|\Sigma_1|} + \operatorname{tr}(\Sigma_2^{-1}\Sigma_1)"
    r" + (\mu_2 - \mu_1)^T \Sigma_2^{-1}(\mu_2 - \mu_1)\right]",
])
def test_a_planted_error_in_the_late_sized_kl_is_refuted(formula):
    assert_refuted(LATE_SIZE, formula)


# ---------------------------------------------------------------- Bayes' rule: the evidence bound of vector densities

MODEL = (r"Data $\mathbf{x}$, latent $\mathbf{z} \in \mathbb{R}^J$, prior $p(\mathbf{z}) = \mathcal{N}(\mathbf{0}, I)$, "
         r"decoder $p_\theta(\mathbf{x} \mid \mathbf{z})$. The encoder is $q_\phi(\mathbf{z} \mid \mathbf{x}) = "
         r"\mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))$ with $\sigma_j > 0$.")
RECONSTRUCTION = r"\mathbb{E}_{q_\phi(\mathbf{z} \mid \mathbf{x})}\left[\log p_\theta(\mathbf{x} \mid \mathbf{z})\right]"
PRIOR_KL = r"D_{KL}\left(q_\phi(\mathbf{z} \mid \mathbf{x}) \,\|\, p(\mathbf{z})\right)"
EVIDENCE = r"\log p_\theta(\mathbf{x})"


@pytest.mark.parametrize("formula", [
    rf"{RECONSTRUCTION} - {PRIOR_KL} \leq {EVIDENCE}",
    rf"{EVIDENCE} \geq {RECONSTRUCTION} - {PRIOR_KL}",
    rf"{RECONSTRUCTION} - 2 {PRIOR_KL} \leq {EVIDENCE}",
    rf"2{RECONSTRUCTION} - 2{PRIOR_KL} \leq 2{EVIDENCE}",
])
def test_the_evidence_bound_of_vector_densities_is_proved_by_bayes_rule(formula):
    found = verdict(MODEL, formula)
    assert found[0] == PROVED and "Bayes" in found[1], found


@pytest.mark.parametrize("formula", [
    rf"{RECONSTRUCTION} - {PRIOR_KL} \geq {EVIDENCE}",
    rf"{RECONSTRUCTION} - \frac{{1}}{{2}} {PRIOR_KL} \leq {EVIDENCE}",
    rf"{RECONSTRUCTION} \leq {EVIDENCE}",
    rf"{RECONSTRUCTION} - {PRIOR_KL} \leq \log p_\theta(\mathbf{{x}} \mid \mathbf{{z}})",
])
def test_a_wrong_evidence_bound_of_vector_densities_is_not_proved(formula):
    assert verdict(MODEL, formula)[0] not in NEVER_FOR_A_MUTANT


def test_bayes_rule_needs_the_prior_of_the_model():
    z = vector("z")
    x = sp.Symbol("x", real=True)
    zs = sp.Symbol("z", real=True)
    q = MvNormal(z, vector("mu"), sp.Identity(d))
    likelihood, evidence = Density("p", [x], [zs]), Density("p", [x])
    gap = sp.log(evidence) - Expectation(q, sp.log(likelihood))
    as_prior = MvNormal(z, sp.ZeroMatrix(d, 1), sp.Identity(d), Density("p", [zs]))
    another = MvNormal(z, sp.ZeroMatrix(d, 1), sp.Identity(d), Density("r", [zs]))
    unnamed = MvNormal(z, sp.ZeroMatrix(d, 1), sp.Identity(d))
    assert prove_matrix(gap + KL(q, as_prior), ">=", 0).proved
    assert not prove_matrix(gap + KL(q, another), ">=", 0).proved
    assert not prove_matrix(gap + KL(q, unnamed), ">=", 0).proved


# ---------------------------------------------------------------- documents in real-world styles, line by line

STYLES = {
    "qa_trace_trick": (LATE_SIZE + "\n\n$$\n(x - \\mu_2)^T \\Sigma_2^{-1} (x - \\mu_2) = \\operatorname{tr}\\left("
                       "\\Sigma_2^{-1} (x - \\mu_2)(x - \\mu_2)^T\\right)\n$$\n\n$$\n\\mathbb{E}_p\\left[(x - \\mu_1)^T "
                       "\\Sigma_1^{-1} (x - \\mu_1)\\right] = \\operatorname{tr}(\\Sigma_1^{-1}\\Sigma_1) = "
                       "\\operatorname{tr}(I_k) = k\n$$\n\n$$\n\\operatorname{tr}(\\Sigma_1^{-1}\\Sigma_1) = k + 1\n$$\n",
                       [PROVED, PROVED, PROVED, PROVED, REFUTED]),
    "course_note_boldsymbol": (
        LAW + r" Let $\boldsymbol{A}$ be a symmetric $n \times n$ matrix." + "\n\n$$\n\\begin{aligned}\n"
        r"\mathbb{E}[\boldsymbol{x}^\top \boldsymbol{A} \boldsymbol{x}] &= \mathbb{E}[\operatorname{tr}(\boldsymbol{A} "
        r"\boldsymbol{x} \boldsymbol{x}^\top)] \\ &= \operatorname{tr}(\boldsymbol{A}\, \mathbb{E}[\boldsymbol{x} "
        r"\boldsymbol{x}^\top]) \\ &= \operatorname{tr}(\boldsymbol{A} (\boldsymbol{\Sigma} + \boldsymbol{\mu}"
        r"\boldsymbol{\mu}^\top)) \\ &= \operatorname{tr}(\boldsymbol{A}\boldsymbol{\Sigma}) + \boldsymbol{\mu}^\top "
        r"\boldsymbol{A} \boldsymbol{\mu}" + "\n\\end{aligned}\n$$\n\n$$\n"
        r"\boldsymbol{A}\boldsymbol{\Sigma} = \boldsymbol{\Sigma}\boldsymbol{A}" + "\n$$\n",
        [PROVED, PROVED, PROVED, PROVED, REFUTED]),
    "vae_blog_sum_j": (
        r"The encoder outputs a mean $\mu \in \mathbb{R}^J$ and log-variances; write $\sigma_j^2$ for the variances, "
        r"$\sigma_j > 0$. So $q_\phi(z \mid x) = "
        r"\mathcal{N}(z; \mu, \mathrm{diag}(\sigma^2))$ and the prior is $p(z) = \mathcal{N}(z; 0, I)$. With "
        r"$z = \mu + \sigma \odot \epsilon$, $\epsilon \sim \mathcal{N}(0, I)$." + "\n\n$$\n"
        r"D_{KL}(q_\phi(z \mid x) \,\|\, p(z)) = -\frac{1}{2}\sum_{j=1}^{J}\left(1 + \log \sigma_j^2 - \mu_j^2 - "
        r"\sigma_j^2\right)" + "\n$$\n\n$$\n" r"\mathbb{E}_{\epsilon}[\mu + \sigma \odot \epsilon] = \mu" + "\n$$\n\n$$\n"
        r"D_{KL}(q_\phi(z \mid x) \,\|\, p(z)) = -\frac{1}{2}\sum_{j=1}^{J}\left(1 + \log \sigma_j - \mu_j^2 - "
        r"\sigma_j^2\right)" + "\n$$\n",
        [PROVED, PROVED, REFUTED]),
    "full_covariance_cholesky": (
        CHOLESKY + r" Let $\mu \in \mathbb{R}^d$, $\epsilon \sim \mathcal{N}(0, I_d)$ and $\Sigma$ a $d\times d$ "
        r"covariance matrix." + "\n\n$$\n" r"\mathbb{E}_{\epsilon}[(L\epsilon)(L\epsilon)^\top] = L L^\top" + "\n$$\n\n$$\n"
        r"\log|\Sigma^{-1}| = -\log|\Sigma|" + "\n$$\n\n$$\n" r"\log\det(L L^\top) = 2\sum_{j=1}^{d}\log L_{jj}"
        + "\n$$\n\n$$\n" r"\mathbb{E}_{\epsilon}[(L\epsilon)(L\epsilon)^\top] = L^\top L" + "\n$$\n\n$$\n"
        r"\log|2\Sigma| = 2\log|\Sigma|" + "\n$$\n",
        [PROVED, PROVED, PROVED, REFUTED, REFUTED]),
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_a_document_in_a_real_world_style_gets_every_verdict(name):
    text, expected = STYLES[name]
    assert [v for v, _ in verdicts(text)] == expected, verdicts(text)


# ---------------------------------------------------------------- more members found in the styles above

VECTORS = (r"Let $\mathbf{x}, \mathbf{y}, \boldsymbol{\mu} \in \mathbb{R}^d$, $\mathbf{w} \in \mathbb{R}^n$ and $\Sigma$ a "
           r"$d \times d$ covariance matrix.")


@pytest.mark.parametrize("dot", [r"\mathbf{x} \cdot \mathbf{y}", r"\langle \mathbf{x}, \mathbf{y} \rangle",
                                 r"\left\langle \mathbf{x}, \mathbf{y} \right\rangle", r"\mathbf{y} \cdot \mathbf{x}"])
def test_a_dot_product_of_vectors_is_x_transpose_y(dot):
    assert_proved(VECTORS, rf"{dot} = \mathbf{{x}}^\top \mathbf{{y}}")


@pytest.mark.parametrize("dot", [r"\mathbf{x} \cdot \mathbf{y}", r"\langle \mathbf{x}, \mathbf{y} \rangle"])
def test_a_wrong_dot_product_is_refuted(dot):
    assert_refuted(VECTORS, rf"{dot} = \mathbf{{x}}^\top \mathbf{{x}}")


@pytest.mark.parametrize("dot", [r"\mathbf{x} \cdot \mathbf{w}", r"\langle \mathbf{x}, \mathbf{w} \rangle"])
def test_a_dot_product_of_vectors_of_two_sizes_is_ill_formed(dot):
    found = verdict(VECTORS, rf"{dot} = 0")
    assert found[0] == REFUTED and "ill-formed" in found[1]


def test_a_cross_product_of_vectors_is_refused():
    assert verdict(VECTORS, r"\mathbf{x} \times \mathbf{y} = \mathbf{y}")[0] == UNPARSED


DENSITY = r"\mathcal{N}(\mathbf{x}; \boldsymbol{\mu}, \Sigma)"
QUADRATIC = r"\exp\left(-\frac{1}{2}(\mathbf{x} - \boldsymbol{\mu})^\top \Sigma^{-1} (\mathbf{x} - \boldsymbol{\mu})\right)"


@pytest.mark.parametrize("normalizer", [r"(2\pi)^{-d/2} |\Sigma|^{-1/2}", r"\frac{1}{\sqrt{(2\pi)^d \det\Sigma}}",
                                        r"(2\pi)^{-d/2} \det(\Sigma)^{-1/2}"])
def test_the_gaussian_density_written_out_is_proved(normalizer):
    assert_proved(VECTORS, rf"{DENSITY} = {normalizer} {QUADRATIC}")


@pytest.mark.parametrize("normalizer", [r"(2\pi)^{-d/2} |\Sigma|^{-1}", r"(2\pi)^{-d} |\Sigma|^{-1/2}",
                                        r"\frac{1}{\sqrt{2\pi \det\Sigma}}"])
def test_a_gaussian_density_with_a_wrong_normalizer_is_refuted(normalizer):
    assert_refuted(VECTORS, rf"{DENSITY} = {normalizer} {QUADRATIC}")


LISTED = r"Let $\sigma_1, \dots, \sigma_d > 0$ and $\boldsymbol{\sigma} \in \mathbb{R}^d$."


@pytest.mark.parametrize("listed", [r"\mathrm{diag}(\sigma_1^2, \dots, \sigma_d^2)",
                                    r"\mathrm{diag}(\sigma_1^2, \ldots, \sigma_d^2)"])
def test_a_listed_diagonal_is_the_diagonal_of_its_pattern(listed):
    assert_proved(LISTED, rf"\log\det {listed} = \sum_{{j=1}}^d \log\sigma_j^2")
    assert_proved(LISTED, rf"{listed} = \mathrm{{diag}}(\boldsymbol{{\sigma}}^2)")


def test_a_wrong_trace_of_a_listed_diagonal_is_refuted():
    assert_refuted(LISTED, r"\mathrm{tr}(\mathrm{diag}(\sigma_1^2, \dots, \sigma_d^2)) = \sum_{j=1}^d \sigma_j")


def test_a_listed_diagonal_without_one_pattern_is_refused():
    assert verdict(LISTED, r"\mathrm{diag}(\sigma_1^2, \dots, \sigma_d) = I")[0] == UNPARSED


WEIGHTED = r"Let $\Sigma$ be a $d\times d$ covariance matrix and $\boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$."


@pytest.mark.parametrize("sum_", [r"\sum_{j=1}^d \frac{\Sigma_{jj}}{\sigma_j^2}", r"\sum_{j=1}^d \sigma_j^{-2}\Sigma_{jj}",
                                  r"\sum_{i=1}^d \frac{(\Sigma)_{ii}}{\sigma_i^2}"])
def test_a_weighted_sum_of_diagonal_entries_is_a_trace_with_a_diagonal(sum_):
    assert_proved(WEIGHTED, rf"\mathrm{{tr}}(\mathrm{{diag}}(\boldsymbol{{\sigma}}^2)^{{-1}}\Sigma) = {sum_}")


def test_a_wrongly_weighted_sum_of_diagonal_entries_is_refuted():
    assert_refuted(WEIGHTED, r"\mathrm{tr}(\mathrm{diag}(\boldsymbol{\sigma}^2)^{-1}\Sigma) = \sum_{j=1}^d \Sigma_{jj}\sigma_j^2")


COVARIANCES = (r"Let $\boldsymbol{\mu} \in \mathbb{R}^d$, $L$ a $d \times d$ matrix and $\Sigma$ a $d \times d$ covariance "
               r"matrix, with $\mathbf{z} \sim \mathcal{N}(\boldsymbol{\mu}, \Sigma)$ and $\boldsymbol{\epsilon} \sim "
               r"\mathcal{N}(\mathbf{0}, I)$.")


@pytest.mark.parametrize("formula", [r"\mathrm{Cov}(\mathbf{z}) = \Sigma",
                                     r"\operatorname{Cov}[\boldsymbol{\mu} + L\boldsymbol{\epsilon}] = L L^\top",
                                     r"\mathrm{Cov}(L\boldsymbol{\epsilon}) = L L^\top"])
def test_the_covariance_of_a_vector_with_a_stated_law(formula):
    assert_proved(COVARIANCES, formula)


@pytest.mark.parametrize("formula", [r"\mathrm{Cov}(\mathbf{z}) = \Sigma + \boldsymbol{\mu}\boldsymbol{\mu}^\top",
                                     r"\operatorname{Cov}[\boldsymbol{\mu} + L\boldsymbol{\epsilon}] = L^\top L"])
def test_a_wrong_covariance_of_a_vector_with_a_stated_law_is_refuted(formula):
    assert_refuted(COVARIANCES, formula)


CVAE = (r"The CVAE has a prior $p(\mathbf{z} \mid \mathbf{c}) = \mathcal{N}(\boldsymbol{\mu}_c, \Sigma_c)$ with "
        r"$\mathbf{z} \in \mathbb{R}^J$ and $\Sigma_c$ a covariance matrix, a decoder $p(\mathbf{x} \mid \mathbf{z}, "
        r"\mathbf{c})$ and an encoder $q(\mathbf{z} \mid \mathbf{x}, \mathbf{c}) = \mathcal{N}(\boldsymbol{\mu}, "
        r"\mathrm{diag}(\boldsymbol{\sigma}^2))$ with $\sigma_j > 0$.")
CVAE_BOUND = (r"\mathbb{E}_{q(\mathbf{z} \mid \mathbf{x}, \mathbf{c})}\left[\log p(\mathbf{x} \mid \mathbf{z}, "
              r"\mathbf{c})\right] - D_{KL}\left(q(\mathbf{z} \mid \mathbf{x}, \mathbf{c}) \,\|\, p(\mathbf{z} \mid "
              r"\mathbf{c})\right)")


def test_the_cvae_bound_of_vector_densities_is_proved_by_bayes_rule():
    found = verdict(CVAE, rf"\log p(\mathbf{{x}} \mid \mathbf{{c}}) \geq {CVAE_BOUND}")
    assert found[0] == PROVED and "Bayes" in found[1], found


@pytest.mark.parametrize("evidence", [r"\log p(\mathbf{x})", r"\log p(\mathbf{x} \mid \mathbf{z}, \mathbf{c})"])
def test_a_cvae_bound_against_another_evidence_is_not_proved(evidence):
    assert verdict(CVAE, rf"{evidence} \geq {CVAE_BOUND}")[0] not in NEVER_FOR_A_MUTANT


DIAGONAL_LAW = (r"The encoder is $q(\mathbf{z}) = \mathcal{N}(\mathbf{z}; \boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))$ "
                r"with $\mathbf{z} \in \mathbb{R}^J$ and $\sigma_j > 0$, and the prior $p(\mathbf{z}) = "
                r"\mathcal{N}(\mathbf{z}; \mathbf{0}, I)$.")


@pytest.mark.parametrize("formula", [
    r"\mathbb{E}_{q}\left[\sum_{j=1}^J \frac{(z_j - \mu_j)^2}{\sigma_j^2}\right] = J",
    r"\mathbb{E}_{q}\left[\sum_{j=1}^J z_j^2\right] = \sum_{j=1}^J \left(\mu_j^2 + \sigma_j^2\right)",
    r"\mathbb{E}_{q}\left[\sum_{j=1}^J z_j\right] = \sum_{j=1}^J \mu_j",
    r"\log q(\mathbf{z}) = -\frac{1}{2}\sum_{j=1}^J \left(\log(2\pi\sigma_j^2) + \frac{(z_j - \mu_j)^2}{\sigma_j^2}\right)",
])
def test_an_expectation_of_a_sum_over_the_components_of_the_variable_is_proved(formula):
    assert_proved(DIAGONAL_LAW, formula)


@pytest.mark.parametrize("formula", [
    r"\mathbb{E}_{q}\left[\sum_{j=1}^J z_j^2\right] = \sum_{j=1}^J \mu_j^2",
    r"\mathbb{E}_{q}\left[\sum_{j=1}^J z_j^2\right] = \sum_{j=1}^J z_j^2",
    r"\mathbb{E}_{q}\left[\sum_{j=1}^J \frac{(z_j - \mu_j)^2}{\sigma_j^2}\right] = 1",
])
def test_a_wrong_expectation_over_the_components_of_the_variable_is_refuted(formula):
    assert_refuted(DIAGONAL_LAW, formula)


def test_an_expectation_never_treats_the_components_of_its_variable_as_constants():
    z = Components(sp.IndexedBase("z", real=True))
    density = MvNormal(z, sp.ZeroMatrix(d, 1), sp.Identity(d))
    squares = sp.Sum(sp.IndexedBase("z", real=True)[j] ** 2, (j, 1, d))
    assert not prove_matrix(Expectation(density, squares), "=", squares).proved
    assert prove_matrix(Expectation(density, squares), "=", d).proved
