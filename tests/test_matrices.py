"""The matrix engine: each rule proved and true in numpy on drawn matrices, false identities refuted with a
counterexample, shapes checked, Gaussian expectation identities, and the multivariate KL derivations proved."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcheck.calc import Step
from mathcheck.checker import check_chain, check_step
from mathcheck.matrices import (
    Components, Diagonal, MvNormal, Normalizer, ShapeError, add, covariance, d, j, matrix, mul, prove_matrix, scalar, symmetric,
    vector,
)
from mathcheck.matrix_numeric import DIMENSIONS, Evaluator, MatrixWorld, check_matrix_step
from mathcheck.mutants import MATRIX_MUTANTS, matrix_mutant_verdict
from mathcheck.registry import derivation_modules
from mathcheck.report import PROVED, REFUTED
from mathcheck.symbolic import prove
from mathcheck.vocab import KL, Expectation

A, B, C = matrix("A"), matrix("B"), matrix("C")
S, T = covariance("S"), covariance("T")
H = symmetric("H")
x, m, a = vector("x"), vector("m"), vector("a")
I = sp.Identity(d)
tr, det, log = sp.Trace, sp.Determinant, sp.log
RTOL = 1e-8  # relative, times the condition number of the drawn matrices

# (name, lhs, rhs, the same two sides in numpy on (A, B, C, S, T, H, x, m, a))
RULES = [
    ("transpose of a product", (A * B).T, B.T * A.T, lambda v: ((v.A @ v.B).T, v.B.T @ v.A.T)),
    ("transpose twice", A.T.T, A, lambda v: (v.A.T.T, v.A)),
    ("transpose of a sum", (A + B).T, A.T + B.T, lambda v: ((v.A + v.B).T, v.A.T + v.B.T)),
    ("symmetric is its transpose", S.T, S, lambda v: (v.S.T, v.S)),
    ("declared symmetric", H.T * A, H * A, lambda v: (v.H.T @ v.A, v.H @ v.A)),
    ("inverse of a product of squares", sp.Inverse(A * B), B.I * A.I,
     lambda v: (np.linalg.inv(v.A @ v.B), np.linalg.inv(v.B) @ np.linalg.inv(v.A))),
    ("inverse cancels", A * A.I * B, B, lambda v: (v.A @ np.linalg.inv(v.A) @ v.B, v.B)),
    ("inverse of a transpose", sp.Inverse(A.T), sp.Inverse(A).T,
     lambda v: (np.linalg.inv(v.A.T), np.linalg.inv(v.A).T)),
    ("trace is linear", tr(2 * A + B), 2 * tr(A) + tr(B), lambda v: (np.trace(2 * v.A + v.B), 2 * np.trace(v.A) + np.trace(v.B))),
    ("trace is cyclic", tr(A * B * C), tr(B * C * A), lambda v: (np.trace(v.A @ v.B @ v.C), np.trace(v.B @ v.C @ v.A))),
    ("trace of a transpose", tr(A.T * B), tr(B.T * A), lambda v: (np.trace(v.A.T @ v.B), np.trace(v.B.T @ v.A))),
    ("trace of the identity", tr(I), d, lambda v: (np.trace(np.eye(v.n)), v.n)),
    ("trace of a 1x1 is its entry", tr(x.T * A * x), scalar(x.T * A * x), lambda v: (np.trace(v.x.T @ v.A @ v.x), (v.x.T @ v.A @ v.x)[0, 0])),
    ("quadratic form of the transpose", scalar(x.T * A * x), scalar(x.T * A.T * x),
     lambda v: ((v.x.T @ v.A @ v.x)[0, 0], (v.x.T @ v.A.T @ v.x)[0, 0])),
    ("a 1x1 bottleneck splits the trace", tr(a * a.T * m * m.T), scalar(a.T * m) ** 2,
     lambda v: (np.trace(v.a @ v.a.T @ v.m @ v.m.T), (v.a.T @ v.m)[0, 0] ** 2)),
    ("squared norm", scalar((x - m).T * (x - m)), scalar(x.T * x) - 2 * scalar(m.T * x) + scalar(m.T * m),
     lambda v: (float(np.sum((v.x - v.m) ** 2)), (v.x.T @ v.x - 2 * v.m.T @ v.x + v.m.T @ v.m)[0, 0])),
    ("det of a product", det(A * B), det(A) * det(B), lambda v: (np.linalg.det(v.A @ v.B), np.linalg.det(v.A) * np.linalg.det(v.B))),
    ("det of a transpose", det(A.T), det(A), lambda v: (np.linalg.det(v.A.T), np.linalg.det(v.A))),
    ("det of an inverse", det(A.I), 1 / det(A), lambda v: (np.linalg.det(np.linalg.inv(v.A)), 1 / np.linalg.det(v.A))),
    ("det of a multiple", det(3 * A), 3**d * det(A), lambda v: (np.linalg.det(3 * v.A), 3.0**v.n * np.linalg.det(v.A))),
    ("det of the identity", det(I), 1, lambda v: (np.linalg.det(np.eye(v.n)), 1.0)),
    ("log det of a product of covariances", log(det(S * T)), log(det(S)) + log(det(T)),
     lambda v: (np.log(np.linalg.det(v.S @ v.T)), np.log(np.linalg.det(v.S)) + np.log(np.linalg.det(v.T)))),
    ("log det of an inverse covariance", log(det(S.I)), -log(det(S)),
     lambda v: (np.log(np.linalg.det(np.linalg.inv(v.S))), -np.log(np.linalg.det(v.S)))),
]

FALSE = [
    ("transpose without reversing", (A * B).T, A.T * B.T),
    ("inverse without reversing", sp.Inverse(A * B), A.I * B.I),
    ("a non-cyclic trace reordering", tr(A * B * C), tr(B * A * C)),
    ("det of a sum split", det(A + B), det(A) + det(B)),
    ("a general matrix taken as symmetric", scalar(x.T * A * m), scalar(x.T * A.T * m)),
    ("transpose on the wrong factor", (S * A).T, S * A.T),
    ("log det of a sum split", log(det(S + T)), log(det(S)) + log(det(T))),
    ("trace of a product as product of traces", tr(S * T), tr(S) * tr(T)),
    ("det of a multiple without the power", det(2 * A), 2 * det(A)),
    ("a square of a linear form taken as a quadratic form", scalar(a.T * x) ** 2, scalar(x.T * x) * scalar(a.T * a)),
]


class Drawn:
    def __init__(self, n: int, seed: int, condition: str):
        rng = np.random.default_rng(seed)
        spread = 1.0 if condition == "well" else 3.0
        self.n = n

        def general():
            return rng.standard_normal((n, n)) @ np.diag(np.logspace(-spread / 2, spread / 2, n)) + np.eye(n) * 0.1

        def spd():
            q, _ = np.linalg.qr(rng.standard_normal((n, n)))
            return (q * np.logspace(-spread / 2, spread / 2, n)) @ q.T

        self.A, self.B, self.C = general(), general(), general()
        self.S, self.T = spd(), spd()
        self.S, self.T = (self.S + self.S.T) / 2, (self.T + self.T.T) / 2
        h = rng.standard_normal((n, n))
        self.H = (h + h.T) / 2
        self.x, self.m, self.a = (rng.standard_normal((n, 1)) for _ in range(3))

    def condition(self) -> float:
        return max(np.linalg.cond(v) for v in (self.A, self.B, self.C, self.S, self.T))

    def world(self) -> MatrixWorld:
        values = {A: self.A, B: self.B, C: self.C, S: self.S, T: self.T, H: self.H, x: self.x, m: self.m, a: self.a}
        return MatrixWorld(self.n, "drawn", 0, values, self.condition())


drawn = st.builds(Drawn, st.sampled_from(DIMENSIONS), st.integers(0, 2**32 - 1), st.sampled_from(["well", "badly"]))


def _close(left, right, condition: float) -> bool:
    left, right = np.asarray(left, float), np.asarray(right, float)
    return bool(np.all(np.abs(left - right) <= RTOL * condition * (1 + np.abs(left) + np.abs(right))))


@pytest.mark.parametrize("name, lhs, rhs, numpy_sides", RULES, ids=[r[0] for r in RULES])
def test_rule_is_proved_by_the_normal_form(name, lhs, rhs, numpy_sides):
    assert prove_matrix(lhs, "=", rhs).proved


@pytest.mark.parametrize("name, lhs, rhs, numpy_sides", RULES, ids=[r[0] for r in RULES])
@settings(max_examples=25, deadline=None)
@given(values=drawn)
def test_rule_holds_in_numpy_on_drawn_matrices(name, lhs, rhs, numpy_sides, values):
    left, right = numpy_sides(values)
    assert _close(left, right, values.condition()), (left, right)


@pytest.mark.parametrize("name, lhs, rhs, numpy_sides", RULES, ids=[r[0] for r in RULES])
@settings(max_examples=10, deadline=None)
@given(values=drawn)
def test_matrix_evaluator_agrees_with_numpy(name, lhs, rhs, numpy_sides, values):
    evaluator = Evaluator(values.world())
    for expr, expected in zip((lhs, rhs), numpy_sides(values)):
        got = evaluator.matrix(expr)[0] if isinstance(expr, sp.MatrixExpr) else evaluator.number(expr)[0]
        assert _close(got, expected, values.condition()), (expr, got, expected)


@pytest.mark.parametrize("name, lhs, rhs", FALSE, ids=[f[0] for f in FALSE])
def test_false_identity_is_not_proved(name, lhs, rhs):
    assert not prove_matrix(lhs, "=", rhs).proved


@pytest.mark.parametrize("name, lhs, rhs", FALSE, ids=[f[0] for f in FALSE])
def test_false_identity_is_refuted_with_a_counterexample(name, lhs, rhs):
    result = check_matrix_step(lhs, "=", rhs)
    assert result.status == "refuted", result.reason
    assert result.counterexample["d"] in DIMENSIONS
    assert any(str(s) in result.counterexample for s in (lhs - rhs).atoms(sp.MatrixSymbol))


@pytest.mark.parametrize("name, lhs, rhs", FALSE, ids=[f[0] for f in FALSE])
def test_false_identity_step_is_refuted_by_the_checker(name, lhs, rhs):
    verdict, detail = check_step(lhs, Step("=", rhs, "a rule misremembered"))
    assert verdict == REFUTED, detail


def test_det_of_a_sum_split_holds_for_d_1_but_is_refuted_for_larger_d():
    result = check_matrix_step(det(A + B), "=", det(A) + det(B))
    assert result.counterexample["d"] > 1


# ---- shapes


def test_a_matrix_added_to_a_scalar_raises_a_shape_error_naming_the_shapes():
    with pytest.raises(ShapeError, match="d×d.*scalar|scalar.*d×d"):
        add(A, sp.Integer(1))


def test_a_product_of_incompatible_shapes_raises_a_shape_error_naming_the_shapes():
    with pytest.raises(ShapeError, match="d×1.*d×d"):
        mul(x, A)


def test_an_ill_formed_product_is_disproved_with_the_shapes_named():
    proof = prove_matrix(tr(x * A), "=", tr(A))
    assert proof.disproved and "d×1" in proof.reason and "d×d" in proof.reason


def test_a_scalar_of_a_non_1x1_matrix_raises():
    with pytest.raises(ShapeError, match="d×d"):
        scalar(A)


def test_the_trace_of_a_vector_is_ill_formed():
    assert prove_matrix(tr(x), "=", 1).disproved


def test_comparing_a_matrix_with_a_scalar_is_ill_formed():
    assert prove_matrix(A, "=", sp.Integer(1)).disproved


def test_the_inverse_of_a_product_with_non_square_factors_is_kept_whole():
    V, W = sp.MatrixSymbol("V", d, 3), sp.MatrixSymbol("W", 3, d)
    [(coefficient, atoms)] = Normalizer().terms(sp.Inverse(V * W))
    assert len(atoms) == 1 and isinstance(atoms[0].base, sp.Inverse)


def test_the_inverse_of_a_sum_is_not_split():
    assert not prove_matrix(sp.Inverse(S + T), "=", S.I + T.I).proved


# ---- side conditions


def test_log_det_of_a_product_of_general_matrices_is_not_split():
    assert not prove_matrix(log(det(A * B)), "=", log(det(A)) + log(det(B))).proved


def test_an_expectation_under_an_undeclared_covariance_is_not_proved():
    proof = prove_matrix(Expectation(MvNormal(x, m, A), scalar(x.T * x)), "=", tr(A) + scalar(m.T * m))
    assert not proof.proved and "positive definite" in proof.reason


def test_a_body_of_degree_three_is_refused():
    body = scalar(x.T * x) * scalar(a.T * x)
    assert not prove_matrix(Expectation(MvNormal(x, m, S), body), "=", 0).proved


# ---- Gaussian expectations


GAUSSIAN = [
    ("E[x] = mu", Expectation(MvNormal(x, m, S), scalar(a.T * x)), scalar(a.T * m)),
    ("E[(x-mu)(x-mu)^T] = Sigma", Expectation(MvNormal(x, m, S), tr(A * (x - m) * (x - m).T)), tr(A * S)),
    ("E[x^T A x] = tr(A Sigma) + mu^T A mu", Expectation(MvNormal(x, m, S), scalar(x.T * A * x)),
     tr(A * S) + scalar(m.T * A * m)),
    ("the trace trick", Expectation(MvNormal(x, m, S), scalar((x - m).T * S.I * (x - m))), d),
    ("E[1] = 1 and linearity", Expectation(MvNormal(x, m, S), 3 + 2 * scalar(a.T * x)), 3 + 2 * scalar(a.T * m)),
    ("E[(a^T x)^2] = a^T Sigma a + (a^T mu)^2", Expectation(MvNormal(x, m, S), scalar(a.T * x) ** 2),
     scalar(a.T * S * a) + scalar(a.T * m) ** 2),
    ("E[(a^T x)(x^T A m)]", Expectation(MvNormal(x, m, S), scalar(a.T * x) * scalar(x.T * A * m)),
     scalar(a.T * S * A * m) + scalar(a.T * m) * scalar(m.T * A * m)),
    ("log N written out", Expectation(MvNormal(x, m, S), log(MvNormal(x, m, S))),
     -sp.Rational(1, 2) * (d + log(det(S)) + d * log(2 * sp.pi))),
]


@pytest.mark.parametrize("name, lhs, rhs", GAUSSIAN, ids=[g[0] for g in GAUSSIAN])
def test_gaussian_identity_is_proved(name, lhs, rhs):
    assert prove_matrix(lhs, "=", rhs).proved


@pytest.mark.parametrize("name, lhs, rhs", GAUSSIAN, ids=[g[0] for g in GAUSSIAN])
def test_gaussian_identity_holds_by_monte_carlo(name, lhs, rhs):
    assert check_matrix_step(lhs, "=", rhs).status == "holds"


@pytest.mark.parametrize("wrong", [
    tr(A * S) + scalar(m.T * A.T * m) + 1,  # off by one
    tr(A * S),  # the mean term dropped
    tr(S) + scalar(m.T * A * m),  # A dropped from the trace
], ids=["off-by-one", "mean-term-dropped", "A-dropped"])
def test_wrong_gaussian_expectation_is_refuted_in_a_world(wrong):
    result = check_matrix_step(Expectation(MvNormal(x, m, S), scalar(x.T * A * x)), "=", wrong)
    counterexample = result.counterexample
    assert result.status == "refuted"
    assert "standard error" in counterexample.get("monte_carlo", "") or (  # by sampling, or exactly when the
        abs(counterexample["gap"]) > counterexample["tolerance"] and "precise" in counterexample)  # rules leave no E


# ---- diagonals, components and sums


mu_, sigma_ = sp.IndexedBase("mu", real=True), sp.IndexedBase("sigma", positive=True)


def test_trace_of_a_diagonal_is_the_sum_of_its_entries():
    assert prove_matrix(tr(Diagonal(sigma_[j] ** 2)), "=", sp.Sum(sigma_[j] ** 2, (j, 1, d))).proved


def test_det_of_a_diagonal_is_the_product_of_its_entries():
    assert prove_matrix(det(Diagonal(sigma_[j] ** 2)), "=", sp.Product(sigma_[j] ** 2, (j, 1, d))).proved


def test_squared_norm_of_components_is_a_sum():
    v = Components(mu_)
    assert prove_matrix(scalar(v.T * v), "=", sp.Sum(mu_[j] ** 2, (j, 1, d))).proved


def test_a_product_of_two_inner_products_is_not_one_sum():
    v, w = Components(mu_), Components(sigma_)
    lhs = tr(v.T * w * w.T * v)
    assert not prove_matrix(lhs, "=", sp.Sum(mu_[j] ** 2 * sigma_[j] ** 2, (j, 1, d))).proved
    assert check_matrix_step(lhs, "=", sp.Sum(mu_[j] ** 2 * sigma_[j] ** 2, (j, 1, d))).status == "refuted"


# ---- the derivations and their mutants


MATRIX_DERIVATIONS = ["gaussian_kl_multivariate", "gaussian_kl_multivariate_std", "gaussian_kl_diagonal"]


@pytest.mark.parametrize("name", MATRIX_DERIVATIONS)
def test_multivariate_derivation_is_proved_step_by_step(name):
    report = check_chain(derivation_modules()[name].CHAIN)
    assert [s.verdict for s in report.steps] == [PROVED] * len(report.steps), [s.detail for s in report.steps]


@pytest.mark.parametrize("name", MATRIX_DERIVATIONS)
def test_multivariate_derivation_holds_in_the_matrix_worlds(name):
    for lhs, step in derivation_modules()[name].CHAIN.pairs():
        assert check_matrix_step(lhs, step.relation, step.expr).status == "holds", step.why


@pytest.mark.parametrize("mutant", MATRIX_MUTANTS, ids=[m.name for m in MATRIX_MUTANTS])
def test_matrix_mutant_is_refuted(mutant):
    verdict, detail = matrix_mutant_verdict(mutant)
    assert verdict == REFUTED, detail
    assert "ill-formed" in detail["reason"] or detail.get("counterexample")


def test_the_scalar_prover_routes_matrix_steps_to_the_matrix_engine():
    assert prove((A * B).T, "=", B.T * A.T).proved
    assert prove(KL(MvNormal(x, m, S), MvNormal(x, m, S)), "=", 0).proved


# ---- soundness: a random identity the normal form proves holds in every matrix world


def _random_matrix(rng, depth: int):
    leaves = [A, B, C, S, T, H, I]
    if depth == 0:
        return leaves[rng.integers(len(leaves))]
    pick = rng.random()
    first = _random_matrix(rng, depth - 1)
    if pick < 0.35:
        return sp.MatMul(first, _random_matrix(rng, depth - 1))
    if pick < 0.5:
        return sp.MatAdd(first, _random_matrix(rng, depth - 1))
    if pick < 0.65:
        return sp.Transpose(first)
    if pick < 0.8:
        return sp.Inverse(first)
    return first


def _rearranged(rng, expr):
    """One product's factors shuffled, or one transpose / inverse pushed into its product (in either order)."""
    nodes = [n for n in sp.preorder_traversal(expr) if isinstance(n, (sp.MatMul, sp.Transpose, sp.Inverse))]
    if not nodes:
        return expr
    node = nodes[rng.integers(len(nodes))]
    inner = node.args[0]
    if isinstance(node, sp.MatMul):
        factors = list(node.args)
        rng.shuffle(factors)
        new = sp.MatMul(*factors)
    elif isinstance(inner, sp.MatMul):
        wrap = sp.Transpose if isinstance(node, sp.Transpose) else sp.Inverse
        order = list(inner.args) if rng.random() < 0.5 else list(reversed(inner.args))
        new = sp.MatMul(*[wrap(f) for f in order])
    else:
        return expr
    return expr.xreplace({node: new})


@pytest.mark.parametrize("seed", range(40))
def test_a_random_identity_proved_by_the_normal_form_holds_in_every_matrix_world(seed):
    rng = np.random.default_rng(seed)
    matrix_ = _random_matrix(rng, 3)
    wrap = [tr, det, lambda M: scalar(x.T * M * m)][seed % 3]
    lhs = wrap(matrix_)
    rhs = _rearranged(rng, lhs)
    proof = prove_matrix(lhs, "=", rhs)
    numeric = check_matrix_step(lhs, "=", rhs)
    assert not (proof.proved and numeric.status == "refuted"), (lhs, rhs, numeric.reason)
    assert not (proof.disproved and numeric.status == "holds"), (lhs, rhs, proof.reason)


def test_monte_carlo_is_not_used_without_an_error_bound():
    heavy = Expectation(MvNormal(x, m, S), sp.exp(scalar(x.T * x)))  # may not exist: E[exp(xᵀx)] = ∞ for Σ ≥ ½ I
    result = check_matrix_step(heavy, "=", 1)
    assert result.status == "unsupported" and "error bound" in result.reason
