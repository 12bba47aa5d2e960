"""Round 8 (prose, second wave): where a declaration in the prose holds.

- A condition after a display, in a paragraph of its own ("$$...$$\\n\\nfor $\\sigma > 0$."), qualifies the display
  above it and is no declaration for the displays after it.
- A sentence that scopes its declaration to its section, paragraph or example ("In this section let ...",
  "この節では ... とする。") declares it there, and only there: the next heading of the same or a higher level (the
  next paragraph, the example's end) gives back what held before it.
- A Japanese hypothesis "$\\sigma > 0$ のとき、" holds for the next formula only, as English "if" does.

The expected verdicts come from an independent reference: sympy evaluates each claim at positive and at negative
values of its variable; a claim true at every one of them must be verified where the sign is declared, a claim
false at a negative value must not be verified where no sign is declared."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import PROVED

VERIFIED = (PROVED, "holds", "definition")
SIGMA = sp.Symbol("sigma", real=True)
# (LaTeX written, the same claim for sympy): true for every sigma > 0, false for some sigma < 0
LOG_CLAIM = ("\\log \\sigma^2 = 2\\log\\sigma", sp.log(SIGMA ** 2) - 2 * sp.log(SIGMA))
ROOT_CLAIM = ("\\sqrt{\\sigma^2} = \\sigma", sp.sqrt(SIGMA ** 2) - SIGMA)
POSITIVE_POINTS = (sp.Rational(1, 3), sp.Integer(2), sp.Integer(7))
NEGATIVE_POINTS = (sp.Integer(-1), sp.Rational(-5, 2))


def verdicts(text: str, path: str = "doc.md") -> list[str]:
    return [step.verdict for step in audit_document(parse_document(path, text)).steps if step.lhs or step.rhs]


def holds_at(claim: tuple[str, sp.Expr], points) -> bool:
    """The reference: the claim's difference vanishes at each point (sympy, exact)."""
    return all(sp.simplify(claim[1].subs(SIGMA, point)) == 0 for point in points)


def expect_verified_under_positive_sign(verdict: str, claim: tuple[str, sp.Expr]) -> None:
    assert holds_at(claim, POSITIVE_POINTS)  # the reference says it is true where sigma > 0
    assert verdict in VERIFIED


def expect_not_verified_for_every_sign(verdict: str, claim: tuple[str, sp.Expr]) -> None:
    assert not holds_at(claim, NEGATIVE_POINTS)  # the reference says it fails for some sigma < 0
    assert verdict not in VERIFIED


def display(claim: tuple[str, sp.Expr]) -> str:
    return f"$${claim[0]}$$"


# -- B7: a condition after a display, in a paragraph of its own, is the display's

TRAILING = {
    "for": ("for $\\sigma > 0$.", "More generally, for a scale of either sign,"),
    "where": ("where $\\sigma > 0$.", "Now a separate claim about an arbitrary real number:"),
    "provided": ("provided $\\sigma > 0$.", "Next,"),
    "whenever-holds": ("which holds whenever $\\sigma > 0$.", "In general,"),
    "tadashi": ("ただし $\\sigma > 0$ とする。", "次に任意の実数について、"),
    "tadashi-comma": ("ただし、$\\sigma > 0$ とする。", "次に、"),
    "no-sign-word": ("for $\\sigma > 0$. Then", "and"),
}


def trailing_text(trailing: str, following: str) -> str:
    return f"# H\n\nWe have\n\n{display(LOG_CLAIM)}\n\n{trailing} {following}\n\n{display(ROOT_CLAIM)}\n"


@pytest.mark.parametrize("trailing,following", list(TRAILING.values()), ids=list(TRAILING))
def test_a_trailing_condition_after_a_blank_line_qualifies_the_display_above(trailing, following):
    expect_verified_under_positive_sign(verdicts(trailing_text(trailing, following))[0], LOG_CLAIM)


@pytest.mark.parametrize("trailing,following", list(TRAILING.values()), ids=list(TRAILING))
def test_a_trailing_condition_after_a_blank_line_does_not_declare_for_later_displays(trailing, following):
    expect_not_verified_for_every_sign(verdicts(trailing_text(trailing, following))[-1], ROOT_CLAIM)


UNREAD_TRAILING = {
    "and-every": "\n\nfor $\\sigma > 0$ and every $\\mu$. More generally,",
    "parenthesised-role": "\n\nfor $\\sigma > 0$ (the scale). Next,",
    "same-line-and-every": " for $\\sigma > 0$ and all real $\\mu$. In general,",
    "when-and-any": "\nwhen $\\sigma > 0$ and any $\\mu$. Next,",
    "tadashi-and-arbitrary": "\n\nただし $\\sigma > 0$ で、$\\mu$ は任意の実数とする。次に、",
}


