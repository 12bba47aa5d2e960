"""Round 5 (mprops): matrix properties and vector laws the prose declares, only from declarative frames
(attack9 H8, H10, H11, H12, H14, H19, H20). Each test is a small document of its own."""
from __future__ import annotations

from tests.audit_steps import assert_proved, verdict, verdicts, document
from mathcheck.audit.check import PROVED, UNDECIDED, UNPARSED

MATRIX = r"Let $A \in \mathbb{R}^{d\times d}$ and $\mathbf{x}, \mathbf{y} \in \mathbb{R}^d$. "
SWAP = r"\mathbf{x}^\top A \mathbf{y} = \mathbf{y}^\top A \mathbf{x}"
SIGMA = r"Let $\Sigma \in \mathbb{R}^{d\times d}$ and $\mathbf{x} \in \mathbb{R}^d$. "
SYMMETRIC_SIGMA = r"\Sigma = \Sigma^\top"


def _not_proved(prose: str, formula: str) -> None:
    found = verdict(prose, formula)
    assert found[0] != PROVED and found[0] != "holds", found


# H10: a case the prose mentions declares nothing
def test_symmetric_case_treated_in_appendix_declares_nothing() -> None:
    _not_proved(MATRIX + r"The symmetric case $A = A^\top$ is treated in the appendix; here $A$ is general.", SWAP)


def test_for_a_symmetric_matrix_in_parentheses_declares_nothing() -> None:
    _not_proved(MATRIX + r"For a symmetric matrix ($A = A^\top$) one has a simpler formula, but our $A$ is arbitrary.",
                SWAP)


def test_only_when_declares_nothing() -> None:
    _not_proved(MATRIX + r"Only when $A = A^\top$ does the following hold.", SWAP)


def test_in_contrast_to_the_case_declares_nothing() -> None:
    _not_proved(MATRIX + r"In contrast to the case $B = B^\top$, nothing is assumed; let $B = A$.",
                r"\mathbf{x}^\top B \mathbf{y} = \mathbf{y}^\top B \mathbf{x}")


def test_special_case_definite_left_aside_declares_nothing() -> None:
    _not_proved(SIGMA + r"The special case $\Sigma \succ 0$ is left aside.", SYMMETRIC_SIGMA)


def test_would_apposition_declares_nothing() -> None:
    _not_proved(SIGMA + r"A positive definite matrix $\Sigma$ would make this easy.", SYMMETRIC_SIGMA)


def test_case_where_property_sentence_declares_nothing() -> None:
    _not_proved(MATRIX + r"In the case where $A$ is symmetric positive definite the claim is easy.", SWAP)


def test_special_case_law_is_no_law_of_the_vector() -> None:
    prose = (r"Let $\boldsymbol{\mu}, \boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$. In the special case "
             r"$\mathbf{z} \sim \mathcal{N}(\mathbf{0}, I)$ everything is easy; here $\mathbf{z}$ follows the encoder.")
    _not_proved(prose, r"\mathbb{E}\left[\|\mathbf{z}\|^2\right] = d")


def test_plain_symmetric_declaration_still_declares() -> None:
    assert_proved(MATRIX + r"Assume $A = A^\top$.", SWAP)


def test_plain_definite_declaration_still_declares() -> None:
    assert_proved(SIGMA + r"Suppose $\Sigma \succ 0$.", SYMMETRIC_SIGMA)


def test_in_this_case_keeps_a_declaration() -> None:
    assert_proved(MATRIX + r"In this case let $A$ be a symmetric matrix.", SWAP)


# H12: a later "general / arbitrary" revokes
def test_general_not_necessarily_symmetric_revokes() -> None:
    text = document(r"Let $A$ be a $d\times d$ symmetric matrix and $\mathbf{x}, \mathbf{y} \in \mathbb{R}^d$.", SWAP)
    text += "\n\nIn the rest of this note $A$ is a general, not necessarily symmetric, $d\\times d$ matrix.\n\n"
    text += f"$$\n{SWAP}\n$$\n"
    found = verdicts(text)
    assert found[0][0] == PROVED and found[1][0] != PROVED, found


