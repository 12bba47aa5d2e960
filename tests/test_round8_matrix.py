"""Round 8, matrix: an inverse whose existence needs a rank condition the document does not state ((WᵀW)⁻¹ of a
d×k W) is never proved; the full rank declared in prose (English, Japanese, rank W = k) makes it proved."""
from __future__ import annotations

import numpy as np
import pytest

from tests.audit_steps import verdict

PROVED, HOLDS = "proved", "holds"
NOT_A_PASS = ("holds", "undecided", "unparsed", "refuted")  # anything but proved
THIN_W = r"Let $W \in \mathbb{R}^{d\times k}$."

# ---------------------------------------------------------------- item 1: inverses of rank-deficient products


@pytest.mark.parametrize("prose, formula", [
    (THIN_W, r"(W^\top W)^{-1} W^\top W = I"),
    (r"Let $W \in \mathbb{R}^{d\times k}$ with $k \le d$.", r"(W^\top W)^{-1} W^\top W = I"),
    (r"Let $A \in \mathbb{R}^{d\times k}$.", r"A^\top (A A^\top)^{-1} A A^\top = A^\top"),
    (r"Let $X \in \mathbb{R}^{n\times p}$ and $y \in \mathbb{R}^n$.", r"X^\top X (X^\top X)^{-1} X^\top y = X^\top y"),
    (r"Let $x \in \mathbb{R}^d$.", r"(x x^\top)^{-1} x x^\top = I"),
    (r"Let $x, y \in \mathbb{R}^d$.", r"(x x^\top + y y^\top)^{-1} (x x^\top + y y^\top) = I"),
    (r"$V$ は $n \times m$ 行列とする。", r"(V^\top V)^{-1} V^\top V = I"),
    (THIN_W, r"\mathrm{tr}\left((W^\top W)^{-1} W^\top W\right) = k"),
], ids=["gram", "gram-k-le-d", "outer-gram", "least-squares", "rank-one", "low-rank-sum", "japanese", "trace"])
def test_an_inverse_needing_an_undeclared_rank_is_not_proved(prose, formula):  # proved before the fix
    found = verdict(prose, formula)
    assert found[0] in NOT_A_PASS, found
    assert "invertible" in found[1], found


@pytest.mark.parametrize("prose, formula", [
    (THIN_W, r"(W^\top W)^{-1} W^\top W = I"),
    (r"Let $X \in \mathbb{R}^{n\times p}$ and $y \in \mathbb{R}^n$.", r"X^\top X (X^\top X)^{-1} X^\top y = X^\top y"),
], ids=["gram", "least-squares"])
def test_a_true_step_with_a_conditional_inverse_holds_in_the_worlds(prose, formula):
    assert verdict(prose, formula)[0] == HOLDS


def test_the_reference_identity_holds_for_a_full_column_rank_matrix():  # the independent reference of the above
    w = np.random.default_rng(0).standard_normal((5, 3))
    assert np.allclose(np.linalg.inv(w.T @ w) @ w.T @ w, np.eye(3))


@pytest.mark.parametrize("formula", [r"(W^\top W)^{-1} W^\top W = 2 I", r"W (W^\top W)^{-1} W^\top = I_d"])
def test_a_wrong_step_with_a_conditional_inverse_is_never_proved(formula):
    assert verdict(THIN_W, formula)[0] in ("refuted", "undecided"), formula


@pytest.mark.parametrize("prose", [
    r"Let $W \in \mathbb{R}^{d\times k}$ have full column rank.",
    r"Let $W \in \mathbb{R}^{d\times k}$ have rank $k$.",
    r"Let $W \in \mathbb{R}^{d\times k}$ with $\operatorname{rank}(W) = k$.",
    r"The matrix $W \in \mathbb{R}^{d\times k}$ has linearly independent columns.",
    r"$W \in \mathbb{R}^{d\times k}$ is of full column rank.",
    r"$W \in \mathbb{R}^{d\times k}$ は列フルランクとする。",
    r"$W \in \mathbb{R}^{d\times k}$ の列は線形独立とする。",
], ids=["full-column-rank", "rank-k", "rank-equation", "independent-columns", "of-full-rank", "japanese",
        "japanese-independent"])
