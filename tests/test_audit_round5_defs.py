"""Round 5 (defs): prose definitions of built-in constants (e, π), piecewise and domain-restricted prose
definitions, prose values of variables with every definition sign, families used with shifted indices and under
sums over their index."""
from __future__ import annotations

import pytest

from tests.audit_steps import document, verdicts
from mathcheck.audit.redefined import display_constants, own_constants
from mathcheck.report import PROVED, REFUTED, UNDECIDED

VERIFIED = ("proved", "holds", "definition")


def last(prose: str, *formulas: str) -> tuple[str, str]:
    return verdicts(document(prose, *formulas))[-1]


# -- G2: e and π given the document's own meaning

@pytest.mark.parametrize("prose, formula", [
    (r"Let $\pi = \frac{1}{2}$ be the mixing weight.", r"\cos(\pi) = -1"),
    (r"Let $\pi := \frac{1}{2}$ denote the mixture weight.", r"\cos(\pi) = -1"),
    (r"Let $\rho(z)$ denote the prior density and $\pi = 0.3$ the mixing weight.", r"\sin(\pi) = 0"),
    (r"Set $\pi \coloneqq 0.2$.", r"\cos(\pi) = -1"),
    (r"Let $e = 2$ and let $\pi = 3$.", r"\sin(\pi) = 0"),
    (r"Let $e$ denote the reconstruction error.", r"e^{\log 2} = 2"),
    (r"Let $\pi \in (0, 1)$ be the mixing proportion.", r"\sin(\pi) = 0"),
    (r"Let $e, \pi$ denote two residuals.", r"\sin(\pi) = 0"),
    (r"We define $e \triangleq 3$.", r"\log e = 1"),
])
def test_a_prose_meaning_of_a_builtin_constant_is_never_the_builtin(prose, formula):
    verdict, reason = last(prose, formula)
    assert verdict not in VERIFIED, (verdict, reason)


def test_a_prose_value_of_pi_is_put_in():
    verdict, reason = last(r"Let $\pi = \frac{1}{2}$ be the mixing weight.", r"\sin(\pi) = \sin(\frac{1}{2})")
    assert verdict == PROVED, reason


def test_a_display_definition_of_pi_assigns_it():
    found = verdicts(document("", r"\pi := 3", r"\sin(\pi) = \sin(3)", r"\sin(\pi) = 0"))
    assert [v for v, _ in found] == ["definition", PROVED, REFUTED], found


@pytest.mark.parametrize("prose", [
    r"Here $e$ is Euler's number.",
    r"Let $\pi$ be the prior distribution.",
    r"It is not true that $\pi = 3$.",
    r"Recall $\pi = 3.14159$.",
    r"Note that $\pi > 3$.",
])
def test_the_builtin_named_as_itself_stays_the_builtin(prose):
    assert last(prose, r"\sin(\pi) = 0" if "pi" in prose else r"\log e = 1")[0] == PROVED


def test_the_own_constant_reader_sees_values_sets_and_roles():
    assert own_constants(r"\pi = 0.3", "Let ", " be the weight.") == {"pi"}
    assert own_constants(r"e \in \mathbb{R}", "Let ", " be the residual.") == {"e"}
    assert own_constants("e", "the reconstruction error ", " is small") == {"e"}
    assert own_constants(r"e = \exp(1)", "where ", "") == set()
    assert own_constants(r"\pi(z)", "Let ", " be the prior") == set()
    assert display_constants(r"e \coloneqq 2") == {"e"} and display_constants(r"\pi = 3") == set()


# -- G3: piecewise and restricted prose definitions

