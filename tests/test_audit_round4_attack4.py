"""``mathcheck audit``, round 4, the soundness attack of /work/notes/attack4.md: each kind of false pass and
false alarm found there, as a property over many spellings. A planted error must never be proved, hold or be
a definition; the true members of each kind must not be refuted.

- A1: an application F(q) of a defined function F is an instance checked by substitution, never a new name
  (a letter sampled in ``E_{x \\sim g}`` is a variable, not a density letter);
- A2: a later sign declaration replaces the earlier one (``Let $a > 0$`` ... ``Let $a < 0$``);
- FA1: a sign declared for x, y, z applies to them;
- W1: a declared concave (convex) function, or any function, is not one of a few fixed shapes;
- FA2: products and sums written side by side, N(N-1), double sums;
- minor: σ(0) after σ > 0, a trailing condition of a step, an implication, a group-local \\def.
"""
import random

import numpy as np
import pytest

from mathcheck.audit.check import DEFINITION, UNPARSED, audit_document
from mathcheck.audit.document import parse_document
from mathcheck.audit.latex import Parser, tokenize
from mathcheck.numeric import RandomDraw, _drawn_curved
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

PASSING = (PROVED, HOLDS, DEFINITION)


def steps(text: str, path: str = "doc.md") -> list:
    return audit_document(parse_document(path, text)).steps


def last_verdict(text: str, path: str = "doc.md") -> str:
    return steps(text, path)[-1].verdict


def verdicts(text: str, path: str = "doc.md") -> list[str]:
    return [step.verdict for step in steps(text, path)]


# ---------------------------------------------------------------- A1: instances of a defined function


SAMPLED_BEFORE = ["", "$$\\mathbb{E}_{x \\sim \\mathcal{N}(0, 1)}[x^2] = 1$$\n\n",
                  "$$\\mathbb{E}_{z \\sim \\mathcal{N}(0, 1)}[z^2] = 1$$\n\n",
                  "$$\\mathbb{E}_{x \\sim \\mathcal{N}(0, 1)}[x] + \\mathbb{E}_{z \\sim \\mathcal{N}(0, 1)}[z] = 0$$\n\n"]
LETTERS = ["x", "z", "q", "r", "t", "p"]


@pytest.mark.parametrize("before", SAMPLED_BEFORE)
@pytest.mark.parametrize("letter", LETTERS)
@pytest.mark.parametrize("defined", ["F(a) := a^2 + 1", "F(a) = a^2 + 1"])
def test_a_false_instance_of_a_defined_function_is_refuted_never_a_definition(before, letter, defined):
    found = steps(f"{before}$${defined}$$\n\n$$F({letter}) = 3$$\n")
    assert found[-1].verdict == REFUTED, found[-1]


@pytest.mark.parametrize("before", SAMPLED_BEFORE)
@pytest.mark.parametrize("letter", ["x", "z", "r", "t"])  # a bare p or q is a density: not on the right-hand side
def test_a_true_instance_of_a_defined_function_is_proved(before, letter):
    assert last_verdict(f"{before}$$F(a) := a^2 + 1$$\n\n$$F({letter}) = {letter}^2 + 1$$\n") == PROVED


@pytest.mark.parametrize("letter", ["q", "r", "z"])
def test_a_second_definition_of_an_instance_is_checked_against_the_first(letter):
    assert verdicts(f"$$R(a) := a + 1$$\n\n$$R({letter}) := 5$$\n") == [DEFINITION, REFUTED]


@pytest.mark.parametrize("letter", ["q", "z", "x"])
def test_an_instance_with_fewer_arguments_than_defined_is_unparsed(letter):
    assert last_verdict(f"$$G(a, b) := a + b$$\n\n$$G({letter}) = 3$$\n") == UNPARSED


def test_an_instance_of_a_definition_over_an_expectation_is_refuted_when_false():
    text = "$$M(a) := \\mathbb{E}_{z \\sim \\mathcal{N}(0, 1)}[a z^2]$$\n\n$$M(z) = 5$$\n\n$$M(1) = 1$$\n"
    assert verdicts(text) == [DEFINITION, REFUTED, PROVED]


