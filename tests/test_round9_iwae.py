"""Round 9, IWAE: the samples written as a set, ``\\mathbb{E}_{\\{z_k\\}_{k=1}^K \\sim q(z|x)}``, are the samples
z_1..z_K of the importance weights, read as ``z_1, \\ldots, z_K`` is. The reference: the IWAE bound L_K ≤ log p(x)
(Burda et al. 2016, Theorem 1) and the unbiasedness E[(1/K) Σ w_k] = p(x) are true, their reversals are false."""
from __future__ import annotations

import pytest

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import HOLDS, PROVED, REFUTED

WEIGHTS = "Let the importance weights be\n\n$$w_k := \\frac{p(x, z_k)}{q(z_k|x)}.$$\n\n"
BOUND = r"\left[\log \frac{1}{K}\sum_{k=1}^K w_k\right]"
MEAN = r"\left[\frac{1}{K}\sum_{k=1}^K w_k\right]"


def verdict(formula: str) -> str:
    steps = audit_document(parse_document("doc.md", WEIGHTS + f"$${formula}$$\n")).steps
    return [step.verdict for step in steps if step.relation and step.relation != ":="][-1]


@pytest.mark.parametrize("subscript", [r"\{z_k\}_{k=1}^K\sim q(z|x)", r"\{z_k\}_{k=1}^{K} \sim q(z|x)",
                                       r"\{z_j\}_{j=1}^K\sim q(z|x)"])
def test_the_iwae_bound_over_a_sample_set_passes(subscript):
    assert verdict(rf"\mathbb{{E}}_{{{subscript}}}{BOUND} \le \log p(x)") in (PROVED, HOLDS)


@pytest.mark.parametrize("subscript", [r"\{z_k\}_{k=1}^K\sim q(z|x)", r"\{z_j\}_{j=1}^{K}\sim q(z|x)"])
def test_the_reversed_iwae_bound_over_a_sample_set_is_refuted(subscript):
    assert verdict(rf"\mathbb{{E}}_{{{subscript}}}{BOUND} \ge \log p(x)") == REFUTED


def test_the_mean_weight_over_a_sample_set_is_the_evidence():
    assert verdict(rf"\mathbb{{E}}_{{\{{z_k\}}_{{k=1}}^K\sim q(z|x)}}{MEAN} = p(x)") == PROVED


def test_twice_the_evidence_is_refuted():
    assert verdict(rf"\mathbb{{E}}_{{\{{z_k\}}_{{k=1}}^K\sim q(z|x)}}{MEAN} = 2 p(x)") == REFUTED


def test_a_sample_set_from_the_prior_is_not_the_encoder_of_the_weights():
    assert verdict(rf"\mathbb{{E}}_{{\{{z_k\}}_{{k=1}}^K\sim p(z)}}{MEAN} = p(x)") not in (PROVED, HOLDS)


def test_a_sample_set_not_from_one_is_not_read():
    assert verdict(rf"\mathbb{{E}}_{{\{{z_k\}}_{{k=2}}^K\sim q(z|x)}}{MEAN} = p(x)") == "unparsed"


# --- the weights written out as the ratio p(x, z_k)/q(z_k|x) inside the expectation, declared or not

RATIO = r"\frac{p(x, z_k)}{q(z_k|x)}"
RATIO_BOUND = rf"\left[\log \frac{{1}}{{K}}\sum_{{k=1}}^K {RATIO}\right]"
RATIO_MEAN = rf"\left[\frac{{1}}{{K}}\sum_{{k=1}}^K {RATIO}\right]"
SAMPLES = r"z_1, \ldots, z_K \sim q(z|x)"


def verdict_of(text: str) -> str:
    steps = audit_document(parse_document("doc.md", text)).steps
    return [step.verdict for step in steps if step.relation and step.relation != ":="][-1]


@pytest.mark.parametrize("before", [pytest.param(WEIGHTS, id="weights-declared"),
                                    pytest.param("The IWAE bound with $K$ samples:\n\n", id="no-weights-declared")])
@pytest.mark.parametrize("claim, passes", [
    pytest.param(rf"\mathbb{{E}}_{{{SAMPLES}}}{RATIO_BOUND} \le \log p(x)", True, id="iwae-bound"),
    pytest.param(rf"\mathbb{{E}}_{{{SAMPLES}}}{RATIO_BOUND} \ge \log p(x)", False, id="reversed-bound"),
    pytest.param(rf"\mathbb{{E}}_{{{SAMPLES}}}{RATIO_MEAN} = p(x)", True, id="unbiased-mean"),
    pytest.param(rf"\mathbb{{E}}_{{{SAMPLES}}}{RATIO_MEAN} = \frac{{1}}{{2}} p(x)", False, id="half-the-evidence"),
    pytest.param(rf"\mathbb{{E}}_{{\{{z_k\}}_{{k=1}}^K \sim q(z|x)}}{RATIO_MEAN} = 2 p(x)", False, id="set-twice"),
])
def test_a_bound_written_with_the_ratio_is_checked_as_with_the_weights(before, claim, passes):
    found = verdict_of(before + f"$${claim}$$\n")
    assert (found in (PROVED, HOLDS)) if passes else (found == REFUTED), found


