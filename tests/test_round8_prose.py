"""Round 8 (prose): a role named after a declared sign ("Let $t > 0$ be the step size"), conditions the words put
after a formula or a display (Japanese のとき in an \\intertext, "(assuming ...)", "for positive $u$"), a bound
stated with a variable's law, \\pi named a quantity in Japanese, index ranges stated after a display, and values
changed in an \\intertext. Each false alarm is checked fixed and the planted error beside it still refuted."""
from __future__ import annotations

import pytest

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import PROVED, REFUTED

DEFINITION = "definition"

VERIFIED = (PROVED, "holds", DEFINITION)


def verdicts(text: str, path: str = "doc.md") -> list[str]:
    return [step.verdict for step in audit_document(parse_document(path, text)).steps if step.lhs or step.rhs]


def last(text: str, path: str = "doc.md") -> str:
    return verdicts(text, path)[-1]


def align(rows: str) -> str:
    return "\\begin{align}\n" + rows + "\n\\end{align}\n"


# -- 1: "Let $t > 0$ be the step size": the role after the formula leaves the sentence a declaration

ROLES = {
    "be-the-step-size": "Let $t>0$ be the step size.",
    "be-the-step-size-of-the-method": "Let $t > 0$ be the step size of the method.",
    "denotes-the-step-size": "$t>0$ denotes the step size.",
    "parenthesised-role": "Let $t>0$ (the learning rate) be fixed.",
    "two-roles": "Let $t>0$ be the step size, and let $\\beta < 0$ be the noise level.",
}


@pytest.mark.parametrize("prose", list(ROLES.values()), ids=list(ROLES))
def test_a_sign_declared_with_a_role_is_used(prose):
    assert last(f"{prose}\n\n$$\\sqrt{{t^2}} = t$$\n") == PROVED


@pytest.mark.parametrize("prose", list(ROLES.values()), ids=list(ROLES))
def test_a_wrong_step_under_a_sign_declared_with_a_role_is_refuted(prose):
    assert last(f"{prose}\n\n$$\\sqrt{{t^2}} = -t$$\n") == REFUTED


@pytest.mark.parametrize("prose", ["Let $t>0$ be a counterexample.", "Let $t>0$ be the case.",
                                   "Let $t>0$ be the step size if the loss is smooth.",
                                   "Let $t>0$ be the step size, or not.", "$t>0$ is the conclusion."],
                         ids=["counterexample", "the-case", "under-a-condition", "or-not", "the-conclusion"])
def test_a_role_that_hedges_declares_nothing(prose):
    assert last(f"{prose}\n\n$$\\sqrt{{t^2}} = t$$\n") not in VERIFIED


# -- 2: conditions written after their formula, in an \intertext, a \text or the rest of the display's sentence

INTERTEXT_CASES = {
    "mata-noto-ki": ("また $x>0$ のとき", "x"),
    "shikashi-noto-ki": ("しかし $x<0$ のとき", "-x"),
    "but-when": ("but when $x > 0$,", "x"),
    "however-for": ("However, for $x < 0$,", "-x"),
}


@pytest.mark.parametrize("words, value", list(INTERTEXT_CASES.values()), ids=list(INTERTEXT_CASES))
def test_an_intertext_case_is_a_hypothesis_of_the_rows_after_it(words, value):
    text = "Let $x$ be real.\n" + align(f"\\sqrt{{x^2}} &= |x| \\\\\n\\intertext{{{words}}}\n\\sqrt{{x^2}} &= {value}")
    assert verdicts(text, "doc.tex") == [PROVED, PROVED]


@pytest.mark.parametrize("words, value", list(INTERTEXT_CASES.values()), ids=list(INTERTEXT_CASES))
def test_a_wrong_row_under_an_intertext_case_is_refuted(words, value):
    wrong = "-x" if value == "x" else "x"
    text = "Let $x$ be real.\n" + align(f"\\sqrt{{x^2}} &= |x| \\\\\n\\intertext{{{words}}}\n\\sqrt{{x^2}} &= {wrong}")
    assert verdicts(text, "doc.tex") == [PROVED, REFUTED]


def test_a_japanese_case_taken_back_in_an_intertext_is_not_assumed():
    text = "Let $x$ be real.\n" + align("\\sqrt{x^2} &= |x| \\\\\n\\intertext{$x>0$ のときを除く}\n\\sqrt{x^2} &= x")
    assert verdicts(text, "doc.tex")[-1] not in VERIFIED