@pytest.mark.parametrize("formula, variable, density", [
    ("\\mathbb{E}_{x \\sim \\mathcal{N}(0, 1)}[x^2]", "x", None),
    ("\\mathbb{E}_{z \\sim q}[z]", "z", "q"),
    ("\\mathbb{E}_{z \\sim g(z)}[z]", "z", "g"),
    ("\\mathbb{E}_{t \\sim r}[t]", "t", "r"),
])
def test_the_letter_sampled_in_an_expectation_is_a_variable_not_a_density(formula, variable, density):
    used = Parser(tokenize(formula), formula).density_usage()
    assert variable not in used and (density is None or density in used)


# ---------------------------------------------------------------- A2: a later sign declaration replaces the earlier


REPLACING = ["Let $a < 0$.", "Let $a \\le 0$.", "Let $a \\leq -1$.", "Let $a \\in \\mathbb{R}$.",
             "Now let $a$ be any real number.", "Let $a$ be a real number.", "Let $a \\neq 0$.",
             "Let $a$ be negative.", "Let $a \\in (-\\infty, 0)$.", "Let $-1 < a < 1$.", "Let $a < 1$.",
             "For any real $a$ we have", "Let $a \\in [-1, 1]$."]


@pytest.mark.parametrize("later", REPLACING)
def test_a_later_declaration_revokes_an_earlier_positive_sign(later):
    text = f"Let $a > 0$.\n\n$$\\log a^2 = 2 \\log a$$\n\n## Another case\n\n{later}\n\n$$\\sqrt{{a^2}} = a$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


@pytest.mark.parametrize("later", ["Let $a < 0$.", "Let $a \\leq -1$.", "Let $a$ be negative.",
                                   "Let $a \\in (-\\infty, 0)$.", "Let $-2 < a < 0$.", "Let $0 > a$.",
                                   "Let $a \\in \\mathbb{R}_{<0}$."])
def test_a_negative_declaration_is_used(later):
    text = f"Let $a > 0$.\n\n$$\\sqrt{{a^2}} = a$$\n\n{later}\n\n$$\\sqrt{{a^2}} = -a$$\n\n$$\\sqrt{{a^2}} = a$$\n"
    assert verdicts(text) == [PROVED, PROVED, REFUTED]


@pytest.mark.parametrize("declaration", ["Let $a > 0$ and $a < 1$.", "Let $0 < a < 1$.", "Let $a > 0$ and $a \\neq 0$.",
                                         "Let $a \\in (0, 1)$.", "Let $a > 0$ and $a \\in \\mathbb{R}$.",
                                         "Let $a$ be positive.", "Let $0 < a$."])
def test_a_positive_declaration_with_a_compatible_bound_in_one_sentence_is_used(declaration):
    assert verdicts(f"{declaration}\n\n$$\\sqrt{{a^2}} = a$$\n") == [PROVED]


@pytest.mark.parametrize("later", ["We do not assume $a < 0$.", "It is not true that $a < 0$."])
def test_a_negated_sign_declares_nothing(later):
    assert verdicts(f"Let $a > 0$.\n\n{later}\n\n$$\\sqrt{{a^2}} = a$$\n") == [PROVED]


@pytest.mark.parametrize("heading", ["## The case $a < 0$", "### Now $a \\in \\mathbb{R}$", "## When $a \\le 0$"])
def test_a_heading_that_contradicts_a_sign_revokes_it(heading):
    text = f"Let $a > 0$.\n\n$$\\sqrt{{a^2}} = a$$\n\n{heading}\n\n$$\\sqrt{{a^2}} = a$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


@pytest.mark.parametrize("heading", ["## The case $a > 0$", "## For $a \\neq 0$", "## When $a < 1$"])
def test_a_heading_that_allows_the_sign_keeps_it(heading):
    assert verdicts(f"Let $a > 0$.\n\n{heading}\n\n$$\\sqrt{{a^2}} = a$$\n") == [PROVED]


@pytest.mark.parametrize("consequence", ["Hence $a \\neq 0$.", "So $a \\neq 0$ and $a < 10$.", "Then $a > -1$."])
def test_a_consequence_the_sign_allows_keeps_it(consequence):
    assert verdicts(f"Let $a > 0$. {consequence}\n\n$$\\sqrt{{a^2}} = a$$\n") == [PROVED]