@pytest.mark.parametrize("prose, formula", [
    (r"Let $f(x) = x$ for $x > 0$ and $f(x) = -x$ otherwise.", "f(-1) = -1"),
    (r"Let $f(x) = x^2$ for $x \ge 0$ and $f(x) = 0$ for $x < 0$.", "f(-2) = 4"),
    (r"Let $g(x) = x^2$ when $x \geq 0$. For negative $x$, let $g(x) = 0$.", "g(-3) = 9"),
    (r"Let $g(y) = y$ for positive $y$ and $g(y) = 0$ for negative $y$.", "g(-1) = -1"),
    (r"Let $\mathcal{L}(\theta) = \theta^2$ for $\theta > 0$ and $\mathcal{L}(\theta) = 0$ otherwise.",
     r"\mathcal{L}(-1) = 1"),
])
def test_a_piecewise_prose_definition_is_not_its_first_piece(prose, formula):
    verdict, reason = last(prose, formula)
    assert verdict == REFUTED, reason


@pytest.mark.parametrize("prose, formula", [
    (r"Let $f(x) = x$ for $x > 0$ and $f(x) = -x$ otherwise.", "f(-1) = 1"),
    (r"Let $g(y) = y$ for positive $y$ and $g(y) = 0$ for negative $y$.", "g(-1) = 0"),
    (r"Let $F(x) = x^2$ for $x \in (0, 1)$ and $F(x) = 1$ elsewhere.", "F(3) = 1"),
])
def test_a_piecewise_prose_definition_uses_the_right_piece(prose, formula):
    verdict, reason = last(prose, formula)
    assert verdict == PROVED, reason


def test_a_restricted_prose_definition_is_not_used_outside_its_domain():
    verdict, reason = last(r"Let $F(x) = x^2$ for $x > 0$.", "F(-1) = 1")
    assert verdict == UNDECIDED and "only where" in reason, reason


def test_a_restricted_prose_definition_is_used_inside_its_domain():
    assert last(r"Let $F(x) = x^2$ for $x > 0$.", "F(2) = 4")[0] == PROVED


def test_a_condition_that_is_not_read_makes_the_uses_undecided():
    verdict, reason = last(r"Let $f(x) = x^2$ for $x$ in the training set.", "f(-2) = 4")
    assert verdict == UNDECIDED and "condition" in reason, reason


def test_two_different_prose_bodies_make_the_uses_undecided():
    verdict, reason = last(r"Let $f(x) = x^2$. Later we let $f(x) = x^3$.", "f(2) = 4")
    assert verdict == UNDECIDED and "twice" in reason, reason


def test_a_restated_prose_definition_is_one_definition():
    assert last(r"Let $f(x) = x^2$. Recall $f(x) = x^2$.", "f(2) = 4")[0] == PROVED


def test_a_whole_line_condition_restricts_nothing():
    assert last(r"Let $f(x) = x^2$ for all $x$.", "f(-2) = 4")[0] == PROVED


# -- c3 / a6: prose values of variables, with every definition sign

@pytest.mark.parametrize("prose", [
    r"Let $c := 3$ and $\beta \coloneqq 1$.",
    r"Let $c = 3$.",
    r"We set $c \triangleq 3$.",
    r"Let $3 =: c$.",
    r"Let $c \stackrel{\text{def}}{=} 3$.",
    r"Let $c \equiv 3$.",
])
def test_a_prose_value_of_a_variable_is_put_in(prose):
    verdict, reason = last(prose, "c^2 = 9")
    assert verdict == PROVED, reason


def test_a_display_that_contradicts_a_prose_value_is_refuted():
    found = verdicts(document(r"Let $c := 3$ and $\beta \coloneqq 1$.", "c = 4", r"\beta = 2", "c^2 = 9"))
    assert [v for v, _ in found] == [REFUTED, REFUTED, PROVED], found


@pytest.mark.parametrize("prose", [r"We find $c = 3$.", r"If $c = 3$, then", r"With $c = 3$ we get"])
def test_a_plain_equation_that_is_no_definition_gives_no_value(prose):
    assert last(prose, "c^2 = 9")[0] != PROVED


def test_a_conditional_value_gives_no_value():
    assert last(r"Let $a = 1$ if $t > 0$ and $a = -1$ otherwise.", "a = 1")[0] not in VERIFIED