@pytest.mark.parametrize("lead", ["but when $x > 0$,", "But for $x > 0$:", "しかし $x > 0$ のとき", "However, for $x > 0$,",
                                  "Yet when $x > 0$ we have"],
                         ids=["but-when", "but-for", "shikashi", "however-for", "yet-when-we-have"])
def test_a_case_between_displays_holds_for_the_next_display_only(lead):
    text = f"Let $x$ be real.\n\n$$\\sqrt{{x^2}} = |x|$$\n\n{lead}\n\n$$\\sqrt{{x^2}} = x$$\n\n$$\\sqrt{{x^2}} = x$$\n"
    assert verdicts(text) == [PROVED, PROVED, REFUTED]


TRAILING = {
    "assuming-in-brackets": "(assuming $u > 0$).",
    "is-true-for-positive": "is true for positive $u$.",
    "which-holds-for-nonnegative": "which holds for nonnegative $u$.",
    "holds-for-strictly-positive": "holds for strictly positive $u$.",
}


@pytest.mark.parametrize("words", list(TRAILING.values()), ids=list(TRAILING))
def test_a_condition_in_the_rest_of_the_sentence_of_a_display_is_its_hypothesis(words):
    assert verdicts(f"Let $u$ be real.\n\n$$\\sqrt{{u^2}} = u$$\n{words}\n") == [PROVED]


@pytest.mark.parametrize("words", list(TRAILING.values()), ids=list(TRAILING))
def test_a_wrong_display_under_a_trailing_condition_is_refuted(words):
    assert verdicts(f"Let $u$ be real.\n\n$$\\sqrt{{u^2}} = -u$$\n{words}\n") == [REFUTED]


@pytest.mark.parametrize("words", list(TRAILING.values()), ids=list(TRAILING))
def test_a_trailing_condition_does_not_reach_the_next_display(words):
    text = f"Let $u$ be real.\n\n$$\\sqrt{{u^2}} = u$$\n{words}\n\n$$\\sqrt{{u^2}} = u$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


@pytest.mark.parametrize("condition", ["(\\text{assuming } u > 0)", "\\text{($u>0$ のとき)}",
                                       "\\text{(when $u > 0$)}"], ids=["assuming", "noto-ki", "when"])
def test_a_bracketed_condition_in_a_row_is_its_hypothesis(condition):
    assert verdicts(f"Let $u$ be real.\n\n$$\\sqrt{{u^2}} = u \\quad {condition}$$\n")[0] == PROVED
    assert verdicts(f"Let $u$ be real.\n\n$$\\sqrt{{u^2}} = -u \\quad {condition}$$\n")[0] == REFUTED


OTHERWISE_RESTATED = {
    "otherwise-f-is-0": ("Let $f(x) = x$ for $x > 0$; otherwise $f(x)$ is $0$.", "f", "0"),
    "and-otherwise-g-equals-1": ("Let $g(t) = t^2$ for $t \\geq 0$, and otherwise $g(t)$ equals $1$.", "g", "1"),
    "sore-igai-dewa": ("$f(x) = x$ ($x > 0$ のとき)、それ以外では $f(x)$ は $0$ とする。", "f", "0"),
    "elsewhere-F-is-2": ("Let $F(s) = s$ for $s > 0$, and elsewhere $F(s)$ is $2$.", "F", "2"),
}


@pytest.mark.parametrize("prose, name, value", list(OTHERWISE_RESTATED.values()), ids=list(OTHERWISE_RESTATED))
def test_an_other_piece_that_writes_the_function_again_is_read(prose, name, value):
    assert verdicts(f"{prose}\n\n$${name}(-1) = {value}$$\n") == [PROVED]


@pytest.mark.parametrize("prose, name, value", list(OTHERWISE_RESTATED.values()), ids=list(OTHERWISE_RESTATED))
def test_a_wrong_value_of_an_other_piece_that_writes_the_function_again_is_refuted(prose, name, value):
    assert verdicts(f"{prose}\n\n$${name}(-1) = {value} + 1$$\n") == [REFUTED]


