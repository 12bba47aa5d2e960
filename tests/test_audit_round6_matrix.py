"""Round 6, matrix: a log det (log of a trace, root of a number) that is not real in worlds drawn as declared is
undecided with its side condition; data points x_1, …, x_N ∈ ℝ^D; a matrix declared diagonal; the ones vector
sized by its neighbour; a bold vector beside a plain number of the same letter; E[x_k²] of a Gaussian vector."""
from __future__ import annotations

import pytest

from tests.audit_steps import assert_proved, assert_refuted, verdict

NOT_A_PASS = ("undecided", "unparsed", "refuted")
GENERAL = r"Let $\Sigma \in \mathbb{R}^{d\times d}$."


# ---------------------------------------------------------------- log det of a general matrix (z7)


@pytest.mark.parametrize("formula", [
    r"\log\det(\Sigma^{-1}) = -\log\det\Sigma",
    r"\log|\Sigma^{-1}| = -\log|\Sigma|",
])
def test_log_det_of_a_general_matrix_is_undecided(formula):  # "holds" before the fix
    found = verdict(GENERAL, formula)
    assert found[0] == "undecided", found
    assert "det(" in found[1] and "\\succ 0" in found[1], found


def test_log_det_of_a_product_of_general_matrices_is_not_a_pass():  # "holds" before the fix
    found = verdict(r"The matrices $\Sigma_1, \Sigma_2$ are $d\times d$ matrices.",
                    r"\log\det(\Sigma_1\Sigma_2) = \log\det\Sigma_1 + \log\det\Sigma_2")
    assert found[0] in NOT_A_PASS, found


def test_log_det_of_an_undeclared_covariance_letter_is_not_a_pass():  # "holds" before the fix
    found = verdict("The matrix is written below.", r"\log\det(\Sigma^{-1}) = -\log\det\Sigma")
    assert found[0] in NOT_A_PASS, found


@pytest.mark.parametrize("prose", [
    r"Let $\Sigma$ be a $d\times d$ covariance matrix.",
    r"Let $\Sigma \in \mathbb{R}^{d\times d}$ with $\Sigma \succ 0$.",
    r"$\Sigma$ は $d\times d$ の共分散行列とする。",
])
def test_log_det_of_a_declared_covariance_is_proved(prose):
    assert_proved(prose, r"\log\det(\Sigma^{-1}) = -\log\det\Sigma")


def test_log_det_of_a_product_of_definite_matrices_is_proved():
    assert_proved(r"Let $A, B \in \mathbb{R}^{d\times d}$ with $A \succ 0$ and $B \succ 0$.",
                  r"\log\det(AB) = \log\det A + \log\det B")


def test_root_of_a_square_determinant_is_refuted():
    assert_refuted(r"Let $A \in \mathbb{R}^{d\times d}$.", r"\sqrt{\det(A^2)} = \det A")


# ---------------------------------------------------------------- data points x_1, …, x_N (H5)

POINTS = r"Let $x_1, \dots, x_N \in \mathbb{R}^D$ be the data points."


@pytest.mark.parametrize("prose", [
    POINTS,
    r"Let $\mathbf{x}_1, \ldots, \mathbf{x}_N \in \mathbb{R}^D$ be the data set.",
    r"データ点を $x_1, x_2, \dots, x_N \in \mathbb{R}^D$ とする。",
])
def test_norms_of_data_points_are_their_inner_products(prose):  # unparsed before the fix
    assert_proved(prose, r"\sum_{i=1}^N \|x_i\|^2 = \sum_{i=1}^N x_i^\top x_i")


def test_a_sum_over_data_points_is_no_multiple_of_one_point():  # proved while the trace forgot its index
    assert_refuted(POINTS, r"\sum_{i=1}^N x_i^\top x_i = N x_i^\top x_i")


def test_a_sum_over_data_points_is_no_multiple_of_the_first():
    assert_refuted(POINTS, r"\sum_{i=1}^N x_i^\top x_i = N x_1^\top x_1")


def test_a_sum_of_two_data_points_written_out_is_proved():
    assert_proved(POINTS, r"\sum_{i=1}^{2} x_i^\top x_i = x_1^\top x_1 + x_2^\top x_2")


def test_distance_of_two_data_points_expands():
    assert_proved(POINTS, r"\|x_1 - x_2\|^2 = x_1^\top x_1 - 2 x_1^\top x_2 + x_2^\top x_2")


# ---------------------------------------------------------------- a matrix declared diagonal (H17)

