"""A Gaussian whose prose calls its second parameter a standard deviation (torch's Normal(loc, scale)) is never
read as N(mean, variance): its declaration is refused and later N(mean, s) formulas are unparsed, so no step
is checked with s as a variance. Written as N(mean, σ²) with σ the standard deviation, it is read as usual."""
import pytest

from tests.audit_steps import verdict, verdicts, document
from mathcheck.report import PROVED, REFUTED

PASSING = (PROVED, "holds")


@pytest.mark.parametrize("prose", [
    "Let $q(z|x) = \\mathcal{N}(z; \\mu, s)$, where $s > 0$ is the standard deviation of the encoder.",
    "We write $\\mathcal{N}(\\mu, s)$ for the normal law with mean $\\mu$ and standard deviation $s$. "
    "Let $q(z|x) = \\mathcal{N}(z; \\mu, s)$ with $s > 0$.",
    "Let $q(z|x) = \\mathcal{N}(z; \\mu, s)$ with scale $s > 0$, as in torch.",
    "エンコーダを $q(z|x) = \\mathcal{N}(z; \\mu, s)$ とする。ここで $s > 0$ は標準偏差である。",
])
def test_a_standard_deviation_is_never_read_as_a_variance(prose):
    for claim in ("\\mathbb{E}_{q(z|x)}[(z - \\mu)^2] = s", "\\mathbb{E}_{q(z|x)}[(z - \\mu)^2] = s^2"):
        assert all(found[0] not in PASSING + (REFUTED,) for found in verdicts(document(prose, claim))), claim


def test_a_display_gaussian_after_the_convention_is_unparsed():
    prose = "We write $\\mathcal{N}(\\mu, s)$ for the normal law with mean $\\mu$ and standard deviation $s$."
    found = verdict(prose, "\\mathbb{E}_{z \\sim \\mathcal{N}(\\mu, s)}[z^2] = \\mu^2 + s")
    assert found[0] == "unparsed" and "standard deviation" in found[1], found


def test_a_variance_written_as_a_square_of_the_standard_deviation_is_read():
    prose = "Let $q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$, where $\\sigma > 0$ is the standard deviation."
    assert verdict(prose, "\\mathbb{E}_{q(z|x)}[(z - \\mu)^2] = \\sigma^2")[0] == PROVED
    assert verdict(prose, "\\mathbb{E}_{q(z|x)}[(z - \\mu)^2] = \\sigma")[0] == REFUTED


def test_a_bare_label_with_two_declared_densities_of_its_letter_is_ambiguous():
    prose = ("Let $q(z|x) = \\mathcal{N}(z; \\mu, \\sigma^2)$ with $\\sigma > 0$. "
             "Let $q(z) = \\mathcal{N}(z; 0, 1)$.")
    for claim in ("\\mathbb{E}_{q}[z] = 0", "\\mathbb{E}_{q}[z] = \\mu"):
        found = verdict(prose, claim)
        assert found[0] == "unparsed" and "which one" in found[1], found
    assert verdict(prose, "\\mathbb{E}_{q(z)}[z] = 0")[0] == PROVED