@pytest.mark.parametrize("trailing", list(UNREAD_TRAILING.values()), ids=list(UNREAD_TRAILING))
def test_a_trailing_condition_sentence_not_read_is_no_declaration_for_later_displays(trailing):
    text = f"# H\n\nWe have\n\n{display(LOG_CLAIM)}{trailing}\n\n{display(ROOT_CLAIM)}\n"
    expect_not_verified_for_every_sign(verdicts(text)[-1], ROOT_CLAIM)


def test_a_case_for_the_next_display_after_a_blank_line_still_holds_for_it():
    """The control: "for $\\sigma > 0$ we have" after a blank line leads into the display after it."""
    text = f"# H\n\n{display(ROOT_CLAIM)}\n\nfor $\\sigma > 0$ we have\n\n{display(LOG_CLAIM)}\n"
    expect_verified_under_positive_sign(verdicts(text)[-1], LOG_CLAIM)


INLINE_CLAIMS = {
    "we-have-where": "We have $\\log \\sigma^2 = 2\\log\\sigma$ where $\\sigma > 0$.",
    "note-that-for": "Note that $\\log \\sigma^2 = 2\\log\\sigma$ for $\\sigma > 0$.",
    "thus-whenever": "Thus $\\log \\sigma^2 = 2\\log\\sigma$ whenever $\\sigma > 0$.",
    "kramdown-inline-display": "We have $$\\log \\sigma^2 = 2\\log\\sigma$$ for $\\sigma > 0$.",
}


@pytest.mark.parametrize("sentence", list(INLINE_CLAIMS.values()), ids=list(INLINE_CLAIMS))
def test_the_condition_of_an_inline_claim_is_no_declaration_for_later_displays(sentence):
    text = f"# H\n\n{sentence} In general,\n\n{display(ROOT_CLAIM)}\n"
    expect_not_verified_for_every_sign(verdicts(text)[-1], ROOT_CLAIM)


def test_a_trailing_condition_after_a_latex_display_does_not_declare_for_later_displays():
    text = ("\\begin{equation}" + LOG_CLAIM[0] + "\\end{equation}\n\nwhere $\\sigma > 0$. Next,\n\n"
            "\\begin{equation}" + ROOT_CLAIM[0] + "\\end{equation}\n")
    found = verdicts(text, "doc.tex")
    expect_verified_under_positive_sign(found[0], LOG_CLAIM)
    expect_not_verified_for_every_sign(found[-1], ROOT_CLAIM)


# -- B12, B13: a declaration scoped to its section ends at the next heading of its level or a higher one

SECTION_SCOPED = {
    "in-this-section-let": "In this section let $\\sigma > 0$.",
    "until-the-end-of-this-section": "Until the end of this section, $\\sigma > 0$.",
    "in-this-section-only": "In this section only, let $\\sigma > 0$.",
    "within-this-section": "Within this section, let $\\sigma > 0$.",
    "throughout-this-section": "Throughout this section, assume $\\sigma > 0$.",
    "for-the-rest-of-this-section": "For the rest of this section let $\\sigma > 0$.",
    "kono-setsu-dewa": "この節では $\\sigma > 0$ とする。",
    "kono-setsu-ni-kagiri": "この節に限り $\\sigma > 0$ と仮定する。",
    "honsetsu-dewa": "本節では $\\sigma > 0$ とする。",
    "for-the-rest-of-the-section": "For the rest of the section, let $\\sigma > 0$.",
    "throughout-the-section": "Throughout the section, let $\\sigma > 0$.",
    "kono-setsu-no-nokori-dewa": "この節の残りでは $\\sigma > 0$ とする。",
    "kono-shou-dewa": "この章では $\\sigma > 0$ とする。",
    "closing-in-this-section": "Let $\\sigma > 0$ in this section.",
    "closing-for-this-section-only": "Assume $\\sigma > 0$ for this section only.",
    "closing-throughout-this-section": "We assume $\\sigma > 0$ throughout this section.",
}


def sectioned_text(sentence: str, between: str = "") -> str:
    return (f"# S\n\n## 1\n\n{sentence}\n\n{between}{display(LOG_CLAIM)}\n\n## 2\n\n{display(ROOT_CLAIM)}\n")


@pytest.mark.parametrize("sentence", list(SECTION_SCOPED.values()), ids=list(SECTION_SCOPED))
def test_a_section_scoped_declaration_holds_inside_its_section(sentence):
    expect_verified_under_positive_sign(verdicts(sectioned_text(sentence))[0], LOG_CLAIM)


