"""Relation composition and chain structure."""
import pytest
import sympy as sp

from mathcheck.calc import RELATIONS, ChainError, calc, compose
from mathcheck.vocab import mu, sigma

UP, DOWN = {">=", ">"}, {"<=", "<"}


@pytest.mark.parametrize("relation", RELATIONS)
def test_equality_is_neutral_for_composition(relation):
    assert compose("=", relation) == relation
    assert compose(relation, "=") == relation


@pytest.mark.parametrize("first, second", [(a, b) for a in UP for b in DOWN] + [(a, b) for a in DOWN for b in UP])
def test_opposite_inequalities_do_not_compose(first, second):
    with pytest.raises(ChainError, match="opposite directions"):
        compose(first, second)


@pytest.mark.parametrize("first, second, expected", [
    (">=", ">=", ">="), (">=", ">", ">"), (">", ">=", ">"), (">", ">", ">"),
    ("<=", "<=", "<="), ("<=", "<", "<"), ("<", "<=", "<"), ("<", "<", "<"),
])
def test_a_strict_step_makes_the_composition_strict(first, second, expected):
    assert compose(first, second) == expected


def test_unknown_relation_is_an_error():
    with pytest.raises(ChainError, match="unknown relation"):
        compose("=", "~")


def test_chain_conclusion_composes_every_step():
    chain = calc(mu**2 + sigma, ("=", sigma + mu**2, "commutativity"), (">=", sigma, "μ² ≥ 0"),
                 (">", 0, "σ > 0"), name="c", title="t", source="s")
    assert chain.conclusion_relation() == ">"
    assert chain.conclusion() == "mu**2 + sigma > 0"


def test_chain_with_mixed_directions_is_rejected_when_built():
    with pytest.raises(ChainError):
        calc(sigma, (">=", 0, "a"), ("<=", 1, "b"), name="c", title="t", source="s")


def test_render_shows_every_justification_and_latex_has_aligned_block():
    chain = calc(sp.log(sigma**2), ("=", 2 * sp.log(sigma), "log of a power"), name="c", title="t", source="s")
    text, latex = chain.render(), chain.render(latex=True)
    assert "log of a power" in text and "conclusion:" in text
    assert "\\begin{aligned}" in latex and "\\text{log of a power}" in latex