DIAGONALS = [
    r"Let $D$ be a diagonal matrix of size $d \times d$.",
    r"Let $D \in \mathbb{R}^{d\times d}$ be diagonal.",
    r"$D$ は $d\times d$ の対角行列とする。",
]


@pytest.mark.parametrize("prose", DIAGONALS)
@pytest.mark.parametrize("formula", [
    r"\det D = \prod_{j=1}^d D_{jj}",
    r"D^\top = D",
    r"(D^{-1})_{jj} = \frac{1}{D_{jj}}",
])
def test_a_declared_diagonal_matrix_is_used(prose, formula):  # refuted or undecided before the fix
    assert_proved(prose, formula)


def test_an_off_diagonal_entry_of_a_diagonal_matrix_is_zero():
    assert_proved(DIAGONALS[1], r"D_{12} = 0")


def test_a_diagonal_matrix_does_not_commute_with_a_general_one():
    assert_refuted(DIAGONALS[1] + r" Let $A \in \mathbb{R}^{d\times d}$.", r"D A = A D")


def test_the_det_of_a_diagonal_matrix_is_no_sum():
    assert_refuted(DIAGONALS[0], r"\det D = \sum_{j=1}^d D_{jj}")


def test_a_diagonal_quadratic_form_is_a_weighted_sum():
    assert_proved(r"Take a diagonal matrix $\Lambda$ of size $d\times d$ with $x \in \mathbb{R}^d$.",
                  r"x^\top \Lambda x = \sum_{j=1}^d \Lambda_{jj} x_j^2")


# ---------------------------------------------------------------- the ones vector sized by its neighbour (H21)

TWO_SIZES = r"Let $y \in \mathbb{R}^n$ and $z \in \mathbb{R}^d$."


@pytest.mark.parametrize("formula", [
    r"\mathbf{1}^\top y = \sum_{i=1}^n y_i",
    r"y^\top \mathbf{1} = \sum_{i=1}^n y_i",
    r"\mathbf{1}^\top z = \sum_{j=1}^d z_j",
])
def test_ones_times_a_vector_is_the_sum_of_its_components(formula):  # ill-formed before the fix
    assert_proved(TWO_SIZES, formula)


def test_ones_in_a_sum_takes_the_size_of_the_vector():
    assert_proved(TWO_SIZES + " Let $c$ be a number.", r"\mathbf{1}^\top (y + c\mathbf{1}) = \sum_{i=1}^n y_i + n c")


def test_ones_of_a_written_wrong_size_stays_ill_formed():
    assert_refuted(TWO_SIZES, r"\mathbf{1}_d^\top y = \sum_{i=1}^n y_i")


def test_ones_sized_by_its_neighbour_does_not_sum_the_wrong_range():
    assert_refuted(TWO_SIZES, r"\mathbf{1}^\top y = \sum_{j=1}^d y_j")


# ---------------------------------------------------------------- bold vector beside a plain number (H15/H16)


def test_a_plain_sigma_declared_a_number_stays_a_number():  # unparsed before the fix
    assert_proved(r"The encoder outputs $\boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$, and $\sigma$ is "
                  r"the decoder noise scale, $\sigma > 0$.", r"\log \sigma^2 = 2\log\sigma")


def test_components_of_a_bold_vector_are_its_entries():
    assert_proved(r"Let $\boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$ and $\sigma > 0$ a number.",
                  r"\prod_{j=1}^d \sigma_j^2 = \det \mathrm{diag}(\boldsymbol{\sigma}^2)")


def test_a_bold_mean_is_the_vector_of_its_components():
    assert_proved(r"Let $\boldsymbol{\mu} \in \mathbb{R}^d$.", r"\|\boldsymbol{\mu}\|^2 = \sum_{j=1}^d \mu_j^2")


# ---------------------------------------------------------------- second moments of a Gaussian vector

LAW = r"Let $x \sim \mathcal{N}(\mu, \Sigma)$ with $x \in \mathbb{R}^d$."


@pytest.mark.parametrize("formula", [
    r"\mathbb{E}[x_1^2] = \mu_1^2 + \Sigma_{11}",
    r"\mathbb{E}[x_1 x_2] = \mu_1\mu_2 + \Sigma_{12}",
    r"\mathbb{E}[(x_1 - \mu_1)^2] = \Sigma_{11}",
    r"\mathbb{E}[x_j^2] = \mu_j^2 + \Sigma_{jj}",
])
def test_gaussian_second_moments_of_components_are_proved(formula):  # "holds" or undecided before the fix
    assert_proved(LAW, formula)


