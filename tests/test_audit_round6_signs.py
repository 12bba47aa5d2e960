"""``mathcheck audit``, round 6, signs: what a statement environment assumes ends with it (S1); a sign of an
indexed family holds only inside its stated index range (I1, K10); a case set aside, a hedge or a condition taken
back after it is never assumed (K3, the Japanese 省略); a declared order or bounded interval is a checked
assumption (FA1): the numeric worlds sample inside it, sympy proves with it, and a false step under it is refuted."""
import pytest

from mathcheck.audit.check import DEFINITION, audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import HOLDS, PROVED, REFUTED

PASSING = (PROVED, HOLDS, DEFINITION)


def verdicts(text: str, path: str = "doc.md") -> list[str]:
    return [step.verdict for step in audit_document(parse_document(path, text)).steps if step.relation]


def last(text: str, path: str = "doc.md") -> str:
    return verdicts(text, path)[-1]


# ---------------------------------------------------------------- S1: a statement environment scopes its assumptions

@pytest.mark.parametrize("environment", ["lemma", "theorem", "proposition", "example", "remark", "proof", "lem",
                                         "corollary*"])
@pytest.mark.parametrize("declaration, step", [
    ("Let $t > 0$.", "\\sqrt{t^2} = t"),
    ("Assume $s \\geq 0$.", "|s| = s"),
    ("Let $b \\geq 1$.", "\\sqrt{(b-1)^2} = b - 1"),
    ("Let $a < b$.", "|b - a| = b - a"),
])
def test_a_sign_declared_in_an_environment_ends_with_it(environment, declaration, step):
    text = f"\\begin{{{environment}}}\n{declaration}\n\\[ {step} \\]\n\\end{{{environment}}}\nIn general\n\\[ {step} \\]\n"
    assert verdicts(text, "doc.tex") == [PROVED, REFUTED]


def test_a_proof_after_a_statement_keeps_its_assumptions_until_it_ends():
    text = ("\\begin{theorem}\nLet $t > 0$. Then $\\sqrt{t^2} = t$.\n\\end{theorem}\n\\begin{proof}\n"
            "\\[ \\sqrt{t^2} = |t| = t. \\]\n\\end{proof}\nAfterwards\n\\[ \\sqrt{t^2} = t \\]\n")
    assert verdicts(text, "doc.tex") == [PROVED, PROVED, REFUTED]


def test_a_newtheorem_statement_scopes_and_an_assumption_environment_does_not():
    text = ("\\newtheorem{mylem}{Lemma}\n\\newtheorem{assump}{Assumption}\n\\begin{mylem}\nLet $t > 0$.\n"
            "\\[ \\sqrt{t^2} = t \\]\n\\end{mylem}\n\\[ \\sqrt{t^2} = t \\]\n\\begin{assump}\nLet $u > 0$.\n"
            "\\end{assump}\n\\[ \\sqrt{u^2} = u \\]\n")
    assert verdicts(text, "doc.tex") == [PROVED, REFUTED, PROVED]


def test_an_environment_left_open_inside_a_statement_closes_with_it():
    text = "\\begin{lemma}\nLet $t > 0$.\n\\begin{itemize}\n\\item note\n\\end{lemma}\n\\[ \\sqrt{t^2} = t \\]\n"
    assert last(text, "doc.tex") == REFUTED


def test_a_declaration_outside_environments_still_holds_inside_and_after_them():
    text = ("Throughout, let $t > 0$.\n\\begin{lemma}\nFor this $t$,\n\\[ \\sqrt{t^2} = t \\]\n\\end{lemma}\n"
            "\\begin{itemize}\n\\item Let $u > 0$.\n\\end{itemize}\n\\[ \\sqrt{t^2} + \\sqrt{u^2} = t + u \\]\n")
    assert verdicts(text, "doc.tex") == [PROVED, PROVED]


@pytest.mark.parametrize("label", ["**Example 2.**", "*Lemma.*", "Example:", "**Proof.**", "**補題 1.**"])
def test_a_markdown_statement_paragraph_ends_at_the_next_heading(label):
    text = f"{label} Let $t > 0$.\n\n$$\\sqrt{{t^2}} = t$$\n\n## The general case\n\n$$\\sqrt{{t^2}} = t$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


