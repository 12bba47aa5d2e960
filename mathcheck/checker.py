"""Check a step, or a whole chain, with both checkers and give each step its verdict.

- ``proved``: the symbolic checker proved it and no world contradicts it;
- ``holds``: not proved, but it held on every world hypothesis drew;
- ``refuted``: a world where it fails (hypothesis shrinks it to a small counterexample);
- ``undecided``: neither checker could decide, or the step has no justification.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from mathcheck.calc import Chain, Step
from mathcheck.numeric import Divergent, Needs, Unsupported, World, evaluate, sample_worlds, world_strategy
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED, EntryReport, StepReport
from mathcheck.symbolic import prove
from mathcheck.vocab import to_text

DEFAULT_EXAMPLES = 20
RELATIVE_TOLERANCE = 1e-9  # beyond the quadrature's own error estimate
ERROR_FACTOR = 10  # the error estimates compare two orders: a safe multiple of them bounds the value's error


@dataclass
class NumericResult:
    status: str  # "holds", "refuted" or "unsupported"
    worlds: int = 0
    worst: float = 0.0  # the largest |lhs − rhs| for =, the smallest margin for inequalities
    detail: dict[str, Any] = field(default_factory=dict)


class _Violation(AssertionError):
    pass


def compare(relation: str, lhs: float, rhs: float, error: float) -> tuple[bool, float]:
    """(holds, size) for ``lhs relation rhs`` with a tolerance from the quadrature error estimate."""
    if math.isinf(lhs) or math.isinf(rhs):
        holds = {"=": lhs == rhs, ">=": lhs >= rhs, ">": lhs > rhs, "<=": lhs <= rhs, "<": lhs < rhs}[relation]
        return holds, math.inf
    tolerance = RELATIVE_TOLERANCE * (1 + max(abs(lhs), abs(rhs))) + ERROR_FACTOR * error
    gap = lhs - rhs
    if relation == "=":
        return abs(gap) <= tolerance, abs(gap)
    if relation in (">=", ">"):
        return gap >= -tolerance, gap
    return gap <= tolerance, -gap


@dataclass(frozen=True)
class Side:
    value: float
    error: float = 0.0
    divergent: str = ""  # why the integral has no finite value, if it has none


def evaluate_side(expr: sp.Expr, world: World) -> Side:
    """The value of one side; raises Unsupported where the world cannot say (NaN, no density...)."""
    try:
        value, error = evaluate(expr, world)
    except Divergent as reason:
        return Side(math.nan, divergent=str(reason))
    if math.isnan(value):
        raise Unsupported(f"NaN in world {world.describe()}: {to_text(expr)}")
    return Side(value, error)


HOLDS_NUMERICALLY, VIOLATED, TIE = "holds", "violated", "tie"


def judge(relation: str, left: Side, right: Side) -> tuple[str, float]:
    """(status, size): ``holds``, ``violated``, or ``tie`` for a strict inequality between sides that agree
    within the tolerance (strictness cannot be seen numerically). A divergent side against a finite one
    violates an equality."""
    if left.divergent or right.divergent:
        if relation == "=" and not (left.divergent and right.divergent):
            return VIOLATED, math.inf
        raise Unsupported(left.divergent or right.divergent)
    if math.isinf(left.value) and math.isinf(right.value) and left.value == right.value:
        raise Unsupported("both sides are infinite")
    error = left.error + right.error
    holds, size = compare(relation, left.value, right.value, error)
    if not holds:
        return VIOLATED, size
    if relation in ("<", ">") and compare("=", left.value, right.value, error)[0]:
        return TIE, size
    return HOLDS_NUMERICALLY, size


def _tie_reason(left: Side, right: Side) -> str:
    return (f"the two sides agree within the tolerance (lhs = {left.value:.10g}, rhs = {right.value:.10g}): "
            "a strict inequality cannot be confirmed numerically there")


def _shown(side: Side):
    return "diverges" if side.divergent else side.value


def check_numeric(lhs: sp.Expr, relation: str, rhs: sp.Expr, strategy, seed: int = 0,
                  examples: int = DEFAULT_EXAMPLES) -> NumericResult:
    result = NumericResult("holds", worst=0.0 if relation == "=" else math.inf)
    failure: dict[str, Any] = {}
    ties: dict[str, str] = {}

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False, print_blob=False,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False, verbosity=Verbosity.quiet,
              phases=(Phase.generate, Phase.shrink))
    @hypothesis_seed(seed)
    @given(strategy)
    def trial(world: World) -> None:
        left, right = evaluate_side(lhs, world), evaluate_side(rhs, world)
        status, size = judge(relation, left, right)
        if status == TIE:
            ties.setdefault("reason", _tie_reason(left, right))
            return
        if status == VIOLATED:
            failure.update(world=world.describe(), lhs=_shown(left), rhs=_shown(right),
                           quadrature_error=left.error + right.error)
            if left.divergent or right.divergent:
                failure["divergent"] = left.divergent or right.divergent
            raise _Violation()
        result.worlds += 1
        result.worst = max(result.worst, size) if relation == "=" else min(result.worst, size)

    try:
        trial()
    except _Violation:
        return NumericResult("refuted", result.worlds, detail={"counterexample": failure})
    except Unsupported as error:
        return NumericResult("unsupported", result.worlds, detail={"reason": str(error)})
    if ties:
        return NumericResult("unsupported", result.worlds, detail=ties)
    return result


def strategy_for(chain: Chain):
    """(strategy, None) or (None, why no world can evaluate the chain)."""
    try:
        return world_strategy(Needs.of(chain.expressions)), None
    except Unsupported as error:
        return None, str(error)


def check_step(lhs: sp.Expr, step: Step, strategy=None, *, seed: int = 0, examples: int | None = None,
               model: tuple = (), no_world: str = "no world family applies") -> tuple[str, dict[str, Any]]:
    """The verdict of one step and its details."""
    numeric = (check_numeric(lhs, step.relation, step.expr, strategy, seed, examples or DEFAULT_EXAMPLES)
               if strategy is not None else NumericResult("unsupported", detail={"reason": no_world}))
    return decide(lhs, step, numeric, model)


def decide(lhs: sp.Expr, step: Step, numeric: NumericResult, model: tuple = ()) -> tuple[str, dict[str, Any]]:
    """Combine the symbolic attempt with a numeric result into a verdict."""
    proof = prove(lhs, step.relation, step.expr, step.rules, model=model)
    detail: dict[str, Any] = {"symbolic": proof.reason}
    if proof.disproved:
        detail["reason"] = f"refuted by sympy: {proof.reason}"
        return REFUTED, detail
    if numeric.status == "refuted":
        detail.update(numeric.detail)
        detail["reason"] = "counterexample: " + _describe_counterexample(numeric.detail["counterexample"])
        if proof.proved:
            detail["reason"] += " (the symbolic checker also claimed a proof: please report this mathcheck bug)"
        return REFUTED, detail
    if numeric.status == "holds":
        detail.update(worlds=numeric.worlds, **({"max_error": numeric.worst} if step.relation == "=" else
                                                {"min_margin": numeric.worst}))
    else:
        detail["numeric"] = numeric.detail.get("reason", "")
    if not step.why.strip():
        detail["reason"] = "no justification given: a step must say why it holds"
        return UNDECIDED, detail
    if proof.proved:
        detail["reason"] = proof.reason
        return PROVED, detail
    if numeric.status == "holds":
        detail["reason"] = f"held on {numeric.worlds} worlds (not proved: {proof.reason})"
        return HOLDS, detail
    detail["reason"] = f"not proved ({proof.reason}); numeric: {detail['numeric']}"
    return UNDECIDED, detail


def _describe_counterexample(found: dict[str, Any]) -> str:
    shown = {side: (f"{found[side]:.10g}" if isinstance(found[side], float) else found[side]) for side in ("lhs", "rhs")}
    text = f"lhs = {shown['lhs']}, rhs = {shown['rhs']} in world {found['world']}"
    return text + (f" ({found['divergent']})" if "divergent" in found else "")


def check_chain_numeric(chain: Chain, strategy, seed: int = 0, examples: int = DEFAULT_EXAMPLES) -> list[NumericResult]:
    """Every step on the same worlds (drawn once for all chains with the same needs), each expression
    evaluated once per world; a failing step is then re-run on its own so that hypothesis shrinks its
    counterexample."""
    expressions = chain.expressions
    results = [NumericResult("holds", worst=0.0 if s.relation == "=" else math.inf) for s in chain.steps]
    failed: set[int] = set()
    problem: dict[str, str] = {}  # why an expression could not be evaluated
    undecidable: dict[int, str] = {}  # why a step could not be judged in some world

    for world in sample_worlds(Needs.of(expressions), seed, examples):
        values = [_side_or_none(expr, world, problem) for expr in expressions]
        for index, step in enumerate(chain.steps):
            if index in failed:
                continue
            if values[index] is None or values[index + 1] is None:  # as check_numeric: the step is undecided
                undecidable.setdefault(index, problem.get("reason", "a side could not be evaluated"))
                continue
            try:
                status, size = judge(step.relation, values[index], values[index + 1])
            except Unsupported as error:
                undecidable.setdefault(index, str(error))
                continue
            if status == TIE:
                undecidable.setdefault(index, _tie_reason(values[index], values[index + 1]))
                continue
            result = results[index]
            if status == VIOLATED:
                failed.add(index)
                continue
            result.worlds += 1
            result.worst = max(result.worst, size) if step.relation == "=" else min(result.worst, size)

    for index, (lhs, step) in enumerate(chain.pairs()):
        if index in failed:
            results[index] = check_numeric(lhs, step.relation, step.expr, strategy, seed, examples)
        elif index in undecidable:
            results[index] = NumericResult("unsupported", results[index].worlds,
                                           detail={"reason": undecidable[index]})
        elif results[index].worlds == 0:
            results[index] = NumericResult("unsupported", detail={"reason": problem.get("reason", "no world")})
    return results


def _side_or_none(expr, world: World, problem: dict) -> Side | None:
    try:
        return evaluate_side(expr, world)
    except Unsupported as error:
        problem.setdefault("reason", str(error))
        return None


def check_chain(chain: Chain, seed: int = 0, examples: int | None = None) -> EntryReport:
    start = time.perf_counter()
    strategy, no_world = strategy_for(chain)
    if strategy is not None:
        numerics = check_chain_numeric(chain, strategy, seed, examples or DEFAULT_EXAMPLES)
    else:
        numerics = [NumericResult("unsupported", detail={"reason": no_world})] * len(chain.steps)
    steps = []
    for index, ((lhs, step), numeric) in enumerate(zip(chain.pairs(), numerics), 1):
        verdict, detail = decide(lhs, step, numeric, chain.model)
        steps.append(StepReport(index, step.relation, to_text(lhs), to_text(step.expr), step.why, verdict, detail))
    return EntryReport(chain.name, chain.title, chain.source, chain.conclusion(), steps,
                       time.perf_counter() - start)