@pytest.mark.parametrize("formula", [
    r"\mathbb{E}[x_1^2] = \mu_1^2 + \Sigma_{11}^2",
    r"\mathbb{E}[x_1 x_2] = \mu_1\mu_2",
])
def test_wrong_gaussian_second_moments_are_refuted(formula):
    assert_refuted(LAW, formula)


# ---------------------------------------------------------------- binary data and a Bernoulli decoder (H4)

BINARY = r"Let $x \in \{0,1\}^D$ be a binary image and $\hat x \in (0,1)^D$ the decoder means."


@pytest.mark.parametrize("formula", [
    r"x^\top x = \sum_{j=1}^D x_j",
    r"\mathbf{1}^\top x = \sum_{j=1}^D x_j^2",
])
def test_a_binary_vector_has_size_d_and_idempotent_components(formula):  # refuted (size d, real x_j) before
    assert_proved(BINARY, formula)


def test_a_binary_component_times_its_complement_vanishes():
    found = verdict(BINARY, r"\sum_{j=1}^D x_j(1-x_j) = 0")
    assert found[0] in ("proved", "holds"), found


def test_a_binary_vector_is_not_all_ones():
    assert_refuted(BINARY, r"x^\top x = D")


@pytest.mark.parametrize("formula", [
    r"\sum_{j=1}^D \log\left(\hat x_j^{x_j} (1-\hat x_j)^{1-x_j}\right) = "
    r"\sum_{j=1}^D \left[x_j \log \hat x_j + (1-x_j)\log(1-\hat x_j)\right]",
    r"\sum_{j=1}^D \left[x_j \log \hat x_j + (1-x_j)\log(1-\hat x_j)\right] = "
    r"\sum_{j=1}^D \left[ x_j \log \frac{\hat x_j}{1-\hat x_j} + \log(1-\hat x_j) \right]",
])
def test_the_bernoulli_log_likelihood_is_read_and_proved(formula):  # unparsed (log of 1 - x̂_j) before the fix
    assert_proved(BINARY, formula)


def test_the_bernoulli_log_likelihood_keeps_its_second_term():
    assert_refuted(BINARY, r"\sum_{j=1}^D \left[x_j \log \hat x_j + (1-x_j)\log(1-\hat x_j)\right] = "
                           r"\sum_{j=1}^D x_j \log \hat x_j")


def test_the_bernoulli_log_likelihood_with_component_bounds_is_proved():
    assert_proved(r"$x \in \{0,1\}^D$ を二値画像、$0 < y_j < 1$ をデコーダの出力とする。",
                  r"\sum_{j=1}^D \left[x_j \log y_j + (1-x_j)\log(1-y_j)\right] = "
                  r"\sum_{j=1}^D \left[ x_j \log y_j + \log(1-y_j) - x_j \log(1-y_j) \right]")


def test_a_log_of_one_minus_an_unbounded_component_stays_unread():
    found = verdict(r"Let $y \in \mathbb{R}^D$.", r"\sum_{j=1}^D \log(1-y_j) = \sum_{j=1}^D \log(1-y_j)")
    assert found[0] in NOT_A_PASS, found


# ---------------------------------------------------------------- diagonal declarations that declare nothing


def test_a_matrix_said_not_to_be_diagonal_is_not_used_as_one():
    found = verdict(r"$D \in \mathbb{R}^{d\times d}$ は対角行列ではない。", r"D^\top = D")
    assert found[0] in NOT_A_PASS, found


MEAN_AND_OFFSET = r"Let $\boldsymbol{\mu} \in \mathbb{R}^d$ be the mean vector and let $\mu \in \mathbb{R}$ be a scalar offset."


def test_a_plain_mu_declared_real_beside_the_bold_mean_is_a_number():  # unparsed before the fix
    assert_proved(MEAN_AND_OFFSET, r"\mu \boldsymbol{\mu}^\top \boldsymbol{\mu} = \sum_{j=1}^d \mu \mu_j^2")


def test_the_plain_number_mu_is_not_the_bold_mean():
    assert_refuted(MEAN_AND_OFFSET, r"\mu \boldsymbol{\mu}^\top \boldsymbol{\mu} = \sum_{j=1}^d \mu_j^2")


def test_the_sign_of_the_number_sigma_is_not_that_of_the_bold_components():
    found = verdict(r"Let $\boldsymbol{\sigma} \in \mathbb{R}^d$, and let the noise scale be a number, $\sigma > 0$.",
                    r"\sum_{j=1}^d \log \sigma_j^2 = 2\sum_{j=1}^d \log \sigma_j")
    assert found[0] in NOT_A_PASS, found