@pytest.mark.parametrize("opening", ["In this example let $t>0$. Then", "For example, let $t > 0$."])
def test_an_example_sentence_in_markdown_proves_nothing_after_it(opening):
    text = f"{opening}\n\n$$\\sqrt{{t^2}} = t$$\n\n## General case\n\n$$\\sqrt{{t^2}} = t$$\n"
    assert last(text) not in PASSING


# ---------------------------------------------------------------- I1, K10: an index range bounds a family's sign

@pytest.mark.parametrize("declaration", [
    "Let $a_i > 0$ for $i = 1, 2$.", "Let $a_i > 0$ for $1 \\le i \\le 2$.", "Let $a_i > 0$ for $i \\in \\{1, 2\\}$.",
    "Let $a_i$ be positive for $i = 1, 2$.", "Let $a_i > 0$ for $i = 1, \\dots, n$.", "Let $a_i > 0$ for odd $i$.",
    "$i = 1, 2$ について $a_i > 0$ とする。", "$1 \\le i \\le 2$ の範囲で $a_i>0$ とする。",
    "$i=1,\\dots,n$ に対して $a_i>0$ とする。",
])
def test_a_family_sign_does_not_hold_outside_its_index_range(declaration):
    assert last(f"{declaration}\n\n$$\\sqrt{{a_3^2}} = a_3$$\n") == REFUTED


@pytest.mark.parametrize("declaration", [
    "Let $a_i > 0$ for $i = 1, 2$.", "Let $a_i > 0$ for $1 \\le i \\le 2$.", "Let $a_i > 0$ for $i \\in \\{1, 2\\}$.",
    "$i = 1, 2$ について $a_i > 0$ とする。", "Let $a_i > 0$ for $i = 1, 2, \\dots, n$.",
])
def test_a_family_sign_holds_inside_its_index_range(declaration):
    assert last(f"{declaration}\n\n$$\\sqrt{{a_2^2}} = a_2$$\n") == PROVED


@pytest.mark.parametrize("declaration", ["Let $a_i > 0$ for all $i$.", "Let $a_i > 0$ for every $i$.",
                                         "Let $a_i > 0$.", "すべての $i$ について $a_i>0$ とする。"])
def test_a_family_sign_for_every_index_holds_for_each_instance(declaration):
    assert last(f"{declaration}\n\n$$\\sqrt{{a_9^2}} = a_9$$\n") == PROVED


def test_a_symbolic_range_does_not_cover_the_next_index():
    assert last("Let $a_i > 0$ for $i = 1, \\dots, n$.\n\n$$\\sqrt{a_{n+1}^2} = a_{n+1}$$\n") == REFUTED


# ---------------------------------------------------------------- a case set aside is not assumed

@pytest.mark.parametrize("sentence", [
    "$t > 0$ の場合は省略する。", "$t > 0$ の場合については省く。", "$t > 0$ の場合は扱わない。", "$t > 0$ は考えない。",
    "$t > 0$ のときは省略する。", "If $t > 0$ this is easy, but in general it is not.", "Is $t > 0$?",
    "We have $t > 0$ whenever $u > 0$.",
])
def test_a_case_set_aside_is_not_assumed(sentence):
    assert last(f"{sentence}\n\n$$\\sqrt{{t^2}} = t$$\n") not in PASSING


# ---------------------------------------------------------------- K3: a condition taken back after it

@pytest.mark.parametrize("step", [
    "\\sqrt{w^2} = -w \\quad \\text{ただし } w<0 \\text{ を除く}",
    "\\sqrt{w^2} = -w \\quad \\text{with } w<0 \\text{ excluded}",
    "\\sqrt{w^2} = -w \\quad \\text{for } w<0 \\text{ を除いて}",
    "\\sqrt{w^2} = -w \\quad \\text{if $w<0$ is excluded}",
    "\\sqrt{w^2} = -w \\quad \\text{with $w<0$ excluded}",
    "\\sqrt{w^2} = -w, \\quad w<0 \\text{ excluded}",
    "\\sqrt{w^2} = -w \\quad \\text{for } w<0 \\text{ is not assumed}",
    "\\sqrt{w^2} = -w \\quad \\text{if } w<0 \\text{ (not assumed)}",
    "\\sqrt{w^2} = -w \\quad \\text{where } w<0 \\text{ is left out}",
    "\\sqrt{w^2} = -w \\quad \\text{for } w<0 \\text{ は考えない}",
])
def test_a_condition_taken_back_after_it_is_not_assumed(step):
    assert verdicts(f"$$ {step} $$\n")[0] == REFUTED