def test_arbitrary_matrix_from_now_on_revokes_definite() -> None:
    text = document(r"Let $\Sigma$ be a $d\times d$ positive definite matrix.", SYMMETRIC_SIGMA)
    text += "\n\nFrom now on $\\Sigma \\in \\mathbb{R}^{d\\times d}$ is an arbitrary matrix.\n\n"
    text += f"$$\n{SYMMETRIC_SIGMA}\n$$\n"
    found = verdicts(text)
    assert found[0][0] == PROVED and found[1][0] != PROVED, found


def test_arbitrary_matrix_instead_revokes() -> None:
    text = document(r"Let $\Sigma$ be a $d\times d$ positive definite matrix.", SYMMETRIC_SIGMA)
    text += "\n\nLet $\\Sigma \\in \\mathbb{R}^{d\\times d}$ be an arbitrary matrix instead.\n\n"
    text += f"$$\n{SYMMETRIC_SIGMA}\n$$\n"
    assert verdicts(text)[1][0] != PROVED


def test_revocation_later_in_the_same_paragraph() -> None:
    _not_proved(r"Let $A$ be a $d\times d$ symmetric matrix and $\mathbf{x}, \mathbf{y} \in \mathbb{R}^d$; "
                r"below $A$ is an arbitrary matrix.", SWAP)


# H11: a re-stated law ("instead") leaves bare E ambiguous
def test_law_restated_with_instead_is_not_the_old_law() -> None:
    prose = (r"Let $\boldsymbol{\mu}, \boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$, and let "
             r"$\mathbf{z} \sim \mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))$.")
    step = r"\mathbb{E}\left[\|\mathbf{z}\|^2\right] = \|\boldsymbol{\mu}\|^2 + \|\boldsymbol{\sigma}\|^2"
    text = document(prose, step) + "\n\nNow let $\\mathbf{z} \\sim \\mathcal{N}(\\mathbf{0}, I)$ instead.\n\n"
    text += f"$$\n{step}\n$$\n"
    found = verdicts(text)
    assert found[0][0] == PROVED and found[1][0] != PROVED, found


# H8: A^T with T a number
def test_power_t_with_t_steps_is_ambiguous() -> None:
    found = verdict(r"Let $A \in \mathbb{R}^{d\times d}$ run for $T$ steps, where $T \geq 2$ is an integer.",
                    r"\det(A^T) = \det(A)")
    assert found[0] == UNPARSED and "A^\\top" in found[1], found


def test_sum_limit_t_makes_a_t_ambiguous() -> None:
    found = verdict(r"Let $A \in \mathbb{R}^{d\times d}$ and consider $\sum_{t=1}^{T} A^t$.",
                    r"\mathrm{tr}(A^T) = \mathrm{tr}(A)")
    assert found[0] == UNPARSED, found


def test_top_stays_a_transpose_with_t_a_number() -> None:
    assert_proved(r"Let $A \in \mathbb{R}^{d\times d}$ and let $T \geq 2$ be an integer.", r"\det(A^\top) = \det(A)")


def test_t_is_a_transpose_without_a_number_t() -> None:
    assert_proved(r"Let $A \in \mathbb{R}^{d\times d}$.", r"\det(A^T) = \det(A)")


# H20: compound covariance nouns
def test_cross_covariance_is_not_symmetric() -> None:
    _not_proved(r"Let $\mathbf{x}, \mathbf{y} \in \mathbb{R}^d$ be two random vectors with cross-covariance "
                r"$C \in \mathbb{R}^{d\times d}$.", r"C = C^\top")


def test_covariance_like_matrix_is_not_symmetric() -> None:
    _not_proved(r"Let $C$ be a $d\times d$ covariance-like matrix.", r"C = C^\top")