# ---------------------------------------------------------------- a matrix property only where it is asserted (A4, A5)

SQUARE = r"Let $B$ and $M$ be $d\times d$ matrices."
TRANSPOSE_OF_PRODUCT = r"(MB)^\top = B^\top M"  # true only for a symmetric M
LOG_DET_OF_INVERSE = r"\log\det(A^{-1}) = -\log\det A"  # needs A ≻ 0 (det A > 0)


@pytest.mark.parametrize("sentence", [
    r"Is $M$ symmetric? Not in general: $M$ is the Jacobian of the decoder.",
    r"Is $M$ symmetric? No: $M$ is the Jacobian of the decoder.",
    r"Is $M$ symmetric? In general, no.",
    r"$M$ は対称行列か？一般にはそうではない。",
])
def test_transpose_of_a_product_after_a_question_is_refuted(sentence):  # proved before the fix
    assert_refuted(f"{SQUARE} {sentence}", TRANSPOSE_OF_PRODUCT)


@pytest.mark.parametrize("sentence", [
    r"$M$ is symmetric only when the decoder is linear, which it is not.",
    r"Note that $M$ is symmetric if and only if $M^\top = M$.",
    r"Note that $M$ is symmetric when the decoder is linear.",
    r"Recall that $M$ is symmetric iff $M^\top = M$.",
])
def test_transpose_of_a_product_after_a_condition_is_refuted(sentence):  # proved before the fix
    assert_refuted(f"{SQUARE} {sentence}", TRANSPOSE_OF_PRODUCT)


@pytest.mark.parametrize("sentence", [
    r"Recall that a matrix is symmetric when $M^\top = M$.",
    r"A matrix $M$ is called symmetric if $M^\top = M$.",
    r"$M$ が対称であるのは $M^\top = M$ のときである。",
])
def test_transpose_of_a_product_after_a_definition_of_the_word_is_refuted(sentence):  # proved before the fix
    assert_refuted(f"{SQUARE} {sentence}", TRANSPOSE_OF_PRODUCT)


@pytest.mark.parametrize("sentence", [
    "Many papers assume $M$ is symmetric[^1].\n\n[^1]: We do not.",
    r"Several authors assume $M$ is symmetric.",
    r"多くの論文は $M$ を対称行列と仮定するが、ここではしない。",
])
def test_transpose_of_a_product_after_an_assumption_of_others_is_refuted(sentence):  # proved before the fix
    assert_refuted(f"{SQUARE} {sentence}", TRANSPOSE_OF_PRODUCT)


@pytest.mark.parametrize("sentence", [
    r"Claim: $M$ is symmetric. (False in general; see the counterexample in the appendix.)",
    r"Claim: $M^\top = M$. (This is false.)",
])
def test_transpose_of_a_product_after_a_claim_is_refuted(sentence):  # proved before the fix
    assert_refuted(f"{SQUARE} {sentence}", TRANSPOSE_OF_PRODUCT)


@pytest.mark.parametrize("prose", [
    r"Let $A$ and $B$ be $d\times d$ matrices, $B$ symmetric. Is $A$ positive definite? Not necessarily.",
    r"Let $A \in \mathbb{R}^{d\times d}$. Is $A \succ 0$? Not necessarily.",
    r"Let $A \in \mathbb{R}^{d\times d}$. Claim: $A$ is positive definite. (False in general.)",
    r"Let $A \in \mathbb{R}^{d\times d}$. Recall that $A$ is positive definite when $x^\top A x > 0$ for all $x \ne 0$.",
    r"Is $A$ a positive definite $d\times d$ matrix? Not necessarily.",
])
def test_log_det_of_an_inverse_after_a_questioned_definiteness_is_not_a_pass(prose):  # proved before the fix
    found = verdict(prose, LOG_DET_OF_INVERSE)
    assert found[0] in NOT_A_PASS, found


def test_determinant_of_a_questioned_diagonal_matrix_is_refuted():
    assert_refuted(r"Let $D$ be a $d\times d$ matrix. Is $D$ diagonal? Not in general.",
                   r"\det D = \prod_{j=1}^d D_{jj}")