@pytest.mark.parametrize("sentence", ["The case $a < 0$ excluded, we have", "Here $a<0$ is excluded.",
                                      "$a < 0$ を除いて考える。", "With $a<0$ excluded,"])
def test_a_prose_condition_taken_back_is_not_assumed(sentence):
    assert last(f"{sentence}\n\n$$\\sqrt{{a^2}} = -a$$\n") == REFUTED


@pytest.mark.parametrize("step", ["\\sqrt{w^2} = -w \\quad \\text{for } w<0",
                                  "\\sqrt{w^2} = -w \\quad \\text{ただし } w<0 \\text{ とする}",
                                  "\\sqrt{w^2} = -w, \\quad w<0"])
def test_a_plain_trailing_condition_is_still_assumed(step):
    assert verdicts(f"$$ {step} $$\n")[0] == PROVED


# ---------------------------------------------------------------- FA1: declared orders and intervals are used

@pytest.mark.parametrize("declaration, step", [
    ("Let $a < b$.", "|b - a| = b - a"),
    ("Let $a < b$.", "\\log(b - a) - \\log(b-a) = 0"),
    ("Let $a \\le b$.", "|b - a| = b - a"),
    ("Let $s > t$.", "|s - t| = s - t"),
    ("Let $0 < a < b$.", "\\sqrt{b^2} = b"),
    ("Let $u < v < w$.", "|w - u| = w - u"),
    ("$a < b$ とする。", "|b - a| = b - a"),
    ("Let $-1 < r < 1$.", "|r| < 1"),
    ("Let $-1 < r < 1$.", "\\sqrt{(1-r)^2} = 1 - r"),
    ("Let $r \\in (-1, 1)$.", "\\sqrt{(r + 1)^2} = r + 1"),
    ("Let $0 < r \\le 1$.", "\\sqrt{(1-r)^2} = 1 - r"),
    ("Let $a > 0$ and $a < b$.", "\\sqrt{b^2} = b"),
])
def test_a_declared_order_is_used(declaration, step):
    assert last(f"{declaration}\n\n$$ {step} $$\n") in PASSING


@pytest.mark.parametrize("declaration, step", [
    ("Let $a < b$.", "|a - b| = a - b"),
    ("Let $s > t$.", "|t - s| = t - s"),
    ("Let $u < v < w$.", "|u - w| = u - w"),
    ("Let $-1 < r < 1$.", "\\sqrt{(r-1)^2} = r - 1"),
    ("Let $-1 < r < 1$.", "\\sqrt{r^2} = r"),
    ("Let $0 < r < 1$.", "r^2 = r"),
    ("Let $a < b$.", "\\sqrt{b^2} = b"),
])
def test_a_false_step_under_a_declared_order_is_refuted(declaration, step):
    assert last(f"{declaration}\n\n$$ {step} $$\n") == REFUTED


@pytest.mark.parametrize("sentence", [
    "We do not assume $a < b$.", "The case $a < b$ is omitted here.", "$a < b$ の場合は省略する。", "Is $a < b$?",
    "If $a < b$ the claim is trivial, but in general it is not.",
])
def test_an_order_that_is_not_declared_is_not_used(sentence):
    assert last(f"{sentence}\n\n$$ |b - a| = b - a $$\n") == REFUTED


def test_an_order_in_a_hypothesis_holds_for_the_next_formula_only():
    text = "If $a < b$, then\n\n$$|b - a| = b - a$$\n\nand afterwards\n\n$$|b - a| = b - a$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


def test_a_new_order_replaces_the_old_one():
    text = "Let $a < b$.\n\n$$|b - a| = b - a$$\n\nNow let $b < a$.\n\n$$|a - b| = a - b$$\n\n$$|b - a| = b - a$$\n"
    assert verdicts(text) == [PROVED, PROVED, REFUTED]