@pytest.mark.parametrize("sentence", list(SECTION_SCOPED.values()), ids=list(SECTION_SCOPED))
def test_a_section_scoped_declaration_ends_at_the_next_heading_of_its_level(sentence):
    expect_not_verified_for_every_sign(verdicts(sectioned_text(sentence))[-1], ROOT_CLAIM)


@pytest.mark.parametrize("sentence", [SECTION_SCOPED["in-this-section-let"], SECTION_SCOPED["kono-setsu-dewa"]],
                         ids=["english", "japanese"])
def test_a_section_scoped_declaration_holds_past_a_subsection_heading(sentence):
    found = verdicts(sectioned_text(sentence, between="### 1.1\n\n"))
    expect_verified_under_positive_sign(found[0], LOG_CLAIM)
    expect_not_verified_for_every_sign(found[-1], ROOT_CLAIM)


def test_a_section_scoped_declaration_ends_at_the_next_latex_section():
    text = ("\\documentclass{article}\n\\begin{document}\n\\section{One}\nIn this section let $\\sigma > 0$. Then\n"
            "\\begin{equation}" + LOG_CLAIM[0] + "\\end{equation}\n\\subsection{Sub}\n"
            "\\begin{equation}" + LOG_CLAIM[0] + "\\end{equation}\n\\section{Two}\n"
            "\\begin{equation}" + ROOT_CLAIM[0] + "\\end{equation}\n\\end{document}\n")
    found = verdicts(text, "doc.tex")
    for verdict in found[:2]:
        expect_verified_under_positive_sign(verdict, LOG_CLAIM)
    expect_not_verified_for_every_sign(found[-1], ROOT_CLAIM)


@pytest.mark.parametrize("sentence", [SECTION_SCOPED["in-this-section-let"], SECTION_SCOPED["kono-setsu-dewa"]],
                         ids=["english", "japanese"])
def test_a_section_scoped_declaration_ends_at_the_next_setext_heading(sentence):
    text = (f"Title\n=====\n\nPart one\n--------\n\n{sentence}\n\n{display(LOG_CLAIM)}\n\nPart two\n--------\n\n"
            f"{display(ROOT_CLAIM)}\n")
    found = verdicts(text)
    expect_verified_under_positive_sign(found[0], LOG_CLAIM)
    expect_not_verified_for_every_sign(found[-1], ROOT_CLAIM)


def test_a_document_wide_declaration_still_holds_after_a_heading():
    """The control: an unscoped "Throughout, let" still declares past the headings."""
    text = f"# S\n\n## 1\n\nThroughout, let $\\sigma > 0$.\n\n{display(LOG_CLAIM)}\n\n## 2\n\n{display(LOG_CLAIM)}\n"
    for verdict in verdicts(text):
        expect_verified_under_positive_sign(verdict, LOG_CLAIM)


# -- a declaration scoped to its paragraph: a display set off by blank lines is in it, the next prose is not

PARAGRAPH_SCOPED = {
    "in-this-paragraph": "In this paragraph, let $\\sigma > 0$. Then",
    "for-this-paragraph-only": "For this paragraph only, let $\\sigma > 0$:",
    "kono-danraku-ni-kagiri": "この段落に限り $\\sigma > 0$ とする。",
    "kono-danraku-dewa": "この段落では $\\sigma > 0$ とする。",
}


def paragraph_text(sentence: str) -> str:
    return f"# S\n\n{sentence}\n\n{display(LOG_CLAIM)}\n\nNext we drop the sign.\n\n{display(ROOT_CLAIM)}\n"


@pytest.mark.parametrize("sentence", list(PARAGRAPH_SCOPED.values()), ids=list(PARAGRAPH_SCOPED))
def test_a_paragraph_scoped_declaration_holds_for_the_display_in_its_paragraph(sentence):
    expect_verified_under_positive_sign(verdicts(paragraph_text(sentence))[0], LOG_CLAIM)


@pytest.mark.parametrize("sentence", list(PARAGRAPH_SCOPED.values()), ids=list(PARAGRAPH_SCOPED))
def test_a_paragraph_scoped_declaration_ends_at_the_next_paragraph(sentence):
    expect_not_verified_for_every_sign(verdicts(paragraph_text(sentence))[-1], ROOT_CLAIM)


# -- "Temporarily, let ...": for a while the text does not say, taken as its paragraph