@pytest.mark.parametrize("prose", [
    r"Let $B$ and $M$ be $d\times d$ matrices, $M$ symmetric.",
    r"Let $M$ be a symmetric $d\times d$ matrix and $B$ a $d\times d$ matrix.",
    r"Let $B, M \in \mathbb{R}^{d\times d}$ with $M^\top = M$.",
    r"Let $B, M \in \mathbb{R}^{d\times d}$. Assume $M$ is symmetric.",
    r"Let $B, M \in \mathbb{R}^{d\times d}$. Here $M$ is symmetric.",
    r"Let $B, M \in \mathbb{R}^{d\times d}$. Note that $M$ is symmetric.",
    r"Let $B, M \in \mathbb{R}^{d\times d}$. Since $M$ is symmetric, the transpose is simple:",
    r"$B$ と $M$ を $d\times d$ 行列とし、$M$ は対称行列とする。",
])
def test_transpose_of_a_product_with_a_declared_symmetric_matrix_is_proved(prose):
    assert_proved(prose, TRANSPOSE_OF_PRODUCT)


@pytest.mark.parametrize("prose", [
    r"Let $A$ be a $d\times d$ positive definite matrix.",
    r"Let $A$ be a symmetric positive definite $d\times d$ matrix.",
    r"Let $A \in \mathbb{R}^{d\times d}$ with $A \succ 0$.",
    r"$A$ は $d\times d$ の正定値行列とする。",
])
def test_log_det_of_an_inverse_of_a_declared_definite_matrix_is_proved(prose):
    assert_proved(prose, LOG_DET_OF_INVERSE)


def test_determinant_of_a_diagonal_matrix_of_a_written_size_is_proved():
    assert_proved(r"Let $D$ be a diagonal matrix of size $d \times d$.", r"\det D = \prod_{j=1}^d D_{jj}")


# ---------------------------------------------------------------- orthogonal (unitary) matrices (attack11 F1)

HELD = ("proved", "holds")


@pytest.mark.parametrize("prose, formula", [
    (r"Let $Q$ be an orthogonal $d \times d$ matrix.", r"Q^\top Q = I"),
    (r"Let $Q$ be a $d\times d$ matrix. $Q$ is orthogonal.", r"Q Q^\top = I"),
    (r"Let $Q$ be a $d \times d$ matrix with $Q^\top Q = I$.", r"Q Q^\top = I"),
    (r"Let $Q$ be a $d\times d$ matrix with $Q^{-1} = Q^\top$.", r"Q Q^\top = I"),
    (r"$Q$ を $d\times d$ の直交行列とする。", r"Q^\top Q = I"),
    (r"Let $Q$ be a rotation matrix of size $d\times d$.", r"Q^\top Q = I"),
    (r"Let $Q$ be an orthogonal matrix.", r"\det(Q)^2 = 1"),
])
def test_gram_of_a_declared_orthogonal_matrix_is_the_identity(prose, formula):  # refuted before the fix
    found = verdict(prose, formula)
    assert found[0] in HELD, found


def test_determinant_of_a_conjugation_by_an_orthogonal_matrix_holds():  # refuted before the fix
    found = verdict(r"Let $A$ be a symmetric $d \times d$ matrix and $Q$ an orthogonal matrix.",
                    r"\det(Q A Q^\top) = \det A")
    assert found[0] in HELD, found


def test_log_det_of_a_conjugation_by_a_unitary_matrix_holds():  # unparsed before the fix
    found = verdict(r"Let $U$ be a unitary $d \times d$ matrix and $A$ symmetric positive definite.",
                    r"\log\det(U A U^\top) = \log\det A")
    assert found[0] in HELD, found


def test_orthonormal_columns_of_a_rectangular_matrix_are_read():  # refuted before the fix
    found = verdict(r"Let $W$ be a $d\times k$ matrix with $W^\top W = I_k$.", r"\mathrm{tr}(W W^\top) = k")
    assert found[0] in HELD, found


def test_rows_of_a_matrix_with_orthonormal_columns_are_not_orthonormal():
    assert_refuted(r"Let $W$ be a $d\times k$ matrix with $W^\top W = I_k$.", r"W W^\top = I_d")


@pytest.mark.parametrize("prose", [
    r"Is $Q$ an orthogonal $d\times d$ matrix? Not in general.",
    r"Let $Q$ be a $d\times d$ matrix. Recall that $Q$ is orthogonal when $Q^\top Q = I$.",
    r"$Q$ は $d\times d$ の直交行列か？一般には違う。",
])
def test_gram_of_a_matrix_not_asserted_orthogonal_is_refuted(prose):
    assert_refuted(prose, r"Q^\top Q = I")


# ---------------------------------------------------------------- a singular inverse is no counterexample (A6)

