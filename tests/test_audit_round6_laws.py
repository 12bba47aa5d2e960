"""Round 6, laws: a bare E_q beside a declared q(z|x) is ambiguous once the document writes q of another
conditioning anywhere (D2); a later sentence that changes a law or a curvature, and is not read as the new
declaration, leaves the old one unusable (D3); a law the reader refuses makes a density of any letter (g, h, P,
Q, π) undecided, the steps that do not use it unaffected (FA3); a hedged law ("typically"), an example ("e.g.",
例えば) and two laws for one density in one sentence declare nothing usable."""
from __future__ import annotations

import pytest

from tests.audit_steps import document, verdicts
from mathcheck.audit.check import UNPARSED
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

PASSING = (PROVED, HOLDS)
ENCODER = "Let $q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$."
BARE_MEAN = "\\mathbb{E}_q[z] = \\mu"
JENSEN = "f\\left(\\mathbb{E}_{p(x)}[x]\\right) \\le \\mathbb{E}_{p(x)}[f(x)]"
PRIOR_MOMENT = "\\mathbb{E}_{p(z)}[z^2] = 1"  # true under the first prior N(0, 1) only


def all_verdicts(prose: str, *formulas: str) -> list[tuple[str, str]]:
    return verdicts(document(prose, *formulas))


def last(prose: str, *formulas: str) -> tuple[str, str]:
    return all_verdicts(prose, *formulas)[-1]


# ---------------------------------------------------------------- D2: a bare E_q with q of two conditionings

OTHER_CONDITIONING = [
    (ENCODER + " Let $q(z) = \\int q(z|x) p(x)\\,dx$ be the aggregate posterior.", ()),
    (ENCODER + " The marginal $q(z)$ is the aggregate posterior.", ()),
    (ENCODER, ("q(z) = \\mathbb{E}_{p(x)}[q(z|x)]",)),
    ("$q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ とする。周辺分布 $q(z)$ を考える。", ()),
    (ENCODER + " The marginal $q(z)$ is the aggregate posterior.", ("\\int q(z|x) \\, dz = 1",)),
]


@pytest.mark.parametrize("prose, before", OTHER_CONDITIONING)
def test_a_bare_expectation_beside_another_conditioning_is_unparsed(prose, before):
    found = last(prose, *before, BARE_MEAN)
    assert found[0] == UNPARSED and "which one is meant" in found[1], found


def test_a_bare_expectation_before_a_later_other_conditioning_is_unparsed():
    found = all_verdicts(ENCODER, BARE_MEAN, "q(z) = \\mathbb{E}_{p(x)}[q(z|x)]")[0]
    assert found[0] == UNPARSED, found


def test_a_bare_expectation_with_a_marginal_in_a_footnote_is_unparsed():
    from mathcheck.audit.check import audit_document
    from mathcheck.audit.document import parse_document
    text = ("\\documentclass{article}\\begin{document}\n" + ENCODER[:-1] + ".\\footnote{The marginal $q(z)$ is not "
            "Gaussian.}\n\\begin{equation} " + BARE_MEAN + " \\end{equation}\n\\end{document}\n")
    steps = audit_document(parse_document("doc.tex", text)).steps
    assert steps[0].verdict == UNPARSED, steps[0].reason


@pytest.mark.parametrize("prose", [ENCODER, ENCODER + " We draw $z_1 \\sim q(z_1|x)$."])
def test_a_bare_expectation_of_the_one_declared_conditional_is_proved(prose):
    assert last(prose, BARE_MEAN)[0] == PROVED


def test_a_declared_unconditional_density_still_names_a_bare_letter():
    assert last("Let $p(z) = \\mathcal{N}(0, 1)$.", "\\mathbb{E}_p[z^2] = 1")[0] == PROVED


# ---------------------------------------------------------------- D3: a law or a curvature changed later

CHANGED_PRIORS = [
    "We now switch to the prior $p(z) = \\mathcal{N}(0, 4)$.",
    "Suppose instead that $p(z) = \\mathcal{N}(1, 1)$.",
    "The prior $p(z)$ becomes $\\mathcal{N}(0, 4)$.",
    "We now take $\\mathcal{N}(0, 4)$ as the prior $p(z)$.",
    "From here on, $p(z)$ is replaced by $\\mathcal{N}(0, 4)$.",
    "We change the prior to $\\mathcal{N}(0, 4)$.",
    "Let the prior $p(z)$ now have variance $4$.",
]
CHANGED_PRIORS_JA = ["以降 $p(z) = \\mathcal{N}(0, 4)$ を用いる。", "事前分布を $\\mathcal{N}(0, 4)$ に変更する。",
                     "ここで事前分布 $p(z)$ を $\\mathcal{N}(0, 4)$ に置き換える。"]


@pytest.mark.parametrize("change", CHANGED_PRIORS)
def test_a_changed_prior_is_not_kept(change):
    found = last("Let $p(z) = \\mathcal{N}(0, 1)$. " + change, PRIOR_MOMENT)
    assert found[0] not in PASSING, found