@pytest.mark.parametrize("use", ["F = a", "F = -a", "G(0) = a"])
def test_a_definition_made_under_a_revoked_sign_is_not_used(use):
    text = ("Let $a > 0$.\n\n$$F := \\sqrt{a^2}$$\n\n$$G(b) := \\sqrt{a^2} + b$$\n\nLet $a < 0$.\n\n"
            f"$${use}$$\n")
    assert verdicts(text) == [DEFINITION, DEFINITION, UNPARSED]


def test_a_definition_made_before_a_stronger_sign_is_used():
    text = "$$F := \\sqrt{a^2}$$\n\nLet $a > 0$.\n\n$$F = a$$\n"
    assert verdicts(text) == [DEFINITION, PROVED]


def test_a_hypothetical_sign_holds_for_the_next_formula_only():
    text = ("Let $w > 0$.\n\nIf $w < 0$, then\n\n$$\\sqrt{w^2} = -w$$\n\nand in general\n\n$$\\sqrt{w^2} = w$$\n"
            "\n$$\\sqrt{w^2} = -w$$\n")
    assert verdicts(text) == [PROVED, PROVED, REFUTED]


# ---------------------------------------------------------------- FA1: a sign declared for x, y, z applies


@pytest.mark.parametrize("name", ["x", "y", "z", "X", "t"])
@pytest.mark.parametrize("formula, expected", [
    ("\\sqrt{{{n}^2}} = {n}", PROVED), ("\\log {n} \\le {n} - 1", PROVED), ("\\log {n} \\ge 1 - \\frac{{1}}{{{n}}}", PROVED),
    ("\\log {n}^2 = 2 \\log {n}", PROVED), ("\\sqrt{{{n}^2}} = -{n}", REFUTED), ("\\log {n} \\le {n} - 2", REFUTED),
])
def test_a_sign_declared_for_any_name_applies(name, formula, expected):
    assert verdicts(f"Let ${name} > 0$.\n\n$${formula.format(n=name)}$$\n") == [expected]


@pytest.mark.parametrize("declaration", ["Let $x > 0$ and $y > 0$.", "Let $x, y > 0$.", "Let $x > 0$.\n\nLet $y > 0$."])
def test_the_log_of_a_product_of_declared_positive_x_and_y_is_proved(declaration):
    assert verdicts(f"{declaration}\n\n$$\\log(x y) = \\log x + \\log y$$\n") == [PROVED]


def test_x_declared_positive_stays_the_variable_of_a_density():
    text = "Let $x > 0$.\n\n$$\\mathbb{E}_{x \\sim \\mathcal{N}(0, 1)}[x^2] = 1$$\n\n$$\\mathbb{E}_{x \\sim \\mathcal{N}(0, 1)}[x] = 1$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


# ---------------------------------------------------------------- W1: declared and undeclared functions


CONCAVE = "Let $f$ be a concave function. Let $t > 0$."
CONVEX = "Let $g$ be a convex function."


@pytest.mark.parametrize("prose, formula", [
    (CONCAVE, "f(t) \\le t^2 + 10"), (CONCAVE, "f(t) \\le f(1) + 5 t^2"), (CONCAVE, "f(2 t) \\le 2 f(t) + 5"),
    (CONCAVE, "f(t) \\le 100 + t^2"), (CONCAVE, "f(t) \\ge -100 - t^2"), (CONCAVE, "f(t) \\le f(1) + t"),
    (CONVEX, "g(t) \\ge -t^2 - 10"), (CONVEX, "g(t) \\ge g(0) - 3|t|"), (CONVEX, "g(t) \\le 10 + t^2"),
    ("", "h(t) \\le 10 + t^2"), ("", "h(t) \\ge -10 - t^2"), ("", "h(t) \\le h(0) + 5|t|"),
    ("Let $g$ be a positive function.", "\\log g(t) \\le 8 + t^2"),
    ("Let $g$ be a positive function.", "\\log g(t) \\ge -8 - t^2"),
])
def test_a_bound_that_holds_only_for_moderate_functions_is_refuted(prose, formula):
    assert verdicts(f"{prose}\n\n$${formula}$$\n") == [REFUTED]