PROJECTOR_TRACE = r"\mathrm{tr}(W (W^\top W)^{-1}W^\top) = k"


@pytest.mark.parametrize("prose", [
    r"Let $W$ be a $d\times k$ matrix of full column rank, with $k \le d$.",
    r"Let $W$ be a $d\times k$ matrix with $k \le d$ and $W^\top W \succ 0$.",
    r"Let $W$ be a $d\times k$ matrix.",
])
def test_trace_of_a_projector_is_its_rank(prose):  # refuted at d = 1, k = 2 before the fix
    found = verdict(prose, PROJECTOR_TRACE)
    assert found[0] in HELD, found


def test_trace_of_a_projector_is_not_the_full_dimension():
    assert_refuted(r"Let $W$ be a $d\times k$ matrix of full column rank, with $k \le d$.",
                   r"\mathrm{tr}(W (W^\top W)^{-1}W^\top) = d")


# ---------------------------------------------------------------- a tiny jitter is seen (A7)

COVARIANCE = r"Let $\Sigma$ be a $d\times d$ covariance matrix."


@pytest.mark.parametrize("formula", [
    r"\log\det(\Sigma + 10^{-14} I) = \log\det\Sigma",
    r"(\Sigma + 10^{-14} I)^{-1} = \Sigma^{-1}",
    r"\log\det(\Sigma + 10^{-12} I) = \log\det\Sigma",
    r"\mathrm{tr}((\Sigma + 10^{-13} I)^{-1}) = \mathrm{tr}(\Sigma^{-1})",
])
def test_a_tiny_jitter_changes_the_matrix_function(formula):  # holds before the fix
    assert_refuted(COVARIANCE, formula)


@pytest.mark.parametrize("formula", [
    r"\log\det(\Sigma + 10^{-14} I) = \log\det\Sigma + \log\det(I + 10^{-14}\Sigma^{-1})",
    r"(\Sigma + 10^{-14} I)^{-1}(\Sigma + 10^{-14} I) = I",
    r"\mathrm{tr}(\Sigma + 10^{-14} I) = \mathrm{tr}(\Sigma) + 10^{-14} d",
])
def test_an_exact_identity_with_a_tiny_jitter_still_holds(formula):
    found = verdict(COVARIANCE, formula)
    assert found[0] in HELD, found


# ---------------------------------------------------------------- \boldsymbol\mu_1 without braces (A8)


@pytest.mark.parametrize("prose, formula", [
    (r"Let $\boldsymbol\mu_1, \boldsymbol\mu_2 \in \mathbb{R}^d$ and $A$ a $d\times d$ matrix.",
     r"(\boldsymbol\mu_1 - \boldsymbol\mu_2)^\top A (\boldsymbol\mu_1 - \boldsymbol\mu_2) = "
     r"(\boldsymbol\mu_2 - \boldsymbol\mu_1)^\top A (\boldsymbol\mu_2 - \boldsymbol\mu_1)"),
    (r"Let $\bm\mu_1, \bm\mu_2 \in \mathbb{R}^d$.", r"\|\bm\mu_1 - \bm\mu_2\|^2 = \|\bm\mu_2 - \bm\mu_1\|^2"),
])
def test_a_bold_greek_letter_without_braces_before_a_subscript_reads(prose, formula):  # unparsed before the fix
    assert_proved(prose, formula)


def test_a_bold_greek_letter_without_braces_is_not_its_negative():
    assert_refuted(r"Let $\bm\mu_1, \bm\mu_2 \in \mathbb{R}^d$.", r"\|\bm\mu_1 - \bm\mu_2\|^2 = \|\bm\mu_2 + \bm\mu_1\|^2")


# ---------------------------------------------------------------- a property the worlds do not draw (attack11 F1)


@pytest.mark.parametrize("prose, formula", [
    (r"Let $P$ be a $d\times d$ projection matrix.", r"P^2 = P"),
    (r"Let $P$ be an idempotent $d\times d$ matrix.", r"P P = P"),
    (r"Let $P$ be a $d\times d$ matrix. $P$ is idempotent.", r"P^3 = P"),
    (r"Let $P$ be a $d\times d$ matrix with $P^2 = P$.", r"P^2 = P"),
    (r"Let $S$ be a skew-symmetric $d\times d$ matrix.", r"S^\top = -S"),
    (r"Let $S$ be a $d\times d$ matrix with $S^\top = -S$.", r"S^\top = -S"),
    (r"Let $P$ be a $d\times d$ permutation matrix.", r"P^\top P = I"),
    (r"$P$ を $d\times d$ の射影行列とする。", r"P^2 = P"),
    (r"$S$ を $d\times d$ の歪対称行列とする。", r"S^\top = -S"),
])
def test_a_consequence_of_an_unmodelled_property_is_not_refuted(prose, formula):  # refuted before the fix
    found = verdict(prose, formula)
    assert found[0] == "undecided", found


