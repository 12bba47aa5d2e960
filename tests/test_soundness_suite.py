"""The standing adversarial suite (issue 10, point 5): false steps that must not be verified and true steps in
unusual but valid forms that must not be refused.

- A false case (tests/soundness/false_steps.py) is a small document whose false step lies on known lines: the
  audit must exit 1, some step on those lines must be refuted, undecided or unparsed, and (unless the line also
  holds true steps) no step there may be proved, hold or pass as a definition.
- A true case (tests/soundness/true_steps.py) must pass: exit 0, every step proved, holding or a definition,
  and at least one step actually checked.
- Engine cases (below) state what LaTeX cannot express, built with sympy and checked by
  mathcheck.checker.check_step, the engine under the audit.

Nothing here is marked xfail: the suite is the specification; grow it with every new kind of failure.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest
import sympy as sp

from mathcheck.calc import Step
from mathcheck.checker import NumericResult, check_step, decide
from mathcheck.cli import main
from mathcheck.numeric import Needs, Unsupported, world_strategy
from mathcheck.report import HOLDS, PROVED
from mathcheck.symbolic import RULES
from mathcheck.vocab import KL, Expectation, Normal, X, integral, mu, p, q, sigma, x, z
from tests.soundness import false_steps, true_steps

VERIFIED = {PROVED, HOLDS, "definition"}
CHECKED = {PROVED, HOLDS}


def audit(tmp_path, capsys, text: str) -> tuple[int, list[dict]]:
    path = tmp_path / "case.md"
    path.write_text(text, encoding="utf-8")
    code = main(["audit", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err, captured.err[-2000:]
    assert code != 3, f"internal error: {captured.err.strip()[:300]}"
    assert code in (0, 1), f"exit code {code}: {captured.err.strip()[:300]}"
    steps = json.loads(captured.out)["steps"] if captured.out.strip() else []
    return code, steps


def shown(steps: list[dict]) -> str:
    return "; ".join(f"L{s['line']} {s['verdict']}: {s['lhs']} {s['relation']} {s['rhs']} ({s['reason'][:110]})"
                     for s in steps) or "no steps"


# ---------------------------------------------------------------- the suite's own shape


def test_the_suite_has_enough_false_and_true_cases_over_every_kind_of_issue_10():
    false_kinds = Counter(c.kind for c in false_steps.CASES)
    assert len(false_steps.CASES) >= 170 and len(true_steps.CASES) >= 90
    for number in range(1, 23):
        kind = [k for k in false_kinds if k.startswith(f"f{number:02d}-")]
        assert kind and false_kinds[kind[0]] >= 4, f"issue 10 kind {number} has too few members"


def test_case_ids_are_unique_and_every_false_case_names_its_lines():
    ids = [c.id for c in false_steps.CASES + true_steps.CASES]
    assert len(ids) == len(set(ids))
    for c in false_steps.CASES:
        assert c.target_lines()


# ---------------------------------------------------------------- documents


@pytest.mark.parametrize("case", false_steps.CASES, ids=lambda c: c.id)
def test_a_false_step_is_not_verified_and_its_document_is_not_ok(tmp_path, capsys, case):
    code, steps = audit(tmp_path, capsys, case.text)
    target = case.target_lines()
    on_target = [s for s in steps if s["line"] in target]
    flagged = [s for s in on_target if s["verdict"] not in VERIFIED]
    passed = [s for s in on_target if s["verdict"] in VERIFIED]
    assert code == 1, f"document ok (exit 0): {shown(steps)}"
    assert flagged, f"nothing flagged on lines {sorted(target)}: {shown(steps)}"
    assert case.mixed or not passed, f"false step passed: {shown(passed)}"


@pytest.mark.parametrize("case", true_steps.CASES, ids=lambda c: c.id)
def test_a_true_step_is_verified_and_its_document_passes(tmp_path, capsys, case):
    code, steps = audit(tmp_path, capsys, case.text)
    refused = [s for s in steps if s["verdict"] not in VERIFIED]
    assert not refused, f"true step not verified: {shown(refused)}"
    assert any(s["verdict"] in CHECKED for s in steps), f"nothing checked: {shown(steps)}"
    assert code == 0


# ---------------------------------------------------------------- the engine, where LaTeX cannot say it

s_real = sp.Symbol("s", real=True, nonzero=True)
s_positive = sp.Symbol("s", positive=True)
u = sp.Symbol("u", real=True)
a = sp.Symbol("a", real=True)
sigma_12 = sp.Symbol("sigma_12", real=True)
m = sp.Function("m", real=True)
ELBO = integral(q(z, given=X) * sp.log(p(X, z) / q(z, given=X)), z)
GAUSS_KL = (-sp.log(sigma**2) + sigma**2 - 1 + mu**2) / 2
SUBSTITUTE_REAL = RULES + (sp.Eq(z, s_real * u),)
SUBSTITUTE_POSITIVE = RULES + (sp.Eq(z, s_positive * u),)


def engine_verdict(lhs: sp.Expr, relation: str, rhs: sp.Expr, rules=None) -> tuple[str, str]:
    """check_step on worlds for both sides (as the audit does), or sympy alone where no world applies."""
    step = Step(relation, rhs, "an engine case of the soundness suite", rules)
    try:
        strategy = world_strategy(Needs.of([lhs, rhs]))
    except Unsupported:
        strategy = None
    try:
        verdict, detail = check_step(lhs, step, strategy, seed=0, examples=10)
    except (Unsupported, ValueError, TypeError, NotImplementedError, ZeroDivisionError, OverflowError) as error:
        verdict, detail = decide(lhs, step, NumericResult("unsupported", detail={"reason": str(error)}))
    return verdict, str(detail.get("reason", ""))[:200]


ENGINE_FALSE = {
    "f01-gibbs-mean-3z": (KL(Normal(z, 3 * z, 1), Normal(z, 0, 1)), ">=", 0),  # -3/16
    "f01-mass-mean-3z": (integral(Normal(z, 3 * z, 1), z), "=", 1),  # 1/2
    "f01-mass-std-depends": (integral(Normal(z, 0, sp.sqrt(z**2 + 1)), z), "=", 1),  # divergent
    "f01-mass-mean-function": (integral(Normal(z, m(z), 1), z), "=", 1),  # m(z) = 3z gives 1/2
    "f01-gibbs-second": (KL(Normal(z, 0, 1), Normal(z, z / 2, 1)), ">=", 0),  # -3/8
    "f01-jensen-weight": (sp.log(integral(Normal(z, 3 * z, 1) * sp.exp(z), z)), ">=",
                          integral(Normal(z, 3 * z, 1) * z, z)),  # 1/8 - log 2 < 0
    "f01-expectation": (Expectation(Normal(z, 3 * z, 1), sp.Integer(1)), "=", 1),
    "f02-abs": (sp.Abs(x) - 1, ">=", -sp.Rational(1, 2)),
    "f02-max": (sp.Max(x, -x), ">=", 1),
    "f02-sqrt-square": (sp.sqrt(x**2), ">=", sp.Rational(1, 2)),
    "f02-local-maximum-kink": (x**2 - sp.Abs(x), ">=", 0),  # -1/4
    "f03-tilted-well": ((x**2 - 1) ** 2 + x / sp.Integer(10) ** 20, ">=", 0),
    "f03-cubic-tilt": ((x**2 - 1) ** 2 - x**3 / sp.Integer(10) ** 20, ">=", 0),
    "f06-cos": (integral(sp.cos(sigma * z), z), "=", 0),
    "f06-identity": (integral(z, z), "=", 0),
    "f06-sin": (integral(sp.sin(z), z), "=", 0),
    "f06-leibniz-sinc": (sp.Derivative(integral(sp.sin(s_positive * z) / z, z), s_positive), "=",
                         integral(sp.cos(s_positive * z), z)),  # 0 against a divergent integral
    "f06-lorentzian-sign": (integral(a / (a**2 + z**2), z), "=", sp.pi),  # pi sign(a)
    "f12-sigma-12": (sp.sqrt(sigma_12**2), "=", sigma_12),
    "f19-relative-1e-12": (x, "=", (1 + sp.Rational(1, 10**12)) * x),
    "f19-scaled-kl": (KL(Normal(x, mu, sigma), Normal(x, 0, 1)), "=",
                      (1 + sp.Rational(1, 10**12)) * KL(Normal(x, mu, sigma), Normal(x, 0, 1))),
    "f20-strict-evidence": (sp.log(p(X)), ">", ELBO),  # equal when q is the posterior
    "f20-strict-kl": (KL(q(z, given=X), p(z, given=X)), ">", 0),
    "f21-kl-bounded": (KL(Normal(x, mu, sigma), Normal(x, 0, 1)), "<=", 250),
    "f21-sigma-bounded": (sigma, "<=", 1000),
    "f22-narrow-peak": (sp.exp(-100 * (x - sp.Rational(3, 10)) ** 2), "<=", sp.Rational(99, 100)),
    "x-kl-swap": (KL(q(z, given=X), p(z)), "=", integral(p(z) * sp.log(p(z) / q(z, given=X)), z)),
    "x-unnormalized-half": (integral(Normal(z, 0, 1) / 2 * sp.log(sp.Rational(1, 2)), z), ">=", 0),
}

ENGINE_JACOBIAN_FALSE = {  # z = s u with the sign of s unknown: dz = |s| du, so the true values carry |s|
    "f07-gauss-kernel": (integral(sp.exp(-z**2 / (2 * s_real**2)), z), sp.sqrt(2 * sp.pi) * s_real),
    "f07-second-moment": (integral(z**2 * sp.exp(-z**2 / (2 * s_real**2)), z), sp.sqrt(2 * sp.pi) * s_real**3),
    "f07-exp-abs": (integral(sp.exp(-sp.Abs(z / s_real)), z), 2 * s_real),
}

ENGINE_TRUE = {
    "gibbs-normals": (KL(Normal(z, mu, sigma), Normal(z, 0, 1)), ">=", 0),
    "normal-mass": (integral(Normal(z, mu, sigma), z), "=", 1),
    "normal-mass-scaled-std": (integral(Normal(z, mu, 2 * sigma), z), "=", 1),
    "gaussian-kl-closed-form": (KL(Normal(z, mu, sigma), Normal(z, 0, 1)), "=", GAUSS_KL),
    "lambda-quarter": (x * (1 - x), "<=", sp.Rational(1, 4)),
    "two-kinks": (sp.Abs(x - 1) + sp.Abs(x + 1), ">=", 2),
    "exp-tangent": (sp.exp(x), ">=", 1 + x),
    "evidence-bound": (sp.log(p(X)), ">=", ELBO),
    "posterior-kl": (KL(q(z, given=X), p(z, given=X)), ">=", 0),
    "cauchy": (integral(1 / (1 + z**2), z), "=", sp.pi),
    "mean-free-of-variable": (integral(Normal(z, mu + sigma, sigma) * z, z), "=", mu + sigma),
}


@pytest.mark.parametrize("name", sorted(ENGINE_FALSE))
def test_a_false_engine_claim_is_neither_proved_nor_holds(name):
    lhs, relation, rhs = ENGINE_FALSE[name]
    verdict, reason = engine_verdict(lhs, relation, rhs)
    assert verdict not in CHECKED, f"{verdict}: {reason}"


@pytest.mark.parametrize("name", sorted(ENGINE_JACOBIAN_FALSE))
def test_a_change_of_variables_with_a_scale_of_unknown_sign_proves_nothing_false(name):
    lhs, rhs = ENGINE_JACOBIAN_FALSE[name]
    verdict, reason = engine_verdict(lhs, "=", rhs, rules=SUBSTITUTE_REAL)
    assert verdict not in CHECKED, f"{verdict}: {reason}"


def test_a_change_of_variables_with_a_positive_scale_is_proved_or_holds():
    lhs, rhs = integral(sp.exp(-z**2 / (2 * s_positive**2)), z), sp.sqrt(2 * sp.pi) * s_positive
    verdict, reason = engine_verdict(lhs, "=", rhs, rules=SUBSTITUTE_POSITIVE)
    assert verdict in CHECKED, f"{verdict}: {reason}"


@pytest.mark.parametrize("name", sorted(ENGINE_TRUE))
def test_a_true_engine_claim_is_proved_or_holds(name):
    lhs, relation, rhs = ENGINE_TRUE[name]
    verdict, reason = engine_verdict(lhs, relation, rhs)
    assert verdict in CHECKED, f"{verdict}: {reason}"