def test_plain_covariance_noun_still_declares() -> None:
    assert_proved(r"Let $\mathbf{x} \in \mathbb{R}^d$ have covariance $C \in \mathbb{R}^{d\times d}$.", r"C = C^\top")


# H14: a component sign holds within its range
def test_component_sign_not_beyond_the_vector() -> None:
    _not_proved(r"Let $\boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$ for $j = 1, \dots, d$.",
                r"\sum_{j=1}^{d+1} \sqrt{\sigma_j^2} = \sum_{j=1}^{d+1} \sigma_j")


def test_component_sign_not_at_index_zero() -> None:
    _not_proved(r"Let $\boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$ for $j = 1, \dots, d$.",
                r"\sum_{j=0}^{d} \sqrt{\sigma_j^2} = \sum_{j=0}^{d} \sigma_j")


def test_component_sign_within_the_vector() -> None:
    assert_proved(r"Let $\boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$ for $j = 1, \dots, d$.",
                  r"\sum_{j=1}^{d} \sqrt{\sigma_j^2} = \sum_{j=1}^{d} \sigma_j")


# H19: no crash, one step undecided or unparsed
def test_expectation_of_numbered_components_does_not_crash() -> None:
    found = verdict(r"Let $\boldsymbol{\mu} \in \mathbb{R}^d$ and let $\Sigma$ be a $d\times d$ positive definite matrix.",
                    r"\mathbb{E}_{\mathbf{z} \sim \mathcal{N}(\boldsymbol{\mu}, \Sigma)}\left[z_1 z_2\right] = \mu_1 \mu_2")
    assert found[0] != PROVED and found[0] != "holds", found


def test_expectation_of_squared_component_sum_does_not_crash() -> None:
    found = verdict(r"Let $\boldsymbol{\mu} \in \mathbb{R}^d$ and let $\Sigma$ be a $d\times d$ positive definite matrix.",
                    r"\mathbb{E}_{z \sim N(\mu, \Sigma)}\left[\left(\sum_{j=1}^d z_j\right)^2\right] = "
                    r"\sum_{j=1}^d (\mu_j^2 + \Sigma_{jj})")
    assert found[0] in (UNDECIDED, UNPARSED, "refuted"), found


def test_e_g_example_declares_nothing() -> None:
    _not_proved(MATRIX + r"E.g. $A = A^\top$ gives a simpler formula.", SWAP)


def test_if_hypothesis_holds_for_the_next_display_only() -> None:
    text = document(MATRIX + r"If $A = A^\top$, the following holds.", SWAP)
    text += "\n\nNext, a general fact.\n\n" + f"$$\n{SWAP}\n$$\n"
    found = verdicts(text)
    assert found[0][0] == PROVED and found[1][0] != PROVED, found


def test_for_a_named_matrix_quantifies_and_declares() -> None:
    assert_proved(r"For a $d \times d$ symmetric matrix $A$ and $\mathbf{x}, \mathbf{y} \in \mathbb{R}^d$,", SWAP)


def test_sample_covariance_is_symmetric() -> None:
    assert_proved(r"Let $\mathbf{x} \in \mathbb{R}^d$ with sample covariance $C \in \mathbb{R}^{d\times d}$.", r"C = C^\top")


def test_sample_covariance_matrix_is_not_declared_definite() -> None:
    found = verdict(r"Let $S$ be a $d\times d$ sample covariance matrix.", r"\log\det S = -\log\det(S^{-1})")
    assert found[0] not in (PROVED, "holds"), found


def test_cross_covariance_matrix_without_hyphen_is_not_symmetric() -> None:
    _not_proved(r"Let $C$ be a $d\times d$ cross covariance matrix.", r"C = C^\top")


def test_arbitrary_positive_definite_matrix_is_positive_definite() -> None:
    assert_proved(r"Let $\Sigma$ be an arbitrary positive definite $d\times d$ matrix.", SYMMETRIC_SIGMA)
