"""``mathcheck audit``, round 5, signs (attack7 G1, G7, s16, s18): a sign declared in the prose holds only while
nothing later says anything else about the name's sign or value, and a trailing condition of a step is assumed
only after the words of a condition. A wrong step must never pass; the true members stay proved."""
import pytest

from mathcheck.audit.check import DEFINITION, audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

PASSING = (PROVED, HOLDS, DEFINITION)


def verdicts(text: str) -> list[str]:
    return [step.verdict for step in audit_document(parse_document("doc.md", text)).steps if step.relation]


def after(first: str, later: str, step: str) -> str:
    """The verdict of ``step`` after the prose ``first``, a display, then the prose ``later``."""
    text = f"{first}\n\n$$ x = x $$\n\n{later}\n\n$$ {step} $$\n"
    return verdicts(text)[-1]


# ---------------------------------------------------------------- a new declaration with extra words is read

@pytest.mark.parametrize("first, later, wrong", [
    ("Let $t \\le 0$.", "Let $t \\geq 0$ instead.", "|t| = -t"),
    ("Suppose $t \\geq 0$.", "Next, suppose $t \\le 0$ instead.", "|t| = t"),
    ("Let $\\sigma < 0$.", "Rather than a negative value, take $\\sigma > 0$.", "\\sqrt{\\sigma^2} = -\\sigma"),
    ("Let $\\lambda > 0$.", "Suppose instead that $\\lambda < 0$.", "|\\lambda| = \\lambda"),
    ("Let $u < 0$.", "Let $u$ be non-negative.", "|u| = -u"),
    ("Assume $\\beta \\ge 0$.", "On the other hand, let $\\beta \\le 0$.", "\\sqrt{\\beta^2} = \\beta"),
])
def test_a_redeclaration_with_extra_words_replaces_the_sign(first, later, wrong):
    assert after(first, later, wrong) == REFUTED


@pytest.mark.parametrize("later, right", [
    ("Let $t \\geq 0$ instead.", "|t| = t"),
    ("Rather than a negative value, take $t > 0$.", "\\sqrt{t^2} = t"),
    ("Let $t$ be non-negative.", "|t| = t"),
])
def test_a_redeclaration_with_extra_words_is_used(later, right):
    assert after("Let $t < 0$.", later, right) == PROVED


# ---------------------------------------------------------------- a sentence that contradicts or withdraws

@pytest.mark.parametrize("later", [
    "In the second case, $t > 0$.", "Case 2: $t > 0$.", "Conversely, $t > 0$.",
    "From here on we no longer assume $t \\le 0$.",
    "We drop the assumption $t \\le 0$; $t$ is now an arbitrary real number.",
    "We no longer assume that $t$ is negative.", "Now $t$ is not negative.",
    "For positive $t$ the picture changes.", "Now consider positive $t$.",
    "In the second case, $-t < 0$.", "Here $t \\ge 0$.",
])
def test_no_sign_survives_a_sentence_that_contradicts_or_withdraws_it(later):
    assert after("Let $t \\le 0$.", later, "|t| = -t") not in PASSING


@pytest.mark.parametrize("later", ["For the example, let $t = -1$.", "Let $t = -2$ be the example.",
                                   "Take $t := -3$ for a moment."])
def test_a_prose_value_the_sign_does_not_allow_revokes_it(later):
    assert after("Let $t > 0$.", later, "|t| = t") not in PASSING


def test_a_prose_value_the_sign_allows_keeps_it():
    assert after("Let $s > 0$.", "Take $s = 2$.", "|s| = s") == PROVED


def test_a_display_assignment_against_the_sign_is_put_in_before_the_sign():
    text = "Let $t > 0$.\n\n$$ t := -1 $$\n\n$$ |t| = t $$\n"
    assert verdicts(text) == [REFUTED, REFUTED]


def test_a_display_assignment_the_sign_allows_keeps_it():
    text = "Let $t > 0$.\n\n$$ t := 2 $$\n\n$$ |t| = t $$\n"
    assert verdicts(text)[-1] == PROVED


def test_an_unclear_mention_of_another_value_leaves_the_step_undecided():
    text = "Let $\\sigma > 0$.\n\nAt $\\sigma = 0$ the bound is tight.\n\n$$ |\\sigma| = \\sigma $$\n"
    assert verdicts(text) == [UNDECIDED]


# ---------------------------------------------------------------- what keeps a sign

@pytest.mark.parametrize("later", ["Hence $t \\neq 0$.", "Since $t > 0$, we have", "Without loss of generality $t > 1$.",
                                   "We do not assume $t < 0$.", "Take $t = 3$.", "Then $t \\geq 0$."])
def test_a_consequence_refinement_or_denied_contradiction_keeps_the_sign(later):
    assert after("Let $t > 0$.", later, "|t| = t") == PROVED


def test_a_hypothesis_holds_for_the_next_formula_and_the_sign_after_it():
    text = "Let $t \\ge 0$.\n\nIf $t \\le 0$, then\n\n$$ |t| = t $$\n\nand in general\n\n$$ |t| = t $$\n"
    assert verdicts(text) == [REFUTED, PROVED]


def test_a_sign_declared_with_a_bound_in_one_sentence_stays():
    assert verdicts("Let $a > 0$ and $a \\neq 1$.\n\n$$ |a| = a $$\n") == [PROVED]


# ---------------------------------------------------------------- trailing conditions

@pytest.mark.parametrize("lead", ["except for", "but not for", "fails for", "unless", "only if", "not for",
                                  "except when", "false for"])
def test_a_negated_trailing_condition_is_never_assumed(lead):
    assert verdicts(f"$$ |x| = x \\quad \\text{{{lead} }} x > 0 $$\n")[0] == REFUTED


@pytest.mark.parametrize("lead", ["for", "if", "when", "where", "provided", "for all", "whenever", "given",
                                  "as long as"])
def test_a_trailing_condition_after_a_condition_word_is_assumed(lead):
    assert verdicts(f"$$ |x| = x \\quad \\text{{{lead} }} x > 0 $$\n")[0] == PROVED


def test_a_negated_condition_inside_a_text_is_never_assumed():
    assert verdicts("$$ |x| = x \\quad \\text{except for $x > 0$} $$\n")[0] == REFUTED


@pytest.mark.parametrize("written", ["\\text{for } x > 0 \\text{ or } x < 0", "\\text{for $x > 0$ or $x < 0$}",
                                     "\\text{if } x > 0 \\text{ or } x < -1"])
def test_conditions_joined_by_or_are_never_assumed(written):
    assert verdicts(f"$$ |x| = x \\quad {written} $$\n")[0] == REFUTED


@pytest.mark.parametrize("written", ["\\text{for } x > 0 \\text{ and } y > 0", "\\text{for $x > 0$ and $y > 0$}"])
def test_conditions_joined_by_and_are_assumed_together(written):
    assert verdicts(f"$$ |x y| = x y \\quad {written} $$\n") == [PROVED]


def test_claims_joined_by_or_are_still_checked():
    assert verdicts("$$ a + b = b + a \\text{ or } a = 2 $$\n") == [PROVED, REFUTED]


@pytest.mark.parametrize("later", ["From now on, $t$ may be negative.", "The assumption $t > 0$ is lifted.",
                                   "Henceforth, let $t$ be an arbitrary real."])
def test_a_sign_said_to_be_lifted_or_possibly_other_no_longer_holds(later):
    assert after("Let $t > 0$.", later, "|t| = t") == REFUTED