def test_an_other_piece_about_another_function_defines_nothing():
    text = "Let $f(x) = x$ for $x > 0$; otherwise $g(x)$ is $0$.\n\n$$f(-1) = g(-1)$$\n"
    assert verdicts(text)[0] not in VERIFIED


# -- 3: a bound stated with a variable's law ("z ~ N(0, σ²) with 0 < σ < 1")

LAW_BOUNDS = {
    "with": "Let $z \\sim N(0, \\sigma^2)$ with $0<\\sigma<1$.",
    "where": "Let $z \\sim N(0, \\sigma^2)$, where $0 < \\sigma < 1$.",
    "japanese": "$z \\sim N(0, \\sigma^2)$ とし、$0 < \\sigma < 1$ とする。",
    "two-sentences": "Let $z \\sim N(0, \\sigma^2)$. Let $0 < \\sigma < 1$.",
}


@pytest.mark.parametrize("prose", list(LAW_BOUNDS.values()), ids=list(LAW_BOUNDS))
def test_a_bound_on_a_law_parameter_is_used(prose):
    assert last(f"{prose}\n\n$$\\log \\sigma < 0$$\n") == PROVED


@pytest.mark.parametrize("prose", list(LAW_BOUNDS.values()), ids=list(LAW_BOUNDS))
def test_a_step_against_the_bound_of_a_law_parameter_is_refuted(prose):
    assert last(f"{prose}\n\n$$\\log \\sigma > 0$$\n") == REFUTED


def test_a_density_parameter_with_a_bound_keeps_its_gaussian_proof():
    text = "Let $q(z) = \\mathcal{N}(z; 0, \\sigma^2)$ with $0 < \\sigma < 1$.\n\n$$\\mathbb{E}_{q(z)}[z^2] = \\sigma^2$$\n"
    assert verdicts(text) == [PROVED]


# -- 4: \pi named a quantity before it ("混合比を $\pi$ とし"): a symbol of the document, with its bound

PI_NAMED = {
    "kongouhi-wo-pi-to-shi": "混合比を $\\pi$ とし、$0 < \\pi < 1$ とする。",
    "let-the-weight-be-pi": "Let the mixing weight be $\\pi$, with $0 < \\pi < 1$.",
    "denote-by-pi": "Denote the mixing proportion by $\\pi$. Let $0 < \\pi < 1$.",
    "pi-wo-kongouhi-to-shi": "$\\pi$ を混合比とし、$0 < \\pi < 1$ とする。",
}


@pytest.mark.parametrize("prose", list(PI_NAMED.values()), ids=list(PI_NAMED))
def test_pi_named_a_quantity_takes_its_declared_bound(prose):
    assert last(f"{prose}\n\n$$\\log \\pi < 0$$\n") == PROVED


@pytest.mark.parametrize("prose", list(PI_NAMED.values()), ids=list(PI_NAMED))
def test_a_wrong_step_about_pi_named_a_quantity_is_refuted(prose):
    assert last(f"{prose}\n\n$$\\log \\pi > 0$$\n") == REFUTED


@pytest.mark.parametrize("prose", ["円周率を $\\pi$ と書く。", "Let the ratio of a circle be $\\pi$."],
                         ids=["enshuuritsu", "ratio-of-a-circle"])
def test_pi_named_as_the_builtin_stays_the_constant(prose):
    assert last(f"{prose}\n\n$$\\log \\pi > 1$$\n") == PROVED


def test_e_named_the_error_in_japanese_is_a_positive_symbol():
    text = "誤差を $e$ とおき、$e > 0$ とする。\n\n$$\\log e^2 = 2 \\log e$$\n\n$$e = 1$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


# -- 5: a vector assigned before its shape is known (b := x - μ) is put in where a step writes it as a vector

VECTOR_ASSIGNMENTS = {
    "prose-bold": ("Let $\\mathbf{x}, \\boldsymbol\\mu \\in \\mathbb{R}^d$ and $\\mathbf{b} := \\mathbf{x} - \\boldsymbol\\mu$.\n\n",
                   "\\mathbf{b}", "\\mathbf{x}", "\\boldsymbol\\mu"),
    "display-bold": ("Let $\\mathbf{x}, \\boldsymbol\\mu \\in \\mathbb{R}^d$.\n\n$$\\mathbf{b} := \\mathbf{x} - \\boldsymbol\\mu$$\n\n",
                     "\\mathbf{b}", "\\mathbf{x}", "\\boldsymbol\\mu"),
    "display-plain": ("Let $x, \\mu \\in \\mathbb{R}^d$.\n\n$$b := x - \\mu$$\n\n", "b", "x", "\\mu"),
    "display-other-names": ("Let $u, v \\in \\mathbb{R}^n$.\n\n$$w \\coloneqq u - v$$\n\n", "w", "u", "v"),
}


