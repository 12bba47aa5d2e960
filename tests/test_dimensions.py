"""Dimensions and sizes: every dimension symbol is its own size in the matrix worlds (m ≠ n is seen), and a size
(the limit of a sum, a declared integer) is one symbol with the same letter outside the sum, on both sides."""
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.calc import Step
from mathcheck.checker import check_step
from mathcheck.dimensions import one_symbol_per_name, size_symbols, two_symbols_one_name
from mathcheck.matrix_numeric import (DIMENSIONS, check_matrix_step, dimension_symbols, draw_world, size_plans,
                                      undistinguished)
from mathcheck.symbolic import prove

m, n, d, K = (sp.Symbol(name, integer=True, positive=True) for name in "mndK")
j = sp.Symbol("j", integer=True, positive=True)
d_real, c = sp.Symbol("d", real=True), sp.Symbol("c", real=True)
A, B = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("B", n, m)

RECTANGULAR = "Let $A$ be a $m \\times n$ matrix. Let $B$ be a $n \\times m$ matrix. $u \\in \\mathbb{R}^m$ and " \
              "$v \\in \\mathbb{R}^n$.\n\n"


def verdicts(text: str) -> list[str]:
    return [step.verdict for step in audit_document(parse_document("doc.md", text)).steps]


def verdict(prose: str, formula: str) -> str:
    found = verdicts(f"{prose}\n\n$${formula}$$\n")
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- F1: the matrix worlds size each dimension


SHAPE_DEPENDENT_FALSE = [
    r"\mathrm{tr}(I_n) = m",
    r"\det(A B) = \det(B A)",
    r"\det(A^T A) = \det(A A^T)",
    r"\mathrm{tr}(I_m) = \mathrm{tr}(I_n)",
    r"\mathrm{tr}(A B) = n",
    r"u^T u = v^T v",
]


@pytest.mark.parametrize("formula", SHAPE_DEPENDENT_FALSE)
def test_claim_true_only_when_m_equals_n_is_refuted(formula):
    assert verdict(RECTANGULAR, formula) == "refuted"


SHAPE_TRUE = [
    r"\mathrm{tr}(A^T A) = \mathrm{tr}(A A^T)",
    r"\det(I_m + A B) = \det(I_n + B A)",
    r"\mathrm{tr}(I_n) = n",
    r"\mathrm{tr}(I_m) = m",
    r"\mathrm{tr}(A B) = \mathrm{tr}(B A)",
    r"(A B)^T = B^T A^T",
    r"u^T A v = v^T A^T u",
]


@pytest.mark.parametrize("formula", SHAPE_TRUE)
def test_true_claim_with_two_dimensions_is_not_refuted(formula):
    assert verdict(RECTANGULAR, formula) in ("proved", "holds")


def test_worlds_of_two_dimensions_include_m_equal_to_n_and_m_apart_from_n():
    plans = size_plans([m, n])
    assert any(sizes[m] == sizes[n] for sizes, _ in plans) and any(sizes[m] != sizes[n] for sizes, _ in plans)


def test_every_pair_of_five_dimensions_differs_in_some_world():
    symbols = [sp.Symbol(name, integer=True, positive=True) for name in "abcpq"]
    plans = size_plans(symbols)
    assert all(any(sizes[s] != sizes[t] for sizes, _ in plans) for s in symbols for t in symbols if s != t)


def test_dimension_sizes_are_drawn_from_the_dimension_set():
    assert {size for sizes, _ in size_plans([m, n]) for size in sizes.values()} <= set(DIMENSIONS)


def test_matrix_drawn_with_the_sizes_of_its_own_dimensions():
    world = draw_world([sp.Trace(A * B)], {m: 2, n: 5}, "well", 0)
    assert np.shape(world.values[A]) == (2, 5) and np.shape(world.values[B]) == (5, 2)


def test_free_dimension_in_the_scalar_part_takes_the_size_of_the_world():
    assert check_matrix_step(sp.Trace(sp.Identity(n)), "=", n).status == "holds"


def test_identities_of_two_dimensions_are_told_apart_numerically():
    assert check_matrix_step(sp.Trace(sp.Identity(n)), "=", sp.Trace(sp.Identity(m))).status == "refuted"


def test_worlds_that_never_separate_two_dimensions_cannot_hold():
    same = [draw_world([sp.Trace(A * B)], {m: k, n: k}, "well", k) for k in DIMENSIONS]
    assert "m ≠ n" in undistinguished([m, n], same)


def test_limit_of_a_sum_is_a_dimension_of_the_step():
    assert dimension_symbols([sp.Sum(sp.IndexedBase("x", real=True)[j], (j, 1, K))]) == [K]


def test_index_of_a_sum_is_not_a_dimension_of_the_step():
    i = sp.Symbol("i", integer=True, positive=True)
    assert i not in dimension_symbols([sp.Sum(sp.Sum(1, (j, 1, i)), (i, 1, K))])


# ---------------------------------------------------------------- F2: one symbol per name within a step