def test_a_withdrawn_order_no_longer_holds():
    text = "Let $a < b$.\n\n$$|b - a| = b - a$$\n\nWe no longer assume $a < b$.\n\n$$|b - a| = b - a$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


def test_a_later_sign_of_the_smaller_name_reaches_the_order():
    text = ("Let $a < b$.\n\nLet $a > 0$.\n\n$$\\sqrt{b^2} = b$$\n\nNow let $a < 0$.\n\n$$\\sqrt{b^2} = b$$\n")
    assert verdicts(text) == [PROVED, REFUTED]


@pytest.mark.parametrize("step, verdict", [
    ("\\sqrt{(1-r)^2} = 1 - r \\quad \\text{for } -1 < r < 1", PROVED),
    ("\\sqrt{(b-a)^2} = b - a \\quad \\text{for } a < b", PROVED),
    ("\\sqrt{(a-c)^2} = a - c \\quad \\text{for } a < c", REFUTED),
])
def test_an_order_condition_of_a_step_is_used(step, verdict):
    assert verdicts(f"$$ {step} $$\n")[0] == verdict


@pytest.mark.parametrize("value", ["$$b := a - 1$$", "$$a := b + 1$$", "For the example, let $b = a - 1$.",
                                   "Now let $a = b + 1$."])
def test_a_value_given_to_an_ordered_name_ends_the_order(value):
    assert last(f"Let $a < b$.\n\n{value}\n\n$$|b - a| = b - a$$\n") == REFUTED


def test_a_value_outside_a_declared_interval_ends_it():
    assert last("Let $-1 < r < 1$.\n\n$$r := 2$$\n\n$$\\sqrt{(1-r)^2} = 1 - r$$\n") == REFUTED


def test_an_interval_of_a_law_parameter_keeps_the_law_and_its_sign():
    text = ("Let $q(z) = \\mathcal{N}(z; 0, \\sigma^2)$. Let $0 < \\sigma < 1$.\n\n$$\\sqrt{\\sigma^2} = \\sigma$$\n\n"
            "$$\\mathbb{E}_{q(z)}[z^2] = \\sigma^2$$\n")
    assert verdicts(text) == [PROVED, PROVED]


@pytest.mark.parametrize("step, verdict", [("\\sqrt{a^2} + |b - a| = b", PROVED), ("|a - b| + a = b", PROVED),
                                           ("\\sqrt{b^2} = b", PROVED), ("|a - b| = a", REFUTED)])
def test_a_chain_from_zero_keeps_one_name_for_each_member(step, verdict):
    assert last(f"Let $0 < a < b$.\n\n$$ {step} $$\n") == verdict


@pytest.mark.parametrize("heading", ["## The case $b < a$", "## Case $a > b$"])
def test_a_heading_that_states_another_order_ends_the_declared_one(heading):
    text = f"Let $a < b$.\n\n$$|b - a| = b - a$$\n\n{heading}\n\n$$|b - a| = b - a$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


# ---------------------------------------------------------------- round 6b (attack11 A8-A10, F3, F4; attack12 A3)

UNDECIDED_OR_WORSE = ("undecided", "unparsed", REFUTED)


@pytest.mark.parametrize("trailing", ["holds whenever $u > 0$.", "when $u > 0$.", "provided $u > 0$.",
                                      "for all $u > 0$.", "if $u > 0$.", "which holds as long as $u \\ge 0$.",
                                      "は $u > 0$ のとき成り立つ。"])
def test_a_condition_after_a_display_is_no_declaration_for_the_next(trailing):
    text = f"For a general real $u$,\n$$\\sqrt{{u^2}} = u$$\n{trailing}\n\n$$|u| = u$$\n"
    assert last(text) == REFUTED


@pytest.mark.parametrize("trailing", ["holds whenever $u > 0$.", "where $u > 0$.", "provided $u > 0$.",
                                      "for all $u > 0$.", "は $u > 0$ のとき成り立つ。"])
def test_a_condition_after_a_display_is_the_side_condition_of_that_display(trailing):
    text = f"For a general real $u$,\n$$\\sqrt{{u^2}} = u,$$\n{trailing}\n"
    assert verdicts(text) == [PROVED]