@pytest.mark.parametrize("prose, formula", [
    (CONCAVE, "f(t) + f(1) \\le 2 f(\\frac{t + 1}{2})"), (CONVEX, "g(t) + g(-t) \\ge 2 g(0)"),
    (CONVEX, "g(\\frac{t + 1}{2}) \\le \\frac{g(t) + g(1)}{2}"), (CONVEX, "g(t) + g(2 - t) \\ge 2 g(1)"),
])
def test_jensen_for_a_declared_curvature_holds(prose, formula):
    assert verdicts(f"{prose}\n\n$${formula}$$\n")[0] in (PROVED, HOLDS)


@pytest.mark.parametrize("kind, sign", [("concave", 1), ("convex", -1)])
@pytest.mark.parametrize("seed", range(40))
def test_a_drawn_curved_function_is_finite_and_curved_so_on_the_whole_line(kind, sign, seed):
    function, _, shown = _drawn_curved(RandomDraw(random.Random(seed)), kind)
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(-20, 20, 200), rng.uniform(-20, 20, 200)
    values = [function(a), function(b), function((a + b) / 2)]
    assert all(np.all(np.isfinite(v)) for v in values), shown
    gap = sign * (values[2] - (values[0] + values[1]) / 2)  # f(midpoint) ≥ the mean for a concave f
    assert np.all(gap >= -1e-9 * (1 + np.abs(values[2]))), shown


@pytest.mark.parametrize("kind", ["concave", "convex"])
def test_the_drawn_curved_functions_reach_large_constants_and_slopes(kind):
    drawn = [_drawn_curved(RandomDraw(random.Random(seed)), kind)[0] for seed in range(60)]
    at_zero = [float(f(0.0)) for f in drawn]
    slopes = [float(f(1.0) - f(0.0)) for f in drawn]
    assert max(at_zero) > 100 and min(at_zero) < -100 and max(slopes) > 20 and min(slopes) < -20


# ---------------------------------------------------------------- FA2: products, sums, N(N-1)


@pytest.mark.parametrize("formula, expected", [
    ("\\prod_{i=1}^{N} a_i b_i = \\prod_{i=1}^{N} a_i \\prod_{i=1}^{N} b_i", (PROVED, HOLDS)),
    ("\\prod_{i=1}^{N} a_i b_i = \\prod_{i=1}^{N} a_i \\cdot \\prod_{i=1}^{N} b_i", (PROVED, HOLDS)),
    ("\\prod_{i=1}^{N} a_i b_i = \\prod_{i=1}^{N} a_i \\times \\prod_{i=1}^{N} b_i", (PROVED, HOLDS)),
    ("\\prod_{i=1}^{N} a_i \\sum_{i=1}^{N} b_i = \\sum_{i=1}^{N} b_i \\prod_{i=1}^{N} a_i", (PROVED, HOLDS)),
    ("\\sum_{i=1}^{N} a_i \\sum_{i=1}^{N} b_i = \\sum_{i=1}^{N} \\sum_{j=1}^{N} a_i b_j", (PROVED, HOLDS)),
    ("\\prod_{i=1}^{N} (a_i + b_i) = \\prod_{i=1}^{N} a_i + \\prod_{i=1}^{N} b_i", (REFUTED,)),
    ("\\prod_{i=1}^{N} a_i b_i = \\prod_{i=1}^{N} (a_i \\prod_{i=1}^{N} b_i)", (REFUTED,)),
    ("\\sum_{i=1}^{N} a_i b_i = \\sum_{i=1}^{N} a_i \\sum_{i=1}^{N} b_i", (REFUTED,)),
    ("\\prod_{i=1}^{N} a_i b_i = \\prod_{i=1}^{N} a_i \\prod_{j=1}^{N} b_j", (UNPARSED,)),
])
def test_big_operators_written_side_by_side_are_factors(formula, expected):
    assert verdicts(f"$${formula}$$\n")[0] in expected


@pytest.mark.parametrize("formula, expected", [
    ("\\sum_{i=1}^{N} i = \\frac{N(N+1)}{2}", (PROVED, HOLDS)), ("\\sum_{i=1}^{N} i = \\frac{N (N + 1)}{2}", (PROVED, HOLDS)),
    ("\\sum_{i=1}^{N} i = \\frac{N(N-1)}{2}", (REFUTED,)), ("\\sum_{k=1}^{K} 2 = K(2)", (PROVED, HOLDS)),
])
def test_the_upper_limit_applied_to_parentheses_is_a_product(formula, expected):
    assert verdicts(f"$${formula}$$\n")[0] in expected


