"""Round 13: a reason in small type beside a step is the author's note, not the step's math.

Blog posts write ``& \\scriptstyle{\\text{; Because }p(z \\vert x) = p(z, x) / p(x)}`` after a row, often with plain
letters where the rows write bold ones. The display was refused whole ("z and \\mathbf{z} are read as one name,
and this formula writes both"); now the note is set aside and the rows are checked.

Reference: the same rows without the notes."""
from __future__ import annotations

import pytest

from mathcheck.report import PROVED, REFUTED
from tests.audit_steps import verdicts

Q = "q_\\phi(\\mathbf{z} \\vert \\mathbf{x})"
ROWS = [
    f"&=\\int {Q} \\log\\frac{{{Q}}}{{p_\\theta(\\mathbf{{z}} \\vert \\mathbf{{x}})}} d\\mathbf{{z}}",
    f"&=\\int {Q} \\log\\frac{{{Q}p_\\theta(\\mathbf{{x}})}}{{p_\\theta(\\mathbf{{z}}, \\mathbf{{x}})}} d\\mathbf{{z}}",
    f"&=\\log p_\\theta(\\mathbf{{x}}) + \\int {Q}\\log\\frac{{{Q}}}{{p_\\theta(\\mathbf{{z}}, \\mathbf{{x}})}} d\\mathbf{{z}}",
]
NOTES = [
    "",
    "& \\scriptstyle{\\text{; Because }p(z \\vert x) = p(z, x) / p(x)}",
    "& {\\scriptsize \\text{since } \\int q(z \\vert x) dz = 1}",
]
START = f"& D_\\text{{KL}}( {Q} \\| p_\\theta(\\mathbf{{z}}\\vert\\mathbf{{x}}) )"


def _display(rows: list[str], notes: list[str]) -> str:
    body = " \\\\\n".join([START] + [row + " " + note for row, note in zip(rows, notes)])
    return f"$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$\n"


def _verdicts(text: str) -> list[str]:
    return [verdict for verdict, _ in verdicts(text)]


def test_rows_with_small_type_reasons_are_checked_as_the_rows_without_them():
    assert _verdicts(_display(ROWS, NOTES)) == _verdicts(_display(ROWS, [""] * 3)) == [PROVED] * 3


def test_a_wrong_row_beside_a_small_type_reason_is_refuted():
    wrong = ROWS[:2] + [ROWS[2].replace("+ \\int", "- \\int")]
    assert _verdicts(_display(wrong, NOTES))[2] == REFUTED


@pytest.mark.parametrize("note", [
    "& \\scriptstyle{\\text{; Because }p(z \\vert x) = p(z, x) / p(x)}",
    "& {\\small \\text{by Bayes' rule, } p(z|x) = p(x|z)p(z)/p(x)}",
    "& \\scriptstyle{\\text{(using } p(z, x) = p(x|z) p(z) \\text{)}}",
])
def test_a_small_type_reason_is_no_step_and_no_refusal(note):
    found = _verdicts(_display(ROWS[:2], ["", note]))
    assert found == [PROVED, PROVED]


def test_small_type_math_that_is_no_reason_is_still_read():
    text = "$$\na = b \\quad {\\scriptstyle x = \\mathbf{x}}\n$$\n"
    assert PROVED not in _verdicts(text)


@pytest.mark.parametrize("written", [
    "|x| = x \\tag{$x \\ge 0$}",
    "|x| = x && x \\ge 0",
    "|x| = x \\quad \\text{for } x > 0",
])
def test_a_condition_in_a_tag_or_a_comment_column_is_the_steps_condition(written):
    found = verdicts(f"$$\n\\begin{{aligned}}\n{written}\n\\end{{aligned}}\n$$\n" if "&&" in written
                     else f"$$\n{written}\n$$\n")
    assert found[0][0] == PROVED, found
    assert REFUTED not in [verdict for verdict, _ in found]


def test_a_claim_in_a_tag_is_still_checked():
    found = _verdicts("$$\n|x| = |x| \\tag{since $1 + 1 = 3$}\n$$\n")
    assert REFUTED in found


def test_a_display_indented_in_a_footnote_is_read():
    text = "See the note.[^1]\n\n[^1]: The key identity is\n\n    $$4 + 4 = 9$$\n"
    assert _verdicts(text) == [REFUTED]


def test_a_display_indented_after_a_paragraph_is_code():
    assert _verdicts("Some prose.\n\n    $$4 + 4 = 9$$\n") == []
