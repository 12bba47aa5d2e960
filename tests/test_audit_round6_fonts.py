"""Round 6, fonts: letters in another alphabet (\\mathbb, \\mathcal, \\mathsf, \\mathfrak, \\mathscr) are other
symbols, \\mathcal{N} and \\mathbb{E} the operators only where their arguments follow; a bold letter and its plain
letter (x and \\mathbf{x}) are one name only where the document never tells them apart: a formula that writes both,
a document that declares them apart or calls them distinct, a declaration written in the other form make the step
not proved (issue 11, attack11 A3)."""
from __future__ import annotations

import pytest

from tests.audit_steps import assert_proved, document, verdict, verdicts

NOT_A_PASS = ("undecided", "unparsed", "refuted")
ONE_NAME = "are read as one name"


def last_verdict(prose: str, formula: str) -> tuple[str, str]:
    """The verdict of the formula (the prose may add a step of its own: a declaration it cannot use)."""
    return verdicts(document(prose, formula))[-1]


# ---------------------------------------------------------------- other alphabets are other symbols


@pytest.mark.parametrize("styled", [r"\mathcal{N}", r"\mathbb{N}", r"\mathsf{N}", r"\mathfrak{N}", r"\mathscr{N}",
                                    r"\mathbb{E}", r"\mathcal{E}", r"\mathsf{x}"])
def test_a_letter_in_another_alphabet_is_not_the_plain_letter(styled):  # N, E: proved before the fix
    plain = styled[-2]
    found = verdict("The symbols are written below.", f"{plain} - {styled} = 0")
    assert found[0] in NOT_A_PASS, found


def test_the_calligraphic_normal_with_its_arguments_is_still_the_normal_law():
    assert_proved("Let $z$ be real.", r"\mathbb{E}_{z \sim \mathcal{N}(0, 1)}[z] = 0")


def test_the_blackboard_expectation_with_a_bracket_is_still_the_expectation():
    assert_proved("Let $z$ be real.", r"\mathbb{E}_{z \sim \mathcal{N}(0, 1)}\left[z^2\right] = 1")


# ---------------------------------------------------------------- a formula that writes both forms


@pytest.mark.parametrize("formula", [r"x - \mathbf{x} = 0", r"\mathbf{x}_1 - x_1 = 0", r"\boldsymbol{\mu} - \mu = 0",
                                     r"\bm{x} = x", r"\pmb{y} - y = 0", r"x - {\bf x} = 0", r"\frac12(\boldsymbol\mu - \mu)^2 = 0"])
def test_a_formula_writing_both_forms_is_not_proved(formula):  # proved before the fix
    found = verdict("The symbols are written below.", formula)
    assert found[0] in NOT_A_PASS and ONE_NAME in found[1], found


def test_a_matrix_formula_writing_both_forms_is_not_proved():  # proved before the fix (attack11 mb.md)
    found = verdict(r"Let $\Sigma$ be a $d \times d$ diagonal matrix and let $\boldsymbol{\Sigma}$ be an arbitrary "
                    r"$d \times d$ matrix.", r"\Sigma \boldsymbol{\Sigma} = \boldsymbol{\Sigma} \Sigma")
    assert found[0] in NOT_A_PASS, found


def test_a_bold_matrix_told_apart_from_a_diagonal_one_is_not_read_as_it():
    found = verdict(r"Let $\boldsymbol{\Sigma}$ be an arbitrary $d \times d$ matrix and let $\Sigma$ be a $d \times d$ "
                    r"diagonal matrix.", r"\boldsymbol{\Sigma}^\top = \boldsymbol{\Sigma}")
    assert found[0] in NOT_A_PASS, found


# ---------------------------------------------------------------- a document that tells them apart


@pytest.mark.parametrize("prose", [
    r"The encoder outputs a mean $\boldsymbol{\mu}$, distinct from the prior mean $\mu$. "
    r"Let $q(z) = \mathcal{N}(\boldsymbol{\mu}, 1)$ and $p(z) = \mathcal{N}(\mu, 1)$.",
    r"Let $q(z) = \mathcal{N}(\boldsymbol{\mu}, 1)$ and $p(z) = \mathcal{N}(\mu, 1)$.",
    r"エンコーダの平均 $\boldsymbol{\mu}$ は事前分布の平均 $\mu$ とは異なる。"
    r"$q(z) = \mathcal{N}(\boldsymbol{\mu}, 1)$, $p(z) = \mathcal{N}(\mu, 1)$ とする。",
])
def test_the_kl_of_laws_with_told_apart_means_is_not_zero(prose):  # proved before the fix (attack11 A3)
    found = last_verdict(prose, r"\mathrm{KL}(q \| p) = 0")
    assert found[0] in NOT_A_PASS, found