def test_a_declared_full_column_rank_makes_the_gram_inverse_proved(prose):
    assert verdict(prose, r"(W^\top W)^{-1} W^\top W = I")[0] == PROVED


@pytest.mark.parametrize("prose", [
    r"If $W \in \mathbb{R}^{d\times k}$ has full column rank, the inverse exists.",
    r"Let $W \in \mathbb{R}^{d\times k}$; it may have full column rank.",
    r"Let $W \in \mathbb{R}^{d\times k}$ have full row rank.",
], ids=["hypothesis", "hedge", "other-side"])
def test_a_rank_that_is_not_asserted_for_the_columns_declares_nothing(prose):
    assert verdict(prose, r"(W^\top W)^{-1} W^\top W = I")[0] in NOT_A_PASS


@pytest.mark.parametrize("prose", [
    r"Let $A \in \mathbb{R}^{d\times k}$ have full row rank.",
    r"Let $A \in \mathbb{R}^{d\times k}$ with $\mathrm{rank}(A) = d$.",
], ids=["full-row-rank", "rank-d"])
def test_a_declared_full_row_rank_makes_the_outer_gram_inverse_proved(prose):
    assert verdict(prose, r"(A A^\top)^{-1} A A^\top = I")[0] == PROVED


@pytest.mark.parametrize("prose, formula", [
    (r"Let $\Sigma$ be a $d\times d$ covariance matrix and $\lambda > 0$.",
     r"(\Sigma + \lambda I)^{-1} (\Sigma + \lambda I) = I"),
    (r"Let $W \in \mathbb{R}^{d\times k}$ and $\sigma > 0$.",
     r"(W W^\top + \sigma^2 I_d)^{-1} (W W^\top + \sigma^2 I_d) = I_d"),
    (r"Let $A, B \in \mathbb{R}^{d\times d}$ be invertible.", r"(A B)^{-1} A B = I"),
    (r"$A$ は $d \times d$ の正則行列とする。", r"A^{-1} A = I"),
], ids=["ridge", "ppca", "invertible-product", "japanese-invertible"])
def test_an_inverse_of_a_matrix_invertible_as_declared_is_proved(prose, formula):
    assert verdict(prose, formula)[0] == PROVED


# ---------------------------------------------------------------- item 2: a size bound in prose reaches the worlds

BOUNDED = [r"Let $W \in \mathbb{R}^{d\times k}$ with $k \le d$.",
           r"Let $W \in \mathbb{R}^{d\times k}$, where $k \leq d$.",
           r"$W \in \mathbb{R}^{d\times k}$ とし、$k \le d$ とする。"]


@pytest.mark.parametrize("prose", BOUNDED, ids=["le", "leq", "japanese"])
def test_a_size_bound_in_prose_leaves_no_world_where_the_gram_is_singular(prose):  # 12 worlds skipped before
    found = verdict(prose, r"(W^\top W)^{-1} W^\top W = I_k")
    assert found[0] == HOLDS and "skipped" not in found[1], found


@pytest.mark.parametrize("prose", BOUNDED, ids=["le", "leq", "japanese"])
def test_a_size_bound_keeps_the_sizes_one_symbol(prose):
    assert verdict(prose, r"\mathrm{tr}(I_d) - \mathrm{tr}(I_k) = d - k")[0] == PROVED


@pytest.mark.parametrize("formula", [r"\mathrm{tr}(I_d) = k", r"\mathrm{tr}(W W^\top) = \mathrm{tr}(W^\top W) + 1"])
def test_a_wrong_step_under_a_size_bound_is_refuted(formula):
    assert verdict(BOUNDED[0], formula)[0] == "refuted"