@pytest.mark.parametrize("prose, b, x, mu", list(VECTOR_ASSIGNMENTS.values()), ids=list(VECTOR_ASSIGNMENTS))
def test_an_assigned_vector_is_put_in_a_later_vector_step(prose, b, x, mu):
    step = f"$${b}^T {b} = {x}^T {x} - 2 {x}^T {mu} + {mu}^T {mu}$$\n"
    assert last(prose + step) == PROVED


@pytest.mark.parametrize("prose, b, x, mu", list(VECTOR_ASSIGNMENTS.values()), ids=list(VECTOR_ASSIGNMENTS))
def test_a_wrong_step_about_an_assigned_vector_is_refuted(prose, b, x, mu):
    step = f"$${b}^T {b} = {x}^T {x} + {mu}^T {mu}$$\n"
    assert last(prose + step) == REFUTED


DISPLAY_EQUATIONS = {
    "bold": ("Let $\\mathbf{x}, \\boldsymbol\\mu \\in \\mathbb{R}^d$.\n\n$$\\mathbf{b} = \\mathbf{x} - \\boldsymbol\\mu$$\n\n",
             "\\mathbf{b}", "\\mathbf{x}", "\\boldsymbol\\mu"),
    "bold-braced-mu": ("Let $\\mathbf{x}, \\boldsymbol{\\mu} \\in \\mathbb{R}^d$.\n\n$$\\mathbf{b} = \\mathbf{x} - \\boldsymbol{\\mu}$$\n\n",
                       "\\mathbf{b}", "\\mathbf{x}", "\\boldsymbol{\\mu}"),
    "plain": ("Let $x, \\mu \\in \\mathbb{R}^d$.\n\n$$b = x - \\mu$$\n\n", "b", "x", "\\mu"),
    "other-names": ("Let $u, v \\in \\mathbb{R}^n$.\n\n$$w = u - v$$\n\n", "w", "u", "v"),
}


@pytest.mark.parametrize("prose, b, x, mu", list(DISPLAY_EQUATIONS.values()), ids=list(DISPLAY_EQUATIONS))
def test_a_new_name_equated_to_a_vector_in_a_display_is_assigned(prose, b, x, mu):
    step = f"$${b}^T {b} = {x}^T {x} - 2 {x}^T {mu} + {mu}^T {mu}$$\n"
    assert verdicts(prose + step) == [DEFINITION, PROVED]
    assert last(prose + step.replace("- 2", "+ 2")) == REFUTED


@pytest.mark.parametrize("earlier", ["$$b^2 = 4$$", "$$b = 2$$"], ids=["claimed-scalar", "assigned-scalar"])
def test_a_name_written_before_equated_to_a_vector_is_still_a_claim(earlier):
    text = f"Let $x \\in \\mathbb{{R}}^d$.\n\n{earlier}\n\n$$b = x$$\n"
    assert last(text) not in VERIFIED


# -- 6: an index range in the rest of the display's sentence, before or after the condition it scopes

RANGES = {
    "condition-then-range": "where $\\sigma_i > 0$ for $i=1,\\dots,N$.",
    "range-then-condition": "for $i=1,\\dots,N$, where $\\sigma_i > 0$.",
    "finite-range": "where $\\sigma_i > 0$ for $i = 1, 2$.",
    "bracket-range": "for $i \\in [N]$, where $\\sigma_i > 0$.",
}


@pytest.mark.parametrize("words", list(RANGES.values()), ids=list(RANGES))
def test_a_condition_beside_an_index_range_after_a_display_is_its_hypothesis(words):
    assert verdicts(f"$$\\log \\sigma_i^2 = 2 \\log \\sigma_i$$\n{words}\n") == [PROVED]


@pytest.mark.parametrize("words", list(RANGES.values()), ids=list(RANGES))
def test_a_wrong_display_beside_an_index_range_is_refuted(words):
    assert verdicts(f"$$\\sqrt{{\\sigma_i^2}} = -\\sigma_i$$\n{words}\n") == [REFUTED]