@pytest.mark.parametrize("formula", ["\\epsilon \\sim \\mathcal{N}(0, 1)", "\\epsilon \\sim N(0, 1)",
                                     "p(x) \\sim \\mathcal{N}(\\mu, \\sigma^2)"])
def test_a_gaussian_with_two_arguments_is_still_a_gaussian(formula):
    assert verdicts(f"$${formula}$$\n") == [DEFINITION]


@pytest.mark.parametrize("formula, expected", [
    ("\\sum_{i=1}^{N} \\sum_{j=1}^{i} c = \\sum_{j=1}^{N} \\sum_{i=1}^{N} c", (REFUTED,)),
    ("\\sum_{i=1}^{N} \\sum_{j=1}^{N} c = N c", (REFUTED,)),
    ("\\sum_{i=1}^{N} \\sum_{j=1}^{N} c = N^2 c", (PROVED, HOLDS)),
    ("\\sum_{i=1}^{N} \\sum_{j=1}^{i} 1 = \\frac{N(N+1)}{2}", (PROVED, HOLDS)),
])
def test_a_double_sum_is_evaluated_never_an_internal_error(formula, expected):
    (step,) = steps(f"$${formula}$$\n")
    assert step.verdict in expected and "ValueError" not in step.reason, step


# ---------------------------------------------------------------- minor: σ(0), conditions, implications, \def


def test_sigma_of_a_number_after_sigma_is_declared_positive_is_not_refuted():
    text = "Let $\\sigma > 0$.\n\n$$\\sigma(0) = \\frac{1}{2}$$\n\n$$\\sigma(1) = 0$$\n"
    assert verdicts(text) == [UNPARSED, UNPARSED]


def test_sigma_defined_as_the_sigmoid_is_applied_to_numbers_after():
    text = "$$\\sigma(t) = \\frac{1}{1 + e^{-t}}$$\n\n$$\\sigma(0) = \\frac{1}{2}$$\n\n$$\\sigma(0) = 1$$\n"
    assert verdicts(text) == [DEFINITION, PROVED, REFUTED]


@pytest.mark.parametrize("formula, expected", [
    ("\\sqrt{t^2} = t, \\quad t > 0", PROVED), ("\\sqrt{t^2} = t, \\qquad t \\geq 0", PROVED),
    ("\\sqrt{t^2} = t \\quad \\text{for } t > 0", PROVED), ("\\sqrt{t^2} = t \\qquad (t > 0)", PROVED),
    ("\\sqrt{x^2} = x \\text{ for $x \\geq 0$}", PROVED), ("\\sqrt{t^2} = -t, \\quad t > 0", REFUTED),
    ("\\sqrt{t^2} = -t, \\quad t < 0", PROVED), ("\\sqrt{t^2} = t \\qquad (t \\ge -1)", REFUTED),
    ("\\sqrt{t^2} = t, \\quad t < 5", REFUTED),
])
def test_a_sign_condition_beside_a_step_is_its_side_condition_reported(formula, expected):
    found = steps(f"$${formula}$$\n")
    assert [step.verdict for step in found] == [expected, UNPARSED] and "condition" in found[1].reason, found


@pytest.mark.parametrize("formula", ["t = 1 \\implies t^2 = 1", "t^2 = 1 \\Rightarrow t = 1", "t^2 = 1 \\iff t = 1",
                                     "x + 1 = 3 \\implies x = 2", "a = b \\Longrightarrow b = a"])
def test_an_implication_is_not_a_chain_of_claims(formula):
    assert verdicts(f"$${formula}$$\n") == [UNPARSED]


GROUPED = r"""\documentclass{article}
\begin{document}
Let $t > 0$.
{\def\log{\exp} }
\begin{equation}
\log e^t = t
\end{equation}
{\gdef\half{2}}
\begin{equation}
\half t = t + t
\end{equation}
{\newcommand{\two}{2} \begin{equation} \two t = t + t \end{equation}}
\begin{equation}
\two t = 2 t
\end{equation}
\end{document}
"""


def test_a_definition_in_a_tex_group_holds_inside_it_only():
    assert verdicts(GROUPED, "doc.tex") == [PROVED, PROVED, PROVED, UNPARSED]
