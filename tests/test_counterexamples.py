"""A refuted step reads at a glance: the sides' symbolic difference, and a counterexample at simple values
where the sides differ clearly, re-checked here independently of the engine (mpmath)."""
import json
import math

import mpmath
import pytest
import sympy as sp

import mathcheck.checker as checker
from mathcheck import registry
from mathcheck.calc import Step, calc
from mathcheck.checker import check_chain, check_step, readable_witness, symbolic_difference
from mathcheck.cli import main
from mathcheck.mutants import MUTANTS
from mathcheck.numeric import Needs, World, simple_assignments, simple_values, with_symbols, world_strategy
from mathcheck.report import REFUTED, Report, format_json, format_markdown
from mathcheck.vocab import KL, Normal, mu, sigma, times, z

half = sp.Rational(1, 2)
mu1, mu2 = sp.symbols("mu1 mu2", real=True)
sigma1, sigma2 = sp.symbols("sigma1 sigma2", positive=True)
SYMBOLS = {s.name: s for s in (mu, sigma, mu1, mu2, sigma1, sigma2)}
STD_KL = KL(Normal(z, mu, sigma), Normal(z, 0, 1))
PAIR_KL = KL(Normal(z, mu1, sigma1), Normal(z, mu2, sigma2))
WRONG_SIGN = times(half, sp.log(sigma**2) + sigma**2 - 1 + mu**2)  # +log σ² where −log σ² belongs


def gaussian_kl(mean1, std1, mean2=0, std2=1) -> mpmath.mpf:
    """KL(N(mean1, std1²) ‖ N(mean2, std2²)) by mpmath quadrature of p log(p/q): no closed form, no engine."""
    def log_normal(t, mean, std):
        return -mpmath.log(std) - mpmath.log(2 * mpmath.pi) / 2 - (t - mean) ** 2 / (2 * std**2)

    def integrand(t):
        return mpmath.exp(log_normal(t, mean1, std1)) * (log_normal(t, mean1, std1) - log_normal(t, mean2, std2))

    centre, width = mpmath.mpf(mean1), mpmath.mpf(std1)
    with mpmath.workdps(30):
        return mpmath.quad(integrand, [-mpmath.inf] + [centre + k * width for k in (-8, 0, 8)] + [mpmath.inf])


def closed_form(expr: sp.Expr, values: dict) -> mpmath.mpf:
    """``expr`` at ``values`` in 30-digit arithmetic (sympy's lambdify to mpmath)."""
    names = sorted(values)
    function = sp.lambdify([SYMBOLS[n] for n in names], expr, modules="mpmath")
    with mpmath.workdps(30):
        return mpmath.mpf(function(*(mpmath.mpf(values[n]) for n in names)))


def true_kl(values: dict) -> mpmath.mpf:
    if "mu1" in values:
        return gaussian_kl(values["mu1"], values["sigma1"], values["mu2"], values["sigma2"])
    return gaussian_kl(values["mu"], values["sigma"])


def difference_of(detail: dict) -> sp.Expr:
    return sp.sympify(detail["difference"], locals=SYMBOLS)


def is_simple(values: dict) -> bool:
    return all(float(value) in simple_values(SYMBOLS[name]) for name, value in values.items())


def refuted_last_step(expr: sp.Expr) -> tuple[str, dict]:
    """The verdict and detail of gaussian_kl_std's last step replaced by ``expr``."""
    chain = registry.derivation_modules()["gaussian_kl_std"].CHAIN
    steps = [(s.relation, s.expr, s.why) for s in chain.steps[:-1]] + [("=", expr, "log σ² = 2 log σ")]
    report = check_chain(calc(chain.start, *steps, name="wrong", title="", source=""), examples=10)
    return report.steps[-1].verdict, report.steps[-1].detail


# ---------------------------------------------------------------- catalogue mutants as sympy expressions


