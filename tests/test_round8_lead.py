"""Round 8, the lead's own fixes from the attacker's findings: a Markdown file's front matter declares nothing."""
from __future__ import annotations

import pytest

from mathcheck.report import PROVED, REFUTED, UNDECIDED
from tests.audit_steps import verdicts

SQRT_OF_SQUARE = "$$\n\\sqrt{\\sigma^2} = \\sigma\n$$\n"

FRONT_MATTERS = {
    "yaml title": "---\ntitle: Let $\\sigma > 0$.\n---\n",
    "yaml description, dots closer": "---\ndescription: Assume $\\sigma > 0$ throughout.\n...\n",
    "toml": "+++\ntitle = \"Let $\\sigma > 0$.\"\n+++\n",
    "japanese title": "---\ntitle: $\\sigma > 0$ とする\n---\n",
}


@pytest.mark.parametrize("front", FRONT_MATTERS.values(), ids=list(FRONT_MATTERS))
def test_front_matter_declares_no_sign(front):
    found = verdicts(front + "\n# E\n\n" + SQRT_OF_SQUARE)
    assert [v for v, _ in found] == [REFUTED], found


@pytest.mark.parametrize("rule", ["---", "***"], ids=["dashes", "stars"])
def test_prose_above_a_horizontal_rule_still_declares(rule):
    found = verdicts("# E\n\nLet $\\sigma > 0$.\n\n" + rule + "\n\n" + SQRT_OF_SQUARE)
    assert [v for v, _ in found] == [PROVED], found


PROSE_APPLYING_SIGMA = {
    "english outputs": "Let $x \\in \\mathbb{R}$. The decoder outputs $\\sigma(x)$, where $\\sigma$ is the logistic sigmoid.",
    "english applies": "We write $\\sigma(t)$ for the squashing function.",
    "japanese": "デコーダは $\\sigma(x)$ を出力する。",
}
PRODUCT_READINGS = {
    "negated argument": "\\sigma(-x) = -\\sigma x",
    "shifted argument": "\\sigma(x + 1) = \\sigma x + \\sigma",
    "one side": "\\sigma(x+1) - \\sigma x = \\sigma",
}


@pytest.mark.parametrize("prose", PROSE_APPLYING_SIGMA.values(), ids=list(PROSE_APPLYING_SIGMA))
@pytest.mark.parametrize("formula", PRODUCT_READINGS.values(), ids=list(PRODUCT_READINGS))
def test_a_function_of_the_prose_is_never_expanded_as_a_product(prose, formula):
    found = verdicts(prose + "\n\n$$\n" + formula + "\n$$\n")
    assert [v for v, _ in found] != [PROVED], found


def test_a_function_of_the_prose_is_applied_in_a_display():
    found = verdicts("The decoder outputs $\\sigma(x)$.\n\n$$\n\\sigma(x + 1) = \\sigma(x) + 1\n$$\n")
    assert [v for v, _ in found] == [REFUTED] and "sigma(t)" in found[0][1], found


UNREAD_LAWS = {
    "bare U": "Let $r(u) \\sim U(0, 1)$.",
    "bare U brackets": "Let $r(u) \\sim U[0, 1]$.",
    "unif brackets": "Let $r(u) \\sim \\mathrm{Unif}[0,1]$.",
    "chi square": "Let $r(u) \\sim \\chi^2_1$.",
    "student t": "Let $r(u) \\sim t_1$.",
    "bernoulli short": "Let $r(u) \\sim Ber(0.5)$.",
    "japanese": "$r(u) \\sim U(0, 1)$ とする。",
}


@pytest.mark.parametrize("prose", UNREAD_LAWS.values(), ids=list(UNREAD_LAWS))
def test_a_named_law_not_read_leaves_its_mean_undecided(prose):
    found = verdicts(prose + "\n\n$$\n\\mathbb{E}_{r(u)}[u] = \\frac{1}{2}\n$$\n")
    assert [v for v, _ in found] == [UNDECIDED], found


def test_a_gaussian_law_still_refutes_a_wrong_mean():
    found = verdicts("Let $r(u) \\sim N(0, 1)$.\n\n$$\n\\mathbb{E}_{r(u)}[u] = \\frac{1}{2}\n$$\n")
    assert [v for v, _ in found] == [REFUTED], found


WITHHELD_OR_OTHERS = {
    "japanese without the assumption": "$\\sigma > 0$ の仮定なしで:",
    "japanese removing the assumption": "$\\sigma > 0$ の仮定を外すと:",
    "japanese without the condition": "$\\sigma > 0$ という条件なしに:",
    "japanese excluding": "$\\sigma > 0$ の仮定を除いて考える。",
    "english common": "It is common to assume $\\sigma > 0$.",
    "english customary": "It is customary to take $\\sigma > 0$.",
    "english papers": "Most papers take $\\sigma > 0$.",
    "japanese literature": "多くの文献では $\\sigma > 0$ とする。",
    "japanese some papers": "$\\sigma > 0$ と仮定する論文もある。",
    "japanese original paper": "元論文では $\\sigma > 0$ とする。",
    "japanese textbook": "教科書では $\\sigma > 0$ とすることが多い。",
}
OWN_DECLARATIONS = {
    "english let": "Let $\\sigma > 0$.",
    "japanese plain": "$\\sigma > 0$ とする。",
    "japanese this paper": "本論文では $\\sigma > 0$ とする。",
}


@pytest.mark.parametrize("prose", WITHHELD_OR_OTHERS.values(), ids=list(WITHHELD_OR_OTHERS))
def test_a_withheld_or_reported_sign_declares_nothing(prose):
    found = verdicts(prose + "\n\n" + SQRT_OF_SQUARE)
    assert [v for v, _ in found] != [PROVED], found


@pytest.mark.parametrize("prose", OWN_DECLARATIONS.values(), ids=list(OWN_DECLARATIONS))
def test_the_documents_own_sign_declares(prose):
    found = verdicts(prose + "\n\n" + SQRT_OF_SQUARE)
    assert [v for v, _ in found] == [PROVED], found


NONEXISTENT_EXPECTATIONS = {
    "jensen on a pole": "\\mathbb{E}_{p(x)}\\left[\\frac{1}{x - 5}\\right] \\geq \\frac{1}{\\mathbb{E}_{p(x)}[x - 5]}",
    "pole at the mean": "\\mathbb{E}_{p(x)}\\left[\\frac{1}{x}\\right] = 1",
    "shifted pole": "\\mathbb{E}_{p(x)}\\left[\\frac{2}{x - 1}\\right] \\leq -3",
}


@pytest.mark.parametrize("formula", NONEXISTENT_EXPECTATIONS.values(), ids=list(NONEXISTENT_EXPECTATIONS))
def test_a_step_on_an_expectation_that_does_not_exist_is_not_refuted_by_its_quadrature(formula):
    found = verdicts("Let $p(x) \\sim N(0, 1)$.\n\n$$\n" + formula + "\n$$\n")
    assert [v for v, _ in found] == [UNDECIDED] and "may not exist" in found[0][1], found


def test_an_expectation_without_a_pole_is_still_refuted():
    found = verdicts("Let $p(x) \\sim N(0, 1)$.\n\n$$\n\\mathbb{E}_{p(x)}\\left[\\frac{1}{x^2 + 1}\\right] \\geq 1\n$$\n")
    assert [v for v, _ in found] == [REFUTED], found