def test_limit_and_letter_outside_the_sum_become_one_symbol():
    lhs, rhs = one_symbol_per_name(sp.Sum(1, (j, 1, d)), d_real)
    assert {str(s) for s in lhs.free_symbols | rhs.free_symbols} == {"d"} and rhs == d


def test_bound_index_keeps_its_symbol():
    j_real = sp.Symbol("j", real=True)
    _, rhs = one_symbol_per_name(sp.Sum(j, (j, 1, d)), j_real)
    assert rhs == j_real


def test_matrix_dimension_is_a_size_symbol():
    assert size_symbols([sp.Trace(A * B)]) == {"m": m, "n": n}


def test_engine_refuses_a_step_with_two_symbols_of_one_name():
    status, detail = check_step(sp.Sum(c, (j, 1, d)), Step("=", d_real * c, "why"))
    assert status == "undecided" and "two different symbols with one name" in detail["reason"]


def test_two_symbols_of_one_name_are_named_with_their_assumptions():
    assert "positive integer and real" in two_symbols_one_name(sp.Sum(1, (j, 1, d)), d_real)


SUMS_TRUE = [
    r"\sum_{k=1}^{K} c = K c",
    r"\sum_{j=1}^{d} 1 = d",
    r"\sum_{j=1}^{d} j = \frac{d(d+1)}{2}",
    r"\sum_{k=1}^{K} 2 = 2K",
    r"\left(\sum_{j=1}^{d} x_j\right)^2 \leq d \sum_{j=1}^{d} x_j^2",
    r"\frac{1}{K}\sum_{k=1}^K p(x) = p(x)",
    r"\frac{1}{d}\sum_{j=1}^{d} 3 = 3",
    r"\sum_{k=0}^{K} 1 = K + 1",
    r"\sum_{k=2}^{K} c = (K - 1) c",
]
PROSE = ["", "Let $d$ be a positive integer and $K$ a positive integer."]


@pytest.mark.parametrize("prose", PROSE)
@pytest.mark.parametrize("formula", SUMS_TRUE)
def test_true_step_with_a_sum_limit_outside_the_sum_is_not_refuted(formula, prose):
    assert verdict(prose, formula) in ("proved", "holds")


SUMS_FALSE = [
    r"\sum_{j=1}^{d} 1 = d + 1",
    r"\sum_{k=1}^{K} c = (K + 1) c",
    r"\sum_{k=3}^{K} 1 = K - 2",
    r"\sum_{j=1}^{d} j = d^2",
    r"\frac{1}{K}\sum_{k=1}^K 2 = K",
]


@pytest.mark.parametrize("formula", SUMS_FALSE)
def test_false_step_with_a_sum_limit_outside_the_sum_is_refuted(formula):
    assert verdict("", formula) == "refuted"


@pytest.mark.parametrize("formula", [r"\sum_{k=1}^{K} c = K c", r"\sum_{j=1}^{d} 1 = d + 1"])
def test_audit_of_a_sum_limit_outside_the_sum_exits_without_internal_error(formula, tmp_path):
    path = tmp_path / "doc.md"
    path.write_text(f"$${formula}$$\n")
    done = subprocess.run([sys.executable, "-m", "mathcheck", "audit", "--no-cache", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr


def test_sum_of_a_constant_over_a_possibly_empty_range_is_not_counted():
    assert not prove(sp.Sum(1, (j, 3, K)), "=", K - 2).proved


# ---------------------------------------------------------------- integers declared in the prose


@pytest.mark.parametrize("prose", ["Let $d$ be a positive integer.", "$d \\in \\mathbb{N}$.",
                                   "$d \\in \\mathbb{Z}_{>0}$.", "For a positive integer $d$, we have"])
def test_declared_positive_integer_is_at_least_one(prose):
    assert verdict(prose, r"\frac{d}{2} \geq \frac{1}{2}") in ("proved", "holds")


@pytest.mark.parametrize("prose", ["", "$d$ is not a positive integer."])
def test_undeclared_letter_is_not_an_integer(prose):
    assert verdict(prose, r"\frac{d}{2} \geq \frac{1}{2}") == "refuted"


def test_declared_nonnegative_limit_makes_the_sum_possibly_empty():
    assert verdict("Let $n$ be a nonnegative integer.", r"\sum_{k=1}^{n} 1 \geq 1") == "refuted"


def test_declared_nonnegative_limit_counts_the_terms():
    assert verdict("Let $n$ be a nonnegative integer.", r"\sum_{k=1}^{n} 1 = n") == "proved"


# ---------------------------------------------------------------- \sum_j without limits: the size of its vectors

TWO_SIZES = "$x \\in \\mathbb{R}^n$ and $y \\in \\mathbb{R}^m$."


def test_sum_over_components_without_limits_runs_over_the_vector_size():
    assert verdict(TWO_SIZES, r"\sum_{j} x_j^2 = x^T x") == "proved"


def test_sum_over_components_of_vectors_of_two_sizes_is_not_read():
    assert verdict(TWO_SIZES, r"\sum_{j} x_j y_j = 0") == "unparsed"
