"""Round 13: a diagonal Gaussian encoder as blogs and course notes write it.

- "Let $\\sigma$ be the standard deviation": σ > 0 (a Gaussian density's standard deviation), so log σ is defined;
  "$\\boldsymbol{\\sigma} > 0$" of a declared vector: each component is positive.
- "$q(\\mathbf{z}) = \\mathcal{N}(\\boldsymbol{\\mu}, \\mathrm{diag}(\\boldsymbol{\\sigma}^2))$" states a density: each
  σ_j is a nonzero real (as σ of a declared N(μ, σ²) is), so the closed-form KL reads and is proved, and its
  mutants are refuted.
- "in $J$ dimensions", "a $J$-dimensional latent space", "has dimension $J$": the vectors have size J.
- A counterexample in a matrix world is one: a component read positive in one place and real in another is one
  component, drawn once (J = d = 1 gave a "counterexample" where both sides agree).

Reference: the same steps with the sign or the size written as a formula (σ > 0, z ∈ ℝ^J), which the reader
has always read; mutants must not pass."""
from __future__ import annotations

import re

import pytest

from mathcheck.report import HOLDS, PROVED, REFUTED
from tests.audit_steps import verdicts

PASSING = (PROVED, HOLDS)
LOGS = "$$\n\\log \\sigma^2 = 2 \\log \\sigma\n$$\n"
COMPONENT_LOGS = "$$\n\\sum_{j=1}^{d} \\log \\sigma_j^2 = 2 \\sum_{j=1}^{d} \\log \\sigma_j\n$$\n"
ENCODER = ("Let $q(\\mathbf{z}) = \\mathcal{N}(\\boldsymbol{\\mu}, \\operatorname{diag}(\\boldsymbol{\\sigma}^2))$ and "
           "$p(\\mathbf{z}) = \\mathcal{N}(\\mathbf{0}, \\mathbf{I})$")
KL = "D_{\\mathrm{KL}}(q(\\mathbf{z}) \\,\\|\\, p(\\mathbf{z}))"


def _verdicts(text: str) -> list[str]:
    return [verdict for verdict, _ in verdicts(text)]


def _kl_step(size: str, summand: str) -> str:
    return f"$$\n{KL} = -\\frac{{1}}{{2}} \\sum_{{j=1}}^{{{size}}} \\left( {summand} \\right)\n$$\n"


CLOSED_FORM = "1 + \\log \\sigma_j^2 - \\mu_j^2 - \\sigma_j^2"


@pytest.mark.parametrize("declaration", [
    "Let $\\sigma$ be the standard deviation of $q$.",
    "Here $\\sigma$ denotes the posterior standard deviation.",
    "$\\sigma$ is the standard deviation.",
])
def test_a_name_called_a_standard_deviation_is_positive_as_if_declared_so(declaration):
    assert _verdicts(f"{declaration}\n\n{LOGS}") == _verdicts(f"Let $\\sigma > 0$.\n\n{LOGS}") == [PROVED]


@pytest.mark.parametrize("declaration", [
    "Let $\\sigma$ be a real number.",
    "Is $\\sigma$ the standard deviation?",
    "$\\sigma$ is not the standard deviation.",
])
def test_a_name_not_called_a_standard_deviation_gets_no_sign(declaration):
    assert _verdicts(f"{declaration}\n\n{LOGS}")[0] not in PASSING


@pytest.mark.parametrize("declaration", [
    "Let $\\boldsymbol{\\sigma} \\in \\mathbb{R}^d$ with $\\boldsymbol{\\sigma} > 0$.",
    "Let $\\boldsymbol{\\sigma} \\in \\mathbb{R}^d$ be the standard deviations.",
    "Let $\\sigma_1, \\dots, \\sigma_d > 0$.",
])
def test_a_positive_vector_has_positive_components(declaration):
    assert _verdicts(f"{declaration}\n\n{COMPONENT_LOGS}") == [PROVED]


def test_a_real_vector_has_components_of_no_sign():
    assert _verdicts(f"Let $\\boldsymbol{{\\sigma}} \\in \\mathbb{{R}}^d$.\n\n{COMPONENT_LOGS}")[0] not in PASSING


def test_the_diagonal_gaussian_kl_of_a_declared_encoder_is_proved_without_a_stated_sign():
    assert _verdicts(f"{ENCODER}.\n\n{_kl_step('d', CLOSED_FORM)}") == [PROVED]


@pytest.mark.parametrize("mutant", [
    "\\log \\sigma_j^2 - \\mu_j^2 - \\sigma_j^2",  # the −d dropped
    "1 + \\log \\sigma_j^2 + \\mu_j^2 - \\sigma_j^2",  # the sign of μ²
    "1 + \\log \\sigma_j^2 - \\mu_j^2 - \\sigma_j",  # σ for σ²
    "1 + 2\\log \\sigma_j^2 - \\mu_j^2 - \\sigma_j^2",  # the log det doubled
])
def test_a_mutant_of_the_diagonal_gaussian_kl_is_refuted(mutant):
    assert _verdicts(f"{ENCODER}.\n\n{_kl_step('d', mutant)}") == [REFUTED]


@pytest.mark.parametrize("phrase", [
    "in $J$ dimensions",
    "a $J$-dimensional latent space",
    "where the latent space has dimension $J$",
    "of dimension $J$",
])
def test_a_dimension_stated_in_words_sizes_the_vectors(phrase):
    stated = _verdicts(f"{ENCODER}, {phrase}.\n\n{_kl_step('J', CLOSED_FORM)}")
    written = _verdicts(f"{ENCODER}, with $\\mathbf{{z}} \\in \\mathbb{{R}}^J$.\n\n{_kl_step('J', CLOSED_FORM)}")
    assert stated == written == [PROVED]


@pytest.mark.parametrize("phrase", ["if the dimension were $J$", "but not in $J$ dimensions"])
def test_a_dimension_not_stated_does_not_size_the_vectors(phrase):
    assert _verdicts(f"{ENCODER}, {phrase}.\n\n{_kl_step('J', CLOSED_FORM)}")[0] not in PASSING


def test_a_sum_to_another_size_is_refuted_at_sizes_that_differ():
    ((verdict, reason),) = verdicts(f"{ENCODER}.\n\n{_kl_step('J', CLOSED_FORM)}")
    assert verdict == REFUTED, reason
    sizes = dict(re.findall(r"\b([Jd]) = (\d+)\b", reason))
    assert set(sizes) == {"J", "d"} and sizes["J"] != sizes["d"], reason