def test_a_latex_condition_after_an_equation_qualifies_it_alone():
    text = ("\\documentclass{article}\\begin{document}\nFor real $u$,\n\\begin{equation}\n\\sqrt{u^2} = u\n"
            "\\end{equation}\nwhenever $u > 0$ and $v > 0$.\n\\begin{equation}\n|u| + |v| = u + v\n\\end{equation}\n"
            "\\end{document}\n")
    assert verdicts(text, "doc.tex") == [PROVED, REFUTED]


def test_a_failure_condition_after_a_display_is_neither_assumed_nor_declared():
    text = "For real $u$,\n$$\\sqrt{u^2} = u$$\nfails when $u < 0$.\n\n$$|u| = -u$$\n"
    assert verdicts(text) == [REFUTED, REFUTED]


def test_a_where_clause_that_names_a_signed_symbol_keeps_its_sign():
    text = "Let $\\sigma > 0$.\n$$\\sqrt{\\sigma^2} = \\sigma,$$\nwhere $\\sigma$ is the scale.\n\n$$|\\sigma| = \\sigma$$\n"
    assert verdicts(text) == [PROVED, PROVED]


@pytest.mark.parametrize("between", ["By contrast,", "Next,", "For a general real $u$, by contrast,", ""])
@pytest.mark.parametrize("case", ["For $u > 0$,", "For $u > 0$, we have", "For all $u > 0$:"])
def test_a_case_condition_ends_with_its_display(case, between):
    text = f"{case}\n$$\\sqrt{{u^2}} = u.$$\n\n{between}\n$$|u| = u.$$\n"
    assert verdicts(text) == [PROVED, REFUTED]


@pytest.mark.parametrize("lift", ["For real $x$:", "For a general real $x$,", "Let $x$ be real."])
def test_a_real_lead_in_lifts_an_earlier_sign(lift):
    assert last(f"Let $x > 0$.\n\n$$\\sqrt{{x^2}} = x$$\n\n{lift}\n\n$$|x| = x$$\n") == REFUTED


@pytest.mark.parametrize("retraction", [
    "In the next section $s$ is the log-scale and can take any real value.",
    "From now on $s$ denotes the log-scale, which may be negative.",
    "Later $s$ may take any real value.",
    "Below $s$ is a log-scale, which can be negative.",
    "以下では $s$ は負の値もとりうる。"])
def test_a_sign_retracted_in_words_is_no_longer_assumed(retraction):
    assert last(f"Let $s > 0$ be the scale.\n\n$$\\sqrt{{s^2}} = s$$\n\n{retraction}\n\n$$|s| = s$$\n") == REFUTED


def test_a_range_of_positive_values_keeps_the_sign():
    text = "Let $s > 0$ be the scale.\n\nThe value $s$ can take any positive value.\n\n$$|s| = s$$\n"
    assert last(text) == PROVED


_KL_DIAGONAL = ("Let $q(z) = \\mathcal{N}(z; \\mu, \\mathrm{diag}(\\sigma^2))$ and $p(z) = \\mathcal{N}(z; 0, I)$ with "
                "$z, \\mu, \\sigma \\in \\mathbb{R}^d$, and {sign}\n\n$$\\mathrm{KL}(q\\|p) = \\frac12\\left(\\|\\mu\\|^2 + "
                "\\|\\sigma\\|^2 - d\\right) - \\sum_{{j=1}}^{{d}}\\log\\sigma_j$$\n")


@pytest.mark.parametrize("sign", ["$\\sigma_j > 0$ for $j < d$.", "$\\sigma_j > 0$ for $j = 1, \\dots, d-1$.",
                                  "$\\sigma_j > 0$ for $j \\neq d$.", "$\\sigma_j > 0$ for $j \\le d - 1$.",
                                  "$\\sigma_j > 0$ for $1 \\le j < d$.", "$\\sigma_j > 0$ for $j = 2, \\dots, d$."])
def test_a_component_sign_for_some_indices_does_not_make_the_vector_positive(sign):
    assert verdicts(_KL_DIAGONAL.replace("{sign}", sign).replace("{{", "{").replace("}}", "}")) != [PROVED]