def test_a_condition_beside_an_index_range_holds_for_no_instance_outside_it():
    text = "$$\\log \\sigma_3^2 = 2 \\log \\sigma_3$$\nwhere $\\sigma_i > 0$ for $i = 1, 2$.\n"
    assert verdicts(text)[0] not in VERIFIED
    assert verdicts(text.replace("sigma_3", "sigma_2")) == [PROVED]


# -- 7: a value changed in an \intertext is a reassignment, not a claim against the old value

CHANGES = {
    "reassign": "Reassign $c = 3$.",
    "switch-to": "Switch to $c = 3$.",
    "ni-henkou": "ここから $c=3$ に変更する。",
    "we-now-update": "We now update $c = 3$.",
}


@pytest.mark.parametrize("words", list(CHANGES.values()), ids=list(CHANGES))
def test_a_value_changed_in_an_intertext_is_a_reassignment(words):
    text = align(f"c &:= 2 \\\\\nc^2 &= 4 \\\\\n\\intertext{{{words}}}\nc^2 &= 9")
    assert verdicts(text, "doc.tex") == [DEFINITION, PROVED, DEFINITION, PROVED]


@pytest.mark.parametrize("words", list(CHANGES.values()), ids=list(CHANGES))
def test_the_old_value_after_a_change_in_an_intertext_is_refuted(words):
    text = align(f"c &:= 2 \\\\\nc^2 &= 4 \\\\\n\\intertext{{{words}}}\nc^2 &= 4")
    assert verdicts(text, "doc.tex")[-1] == REFUTED


CHANGES_AFTER = {"from-now-on": "$c = 3$ from now on.", "henceforth": "$c = 3$ henceforth.",
                 "comma-from-here-on": "$c = 3$, from here on."}


@pytest.mark.parametrize("words", list(CHANGES_AFTER.values()), ids=list(CHANGES_AFTER))
def test_a_value_given_from_now_on_in_an_intertext_is_a_reassignment(words):
    text = align(f"c &:= 2 \\\\\nc^2 &= 4 \\\\\n\\intertext{{{words}}}\nc^2 &= 9")
    assert verdicts(text, "doc.tex") == [DEFINITION, PROVED, DEFINITION, PROVED]


LAW_SWITCHES = {
    "replace-the-prior-by": "Replace the prior by $p(z) = \\mathcal{N}(z; 0, 4)$.",
    "switch-the-prior-to": "Switch the prior to $p(z) = \\mathcal{N}(z; 0, 4)$.",
    "we-replace-with-sim": "We replace the prior by $p(z) \\sim \\mathcal{N}(z; 0, 4)$.",
    "ni-henkou": "事前分布を $p(z) = \\mathcal{N}(z; 0, 4)$ に変更する。",
}


def law_switch(words: str, moment: str) -> str:
    return "Let $p(z) = \\mathcal{N}(z; 0, 1)$.\n" + align(
        f"\\int p(z) z^2 dz &= 1 \\\\\n\\intertext{{{words}}}\n\\int p(z) z^2 dz &= {moment}")


@pytest.mark.parametrize("words", list(LAW_SWITCHES.values()), ids=list(LAW_SWITCHES))
def test_a_law_switched_in_an_intertext_is_a_declaration_for_the_rows_after_it(words):
    assert [v for v in verdicts(law_switch(words, "4"), "doc.tex") if v != DEFINITION] == [PROVED, PROVED]


@pytest.mark.parametrize("words", list(LAW_SWITCHES.values()), ids=list(LAW_SWITCHES))
def test_the_old_law_after_a_switch_in_an_intertext_is_refuted(words):
    assert verdicts(law_switch(words, "1"), "doc.tex")[-1] == REFUTED


@pytest.mark.parametrize("words", ["so $p(z) = \\mathcal{N}(z; 0, 4)$", "hence $c = 3$"], ids=["so-law", "hence-value"])
def test_a_claim_in_an_intertext_without_change_words_is_still_checked(words):
    text = "Let $p(z) = \\mathcal{N}(z; 0, 1)$.\n" + align(f"c &:= 2 \\\\\n\\intertext{{{words}}}\nc &= 2")
    assert REFUTED in verdicts(text, "doc.tex")