@pytest.mark.parametrize("prose", [
    r"Let $x > 0$ be the scalar temperature and let $\mathbf{x} < 0$ be the (scalar) offset.",
    r"Let $\mathbf{w} \ge 1$ and $w \le -1$.",
])
def test_a_bold_letter_declared_apart_is_not_the_plain_one(prose):
    letter = "x" if "x" in prose else "w"
    found = last_verdict(prose, rf"|\mathbf{{{letter}}}| = \mathbf{{{letter}}}")
    assert found[0] in NOT_A_PASS and ONE_NAME in found[1], found


def test_the_sign_of_a_bold_letter_is_not_given_to_the_plain_one():  # proved before the fix
    found = last_verdict(r"Let $\bm{s} > 0$ be a scale and $s$ a real number.", r"\sqrt{s^2} = s")
    assert found[0] in NOT_A_PASS, found


@pytest.mark.parametrize("prose", [r"Let $z > 0$.", r"Assume $z > 0$ throughout.", r"$z > 0$ とする。"])
def test_a_sign_declared_for_the_plain_letter_does_not_carry_to_the_bold_one(prose):  # proved before the fix
    found = verdicts(document(prose, r"\sqrt{\mathbf{z}^2} = \mathbf{z}", r"\sqrt{z^2} = z"))
    assert found[0][0] in NOT_A_PASS and ONE_NAME in found[0][1], found
    assert found[1][0] == "proved", found


# ---------------------------------------------------------------- one name where nothing tells them apart


def test_a_bold_letter_is_its_plain_letter_when_the_document_says_so():
    found = verdicts(document(r"The data point is $\mathbf{x}$ and we write $x$ for it too.",
                              r"(\mathbf{x} + 1)^2 = \mathbf{x}^2 + 2\mathbf{x} + 1", r"x^2 = x \cdot x"))
    assert [v for v, _ in found] == ["proved", "proved"], found


def test_a_bold_letter_with_its_sign_declared_bold_keeps_it():
    assert_proved(r"Let $\mathbf{x} > 0$.", r"\sqrt{\mathbf{x}^2} = \mathbf{x}")


def test_a_bold_mean_with_braces_or_without_reads_alike():  # attack12 A8
    assert_proved(r"Let $\boldsymbol\mu_1, \boldsymbol\mu_2 \in \mathbb{R}^d$ and $A$ a $d\times d$ matrix.",
                  r"(\boldsymbol\mu_1 - \boldsymbol\mu_2)^\top A (\boldsymbol\mu_1 - \boldsymbol\mu_2) = "
                  r"(\boldsymbol\mu_2 - \boldsymbol\mu_1)^\top A (\boldsymbol\mu_2 - \boldsymbol\mu_1)")


def test_a_latex_document_telling_bold_and_plain_apart_is_not_proved():  # proved before the fix
    text = ("\\documentclass{article}\\begin{document}\nLet $\\bm{s} > 0$ be a scale and let $s \\le 0$ be a shift.\n"
            "\\begin{equation} \\sqrt{\\bm{s}^2} = \\bm{s} \\end{equation}\n\\end{document}\n")
    from mathcheck.audit.check import audit_document
    from mathcheck.audit.document import parse_document
    steps = audit_document(parse_document("doc.tex", text)).steps
    assert steps[-1].verdict in NOT_A_PASS and ONE_NAME in steps[-1].reason, [(s.verdict, s.reason) for s in steps]


@pytest.mark.parametrize("prose", [r"Let $\mathbf{x} > 0$.", r"Let $\boldsymbol{x} > 0$ be the input.",
                                   r"$\bm{x} > 0$ とする。"])
def test_a_sign_declared_for_the_bold_letter_does_not_carry_to_the_plain_one(prose):  # proved before the fix
    found = verdicts(document(prose, r"\sqrt{x^2} = x", r"\sqrt{\mathbf{x}^2} = \mathbf{x}"))
    assert found[0][0] in NOT_A_PASS and ONE_NAME in found[0][1], found
    assert found[1][0] == "proved", found