TEMPORARY = {
    "temporarily": "Temporarily, let $\\sigma > 0$.",
    "for-now": "For now, let $\\sigma > 0$.",
    "for-the-moment": "For the moment, assume $\\sigma > 0$.",
    "ichijiteki-ni": "一時的に $\\sigma > 0$ とする。",
    "toumen-wa": "当面は $\\sigma > 0$ とする。",
}


@pytest.mark.parametrize("sentence", list(TEMPORARY.values()), ids=list(TEMPORARY))
def test_a_temporary_declaration_holds_for_the_display_in_its_paragraph(sentence):
    expect_verified_under_positive_sign(verdicts(paragraph_text(sentence))[0], LOG_CLAIM)


@pytest.mark.parametrize("sentence", list(TEMPORARY.values()), ids=list(TEMPORARY))
def test_a_temporary_declaration_ends_at_the_next_paragraph(sentence):
    expect_not_verified_for_every_sign(verdicts(paragraph_text(sentence))[-1], ROOT_CLAIM)


# -- a declaration scoped to its example ends with the example (here at the next heading)

EXAMPLE_SCOPED = {
    "for-this-example": "For this example, let $\\sigma > 0$.",
    "in-this-example": "In this example let $\\sigma > 0$.",
    "kono-rei-dewa": "この例では $\\sigma > 0$ とする。",
    "kono-rei-ni-kagiri": "この例に限り $\\sigma > 0$ とする。",
}


@pytest.mark.parametrize("sentence", list(EXAMPLE_SCOPED.values()), ids=list(EXAMPLE_SCOPED))
def test_an_example_scoped_declaration_holds_inside_the_example(sentence):
    expect_verified_under_positive_sign(verdicts(sectioned_text(sentence))[0], LOG_CLAIM)


@pytest.mark.parametrize("sentence", list(EXAMPLE_SCOPED.values()), ids=list(EXAMPLE_SCOPED))
def test_an_example_scoped_declaration_ends_with_the_example(sentence):
    expect_not_verified_for_every_sign(verdicts(sectioned_text(sentence))[-1], ROOT_CLAIM)


@pytest.mark.parametrize("sentence", list(EXAMPLE_SCOPED.values()), ids=list(EXAMPLE_SCOPED))
def test_an_example_scoped_declaration_ends_with_its_paragraph_where_no_label_bounds_it(sentence):
    text = f"# S\n\n{sentence}\n\n{display(LOG_CLAIM)}\n\nIn general, for any real scale,\n\n{display(ROOT_CLAIM)}\n"
    found = verdicts(text)
    expect_verified_under_positive_sign(found[0], LOG_CLAIM)
    expect_not_verified_for_every_sign(found[-1], ROOT_CLAIM)


@pytest.mark.parametrize("label", ["**Example 1.**", "*Example.*"], ids=["bold", "italic"])
def test_a_labelled_example_keeps_its_declaration_over_its_paragraphs(label):
    """The control: a labelled example runs to the next heading, so its later paragraph is still in it."""
    text = (f"# S\n\n{label} In this example let $\\sigma > 0$.\n\n{display(LOG_CLAIM)}\n\nThen also\n\n"
            f"{display(LOG_CLAIM)}\n\n## Next\n\n{display(ROOT_CLAIM)}\n")
    found = verdicts(text)
    for verdict in found[:2]:
        expect_verified_under_positive_sign(verdict, LOG_CLAIM)
    expect_not_verified_for_every_sign(found[-1], ROOT_CLAIM)


# -- B13: a Japanese hypothesis before a display holds for that display only

HYPOTHESES = {
    "no-toki": "$\\sigma > 0$ のとき、",
    "no-baai": "$\\sigma > 0$ の場合、",
    "naraba": "$\\sigma > 0$ ならば",
    "english-if": "If $\\sigma > 0$, then",
}


def hypothesis_text(lead: str) -> str:
    return f"# S\n\n{lead}\n\n{display(LOG_CLAIM)}\n\nが成り立つ。また、\n\n{display(ROOT_CLAIM)}\n"


@pytest.mark.parametrize("lead", list(HYPOTHESES.values()), ids=list(HYPOTHESES))
def test_a_hypothesis_before_a_display_holds_for_that_display(lead):
    expect_verified_under_positive_sign(verdicts(hypothesis_text(lead))[0], LOG_CLAIM)


@pytest.mark.parametrize("lead", list(HYPOTHESES.values()), ids=list(HYPOTHESES))
def test_a_hypothesis_before_a_display_does_not_hold_for_the_next_one(lead):
    expect_not_verified_for_every_sign(verdicts(hypothesis_text(lead))[-1], ROOT_CLAIM)
