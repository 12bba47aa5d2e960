"""``mathcheck audit``: what the document layer reads, declares and substitutes must never let a false step
pass. Each kind below had a member that passed (issue 10): definitions substituted with capture, prose
declarations read from the nearest word, assumptions of one step used in another, math dropped from a
display, ``\\sim`` lines and reparameterizations taken as definitions, environments outside ``$$`` not read.
Every kind also has true members that must still pass."""
import json

import pytest
import sympy as sp

from mathcheck.audit.check import DEFINITION, UNPARSED, _function_kinds, _logged_call, free_symbols, substitute
from mathcheck.audit.document import parse_document
from mathcheck.audit.latex import Context
from mathcheck.cli import main
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from mathcheck.vocab import X, integral, q, z

PASSING = (PROVED, HOLDS, DEFINITION)
JENSEN = "$$f\\left(\\int p(x)g(x)dx\\right)\\geq\\int p(x)f(g(x))dx$$"


def audit(tmp_path, capsys, text: str, *options: str) -> tuple[int, list[dict]]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    code = main(["audit", str(path), "--format", "json", *options])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err and code in (0, 1), captured.err
    return code, json.loads(captured.out)["steps"]


def verdicts(steps: list[dict]) -> list[str]:
    return [step["verdict"] for step in steps]


def assert_flagged(code: int, steps: list[dict]) -> None:
    """The document does not pass: some step is refuted, unparsed or undecided."""
    assert code == 1 and any(step["verdict"] not in PASSING for step in steps), steps


# ---------------------------------------------------------------- substitution into definitions


@pytest.mark.parametrize("definition, claim", [
    ("F(y) := \\int q(z|X)\\,y\\,z\\,dz", "F(z) = \\int q(z|X) z^2 dz"),
    ("G(y) := \\mathbb{E}_{q(z|X)}[y z]", "G(z) = \\mathbb{E}_{q(z|X)}[z^2]"),
    ("H(y) := \\int q(z|X) \\log q(z|X) \\, dz + y", "H(z) = z + \\int q(z|X) \\log q(z|X) \\, dz + 1"),
])
def test_a_definition_applied_to_the_name_of_its_bound_variable_does_not_capture_it(tmp_path, capsys, definition,
                                                                                   claim):
    code, steps = audit(tmp_path, capsys, f"$${definition}$$\n\n$${claim}$$\n")
    assert steps[0]["verdict"] == DEFINITION and steps[1]["verdict"] not in PASSING, steps


def test_substitution_renames_a_bound_variable_that_would_capture_the_argument():
    y = sp.Symbol("y", real=True)
    applied = substitute(integral(q(z, given=X) * y * z, z), {y: z})
    assert free_symbols(applied) == {z, X}
    assert applied.subs(z, 2) != applied  # the argument z is free in the result: it is not the bound variable


@pytest.mark.parametrize("document", [
    "$$A(y) := \\int q(z|X) y\\, dz$$\n\n$$B(z) := A(z)$$\n\n$$B(z) = z$$\n",
    "$$F(y) := y^2 + 1$$\n\n$$F(2) = 5$$\n",
    "$$F(y) := \\int q(z|X)\\, y \\, dz$$\n\n$$F(z^2) = z^2$$\n",
])
def test_a_definition_applied_without_capture_is_still_proved(tmp_path, capsys, document):
    code, steps = audit(tmp_path, capsys, document)
    assert code == 0 and verdicts(steps)[-1] == PROVED, steps


@pytest.mark.parametrize("argument", ["0", "w", "X"])
def test_an_argument_that_the_body_only_integrates_over_is_refused_with_the_reason(tmp_path, capsys, argument):
    text = f"$$L(X, z) := \\int q(z|X) \\log p(X, z) dz$$\n\n$$L(X, {argument}) = 1$$\n"
    code, steps = audit(tmp_path, capsys, text)
    assert code == 1 and steps[1]["verdict"] == UNPARSED and "integrated out" in steps[1]["reason"], steps


@pytest.mark.parametrize("definition", ["F(x, x) := x", "L(X, 0) := 5", "F(1) := 2"])
def test_a_definition_whose_arguments_are_not_distinct_variables_is_refused(tmp_path, capsys, definition):
    code, steps = audit(tmp_path, capsys, f"$${definition}$$\n")
    assert code == 1 and verdicts(steps) == [UNPARSED], steps