def test_a_prose_value_with_a_free_variable_is_refused_under_a_binder_of_it():
    verdict, reason = last(r"Let $a = x^2$.", r"\int_{-\infty}^{\infty} a \, \mathcal{N}(x; 0, 1) \, dx = 1")
    assert verdict not in VERIFIED and "bound" in reason, reason


def test_a_prose_value_of_a_scale_is_put_into_a_declared_density():
    verdict, reason = last(r"Let $p(x|z) = \mathcal{N}(x; z, \sigma^2)$ and let $\sigma = 1$.",
                           r"\log p(x|z) = -\frac{(x-z)^2}{2} - \frac{1}{2}\log(2\pi)")
    assert verdict == PROVED, reason


def test_a_second_different_prose_value_is_checked_against_the_first():
    found = verdicts(document(r"Let $c = 3$. Later, let $c = 4$.", "c = 3"))
    assert found[0][0] == REFUTED, found


# -- w1 / w2: families under sums and with shifted indices

def test_a_family_is_used_inside_a_sum_over_its_index():
    assert last("", "w_k := k^2", r"\sum_{k=1}^{3} w_k = 14")[0] == PROVED


def test_a_family_is_used_inside_a_sum_over_another_index():
    assert last("", "v_k := 2k", r"\sum_{j=1}^{3} v_j = 12")[0] == PROVED


def test_a_wrong_sum_of_a_family_is_refuted():
    assert last("", "w_k := k^2", r"\sum_{k=1}^{3} w_k = 15")[0] == REFUTED


def test_a_family_product_uses_the_definition():
    assert last("", "g_a := a + 1", r"\prod_{a=1}^{3} g_a = 24")[0] == PROVED


def test_a_shifted_instance_of_a_family_is_the_body_shifted():
    found = last("", r"w_k := \frac{p(x, z_k)}{q(z_k|x)}", r"w_{k+1} = \frac{p(x, z_{k+1})}{q(z_{k+1}|x)}")
    assert found[0] == PROVED, found


def test_a_shifted_instance_is_not_the_unshifted_body():
    assert last("", "w_k := k^2", "w_{k+1} = k^2")[0] == REFUTED


def test_a_family_sum_with_a_symbolic_limit_uses_the_definition():
    assert last("", "w_k := k", r"\sum_{k=1}^{K} w_k = \frac{K(K+1)}{2}")[0] in (PROVED, "holds")


def test_an_entry_subscript_is_no_instance_of_a_family():
    verdict, reason = last("", "w_k := k^2", "w_{ij} = (ij)^2")
    assert verdict != PROVED, reason


def test_a_condition_before_the_definition_restricts_it():
    verdict, reason = last(r"For $x > 0$, let $f(x) = x$.", "f(-1) = -1")
    assert verdict == UNDECIDED, reason


def test_a_piece_is_read_under_its_own_condition():
    found = verdicts(document(r"Let $f(x) = \log x$ for $x > 0$.", "f(1) = 0", "f(-1) = 0"))
    assert [v for v, _ in found] == [PROVED, UNDECIDED], found


def test_a_sign_of_one_piece_does_not_simplify_another():
    verdict, reason = last(r"Let $f(x) = |x|$ for $x > 0$ and $f(x) = |x|$ otherwise.", "f(-2) = -2")
    assert verdict == REFUTED, reason


def test_a_step_with_an_own_constant_says_so():
    verdict, reason = last(r"Let $\pi = \frac{1}{2}$ be the mixing weight.", r"\cos(\pi) = -1")
    assert verdict == REFUTED and "own quantity" in reason, reason


def test_a_defined_size_is_the_same_inside_and_outside_a_sum():
    found = verdicts(document(r"Let $N = 100$ be the number of samples.", r"\sum_{i=1}^{N} 1 = N", "N^2 = 10000"))
    assert [v for v, _ in found] == [PROVED, PROVED], found


def test_a_display_defined_size_is_the_same_inside_and_outside_a_sum():
    found = verdicts(document("", "N := 100", r"\sum_{i=1}^{N} 1 = N"))
    assert found[-1][0] == PROVED, found