def test_a_general_identity_of_a_matrix_with_an_unmodelled_property_is_proved():
    assert_proved(r"Let $P$ be a $d\times d$ projection matrix.", r"(P^\top)^\top = P")


def test_a_questioned_unmodelled_property_is_not_declared():
    assert_refuted(r"Let $P$ be a $d\times d$ matrix. Is $P$ idempotent? No.", r"P^2 = P")


# ---------------------------------------------------------------- an assigned size; a written 0 (attack12 A11)

VERIFIED = ("proved", "holds")
TWO_BY_TWO = r"Let $A$ be a $2\times 2$ matrix and $I$ the $2\times 2$ identity."


@pytest.mark.parametrize("prose", [
    r"Let $d = 3$ and let $A$ be a $d\times d$ matrix.",
    r"Throughout, $d = 3$. Let $A$ be a $d\times d$ matrix.",
    r"Let $A$ be a $d\times d$ matrix, where $d = 3$.",
    r"以下 $d = 3$ とする。$A$ を $d\times d$ 行列とする。",
    r"Here $d = 3$. Let $A$ be a $d\times d$ matrix.",
    r"In what follows $d = 3$; $A$ is a $d\times d$ matrix.",
])
def test_an_assigned_size_fixes_the_worlds_size(prose):  # refuted at d = 2 before the fix
    assert_proved(prose, r"\det(-A) = -\det A")


@pytest.mark.parametrize("prose, formula", [
    (r"Let $d = 3$ and let $A$ be a $d\times d$ matrix.", r"\det(-A) = \det A"),
    (r"Let $d = 2$ and let $A$ be a $d\times d$ matrix.", r"\det(-A) = -\det A"),
    (r"Throughout, $d = 3$. Let $A$ be a $d\times d$ matrix.", r"\det(2A) = 2\det A"),
])
def test_a_slip_at_the_assigned_size_is_refuted(prose, formula):
    assert_refuted(prose, formula)


def test_an_even_assigned_size_keeps_the_even_sign():
    assert_proved(r"Let $d = 2$ and let $A$ be a $d\times d$ matrix.", r"\det(-A) = \det A")


@pytest.mark.parametrize("prose", [
    r"Let $A$ be a $3\times 3$ matrix.",
    r"$A$ を $3\times 3$ 行列とする。",
    r"Let $\mathbf{x} \in \mathbb{R}^3$.",
])
def test_a_bare_identity_has_the_one_declared_size(prose):  # refuted "at d = 1" before the fix
    assert_proved(prose, r"\mathrm{tr}(I) = 3")


@pytest.mark.parametrize("prose", [
    r"Let $A$ be a $3\times 3$ matrix.",
    r"Let $d = 2$ and let $A$ be a $d\times d$ matrix.",
])
def test_a_wrong_trace_of_the_identity_is_refuted(prose):
    assert_refuted(prose, r"\mathrm{tr}(I) = 4")


@pytest.mark.parametrize("prose, formula", [
    (TWO_BY_TWO, r"A^2 - \mathrm{tr}(A)\,A + \det(A)\, I = 0"),
    (TWO_BY_TWO, r"A^2 - \mathrm{tr}(A)\,A + \det(A)\, I = \mathbf{0}"),
    (TWO_BY_TWO, r"0 = A^2 - \mathrm{tr}(A)\,A + \det(A)\, I"),
    (r"Let $A$ be a $d\times d$ matrix.", r"A - A = 0"),
    (r"Let $A, B$ be $d\times d$ matrices.", r"AB - AB = 0"),
    (r"Let $A$ be a $d\times d$ matrix and $\mathbf{x} \in \mathbb{R}^d$.", r"A\mathbf{x} - A\mathbf{x} = \mathbf{0}"),
    (r"Let $A$ be a $d\times d$ matrix and $\mathbf{x} \in \mathbb{R}^d$.", r"A\mathbf{x} - A\mathbf{x} = 0"),
    (r"$A$ を $d\times d$ 行列とする。", r"A - A = 0"),
])
def test_a_written_zero_is_the_zero_matrix_of_the_other_side(prose, formula):  # refuted ill-formed before
    found = verdict(prose, formula)
    assert found[0] in VERIFIED, found