def test_a_name_used_earlier_in_a_chain_is_not_defined_by_the_chain_end(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$L(X,z) \\geq 3 = L(X,z)$$\n")
    assert code == 1 and DEFINITION not in verdicts(steps), steps


# ---------------------------------------------------------------- curvature from the prose


@pytest.mark.parametrize("sentence", [
    "Here $f$ is not concave.", "$f$ is not necessarily concave.", "$f$ isn't concave.", "$f$ is never concave.",
    "$f$ need not be concave.", "$f$ is neither concave nor convex.", "It is false that $f$ is concave.",
    "If $f$ were concave, Jensen's inequality would give the bound.", "Is $f$ concave?", "$f$ might be concave.",
    "$f$ is log-concave.", "A quasi-concave function $f$ is used.", "A log-concave $f$ is used.",
    "A non-concave $f$ is used.", "$f$ is concave up.", "$f$ is convex upward.", "$f$ is concave on $[0, 1]$.",
    "The function $g$ composed with $f$ is concave.", "The sum of $f$ and $g$ is concave.",
    "$f(x)$は上に凸ではない。", "$f$が上に凸でない。", "$f$は上に凸とは限らない。", "非凸関数$f$を考える。",
    "$f$は凹関数ではなく、", "$f$ is concave. Later we see that $f$ is not concave.",
])
def test_a_negated_conditional_or_qualified_curvature_declares_no_concave_f(tmp_path, capsys, sentence):
    code, steps = audit(tmp_path, capsys, f"{sentence}\n\n{JENSEN}\n")
    assert code == 1 and steps[-1]["verdict"] != PROVED, steps


@pytest.mark.parametrize("sentence", [
    "$f$ is concave.", "Let $f$ be concave.", "Assume $f$ is concave.", "Suppose $f$ is concave.",
    "For a concave function $f$ and a density $p(x)$, Jensen's inequality reads", "$f$ is strictly concave.",
    "$f$ is concave down.", "$f$ and $g$ are concave.", "上に凸な関数$f(x)$についてJensen's inequalityより",
    "関数$f(x)$が上に凸であることを利用する。", "凹関数$f$を考える。", "If $f$ is concave, Jensen's inequality reads",
])
def test_a_plain_curvature_statement_declares_f_concave(tmp_path, capsys, sentence):
    code, steps = audit(tmp_path, capsys, f"{sentence}\n\n{JENSEN}\n")
    assert code == 0 and verdicts(steps) == [PROVED], steps


def test_two_functions_in_one_sentence_each_get_their_own_curvature():
    document = parse_document("doc.md", "$f$ is concave and $g$ is convex.\n\n$$1 = 1$$\n")
    assert document.formulas[0].context.curvature == {"f": "concave", "g": "convex"}


def test_a_curvature_declaration_that_is_refused_says_why_in_the_report(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, f"Here $f$ is not concave.\n\n{JENSEN}\n")
    assert "no curvature declared for f" in steps[0]["reason"] and "negation" in steps[0]["reason"], steps


def test_a_hypothesis_holds_for_the_next_formula_only(tmp_path, capsys):
    text = f"If $f$ is concave, Jensen's inequality reads\n\n{JENSEN}\n\nand, later,\n\n{JENSEN}\n"
    code, steps = audit(tmp_path, capsys, text)
    assert steps[0]["verdict"] == PROVED and steps[1]["verdict"] != PROVED, steps


# ---------------------------------------------------------------- positivity needed by a log


@pytest.mark.parametrize("document", [
    "$$\\log g(1) = \\log g(1)$$\n\n$$\\sqrt{g(2)^2} = g(2)$$\n",
    "$$\\sqrt{g(2)^2} + \\log g(1) = g(2) + \\log g(1)$$\n",
    "$$\\sqrt{g(x)^2} + \\log(g(x)^2) = g(x) + \\log(g(x)^2)$$\n",
    "$$\\sqrt{g(1)^2} + \\log(g(1) h(1)) = g(1) + \\log(g(1) h(1))$$\n",
    "$$\\sqrt{g(x)^2} = g(x) + 0 \\cdot \\log g(y)$$\n",
])
def test_a_log_in_one_step_makes_no_other_value_of_the_function_positive(tmp_path, capsys, document):
    code, steps = audit(tmp_path, capsys, document)
    assert code == 1 and steps[-1]["verdict"] not in PASSING and "taken positive" not in steps[-1]["reason"], steps


def test_the_values_of_a_function_at_points_are_unknown_numbers_of_either_sign(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$\\sqrt{g(2)^2} = g(2)$$\n")
    assert code == 1 and verdicts(steps) == [REFUTED] and "g(2) = -" in steps[0]["reason"], steps


@pytest.mark.parametrize("document", [
    "$$\\log\\int p(x)g(x)\\,dx\\geq\\int p(x)\\log g(x)\\,dx$$\n",
    "$$\\int p(x) \\log g(x) dx + \\sqrt{g(2)^2} = \\int p(x)\\log g(x) dx + g(2)$$\n",
    "$$\\log(g(x)^2) = 2 \\log g(x)$$\n",
])
def test_a_log_that_needs_the_function_positive_where_it_is_used_proves_the_step(tmp_path, capsys, document):
    code, steps = audit(tmp_path, capsys, document)
    assert code == 0 and verdicts(steps) == [PROVED] and "taken positive" in steps[0]["reason"], steps


@pytest.mark.parametrize("argument, expected", [
    ("g(1)", "g(1)"), ("1/g(1)", "g(1)"), ("sqrt(g(1))", "g(1)"), ("g(1)**2", None), ("g(1)*h(1)", None),
    ("-g(1)", None), ("g(1) + 1", None), ("2*g(1)", "g(1)"),
])
def test_the_log_of_an_expression_fixes_the_sign_of_a_call_only_when_it_is_its_only_signed_factor(argument,
                                                                                               expected):
    found = _logged_call(sp.sympify(argument))
    assert (found is None and expected is None) or sp.sstr(found) == expected


def test_positivity_from_a_log_is_computed_per_step_not_per_formula():
    g = sp.Function("g")
    kinds, _ = _function_kinds([sp.sqrt(g(2) ** 2), g(2)], Context())
    assert kinds == {"g": "plain"}
    kinds, why = _function_kinds([sp.log(g(1)), sp.log(g(1))], Context())
    assert kinds == {"g": "positive"} and "log" in why["g"]


# ---------------------------------------------------------------- nothing in a display is dropped


@pytest.mark.parametrize("formula", [
    "1 &= 1 && = 2", "1 = 1 \\text{ and $1 = 2$}", "1 = 1 \\tag{$1 = 2$}", "1 = 1 \\\\ \\intertext{so $2 = 3$} 1 = 1",
    "0 = 0 \\quad 1 = 0", "1 = 1 \\qquad 2 = 3", "1 = 1 \\hspace{1cm} 2 = 3", "1 = 1 \\text{ and } 2 = 3",
    "\\begin{align} a &= a & 1 &= 2 \\end{align}", "\\begin{aligned} 1 &= 1 \\end{aligned} \\quad 1 = 2",
    "\\begin{aligned} 1 &= 1 \\end{aligned} 1 = 2", "\\sqrt{x^2} = x \\text{ for $x \\geq 0$}",
    "\\sqrt{x^2} = x \\quad \\text{if } x \\geq 0", "x \\geq 0 \\quad \\forall x > 0", "f(x) = x^2 \\quad (x > 0)",
    "f(x) = \\begin{cases} 1 = 2 & x > 0 \\\\ 0 & \\text{else} \\end{cases}", "1 = 1 \\boxed{1 = 2}",
    "\\begin{gather} 1 = 1 \\\\ 2 = 3 \\end{gather}", "\\begin{alignat}{2} 1 &= 1 &\\quad& 1 = 2 \\end{alignat}",
    "\\begin{aligned} a &= a + 1 & d &= d + 1 \\\\ & \\quad - 1 & & \\quad + 1 \\end{aligned}",
    "\\begin{equation} \\begin{split} 1 &= 1 \\\\ &= 2 \\end{split} \\end{equation}",
    "\\begin{equation} \\begin{split} 1 &= 1 \\end{split} 1 = 2 \\end{equation}",
])
def test_math_beside_a_step_is_checked_or_reported_never_dropped(tmp_path, capsys, formula):
    assert_flagged(*audit(tmp_path, capsys, f"$${formula}$$\n"))


@pytest.mark.parametrize("formula", [
    "1 = 1 \\quad \\text{(trivially)}", "x^2 \\geq 0 \\quad \\text{for all } x", "x^2 \\ge 0 \\qquad \\forall x",
    "\\begin{alignat}{2} 1 &= 1 && \\text{by definition} \\end{alignat}", "\\begin{aligned} 1 &= 1 && \\text{ok}"
    " \\end{aligned}", "\\begin{aligned}[t] 1 &= 1 \\\\ &= 2 - 1 \\end{aligned}", "0 = 0 \\quad 1 = 1",
    "\\begin{aligned} 1 &= 1 \\end{aligned}.", "\\text{hence } 1 = 1", " & \\\\ 1 = 1 \\\\ \\text{} \\\\ & ",
    "1 = 1 \\label{eq:1=2} \\nonumber", "x^2 \\geq 0 \\text{ for every $x$}", "1 = 1, \\quad 2 = 2.",
    "\\begin{aligned} a &= a & b &= b \\\\ &= a + 0 & &= b + 0 \\end{aligned}",
    "\\begin{aligned} a &= a + 1 & d &= d + 1 \\\\ & \\quad - 1 & & \\quad - 1 \\end{aligned}",
    "\\begin{aligned} 1 &= 1 && (\\text{Jensen}) \\\\ &= 1 && [\\text{by } (1)] \\end{aligned}",
    "\\begin{equation} \\begin{split} 1 &= 1 \\\\ &= 2 - 1 \\end{split} \\end{equation}",
    "\\begin{gather} \\begin{split} 1 &= 1 \\end{split} \\end{gather}",
])
def test_prose_and_spacing_beside_a_true_step_do_not_flag_it(tmp_path, capsys, formula):
    code, steps = audit(tmp_path, capsys, f"$${formula}$$\n")
    assert code == 0 and steps, steps


def test_a_comment_with_a_row_break_does_not_split_the_row(tmp_path, capsys):
    text = "$$\n\\begin{aligned}\na &= a % a \\\\ note\n\\\\ &= a\n\\end{aligned}\n$$\n"
    code, steps = audit(tmp_path, capsys, text)
    assert code == 0 and verdicts(steps) == [PROVED, PROVED], steps


def test_a_nested_environment_is_one_unparsed_step_not_several_steps(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, "$$f(x) = \\begin{cases} 1 = 2 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}$$\n")
    assert code == 1 and verdicts(steps) == [UNPARSED], steps


# ---------------------------------------------------------------- \sim is a declaration only when it is one


@pytest.mark.parametrize("formula", [
    "1 \\sim 2", "x \\sim 2", "z \\sim q(z|X)", "z \\sim N(0,1) = 3", "p(x) \\sim N(x, 1)", "\\epsilon \\sim N(0, -1)",
    "p(x|z) \\sim N(x, 1)", "f(x) \\sim N(0, 1)", "\\epsilon \\sim N(0, 1, 2)",
])
def test_a_sim_that_declares_nothing_mathcheck_can_use_is_unparsed(tmp_path, capsys, formula):
    code, steps = audit(tmp_path, capsys, f"$${formula}$$\n")
    assert code == 1 and UNPARSED in verdicts(steps) and DEFINITION not in verdicts(steps), steps


@pytest.mark.parametrize("formula", ["\\epsilon \\sim N(0, 1)", "p(x) \\sim \\mathcal{N}(\\mu, \\sigma^2)",
                                     "\\epsilon \\sim \\mathcal{N}(0, I)",
                                     "p(x|z) \\sim N(z, 1)"])  # x given z: a conditional law (attack3 F1)
def test_a_gaussian_declaration_is_a_definition(tmp_path, capsys, formula):
    code, steps = audit(tmp_path, capsys, f"$${formula}$$\n")
    assert code == 0 and verdicts(steps) == [DEFINITION], steps


@pytest.mark.parametrize("declaration", ["p(x) \\sim N(0, 0)", "p(x) \\sim N(x, 1)", "\\epsilon \\sim N(0, -2)",
                                         "\\epsilon \\sim N(0)"])
@pytest.mark.parametrize("report", ["json", "text", "markdown"])
def test_a_prose_declaration_that_cannot_be_used_is_reported_not_a_crash(tmp_path, capsys, declaration, report):
    path = tmp_path / "doc.md"
    path.write_text(f"Let ${declaration}$.\n\n$$1 = 1$$\n", encoding="utf-8")
    code = main(["audit", str(path), "--format", report])
    out = capsys.readouterr().out
    assert code == 1 and "Traceback" not in out and "cannot be used" in out


# ---------------------------------------------------------------- a declared reparameterization is checked in law


@pytest.mark.parametrize("prose, formula", [
    ("$\\epsilon \\sim N(0, I)$ and $z \\sim N(\\mu, \\sigma^2)$", "z = \\mu + \\sigma^2 \\epsilon"),
    ("$\\epsilon \\sim N(0, 2)$ and $z \\sim N(\\mu, \\sigma^2)$", "z = \\mu + \\sigma \\epsilon"),
    ("$\\epsilon \\sim N(0, 1)$, $\\eta \\sim N(0, 1)$ and $z \\sim N(\\mu, \\sigma^2)$",
     "z = \\mu + \\sigma \\epsilon + \\sigma \\eta"),
    ("$\\epsilon \\sim N(1, 1)$ and $z \\sim N(\\mu, \\sigma^2)$", "z = \\mu + \\sigma \\epsilon"),
    ("$\\epsilon \\sim N(0, 1)$ and $z \\sim N(\\mu, \\sigma^2)$", "z := \\mu + \\sigma^2 \\epsilon"),
])
def test_a_reparameterization_with_the_wrong_law_is_refuted(tmp_path, capsys, prose, formula):
    code, steps = audit(tmp_path, capsys, f"With {prose}:\n\n$${formula}$$\n")
    assert code == 1 and verdicts(steps) == [REFUTED] and "in law" in steps[0]["reason"], steps


@pytest.mark.parametrize("prose, formula", [
    ("$\\epsilon \\sim N(0, 1)$ and $z \\sim N(0, 1)$", "z = \\epsilon^2"),
    ("$z \\sim N(\\mu, \\sigma^2)$", "z = \\mu + \\sigma \\eta"),
])
def test_a_reparameterization_whose_law_is_not_computed_is_undecided_not_a_definition(tmp_path, capsys, prose,
                                                                                       formula):
    code, steps = audit(tmp_path, capsys, f"With {prose}:\n\n$${formula}$$\n")
    assert code == 1 and verdicts(steps) == [UNDECIDED], steps


@pytest.mark.parametrize("prose, formula", [
    ("$\\epsilon \\sim N(0, I)$ and $z \\sim N(\\mu, \\sigma^2)$", "z = \\mu + \\sigma \\epsilon"),
    ("$\\epsilon \\sim N(0, 1)$, $\\eta \\sim N(0, 1)$ and $z \\sim N(\\mu, 2\\sigma^2)$",
     "z = \\mu + \\sigma \\epsilon + \\sigma \\eta"),
    ("$\\epsilon \\sim N(1, 1)$ and $z \\sim N(\\mu + \\sigma, \\sigma^2)$", "z = \\mu + \\sigma \\epsilon"),
    ("$\\epsilon \\sim N(0, 1)$ and $z \\sim N(\\mu, \\sigma^2)$", "z := \\mu - \\sigma \\epsilon"),
])
def test_a_reparameterization_with_the_declared_law_is_proved(tmp_path, capsys, prose, formula):
    code, steps = audit(tmp_path, capsys, f"With {prose}:\n\n$${formula}$$\n")
    assert code == 0 and verdicts(steps) == [PROVED], steps


def test_a_law_the_prose_denies_is_not_used(tmp_path, capsys):
    text = "We do not assume $\\epsilon \\sim N(0,1)$. With $z \\sim N(\\mu, \\sigma^2)$:\n\n$$z = \\mu + \\sigma\\epsilon$$\n"
    code, steps = audit(tmp_path, capsys, text)
    assert code == 1 and verdicts(steps) == [UNDECIDED], steps


def test_a_law_stated_as_a_hypothesis_checks_the_next_formula(tmp_path, capsys):
    text = "If $\\epsilon\\sim N(0,1)$ and $z\\sim N(\\mu,\\sigma^2)$, then\n\n$$z = \\mu + \\sigma^2\\epsilon$$\n"
    code, steps = audit(tmp_path, capsys, text)
    assert code == 1 and verdicts(steps) == [REFUTED], steps


# ---------------------------------------------------------------- annotated relations keep their relation


@pytest.mark.parametrize("document", [
    "$$A := 1$$\n\n$$A \\overset{(a)}{=} 2$$\n",
    "$$L \\overset{(a)}{=} 2$$\n\n$$L := 1$$\n",
    "$$A := 1$$\n\n$$A \\stackrel{\\text{(b)}}{=} 2$$\n",
    "$$1 \\stackrel{(b)}{\\leq} 0$$\n",
])
def test_an_annotated_relation_is_checked_not_read_as_a_definition(tmp_path, capsys, document):
    assert_flagged(*audit(tmp_path, capsys, document))


# ---------------------------------------------------------------- display math outside $$


@pytest.mark.parametrize("document", [
    "\\begin{align}\n1 &= 2\n\\end{align}\n", "\\begin{align*} 1 &= 2 \\end{align*}\n",
    "\\begin{equation}\n1 = 2\n\\end{equation}\n", "\\begin{gather*} 1 = 1 \\\\ 1 = 2 \\end{gather*}\n",
    "\\begin{multline} 1 \\\\ = 2 \\end{multline}\n", "\\begin{eqnarray} 1 &=& 2 \\end{eqnarray}\n",
    "\\begin{alignat}{2} 1 &= 2 \\end{alignat}\n", "\\begin{flalign} 1 &= 2 \\end{flalign}\n",
    "\\[1 = 2\\]\n", "\\begin{aligned} 1 &= 2 \\end{aligned}\n", "Text.\n\\begin{align}\n1 &= 2\n",
    "$$a = a$$ $$1 = 2$$\n", "Use `$$` to open a display.\n\n$$1 = 2$$\n", "\\begin{cases} 1 = 2 \\end{cases}\n",
])
def test_display_math_outside_double_dollars_is_read(tmp_path, capsys, document):
    assert_flagged(*audit(tmp_path, capsys, document))


@pytest.mark.parametrize("document", [
    "```\n\\begin{align} 1 &= 2 \\end{align}\n$$1 = 2$$\n```\n\n$$1 = 1$$\n",
    "Inline code `\\begin{align} 1 &= 2 \\end{align}` and `$$1 = 2$$`.\n\n$$1 = 1$$\n",
    "<!-- $$1 = 2$$ -->\n\n$$1 = 1$$\n",
    "> $$1 = 1\n> = 1$$\n",
])
def test_code_and_comments_are_not_read_as_math(tmp_path, capsys, document):
    code, steps = audit(tmp_path, capsys, document)
    assert code == 0 and verdicts(steps) == [PROVED] * len(steps) and steps, steps


# ---------------------------------------------------------------- prose: only a plain declarative sentence declares

SQRT = "$$\\sqrt{\\sigma^2} = \\sigma$$"
KL_ZERO = "$$D_{KL}(p\\|q) = 0$$"


@pytest.mark.parametrize("prose, display", [
    ("The function $f$ is concave or convex.", JENSEN),
    ("The function $f$ is concave/convex.", JENSEN),
    ("The function $f$ is concave (resp. convex).", JENSEN),
    ("Either $p(x)\\sim N(5,1)$ or $p(x)\\sim N(0,1)$, and $q(x)\\sim N(0,1)$.", KL_ZERO),
    ("Either $\\sigma > 0$ or $\\sigma < 0$.", SQRT),
    ("Nobody has shown that $f$ is concave.", JENSEN),
    ("It is impossible that $\\sigma > 0$.", SQRT),
    ("It is unlikely that $\\sigma > 0$.", SQRT),
    ("We avoid assuming $\\sigma > 0$.", SQRT),
    ("We drop the assumption $\\sigma > 0$.", SQRT),
    ("Everything holds except $\\sigma > 0$.", SQRT),
    ("$f$が上に凸というのは嘘である。", JENSEN),
    ("$f$は上に凸とは限らない。", JENSEN),
    ("The function $f$ is concave, a common misconception.", JENSEN),
    ("Here $f$ is concave; this is false.", JENSEN),
    ("We take $\\sigma > 0$, which is wrong.", SQRT),
    ("With $\\sigma > 0$, this is false.", SQRT),
    ("We want to show that $f$ is concave.", JENSEN),
    ("Exercise: prove that $f$ is concave.", JENSEN),
    ("Suppose, for contradiction, that $f$ is concave.", JENSEN),
    ("$f$が上に凸であることを示したい。", JENSEN),
    ("$f$は上に凸だと思う。", JENSEN),
    ("We show below that $\\sigma > 0$ is needed.", SQRT),
    ("For $\\sigma > 0$ the bound is tight; in general $\\sigma$ is any real number.", SQRT),
    ("The case $\\sigma > 0$ is treated in Section 3.", SQRT),
    ("Note that $\\sqrt{\\sigma^2}=\\sigma$ only for $\\sigma > 0$.", SQRT),
    ("Is it true that $f$ is concave. We do not know.", JENSEN),
    ("Is $f$ concave.", JENSEN),
    ("The paper “$f$ is concave” is retracted.", JENSEN),
])
def test_a_sentence_that_is_not_a_plain_declaration_declares_nothing(tmp_path, capsys, prose, display):
    assert_flagged(*audit(tmp_path, capsys, f"{prose}\n\n{display}\n"))


@pytest.mark.parametrize("prose, display", [
    ("The function $f$ is concave.", JENSEN),
    ("Let $f$ be concave.", JENSEN),
    ("$f$は上に凸な関数とする。", JENSEN),
    ("$f$を上に凸な関数とする。", JENSEN),
    ("$f$は上に凸である。", JENSEN),
    ("Let $\\sigma > 0$.", SQRT),
    ("Assume that $\\sigma > 0$.", SQRT),
    ("If $\\sigma > 0$, then", SQRT),
    ("Let $p(x)\\sim N(0,1)$ and $q(x)\\sim N(0,1)$.", KL_ZERO),
])
def test_a_plain_declarative_sentence_declares(tmp_path, capsys, prose, display):
    code, steps = audit(tmp_path, capsys, f"{prose}\n\n{display}\n")
    assert code == 0 and verdicts(steps) and all(v in PASSING for v in verdicts(steps)), steps


# ---------------------------------------------------------------- Markdown: what a renderer shows is read

TRUE_THEN_FALSE = "$$1 = 1$$\n\n{}\n\n$$1 = 2$$\n"


@pytest.mark.parametrize("between", [
    "```x`y",  # a backtick fence's info string has no backtick: not a fence
    "```code``` is inline code.",
    "a <!-- b",  # a comment never closed is text
    "A <!--> B\n\nC -->",  # an empty comment
    "A <!---> B\n\nC -->",
    "```\ncode\n```python\nmore\n```",  # a line with an info string does not close a fence
])
def test_a_rendered_display_after_markdown_markup_is_read(tmp_path, capsys, between):
    assert_flagged(*audit(tmp_path, capsys, TRUE_THEN_FALSE.format(between)))


def test_a_crlf_document_is_read_with_its_line_numbers(tmp_path, capsys):
    path = tmp_path / "doc.md"
    path.write_bytes(b"Text `a\r\n\r\nb` here.\r\n\r\n$$1 = 1$$\r\n\r\n$$1 = 2$$\r\n")
    code = main(["audit", str(path), "--format", "json"])
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert code == 1 and [(s["line"], s["verdict"]) for s in steps] == [(5, PROVED), (7, REFUTED)], steps


@pytest.mark.parametrize("document, passes", [
    ("```math\n1 = 2\n```\n", False),
    ("```math\n1 = 1\n```\n", True),
    ("```math\n1 = 2\n", False),  # never closed
])
def test_a_github_math_fence_is_read_as_a_display(tmp_path, capsys, document, passes):
    code, steps = audit(tmp_path, capsys, document)
    if passes:
        assert code == 0 and verdicts(steps) == [PROVED], steps
    else:
        assert_flagged(code, steps) if steps else None
        assert code == 1