class _Symbolic:
    """A sympy expression that numpy's ufuncs (np.log, np.sqrt) and arithmetic act on, so that a formula of
    the catalogue written for floats gives its sympy expression."""

    def __init__(self, expr):
        self.expr = sp.nsimplify(expr) if isinstance(expr, float) else sp.sympify(expr)

    def _apply(self, other, operation):
        other = other.expr if isinstance(other, _Symbolic) else _Symbolic(other).expr
        return _Symbolic(operation(self.expr, other))

    __add__ = lambda self, o: self._apply(o, lambda a, b: a + b)
    __radd__ = lambda self, o: self._apply(o, lambda a, b: b + a)
    __sub__ = lambda self, o: self._apply(o, lambda a, b: a - b)
    __rsub__ = lambda self, o: self._apply(o, lambda a, b: b - a)
    __mul__ = lambda self, o: self._apply(o, lambda a, b: a * b)
    __rmul__ = lambda self, o: self._apply(o, lambda a, b: b * a)
    __truediv__ = lambda self, o: self._apply(o, lambda a, b: a / b)
    __rtruediv__ = lambda self, o: self._apply(o, lambda a, b: b / a)
    __pow__ = lambda self, o: self._apply(o, lambda a, b: a**b)
    __neg__ = lambda self: _Symbolic(-self.expr)

    def log(self):
        return _Symbolic(sp.log(self.expr))


def mutant_expression(formula) -> sp.Expr:
    arguments = (mu, sigma) if formula.kind == "std" else (mu1, sigma1, mu2, sigma2)
    return formula.formula(*(_Symbolic(a) for a in arguments)).expr


MUTANT_STEPS = [(m.name, STD_KL if m.kind == "std" else PAIR_KL, mutant_expression(m))
                for m in MUTANTS if m.kind in ("std", "pair")]


@pytest.fixture(scope="module")
def mutant_verdicts():
    found = {}
    for name, lhs, rhs in MUTANT_STEPS:
        found[name] = check_step(lhs, Step("=", rhs, "the catalogue's formula"),
                                 world_strategy(Needs.of([lhs, rhs])), examples=10)
    return found


# ---------------------------------------------------------------- the wrong-sign KL of issue 13


def test_the_wrong_sign_kl_reports_the_difference_log_sigma_squared():
    verdict, detail = refuted_last_step(WRONG_SIGN)
    assert verdict == REFUTED
    assert sp.simplify(difference_of(detail) - sp.log(sigma**2)) == 0
    assert "the sides differ by rhs − lhs = " in detail["reason"]


def test_the_wrong_sign_kl_counterexample_is_at_simple_values_where_the_sides_differ_clearly():
    verdict, detail = refuted_last_step(WRONG_SIGN)
    found = detail["counterexample"]
    assert verdict == REFUTED and is_simple(found["values"]) and found["values"]["sigma"] != 1
    assert abs(found["lhs"] - found["rhs"]) > 0.1


def test_the_wrong_sign_kl_reason_prints_the_point_and_the_sides_with_few_digits():
    _, detail = refuted_last_step(WRONG_SIGN)
    found = detail["counterexample"]
    point = ", ".join(f"{name} = {value:g}" for name, value in found["values"].items())
    assert f"at {point}: lhs = {found['lhs']:.3g}, rhs = {found['rhs']:.3g}" in detail["reason"]


def test_the_wrong_sign_kl_keeps_the_witness_it_found_first():
    _, detail = refuted_last_step(WRONG_SIGN)
    found = detail["counterexample"]
    assert {"world", "values", "lhs", "rhs"} <= set(found["first_found"])
    assert found["first_found"]["values"] != found["values"]


def test_the_wrong_sign_kl_against_the_kl_itself_is_refuted_at_a_simple_point_by_quadrature():
    verdict, detail = check_step(STD_KL, Step("=", WRONG_SIGN, "closed form"),
                                 world_strategy(Needs.of([STD_KL, WRONG_SIGN])))
    found = detail["counterexample"]
    assert verdict == REFUTED and is_simple(found["values"]) and abs(found["lhs"] - found["rhs"]) > 0.1
    assert sp.simplify(difference_of(detail) - sp.log(sigma**2)) == 0


def test_the_wrong_sign_kl_in_a_document_reports_difference_and_simple_counterexample(tmp_path, capsys):
    path = tmp_path / "kl.md"
    path.write_text("Gaussians: $p(x)\\sim N(\\mu,\\sigma^2)$, $q(x)\\sim N(0,1)$.\n\n"
                    "$$D_{KL}(p\\|q) = \\frac{1}{2}\\left[\\log\\sigma^2+\\sigma^2-1+\\mu^2\\right]$$\n",
                    encoding="utf-8")
    code = main(["audit", str(path), "--format", "json"])
    step = json.loads(capsys.readouterr().out)["steps"][0]
    assert code == 1 and step["verdict"] == REFUTED
    assert sp.simplify(difference_of(step) - sp.log(sigma**2)) == 0
    found = step["counterexample"]
    assert is_simple(found["values"]) and abs(found["lhs"] - found["rhs"]) > 0.1
    assert abs(true_kl(found["values"]) - closed_form(WRONG_SIGN, found["values"])) > 0.1