# ---------------------------------------------------------------- item 3: the zero matrix O, 0_{m×n}, \mathbf{O}

SQUARE_AND_THIN = r"Let $A \in \mathbb{R}^{2\times 2}$ and $W \in \mathbb{R}^{d\times k}$."


@pytest.mark.parametrize("formula", [
    r"A - A = O", r"A - A = \mathbf{O}", r"A - A = 0_{2\times2}", r"A - A = \mathbf{0}_{2 \times 2}", r"A + O = A",
    r"W - W = O_{d\times k}", r"W - W = 0_{d \times k}", r"W - W = O", r"W^\top W - W^\top W = O", r"O W = O",
], ids=["O", "bold-O", "0-sized", "bold-0-sized", "A-plus-O", "O-sized", "0-thin", "O-thin", "gram", "product"])
def test_a_zero_matrix_in_any_spelling_is_the_zero_of_its_shape(formula):  # undecided or unparsed before
    assert verdict(SQUARE_AND_THIN, formula)[0] == PROVED


@pytest.mark.parametrize("formula", [r"A = O", r"A + O = 2 A", r"A - A = A^\top"], ids=["A", "twice", "transpose"])
def test_a_wrong_step_with_a_zero_matrix_is_refuted(formula):
    assert verdict(SQUARE_AND_THIN, formula)[0] == "refuted"


def test_a_declared_o_is_not_the_zero_matrix():
    found = verdict(r"Let $A, O \in \mathbb{R}^{2\times 2}$.", r"A + O = A")
    assert found[0] == "refuted", found


def test_big_o_of_a_size_is_not_the_zero_matrix():
    assert verdict(SQUARE_AND_THIN, r"\mathrm{tr}(A) + O(d) = \mathrm{tr}(A)")[0] != PROVED


# ---------------------------------------------------------------- item 4: a shape guessed from use is said so

@pytest.mark.parametrize("formula", [
    r"\mathrm{tr}(W B) = \mathrm{tr}(B W)", r"\mathrm{tr}(W C) = \mathrm{tr}(C W)",
    r"\operatorname{tr}(B W) = \operatorname{tr}(W B)",
], ids=["B", "C", "reversed"])
def test_an_undeclared_shape_is_inferred_from_every_use(formula):  # refuted as ill-formed before
    found = verdict(THIN_W, formula)
    assert found[0] == PROVED, found


def test_a_step_ill_formed_for_every_guess_is_refuted():
    assert verdict(THIN_W, r"\mathrm{tr}(W B) = \mathrm{tr}(W)")[0] == "refuted"


def test_the_same_step_with_the_shape_declared_is_proved():
    assert verdict(r"Let $W \in \mathbb{R}^{d\times k}$ and $B \in \mathbb{R}^{k\times d}$.",
                   r"\mathrm{tr}(W B) = \mathrm{tr}(B W)")[0] == PROVED


def test_an_ill_formed_step_of_declared_shapes_is_still_refuted():
    assert verdict(r"Let $W \in \mathbb{R}^{d\times k}$ and $B \in \mathbb{R}^{k\times k}$.",
                   r"\mathrm{tr}(W B) = \mathrm{tr}(B W)")[0] == "refuted"


# ---------------------------------------------------------------- item 6: orthonormal columns, drawn and used

ORTHONORMAL = [r"Let $U \in \mathbb{R}^{d\times k}$ with $U^\top U = I_k$.",
               r"Let $U \in \mathbb{R}^{d\times k}$ have orthonormal columns.",
               r"$U \in \mathbb{R}^{d\times k}$ satisfies $U^\top U = I_k$.",
               r"$U \in \mathbb{R}^{d\times k}$ は $U^\top U = I_k$ を満たす。",
               r"$U \in \mathbb{R}^{d\times k}$ の列は正規直交とする。"]
ORTHONORMAL_IDS = ["equation", "words", "satisfies", "japanese-satisfies", "japanese-words"]