@pytest.mark.parametrize("prose, formula", [
    (TWO_BY_TWO, r"A^2 + \mathrm{tr}(A)\,A + \det(A)\, I = 0"),
    (TWO_BY_TWO, r"A^2 - \mathrm{tr}(A)\,A - \det(A)\, I = 0"),
    (r"Let $A$ be a $d\times d$ matrix.", r"A - A^\top = 0"),
    (r"Let $A$ be a $d\times d$ matrix and $\mathbf{x} \in \mathbb{R}^d$.", r"A\mathbf{x} - A^\top\mathbf{x} = \mathbf{0}"),
])
def test_a_false_equation_with_the_zero_matrix_is_refuted(prose, formula):
    assert_refuted(prose, formula)


@pytest.mark.parametrize("formula", [r"A - A = 2", r"A - A = 1"])
def test_a_nonzero_number_against_a_matrix_is_not_a_pass(formula):
    found = verdict(r"Let $A$ be a $d\times d$ matrix.", formula)
    assert found[0] in NOT_A_PASS, found


@pytest.mark.parametrize("prose, formula", [
    (r"Let $A$ be a three-by-three matrix.", r"\det(-A) = -\det A"),
    (r"Let $\mathbf{x}$ be a three-dimensional vector.", r"\|\mathbf{x}\|^2 = x_1^2 + x_2^2 + x_3^2"),
    (r"Let $\mathbf{x}$ be a three-dimensional vector.", r"\mathrm{tr}(I) = 3"),
    (r"$A$ を 3 次の正方行列とする。", r"\det(-A) = -\det A"),
    (r"$A$ を $3$ 次の正方行列とする。", r"\mathrm{tr}(I) = 3"),
    (r"$\mathbf{x}$ を 3 次元ベクトルとする。", r"\|\mathbf{x}\|^2 = x_1^2 + x_2^2 + x_3^2"),
])
def test_a_size_written_in_words_is_the_declared_size(prose, formula):  # refuted at d = 2 (or 4) before the fix
    assert_proved(prose, formula)


@pytest.mark.parametrize("prose, formula", [
    (r"Let $A$ be a three-by-three matrix.", r"\det(-A) = \det A"),
    (r"Let $\mathbf{x}$ be a two-dimensional vector.", r"\|\mathbf{x}\|^2 = x_1^2 + x_2^2 + x_3^2"),
    (r"$A$ を 3 次の正方行列とする。", r"\mathrm{tr}(I) = 2"),
    (r"Let $\mathbf{x} \in \mathbb{R}^d$.", r"\|\mathbf{x}\|^2 = x_1^2 + x_2^2 + x_3^2"),
])
def test_a_slip_at_a_size_written_in_words_is_refuted(prose, formula):
    assert_refuted(prose, formula)


def test_a_large_assigned_size_is_not_drawn_as_a_world():  # MemoryError (internal error) before the cap
    found = verdict(r"Let $n = 100000$ and let $A$ be an $n\times n$ matrix.", r"\det(-A) = -\det A")
    assert found[0] in NOT_A_PASS and "beyond the largest" in found[1], found


# ---------------------------------------------------------------- a trace identity true only for small sizes

SKEW_PRELUDE = r"Let $A$ be a $d \times d$ matrix."
SKEW = r"\mathrm{tr}\left((A - A^\top)^{%d}\right)"


def test_a_trace_identity_true_only_up_to_d_9_is_refuted_at_a_size_past_its_degree():  # "holds" before the fix
    t = lambda k: SKEW % k  # noqa: E731
    claim = (f"{t(10)} = -\\frac{{1}}{{384}}{t(2)}^5 + \\frac{{5}}{{96}}{t(2)}^3{t(4)} - \\frac{{5}}{{24}}{t(2)}^2{t(6)}"
             f" - \\frac{{5}}{{32}}{t(2)}{t(4)}^2 + \\frac{{5}}{{8}}{t(2)}{t(8)} + \\frac{{5}}{{12}}{t(4)}{t(6)}")
    assert_refuted(SKEW_PRELUDE, claim)


def test_a_high_degree_trace_identity_true_at_every_size_still_passes():
    found = verdict(SKEW_PRELUDE, r"\mathrm{tr}\left((A A^\top)^{5}\right) = \mathrm{tr}\left((A^\top A)^{5}\right)")
    assert found[0] in ("proved", "holds"), found