# ---------------------------------------------------------------- the catalogue's mutants


@pytest.mark.parametrize("name", [name for name, _, _ in MUTANT_STEPS])
def test_a_catalogue_mutant_is_refuted_at_a_simple_point(mutant_verdicts, name):
    verdict, detail = mutant_verdicts[name]
    found = detail["counterexample"]
    assert verdict == REFUTED and is_simple(found["values"]), detail["reason"]
    assert abs(found["lhs"] - found["rhs"]) >= checker.CLEAR * (1 + abs(found["lhs"]) + abs(found["rhs"]))


@pytest.mark.parametrize("name, lhs, rhs", MUTANT_STEPS)
def test_a_mutant_counterexample_refutes_it_when_evaluated_independently(mutant_verdicts, name, lhs, rhs):
    found = mutant_verdicts[name][1]["counterexample"]
    kl, claimed = true_kl(found["values"]), closed_form(rhs, found["values"])
    assert abs(kl - claimed) > 1e-3 * (1 + abs(kl) + abs(claimed))
    assert math.isclose(found["lhs"], kl, rel_tol=1e-8, abs_tol=1e-10)
    assert math.isclose(found["rhs"], claimed, rel_tol=1e-8, abs_tol=1e-10)


@pytest.mark.parametrize("name, lhs, rhs", MUTANT_STEPS)
def test_a_reported_difference_is_rhs_minus_lhs(mutant_verdicts, name, lhs, rhs):
    detail = mutant_verdicts[name][1]
    if "difference" not in detail:
        pytest.skip("no short difference for this mutant")
    values = detail["counterexample"]["values"]
    expected = closed_form(rhs, values) - true_kl(values)
    assert math.isclose(closed_form(difference_of(detail), values), expected, rel_tol=1e-10, abs_tol=1e-12)


# ---------------------------------------------------------------- the difference


@pytest.mark.parametrize("lhs, rhs, expected", [
    (registry.derivation_modules()["gaussian_kl_std"].CLOSED_FORM, WRONG_SIGN, sp.log(sigma**2)),
    (STD_KL, times(half, -sp.log(sigma**2) + sigma**2 + mu**2), half),  # the −1 dropped
    (STD_KL, times(half, -sp.log(sigma**2) + sigma**2 - 1 + mu), (mu - mu**2) / 2),
    (mu**2 + sigma, mu**2 + sigma + sp.Rational(1, 10**6) * sigma, sigma / 10**6),
])
def test_the_difference_is_rhs_minus_lhs_in_a_short_form(lhs, rhs, expected):
    assert sp.simplify(symbolic_difference(lhs, rhs) - expected) == 0


@pytest.mark.parametrize("lhs, rhs", [
    (STD_KL, -registry.derivation_modules()["gaussian_kl_std"].CLOSED_FORM),  # the difference is twice a side
    (STD_KL, 0),  # against a constant the difference is the other side
    (sigma**2 - 1 - sp.log(sigma**2), sigma**2 - 1 - sp.log(sigma**2)),  # no difference at all
])
def test_no_difference_is_reported_unless_shorter_than_both_sides(lhs, rhs):
    assert symbolic_difference(lhs, rhs) is None


# ---------------------------------------------------------------- the search never changes a verdict


VERDICT_CASES = [
    (STD_KL, "=", WRONG_SIGN),
    (mu, "=", (1 + sp.Rational(1, 10**12)) * mu),  # refuted only by 1e-12: no simple point differs clearly
    (sp.cos(mu) + sp.cos(sp.sqrt(2) * mu), ">=", sp.Rational(-1999, 1000)),  # fails near rare points only
    (sigma**2 - 1 - sp.log(sigma**2), ">", 0),  # fails only where the sides are exactly equal
    (sigma**2 - 1 - sp.log(sigma**2), ">=", 0),  # true
]


@pytest.mark.parametrize("lhs, relation, rhs", VERDICT_CASES)
def test_the_readable_search_leaves_the_verdict_as_it_was(monkeypatch, lhs, relation, rhs):
    strategy = world_strategy(Needs.of([lhs, rhs]))
    verdict, _ = check_step(lhs, Step(relation, rhs, "claim"), strategy)
    monkeypatch.setattr(checker, "READABLE_JUDGED", 0)
    assert check_step(lhs, Step(relation, rhs, "claim"), strategy)[0] == verdict