@pytest.mark.parametrize("sign", ["$\\sigma_j > 0$ for $j = 1, \\dots, d$.", "$\\sigma_j > 0$ for $1 \\le j \\le d$.",
                                  "$\\sigma_j > 0$ for all $j$.", "$\\sigma_j > 0$ for $j \\in [d]$."])
def test_a_component_sign_for_every_index_makes_the_vector_positive(sign):
    assert verdicts(_KL_DIAGONAL.replace("{sign}", sign).replace("{{", "{").replace("}}", "}")) == [PROVED]


@pytest.mark.parametrize("step", ["\\min(s, s^2) = s", "\\max(s, s^2) = s^2", "\\min(s^3, s^2) = s^2"])
def test_an_order_bound_gives_exact_worlds(step):
    assert last(f"Let $s \\ge 1$.\n\n$$ {step} $$\n") == PROVED


def test_a_false_step_under_an_order_bound_is_still_refuted():
    assert last("Let $d \\ge 1$.\n\n$$\\min(d, 20) = d$$\n") == REFUTED


def test_an_interval_enclosure_keeps_its_exact_ends():
    from mathcheck import numeric
    from mpmath import iv
    with numeric.precision(120):
        value = iv.mpf(1) + iv.mpf(1e-8)
        low, high = numeric.bounds(value)
        assert low == high and low - 1 == numeric.bounds(iv.mpf(1e-8))[0]  # not rounded to 53 bits


def test_a_counterexample_under_an_order_bound_names_the_documents_symbol():
    steps = audit_document(parse_document("doc.md", "Let $d \\ge 1$.\n\n$$\\min(d, 20) = d$$\n")).steps
    assert steps[-1].verdict == REFUTED and "at d = " in steps[-1].reason


def test_a_where_clause_that_declares_a_sign_qualifies_the_display_and_what_follows():
    text = ("We have\n$$\\sqrt{\\sigma^2} = \\sigma,$$\nwhere $\\sigma > 0$ is the standard deviation.\n\n"
            "$$|\\sigma| = \\sigma$$\n")
    assert verdicts(text) == [PROVED, PROVED]


_KL_DIAGONAL_JA = ("$q(z) = \\mathcal{N}(z; \\mu, \\mathrm{diag}(\\sigma^2))$、$p(z) = \\mathcal{N}(z; 0, I)$、"
                   "$z, \\mu, \\sigma \\in \\mathbb{R}^d$ とし、SIGN\n\n$$\\mathrm{KL}(q\\|p) = \\frac12\\left(\\|\\mu\\|^2 + "
                   "\\|\\sigma\\|^2 - d\\right) - \\sum_{j=1}^{d}\\log\\sigma_j$$\n")


def test_a_japanese_component_sign_below_the_size_does_not_make_the_vector_positive():
    assert verdicts(_KL_DIAGONAL_JA.replace("SIGN", "$j < d$ について $\\sigma_j > 0$ とする。")) != [PROVED]


def test_a_japanese_component_sign_up_to_the_size_makes_the_vector_positive():
    assert verdicts(_KL_DIAGONAL_JA.replace("SIGN", "$j = 1, \\dots, d$ について $\\sigma_j > 0$ とする。")) == [PROVED]


def test_a_refutation_that_holds_exactly_does_not_stand_against_a_proof(monkeypatch):
    import mpmath
    from mathcheck import numeric

    def rounded_bounds(enclosure):  # the enclosure's ends rounded to 53 bits, as before the fix
        low, high = enclosure._mpi_
        return mpmath.mpf(low), mpmath.mpf(high)

    monkeypatch.setattr(numeric, "bounds", rounded_bounds)
    assert last("Let $s \\ge 1$.\n\n$$\\min(s, s^2) = s$$\n") != REFUTED


@pytest.mark.parametrize("prose", [
    "Let $r$ be a correlation; typically $0 < r < 1$.",
    "Let $r$ be real. Usually $r > 0$.",
    "Let $r$ be real. In practice $r > 0$.",
    "$r$ は実数とする。通常は $r > 0$ である。",
])
def test_a_sign_said_to_be_typical_is_not_declared(prose):  # proved before the fix
    from tests.audit_steps import verdict as _verdict
    assert _verdict(prose, r"\sqrt{r^2} = r")[0] in ("undecided", "unparsed", "refuted")
