"""Round 12, what a matrix proof presumes is said: the invertibility of each matrix a step inverts as written
(even where the reader cancels A⁻¹A to I before the proof sees it), and each shape guessed from the use.

Reference: the step as written (its ^{-1}s) and the document's declarations."""
from __future__ import annotations

import pytest

from mathcheck.report import PROVED
from tests.audit_steps import verdict

SQUARE = r"Let $A$ be a $d \times d$ matrix and $\mathbf{x} \in \mathbb{R}^d$."


@pytest.mark.parametrize("step", [
    r"A^{-1} A = I",
    r"A A^{-1} = I",
    r"\mathbf{x}^T A^{-1} A \mathbf{x} = \mathbf{x}^T \mathbf{x}",
    r"\mathrm{tr}(A^{-1} A) = d",
    r"I = A^{-1} A",
])
def test_a_proof_that_cancels_an_inverse_presumes_it(step):
    found, reason = verdict(SQUARE, step)
    assert found == PROVED, reason
    assert "presuming A invertible" in reason


def test_a_step_with_no_inverse_presumes_none():
    found, reason = verdict(SQUARE, r"A I = A")
    assert found == PROVED and "invertible" not in reason


def test_an_inverse_in_another_step_of_the_chain_is_not_presumed_here():
    from tests.audit_steps import verdicts, document
    found = verdicts(document(SQUARE, r"A^{-1} A = I = I I"))
    assert [v for v, _ in found] == [PROVED, PROVED]
    assert "invertible" in found[0][1] and "invertible" not in found[1][1]


def test_a_shape_guessed_from_use_is_said():
    found, reason = verdict(SQUARE, r"(A B)^{-1} = B^{-1} A^{-1}")
    assert found == PROVED, reason
    assert "reading B as d×d" in reason and "guessed" in reason


def test_a_declared_shape_is_no_guess():
    found, reason = verdict(SQUARE + r" Let $B$ be a $d \times d$ matrix.", r"(A B)^{-1} = B^{-1} A^{-1}")
    assert found == PROVED and "guessed" not in reason