@pytest.mark.parametrize("change", CHANGED_PRIORS_JA)
def test_a_changed_prior_is_not_kept_in_japanese(change):
    found = last("$p(z) = \\mathcal{N}(0, 1)$ とする。" + change, PRIOR_MOMENT)
    assert found[0] not in PASSING, found


def test_a_changed_prior_the_reader_cannot_read_leaves_the_step_undecided_with_the_sentence():
    found = last("Let $p(z) = \\mathcal{N}(0, 1)$. The prior $p(z)$ becomes $\\mathcal{N}(0, 4)$.", PRIOR_MOMENT)
    assert found[0] == UNDECIDED and "changes what the prose declared before" in found[1], found


def test_a_changed_law_of_a_variable_is_not_kept():
    found = last("Let $\\epsilon \\sim \\mathcal{N}(0, 1)$. From now on $\\epsilon$ has variance $4$.",
                 "\\mathbb{E}_{p(\\epsilon)}[\\epsilon^2] = 1")
    assert found[0] not in PASSING, found


@pytest.mark.parametrize("prose", ["Let $p(z) = \\mathcal{N}(0, 1)$. We now compute $\\mathbb{E}_{p(z)}[z^2]$.",
                                   "Let $p(z) = \\mathcal{N}(0, 1)$. The prior $p(z)$ is fixed.",
                                   "Let $p(z) = \\mathcal{N}(0, 2)$. Let $p(z) = \\mathcal{N}(0, 1)$."])
def test_a_law_mentioned_again_without_a_change_still_holds(prose):
    assert last(prose, PRIOR_MOMENT)[0] == PROVED


def test_a_change_followed_by_a_new_declaration_takes_the_new_one():
    prose = "Let $p(z) = \\mathcal{N}(0, 2)$. We change the prior. Let $p(z) = \\mathcal{N}(0, 1)$."
    assert last(prose, PRIOR_MOMENT)[0] == PROVED


WITHDRAWN_CURVATURES = [
    "From now on $f$ is an arbitrary smooth function.", "Now $f$ is an arbitrary function.",
    "We now drop the convexity of $f$.", "Next, let $f$ be any smooth function.",
    "Suppose instead that $f$ is concave.", "Now let $f$ be concave instead.", "From now on $f$ is concave.",
]


@pytest.mark.parametrize("change", WITHDRAWN_CURVATURES)
def test_a_withdrawn_or_changed_curvature_proves_no_jensen_step(change):
    found = last("Let $f$ be convex. " + change, JENSEN)
    assert found[0] not in PASSING, found


@pytest.mark.parametrize("prose", ["$f$ は凸とする。以降 $f$ は任意の滑らかな関数とする。",
                                   "$f$ は凸とする。ここで $f$ の凸性の仮定を外す。",
                                   "$f$ は凸とする。以降は $f$ は上に凸とする。"])
def test_a_withdrawn_curvature_proves_no_jensen_step_in_japanese(prose):
    assert last(prose, JENSEN)[0] not in PASSING


@pytest.mark.parametrize("change", ["Suppose instead that $f$ is concave.", "We now drop the convexity of $f$."])
def test_a_withdrawn_curvature_leaves_the_step_undecided_with_the_sentence(change):
    found = last("Let $f$ be convex. " + change, JENSEN)
    assert found[0] == UNDECIDED and "changes what the prose declared before" in found[1], found


def test_a_curvature_declared_anew_from_now_on_applies():
    found = last("Let $f$ be convex. From now on $f$ is concave.", JENSEN)
    assert found[0] == REFUTED and "f concave as the prose declares" in found[1], found


@pytest.mark.parametrize("again", ["Let $f$ be convex and smooth.", "Here $f$ is twice differentiable.",
                                   "Applying Jensen to $f$ gives the bound.", "For any $t$, $f(t) \\ge 0$."])
def test_a_curvature_mentioned_again_without_a_change_still_proves_jensen(again):
    assert last("Let $f$ be convex. " + again, JENSEN)[0] == PROVED


# ---------------------------------------------------------------- FA3: a refused law of any density letter

@pytest.mark.parametrize("letter", ["g", "h", "P", "Q", "\\pi", "r"])
def test_a_refused_unconditional_law_of_any_letter_leaves_its_steps_undecided(letter):
    found = all_verdicts(f"Let ${letter}(z) = \\mathrm{{Cauchy}}(z; 0, 1)$.", f"\\mathbb{{E}}_{{{letter}(z)}}[z] = 1",
                         f"\\int {letter}(z) \\, dz = 1")
    assert [v for v, _ in found] == [UNDECIDED, UNDECIDED], found
    assert all("states a law mathcheck does not read" in reason for _, reason in found), found


@pytest.mark.parametrize("prose", ["Let $g$ be a density with $g(z) = \\mathrm{Laplace}(z; 0, 1)$.",
                                   "$g(z) = \\mathrm{Laplace}(z; 0, 1)$ とする。",
                                   "Let $g(z) \\sim \\mathrm{Laplace}(0, 1)$."])
