"""A display ``f(x) = body`` alone in its display defines f only where f is new: a name the prose already equated
to something (with any definition sign, a letter the prose reader refuses such as h included) or an earlier
display already used is a claim about it, checked, never a silent new definition (final attacker, G4, G5, G8)."""
from __future__ import annotations

import pytest

from mathcheck.audit.check import DEFINITION, audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import PROVED, REFUTED


def verdicts(text: str) -> list[str]:
    return [step.verdict for step in audit_document(parse_document("doc.md", text)).steps]


def display(*formulas: str) -> str:
    return "".join(f"$$\n{formula}\n$$\n\n" for formula in formulas)


@pytest.mark.parametrize("sign", [":=", "\\coloneqq", "\\triangleq", "\\equiv", "\\stackrel{\\text{def}}{=}", "="])
@pytest.mark.parametrize("letter", ["f", "h", "g"])
def test_a_display_that_contradicts_a_prose_definition_is_never_a_definition(letter, sign):
    found = verdicts(f"Let ${letter}(x) {sign} x^2$.\n\n" + display(f"{letter}(x) = x^3"))
    assert found and found[-1] not in (DEFINITION, PROVED), found


def test_a_calligraphic_name_defined_in_prose_is_not_redefined_by_a_display():
    found = verdicts("Let $\\mathcal{L}(\\theta) := \\theta^2$ be the loss.\n\n"
                     + display("\\mathcal{L}(\\theta) = \\theta^3", "\\mathcal{L}(2) = 8"))
    assert DEFINITION not in found and PROVED not in found, found


def test_two_displays_that_define_each_other_are_not_both_definitions():
    found = verdicts(display("a(x) = b(x) + 1", "b(x) = a(x)"))
    assert found == [DEFINITION, REFUTED], found


@pytest.mark.parametrize("introduction", ["We define the decoder $f(z)$ as follows.", "Let $f$ be the decoder.", ""])
def test_a_function_introduced_in_prose_and_then_defined_in_a_display_is_defined(introduction):
    found = verdicts(f"{introduction}\n\n" + display("f(z) = 2z + 1", "f(1) = 3"))
    assert found == [DEFINITION, PROVED], found


@pytest.mark.parametrize("prose", ["It is not true that $f(x) = x^3$.", "Is $f(x) = x^3$?"])
def test_a_negated_or_questioned_prose_equation_leaves_the_display_a_definition(prose):
    found = verdicts(f"{prose}\n\n" + display("f(x) = x^2", "f(2) = 4"))
    assert found == [DEFINITION, PROVED], found


@pytest.mark.parametrize("named", ["Let $I$ denote the mutual information between $x$ and $z$, and let "
                                   "$\\Sigma \\in \\mathbb{R}^{d\\times d}$ be a covariance matrix.",
                                   "Let $\\Sigma \\in \\mathbb{R}^{d\\times d}$ be a covariance matrix; $I$ is the "
                                   "information the code carries."])
def test_an_I_that_the_prose_names_as_a_quantity_is_no_identity(named):
    assert verdicts(f"{named}\n\n" + display("\\det(I \\Sigma) = \\det(\\Sigma)")) == [REFUTED]


@pytest.mark.parametrize("named", ["Let $I$ denote the $d \\times d$ identity matrix", "Let $I$ be the identity"])
def test_an_I_that_the_prose_names_as_the_identity_is_the_identity(named):
    prose = f"{named} and $A \\in \\mathbb{{R}}^{{d\\times d}}$ invertible."
    assert verdicts(f"{prose}\n\n" + display("A^{-1}A = I")) == [PROVED]
