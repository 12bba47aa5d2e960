"""A document that speaks of the base of its logarithms in any wording ("base-2 logarithms", "all logs are
binary", "in bits", ``\\log \\equiv \\log_2``) never has its ``\\log`` steps checked with the natural
logarithm: they are undecided with the reason. A document that says nothing of a base, or says "natural", is
checked as before."""
import pytest

from tests.audit_steps import verdict
from mathcheck.report import PROVED, REFUTED

UNDECIDED = "undecided"
NATURAL_ONLY = "e^{\\log 3} = 3"  # true for the natural logarithm only: e^{log_2 3} = 4.88


@pytest.mark.parametrize("prose", [
    "We use base-2 logarithms throughout.",
    "We use base-2 logarithms instead.",
    "We use log base 2 instead of e only for the plots.",  # which logarithms: not told, so not checked
    "All logarithms are binary.",
    "All logs below are binary.",
    "We measure information in bits, i.e. $\\log \\equiv \\log_2$.",
    "Here $\\log$ is the binary logarithm.",
    "In this note $\\log x$ means $\\log_2 x$.",
    "Unless stated otherwise, logs are base two.",
    "Logarithms are decimal (common logarithms).",
    "The entropy is measured in bits.",
    "All divergences are measured in bits.",
    "対数の底を2とする。",
    "エントロピーはビットで測る。",
    "本稿では $\\log$ は2を底とする対数とする。",
    "以下、対数は常用対数とする。",
    "$\\log$ は底 $2$ の対数を表す。",
])
def test_a_stated_log_base_makes_natural_log_steps_undecided(prose):
    found = verdict(prose, NATURAL_ONLY)
    assert found[0] == UNDECIDED and "log" in found[1], found


@pytest.mark.parametrize("prose", ["The natural logarithm is used throughout.", "Let $x > 0$ and $y = \\log x$.", "",
                                   "Cross-entropy in bits against a divergence in nats:"])
def test_no_base_stated_keeps_the_natural_logarithm(prose):
    assert verdict(prose, NATURAL_ONLY)[0] == PROVED
    assert verdict(prose, "e^{\\log 3} = 4")[0] == REFUTED


def test_a_divergence_in_bits_is_not_checked_in_nats():
    prose = "Let $q(z) = \\mathcal{N}(z; 1, 1)$ and $p(z) = \\mathcal{N}(z; 0, 1)$. All divergences are measured in bits."
    found = verdict(prose, "D_{KL}(q(z) \\| p(z)) = \\frac{1}{2}")  # 1/(2 ln 2) bits
    assert found[0] == UNDECIDED, found