def test_a_refused_law_is_never_refuted_with_another_law(prose):
    assert last(prose, "\\mathbb{E}_{g(z)}[z^2] = 2")[0] == UNDECIDED


def test_a_refused_law_leaves_the_steps_about_other_densities_as_they_are():
    prose = "Let the decoder be $g(x|z) = \\mathrm{Bernoulli}(x; \\sigma(z))$ and the prior $p(z) = \\mathcal{N}(0, 1)$."
    found = all_verdicts(prose, PRIOR_MOMENT, "\\mathbb{E}_{p(z)}[z] = 0", "\\log(e^a) = a", "\\int g(x|z) \\, dx = 1")
    assert [v for v, _ in found] == [PROVED, PROVED, PROVED, UNDECIDED], found


def test_a_gaussian_law_of_another_letter_is_declared():
    found = all_verdicts("Let $h(z) = \\mathcal{N}(z; 0, 1)$.", "\\mathbb{E}_{h(z)}[z^2] = 1",
                         "\\mathbb{E}_{h(z)}[z^2] = 2")
    assert [v for v, _ in found] == [PROVED, REFUTED], found


# ---------------------------------------------------------------- hedged, exemplary and doubled laws

@pytest.mark.parametrize("prose", ["Typically $p(z) = \\mathcal{N}(0, 4)$.", "The prior is usually $p(z) = \\mathcal{N}(0, 4)$.",
                                   "A common choice is $p(z) = \\mathcal{N}(0, 4)$.",
                                   "In practice one often takes $p(z) \\sim \\mathcal{N}(0, 4)$.",
                                   "事前分布には通常 $p(z) = \\mathcal{N}(0, 4)$ を用いる。",
                                   "Let the prior be fixed (e.g. $p(z) = \\mathcal{N}(0, 4)$).",
                                   "例えば $p(z) = \\mathcal{N}(0, 4)$ とする。",
                                   "A prior such as $p(z) = \\mathcal{N}(0, 4)$ is used.",
                                   "事前分布として $p(z) = \\mathcal{N}(0, 4)$ がよく使われる。"])
def test_a_hedged_or_exemplary_law_proves_nothing(prose):
    assert last(prose, "\\mathbb{E}_{p(z)}[z^2] = 4")[0] not in PASSING


@pytest.mark.parametrize("prose", ["Let $p(z) = \\mathcal{N}(0, 1)$ and $p(z) = \\mathcal{N}(0, 4)$.",
                                   "Let $p(z) = \\mathcal{N}(0, 1)$, $p(z) = \\mathcal{N}(0, 4)$.",
                                   "Let $p(z) = \\mathcal{N}(0, 1), p(z) = \\mathcal{N}(0, 4)$."])
def test_two_laws_for_one_density_in_one_sentence_prove_neither(prose):
    found = all_verdicts(prose, "\\mathbb{E}_{p(z)}[z^2] = 4", PRIOR_MOMENT)
    assert all(v not in PASSING for v, _ in found), found


@pytest.mark.parametrize("prose", ["Let $p(z) = \\mathcal{N}(0, 1)$.", "Let the prior be $p(z) = \\mathcal{N}(0, 1)$.",
                                   "$p(z) = \\mathcal{N}(0, 1)$ とする。",
                                   "Let $p(z) = \\mathcal{N}(0, 1)$ and $p(z) = \\mathcal{N}(0, 1)$.",
                                   "Let $q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ for some $\\mu$, and $p(z) = \\mathcal{N}(0, 1)$."])
def test_a_plain_law_is_still_declared(prose):
    assert last(prose, PRIOR_MOMENT)[0] == PROVED


# ---------------------------------------------------------------- a bare E_q beside the q its own formula writes

UNDECLARED_TWO_CONDITIONINGS = [
    ("\\mathbb{E}_{q(z|x)}[\\log p(x|z)] \\le \\log p(x)", "\\mathbb{E}_q[\\log q(z)] = \\mathbb{E}_{q(z)}[\\log q(z)]"),
    ("q(z) = \\mathbb{E}_{p(x)}[q(z|x)]", "\\mathbb{E}_q[z] = \\mathbb{E}_{q(z|x)}[z]"),
]


@pytest.mark.parametrize("before, step", UNDECLARED_TWO_CONDITIONINGS)
def test_bare_expectation_beside_its_own_q_is_unparsed_when_the_document_writes_another_q_of_z(before, step):
    assert last("", before, step)[0] == UNPARSED


def test_bare_expectation_beside_its_own_q_is_read_when_other_qs_are_of_other_variables():
    # q(x) here, q(z|x) elsewhere: the KL decomposition over a generic x (the seed article's own step)
    assert last("", "\\mathbb{E}_{q(z|x)}[z] = \\mathbb{E}_{q(z|x)}[z]",
                "\\mathbb{E}_q[\\log q(x)] = \\mathbb{E}_{q(x)}[\\log q(x)]")[0] in PASSING