@pytest.mark.parametrize("ratio", [pytest.param(r"\frac{p(z_k)}{q(z_k|x)}", id="prior-over-encoder"),
                                   pytest.param(r"\frac{p(x, z_k)}{q(z_k)}", id="unconditional-encoder"),
                                   pytest.param(r"\frac{p_\theta(x, z_k)}{q(z_k|x)}", id="labelled-joint")])
def test_another_ratio_is_not_read_as_the_weights(ratio):
    claim = rf"\mathbb{{E}}_{{{SAMPLES}}}\left[\frac{{1}}{{K}}\sum_{{k=1}}^K {ratio}\right] = p(x)"
    assert verdict_of(f"The bound:\n\n$${claim}$$\n") not in (PROVED, HOLDS)


def test_a_document_with_its_own_w_gets_no_implicit_weights():
    claim = rf"\mathbb{{E}}_{{{SAMPLES}}}{RATIO_MEAN} = p(x) + w - w"
    assert verdict_of(f"Let $w$ be a weight.\n\n$${claim}$$\n") not in (PROVED, HOLDS)


PROSE_WEIGHTS = [
    pytest.param("Let $$w_k := \\frac{p(x, z_k)}{q(z_k|x)}$$ be the importance weights.\n\n", id="kramdown-inline"),
    pytest.param("Define the weights $w_k = \\frac{p(x, z_k)}{q(z_k \\mid x)}$.\n\n", id="dollar-inline-mid"),
    pytest.param("重要度重みを $w_k := \\frac{p(x, z_k)}{q(z_k|x)}$ とする。\n\n", id="ja-inline"),
]
MEAN_OF_W = r"\left[\frac{1}{K}\sum_{k=1}^K w_k\right]"


@pytest.mark.parametrize("prose", PROSE_WEIGHTS)
def test_weights_defined_in_the_prose_make_the_mean_weight_the_evidence(prose):
    assert verdict_of(prose + rf"$$\mathbb{{E}}_{{{SAMPLES}}}{MEAN_OF_W} = p(x)$$" + "\n") == PROVED


@pytest.mark.parametrize("prose", PROSE_WEIGHTS)
def test_weights_defined_in_the_prose_refute_twice_the_evidence(prose):
    assert verdict_of(prose + rf"$$\mathbb{{E}}_{{{SAMPLES}}}{MEAN_OF_W} = 2 p(x)$$" + "\n") == REFUTED


def test_weights_only_supposed_in_the_prose_are_not_declared():
    prose = "If $w_k := \\frac{p(x, z_k)}{q(z_k|x)}$ were the weights, then\n\n"
    assert verdict_of(prose + rf"$$\mathbb{{E}}_{{{SAMPLES}}}{MEAN_OF_W} = p(x)$$" + "\n") not in (PROVED, HOLDS)


# --- the IWAE bound L_K ≤ log p(x) is proved by Jensen: log E[(1/K) Σ w_k] = log p(x) and log is concave

@pytest.mark.parametrize("text", [
    pytest.param(WEIGHTS + rf"$$\mathbb{{E}}_{{{SAMPLES}}}{BOUND} \le \log p(x)$$" + "\n", id="declared-weights"),
    pytest.param(WEIGHTS + rf"$$\mathbb{{E}}_{{\{{z_k\}}_{{k=1}}^K\sim q(z|x)}}{BOUND} \le \log p(x)$$" + "\n",
                 id="sample-set"),
    pytest.param(rf"$$\mathbb{{E}}_{{{SAMPLES}}}{RATIO_BOUND} \le \log p(x)$$" + "\n", id="ratio-written-out"),
    pytest.param(rf"$$\log p(x) \ge \mathbb{{E}}_{{{SAMPLES}}}{RATIO_BOUND}$$" + "\n", id="reversed-sides"),
])
def test_the_iwae_bound_is_proved(text):
    assert verdict_of(text) == PROVED


@pytest.mark.parametrize("claim", [
    pytest.param(rf"\mathbb{{E}}_{{{SAMPLES}}}\left[\log \sum_{{k=1}}^K {RATIO}\right] \le \log p(x)", id="no-one-over-K"),
    pytest.param(rf"\mathbb{{E}}_{{{SAMPLES}}}{RATIO_BOUND} \le \log p(x) - 1", id="minus-one"),
])
def test_a_wrong_iwae_bound_is_refuted(claim):
    assert verdict_of(f"$${claim}$$\n") == REFUTED