def test_a_discrepancy_no_simple_point_shows_clearly_keeps_its_first_counterexample():
    verdict, detail = check_step(mu, Step("=", (1 + sp.Rational(1, 10**12)) * mu, "claim"),
                                 world_strategy(Needs.of([mu])))
    assert verdict == REFUTED and "first_found" not in detail["counterexample"]
    assert "1.000000000001" in detail["reason"]


def test_a_strict_inequality_is_refuted_where_the_sides_are_exactly_equal_at_a_simple_point():
    verdict, detail = check_step(sigma**2 - 1 - sp.log(sigma**2), Step(">", 0, "claim"),
                                 world_strategy(Needs.of([sigma])))
    assert verdict == REFUTED and detail["counterexample"]["values"] == {"sigma": 1.0}


def test_no_readable_witness_where_the_step_holds():
    world = with_symbols(World("parameters", {}), {sigma: 3.7})
    assert readable_witness(sigma**2, ">=", 2 * sigma - 1, world) is None


def test_a_readable_witness_is_a_violation_the_engine_confirms():
    world = with_symbols(World("parameters", {}), {mu: 1e-175, sigma: 0.9999998845})
    outcome, found = readable_witness(STD_KL, "=", WRONG_SIGN, world)
    assert outcome.status == "violated" and is_simple({str(s): v for s, v in found.symbols.items()})


# ---------------------------------------------------------------- simple values


@pytest.mark.parametrize("symbol", [mu, sigma, sp.Symbol("n", integer=True, positive=True),
                                    sp.Symbol("t", nonnegative=True), sp.Symbol("u", negative=True)])
def test_simple_values_lie_in_the_symbols_domain(symbol):
    values = simple_values(symbol)
    assert values and len(set(values)) == len(values)
    if symbol.is_positive:
        assert all(v > 0 for v in values)
    if symbol.is_negative:
        assert all(v < 0 for v in values)
    if symbol.is_nonnegative:
        assert all(v >= 0 for v in values)
    if symbol.is_integer:
        assert all(float(v).is_integer() for v in values)


def test_simple_assignments_come_simplest_first():
    assignments = simple_assignments([mu, sigma])
    assert assignments[0] == {mu: 0.0, sigma: 1.0}
    ranks = [simple_values(mu).index(a[mu]) + simple_values(sigma).index(a[sigma]) for a in assignments]
    assert ranks == sorted(ranks)


# ---------------------------------------------------------------- the reports


def test_a_counterexample_value_is_shown_exactly_not_rounded_to_a_point_where_the_sides_agree():
    found = {"world": {"family": "parameters", "mu": 2.5e-175, "sigma": 1.0}, "values": {"mu": 2.5e-175,
             "sigma": 0.9999998845}, "lhs": 1.4e-14, "rhs": -2.3e-07, "tolerance": 1e-13, "method": "interval"}
    text = checker._describe_counterexample(found)
    assert "sigma = 0.9999998845" in text and "mu = 2.5e-175" in text


@pytest.mark.parametrize("lhs, rhs", [(1.0, 1.000000000001), (0.8068528194, 2.19314718056), (-3e-9, 2e-9)])
def test_the_sides_are_shown_with_enough_digits_to_tell_them_apart(lhs, rhs):
    text = checker._sides_text(lhs, rhs)
    shown = [float(part.split(" = ")[1]) for part in text.split(", ")]
    assert shown[0] != shown[1] and abs((shown[0] - shown[1]) - (lhs - rhs)) < 0.1 * abs(lhs - rhs)


def test_json_and_markdown_reports_carry_the_difference():
    chain = registry.derivation_modules()["gaussian_kl_std"].CHAIN
    steps = [(s.relation, s.expr, s.why) for s in chain.steps[:-1]] + [("=", WRONG_SIGN, "log σ² = 2 log σ")]
    entry = check_chain(calc(chain.start, *steps, name="wrong", title="", source=""), examples=5)
    report = Report([entry], 0.0)
    step = json.loads(format_json(report))["derivations"][0]["steps"][-1]
    assert sp.simplify(sp.sympify(step["detail"]["difference"], locals=SYMBOLS) - sp.log(sigma**2)) == 0
    markdown = format_markdown(report)
    assert "log(sigma\\*\\*2)" in markdown and f"- step {len(steps)}: counterexample: at " in markdown