@pytest.mark.parametrize("prose", ORTHONORMAL, ids=ORTHONORMAL_IDS)
@pytest.mark.parametrize("formula", [r"U U^\top U U^\top = U U^\top", r"\mathrm{tr}(U U^\top) = k",
                                     r"U^\top U U^\top = U^\top"], ids=["projection", "trace", "left"])
def test_a_matrix_with_orthonormal_columns_cancels_its_gram(prose, formula):  # refuted (generic U) before
    assert verdict(prose, formula)[0] == PROVED


@pytest.mark.parametrize("prose", ORTHONORMAL[:2], ids=ORTHONORMAL_IDS[:2])
def test_a_true_bound_of_an_orthonormal_projection_is_never_refuted(prose):  # refuted with U scaled by 10 before
    found = verdict(prose + r" Let $v \in \mathbb{R}^d$.", r"\|U^\top v\|^2 \le \|v\|^2")
    assert found[0] != "refuted", found


def test_the_reference_orthonormal_projection_is_idempotent():  # the independent reference of the steps above
    u = np.linalg.qr(np.random.default_rng(1).standard_normal((5, 2)))[0]
    assert np.allclose(u @ u.T @ u @ u.T, u @ u.T) and np.isclose(np.trace(u @ u.T), 2)


@pytest.mark.parametrize("formula", [r"U U^\top = I_d", r"\mathrm{tr}(U U^\top) = d"], ids=["outer", "trace-d"])
def test_the_outer_product_of_orthonormal_columns_is_no_identity(formula):
    assert verdict(ORTHONORMAL[0], formula)[0] == "refuted"


GLS = r"(X^\top \Sigma^{-1} X)^{-1} X^\top \Sigma^{-1} X = I_p"
GLS_SHAPES = r"Let $X \in \mathbb{R}^{n\times p}$ and let $\Sigma$ be an $n\times n$ covariance matrix."


def test_a_weighted_gram_of_full_column_rank_is_invertible():
    assert verdict(GLS_SHAPES + r" $X$ has full column rank.", GLS)[0] == PROVED


def test_a_weighted_gram_of_undeclared_rank_is_not_proved():
    found = verdict(GLS_SHAPES, GLS)
    assert found[0] in NOT_A_PASS and "full column rank" in found[1], found


@pytest.mark.parametrize("prose", [r"Let $W \in \mathbb{R}^{d\times k}$; $W$ is not of full column rank.",
                                   r"$W \in \mathbb{R}^{d\times k}$ は列フルランクではない。"], ids=["english", "japanese"])
def test_a_negated_full_rank_declares_nothing(prose):
    assert verdict(prose, r"(W^\top W)^{-1} W^\top W = I_k")[0] in NOT_A_PASS


@pytest.mark.parametrize("prose, formula", [
    (r"Let $P \in \mathbb{R}^{d\times d}$ be idempotent.", r"P^{-1} P = I"),
    (r"Let $S$ be a singular $d\times d$ matrix.", r"S^{-1} S = I"),
    (r"Let $P$ be a $d\times d$ projection matrix.", r"P P^{-1} = I"),
], ids=["idempotent", "singular", "projection"])
def test_the_inverse_of_a_matrix_declared_singular_is_not_proved(prose, formula):  # proved before the fix
    found = verdict(prose, formula)
    assert found[0] in NOT_A_PASS and "no inverse" in found[1], found


@pytest.mark.parametrize("prose", [r"Let $W \in \mathbb{R}^{d\times k}$ be invertible.",
                                   r"Let $W \in \mathbb{R}^{d\times k}$ have full rank."], ids=["invertible", "full-rank"])
def test_a_rank_word_that_does_not_name_the_side_of_a_thin_matrix_declares_no_gram(prose):
    assert verdict(prose, r"(W W^\top)^{-1} W W^\top = I_d")[0] in NOT_A_PASS
