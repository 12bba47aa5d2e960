"""Check a step, or a whole chain, with both checkers and give each step its verdict.

- ``proved``: the symbolic checker proved it and no world contradicts it;
- ``holds``: not proved, but checked numerically: it held on every world that could judge it, and on at
  least one; the step's detail gives their number, the tolerance actually used, the minimum search and
  what such a check can miss (``can_miss``);
- ``refuted``: a world where it fails (hypothesis shrinks it to a small counterexample; the minimum search
  may find one the draws missed). The report shows the simplest point that refutes it clearly (simple
  values of the free symbols, judged like any world: ``readable_witness``) and rhs − lhs when sympy's
  normal forms give a short closed form (``symbolic_difference``); neither changes the verdict;
- ``undecided``: neither checker could decide (the reason says why), or the step has no justification.

How one world judges a step:

- both sides functions of the parameters alone (no integral, density or abstract function): interval
  arithmetic (``mpmath.iv``), the precision raised until the enclosure of lhs − rhs decides; the tolerance
  is the width of that enclosure. A tie in a strict inequality is tested for exact equality (sympy, at the
  world's values as exact rationals) and refutes it when exact;
- otherwise floating point: the tolerance is ``ERROR_FACTOR`` × the quadrature error estimates (two orders)
  + ``ROUNDING_FACTOR`` × the rounding estimates (a pass with every intermediate result perturbed in its
  last bits, estimated once a near-tie asks for it) + 4 eps (|lhs| + |rhs|). Every violation, and every tie
  of a strict inequality, is evaluated again with refined quadrature before it counts; a world whose
  tolerance exceeds ``CONVERGENCE`` × (1 + |lhs| + |rhs|) decides nothing.

The boundary worlds (``numeric.boundary_worlds``: q = the posterior, p = q, edge values...) are judged
first, then the hypothesis draws. A world with values beyond what floating point evaluates (and a boundary
world where a side is undefined) is skipped and counted, never a verdict; no world that judges, no "holds".
Before an unproved step holds, ``search`` minimizes the margin over the free symbols and the model world's
own parameters (log, logit or asinh coordinates; for sides of the parameters alone, 30 000 vectorized draws,
then Nelder–Mead, polished in 50-digit arithmetic; otherwise sampling and a compass search, the quadrature's
tolerance subtracted), starting from the tightest worlds of every kind that judged the step (each family,
each boundary case it keeps: q = the posterior, p = q; a family met only with a tie also untied) and from
the features of the step (bumps, poles, kinks), and judges the best points, rounded ones included, like
any world.

A floating-point refutation of a step the symbolic checker proved, one by a margin that is not clear
(``CLEAR``), and one whose error estimate is not trustworthy (``_trustworthy``: a world with values outside
``FLOAT_SAFE``, a side differentiated by differences) is evaluated again in its world at 40 digits
(``reexamined``, ``numeric.PreciseEvaluator``) before it is reported: it stands only if it fails there too;
where the sides agree it was floating-point error; where the world cannot be evaluated so precisely the step
is undecided (a proved step stays proved where only a world outside ``FLOAT_SAFE`` disputes it). Rounding
noise never refutes; only a confirmed contradiction of a proof is reported as a mathcheck bug.
"""
from __future__ import annotations

import itertools
import math
import re
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable

import mpmath
import numpy as np
import sympy as sp
from sympy.core.relational import Relational
from mathcheck.calc import Chain, Step
from mathcheck.lazy import lazy_module
from mathcheck.numeric import (EPS, FLOAT_SAFE, INTERVAL_PRECISIONS, PRECISE_DIGITS, Divergent, DrawnWorlds,
                               Evaluator, FloatRange, Needs, NotReal, Unresolved, Unsupported, World, boundary_worlds,
                               bounds,
                               cross_check_worlds,
                               evaluate, evaluate_refined,
                               family_parameters, family_range, feature_breakpoints, hypothesis_run,
                               integrand_features, interval_evaluable, interval_value, is_scale, is_weight,
                               overflowed, precision, precise_sides, rounding_estimate, sample_worlds,
                               ranked_simple_assignments, simple_values, simplicity, simplicity_rank, switch_points,
                               untied, with_family, with_symbols, world_strategy)
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED, EntryReport, StepReport
from mathcheck.deadline import SymbolicTimeout, time_limit
from mathcheck.symbolic import RULES, Proof, normal_form, prove
from mathcheck.vocab import _LABELS_RESOLVED, to_text, unfold

optimize = lazy_module("scipy.optimize")  # imported when a search runs

DEFAULT_EXAMPLES = 20
ERROR_FACTOR = 10  # the error estimates compare two orders: a safe multiple of them bounds the value's error
ROUNDING_FACTOR = 10  # the perturbed pass moves a value by about its rounding error: a safe multiple of it
CONVERGENCE = 1e-6  # a tolerance above this × (1 + |lhs| + |rhs|) means the evaluation did not converge
ABSOLUTE_FLOOR = 1e-300  # subnormal results carry absolute, not relative, rounding errors
TIGHT = 1e-9  # a strict inequality the search brings within this (normalized) margin is not confirmed
CLOSEST_KEPT = 4  # the tightest worlds kept as starting points of the search
MIN_JUDGING_WORLDS = 3  # where worlds were skipped, a "holds" needs this many evaluated ones at least
SKIPPED_PER_JUDGING = 3  # and no more skipped worlds than this many per evaluated one
SEARCH_EVALUATIONS = {True: 1500, False: 400}  # sides of the parameters alone / with quadrature
SEARCH_SAMPLES = 30_000  # vectorized draws before the local searches (parameters alone)
SEARCH_SECONDS = 2.0  # per step, from the tightest kind of world
SEARCH_SECONDS_PER_KIND = 1.5  # per step and each further kind of world (another family, a boundary case)
OTHER_KIND_SHARE = 2  # each further kind of world gets 1/OTHER_KIND_SHARE of the evaluations
GUARANTEES = {
    "sums": "exact finite sums at concrete sizes in {1, 2, 3, 4, 5, 8}, expectations over samples enumerated over a "
            "discrete latent (mathcheck.sums): holds within 1e-9 relative, refutes beyond 1e-6",
    "interval": "interval arithmetic (mpmath.iv) at up to 5000 bits: the width of the enclosure of lhs − rhs",
    "quadrature": f"{ERROR_FACTOR} × the quadrature error estimate (two orders, and the nodes' rounding) + "
                  f"{ROUNDING_FACTOR} × the rounding estimate (a perturbed pass) + 4 eps (|lhs| + |rhs|); "
                  "near-ties and violations re-evaluated with refined panels",
}
TOLERANCE_NOTE = "the largest tolerance used, relative to 1 + |lhs| + |rhs|"
SEARCH_PROBE = "found by the minimum search"

NOT_CONVERGED = "the evaluation did not converge"
HOLDS_NUMERICALLY, VIOLATED, TIE, NEAR, UNRESOLVED, SKIPPED, UNDECIDABLE = (
    "holds", "violated", "tie", "near", "unresolved", "skipped", "undecidable")
UNREAL = "unreal"  # one side real, the other not: evidence against the step as written
UNBOUNDED = "unbounded"  # an integral overflows or diverges in a world of moderate values: it may not exist
SIDE_CONDITION = "the step holds at most under a side condition the document does not state"


@dataclass
class NumericResult:
    status: str  # "holds", "refuted" or "unsupported"
    worlds: int = 0  # the worlds that judged the step (and found it to hold)
    worst: float = 0.0  # the largest |lhs − rhs| for =, the smallest margin for inequalities
    detail: dict[str, Any] = field(default_factory=dict)
    tolerance: float = 0.0  # the largest tolerance a world judged with, relative to 1 + |lhs| + |rhs|
    methods: set = field(default_factory=set)  # "interval" and/or "quadrature"
    skipped: dict[str, int] = field(default_factory=dict)  # why worlds could not judge it -> how many
    closest: list = field(default_factory=list, repr=False)  # (normalized margin, world), tightest first
    by_kind: dict = field(default_factory=dict, repr=False)  # search_kind(world) -> its own ``closest``
    witness: tuple | None = field(default=None, repr=False)  # (Outcome, World) of a refutation
    searched: list = field(default_factory=list, repr=False)  # (key, World) at the minimum search's best points


class _Violation(AssertionError):
    pass


# ---------------------------------------------------------------- one side, one world


@dataclass(frozen=True)
class Side:
    value: float
    error: float = 0.0  # quadrature error estimate
    rounding: float = 0.0  # floating-point error estimate (or the width of the enclosure)
    divergent: str = ""  # why the integral has no finite value, if it has none
    enclosure: Any = None  # the mpmath interval, when the side was evaluated in interval arithmetic
    bits: int = 0
    rounded: bool = False  # whether ``rounding`` was estimated (it is, once a near-tie asks for it)
    refined: bool = False


def evaluate_side(expr: sp.Expr, world: World, refined: bool = False) -> Side:
    """The value of one side; raises Unsupported where the world cannot say (NaN, no density...). Kept with
    the world (worlds are not changed once built), under the label rule in force (which density a labelled
    one names, ``vocab.labels_resolved``): the steps of a chain share their sides, and the boundary and
    drawn worlds are shared by the steps of a document."""
    sides = world.__dict__.setdefault("_sides", {})
    key = (expr, refined, labels_resolved_now())
    if key not in sides:
        try:
            sides[key] = _evaluated_side(expr, world, refined)
        except (Unsupported, FloatRange) as error:  # FloatRange is an Unsupported; both say the same again
            sides[key] = error
    if isinstance(sides[key], Exception):
        raise sides[key]
    return sides[key]


def labels_resolved_now() -> bool:
    return _LABELS_RESOLVED.get()


def _evaluated_side(expr: sp.Expr, world: World, refined: bool) -> Side:
    if interval_evaluable(expr):
        return _enclosed_side(expr, world, INTERVAL_PRECISIONS[0])
    return _float_side(expr, world, refined)


def _enclosed_side(expr: sp.Expr, world: World, bits: int) -> Side:
    for precision_bits in (b for b in INTERVAL_PRECISIONS if b >= bits):
        try:
            enclosure = interval_value(expr, world, precision_bits)
        except Unresolved:
            continue
        low, high = bounds(enclosure)
        return Side(float((low + high) / 2), 0.0, float(high - low), enclosure=enclosure, bits=precision_bits)
    raise Unsupported(f"NaN in world {world.describe()}: {to_text(expr)} has no enclosure even at "
                      f"{INTERVAL_PRECISIONS[-1]} bits")


def _float_side(expr: sp.Expr, world: World, refined: bool, rounded: bool = False) -> Side:
    try:
        value, error = evaluate_refined(expr, world) if refined else evaluate(expr, world)
    except Divergent as reason:
        return Side(math.nan, divergent=str(reason))
    if math.isnan(value):
        if overflowed(world, refined):
            raise FloatRange(f"an intermediate result overflows floating point in world {world.describe()}: "
                             f"{to_text(expr)}")
        raise Unsupported(f"NaN in world {world.describe()}: {to_text(expr)}")
    side = Side(value, error, refined=refined)
    return _with_rounding(side, expr, world) if rounded else side


def _with_rounding(side: Side, expr: sp.Expr, world: World) -> Side:
    """``side`` with its rounding estimated (the perturbed pass), if it is a float side without one."""
    if side.enclosure is not None or side.rounded or side.divergent:
        return side
    return replace(side, rounding=rounding_estimate(expr, world, side.value, side.refined), rounded=True)


@dataclass(frozen=True)
class Judgement:
    status: str
    size: float = 0.0  # |lhs − rhs| for =, the margin (lhs − rhs for ≥, rhs − lhs for ≤) otherwise
    tolerance: float = 0.0
    scale: float = 1.0  # 1 + |lhs| + |rhs|
    method: str = "quadrature"
    note: str = ""


def judge(relation: str, left: Side, right: Side, final: bool = True) -> Judgement:
    """Whether ``left relation right`` holds, is violated, or is a tie (the sides agree within the
    tolerance, for a strict inequality); ``near`` (only when not ``final``): evaluate again more finely."""
    if left.divergent or right.divergent:
        if relation == "=" and not (left.divergent and right.divergent):
            return Judgement(VIOLATED, math.inf, note=left.divergent or right.divergent)
        raise Unsupported(left.divergent or right.divergent)
    if left.enclosure is not None and right.enclosure is not None:
        return _judge_enclosures(relation, left, right, final)
    return _judge_floats(relation, left, right, final)


def _margin(relation: str, gap: float) -> float:
    return gap if relation in (">=", ">") else -gap


def _judge_floats(relation: str, left: Side, right: Side, final: bool) -> Judgement:
    lhs, rhs = left.value, right.value
    if math.isinf(lhs) or math.isinf(rhs):
        if lhs == rhs:
            raise FloatRange("both sides are infinite")
        if relation == "=":  # an overflow of a huge finite value looks the same: it is no counterexample
            raise FloatRange(f"a side overflows floating point (lhs = {lhs:.6g}, rhs = {rhs:.6g})")
        holds = {">=": lhs > rhs, ">": lhs > rhs, "<=": lhs < rhs, "<": lhs < rhs}[relation]
        return Judgement(HOLDS_NUMERICALLY if holds else VIOLATED, math.inf, 0.0, math.inf, note="an infinite side")
    scale = 1 + abs(lhs) + abs(rhs)
    tolerance = (ERROR_FACTOR * (left.error + right.error) + ROUNDING_FACTOR * (left.rounding + right.rounding)
                 + 4 * EPS * (abs(lhs) + abs(rhs)) + ABSOLUTE_FLOOR)
    if not math.isfinite(tolerance) or tolerance > CONVERGENCE * scale:
        return Judgement(UNRESOLVED if final else NEAR, 0.0, tolerance, scale,
                         note=f"{NOT_CONVERGED} (tolerance {tolerance:.3g} at values {lhs:.6g}, {rhs:.6g})")
    gap = lhs - rhs
    if relation == "=":
        if abs(gap) <= tolerance:
            return Judgement(HOLDS_NUMERICALLY, abs(gap), tolerance, scale)
        return Judgement(VIOLATED if final else NEAR, abs(gap), tolerance, scale)
    margin = _margin(relation, gap)
    if margin < -tolerance:
        return Judgement(VIOLATED if final else NEAR, margin, tolerance, scale)
    if margin <= tolerance and relation in ("<", ">"):
        return Judgement(TIE if final else NEAR, margin, tolerance, scale)
    return Judgement(HOLDS_NUMERICALLY, margin, tolerance, scale)


def _shown_number(value) -> str:
    """``value`` to 6 digits, or as a power of two where its decimal exponent is too long to write (2^(2^40))."""
    if mpmath.isfinite(value) and value != 0 and abs(mpmath.mag(value)) > 10**5:
        return f"{'-' if value < 0 else ''}2^{int(mpmath.mag(value))} (about)"
    return mpmath.nstr(value, 6)


def _judge_enclosures(relation: str, left: Side, right: Side, final: bool) -> Judgement:
    bits = max(left.bits, right.bits)
    with precision(bits):
        gap = left.enclosure - right.enclosure
    low, high = bounds(gap)
    scale = 1 + max(map(abs, bounds(left.enclosure))) + max(map(abs, bounds(right.enclosure)))
    width = high - low
    tight = width <= mpmath.ldexp(scale, -(min(left.bits, right.bits) - 24))
    tolerance, size_scale = float(width), float(scale)
    shown = f"lhs − rhs = {_shown_number((low + high) / 2)} in interval arithmetic at {bits} bits"
    if relation == "=":
        if low > 0 or high < 0:
            return Judgement(VIOLATED, float(max(low, -high)), tolerance, size_scale, "interval", shown)
        if tight:
            return Judgement(HOLDS_NUMERICALLY, 0.0, tolerance, size_scale, "interval")
        return Judgement(NEAR if not final else UNRESOLVED, 0.0, tolerance, size_scale, "interval",
                         "the enclosure stays wider than the precision allows")
    margin_low, margin_high = (low, high) if relation in (">=", ">") else (-high, -low)
    size = float((margin_low + margin_high) / 2)
    if margin_high < 0:
        return Judgement(VIOLATED, size, tolerance, size_scale, "interval", shown)
    if margin_low > 0 or (margin_low == 0 and relation in (">=", "<=")):
        return Judgement(HOLDS_NUMERICALLY, size, tolerance, size_scale, "interval")
    if not tight:
        return Judgement(NEAR if not final else UNRESOLVED, size, tolerance, size_scale, "interval",
                         "the enclosure stays wider than the precision allows")
    if relation in (">=", "<="):
        return Judgement(HOLDS_NUMERICALLY, size, tolerance, size_scale, "interval")
    return Judgement(TIE if final else NEAR, size, tolerance, size_scale, "interval")


def settle(lhs: sp.Expr, relation: str, rhs: sp.Expr, world: World, left: Side, right: Side,
           thorough: bool = False) -> tuple[Judgement, Side, Side]:
    """The final judgement in ``world``: near-ties re-evaluated (higher precision, refined quadrature), a
    tie of a strict inequality between enclosures tested for exact equality; ``thorough``: a tie between
    enclosures is confirmed at the highest precision (a difference of 1e-400 is no tie there)."""
    judgement = judge(relation, left, right, final=False)
    enclosed = left.enclosure is not None and right.enclosure is not None
    if judgement.status == NEAR and not enclosed:
        left, right = _with_rounding(left, lhs, world), _with_rounding(right, rhs, world)
        judgement = judge(relation, left, right, final=False)
    if judgement.status == NEAR:
        if enclosed:
            judgement, left, right = _escalated(lhs, relation, rhs, world, left, right)
        elif judgement.note.startswith(NOT_CONVERGED) and world.extreme():
            judgement = replace(judgement, status=UNRESOLVED)
        else:
            left = left if left.enclosure is not None else _float_side(lhs, world, refined=True, rounded=True)
            right = right if right.enclosure is not None else _float_side(rhs, world, refined=True, rounded=True)
            judgement = judge(relation, left, right, final=True)
    if (thorough and enclosed and judgement.status == HOLDS_NUMERICALLY and judgement.size <= judgement.tolerance
            and max(left.bits, right.bits) < INTERVAL_PRECISIONS[-1]):
        left, right = (_enclosed_side(e, world, INTERVAL_PRECISIONS[-1]) for e in (lhs, rhs))
        judgement = judge(relation, left, right, final=True)
    if judgement.status == TIE and judgement.method == "interval" and exactly_equal(lhs, rhs, world):
        judgement = Judgement(VIOLATED, 0.0, 0.0, judgement.scale, "interval",
                              "the two sides are exactly equal here (sympy, at exact values)")
    return judgement, left, right


def _escalated(lhs, relation, rhs, world, left: Side, right: Side) -> tuple[Judgement, Side, Side]:
    for bits in (b for b in INTERVAL_PRECISIONS if b > max(left.bits, right.bits)):
        left, right = _enclosed_side(lhs, world, bits), _enclosed_side(rhs, world, bits)
        judgement = judge(relation, left, right, final=bits == INTERVAL_PRECISIONS[-1])
        if judgement.status != NEAR:
            return judgement, left, right
    return judge(relation, left, right, final=True), left, right


def exactly_equal(lhs: sp.Expr, rhs: sp.Expr, world: World) -> bool:
    """Whether lhs − rhs is exactly 0 at the world's values (as exact rationals), as sympy sees it."""
    if world.extreme():
        return False
    values = {}
    for symbol, value in world.symbols.items():
        if np.ndim(value) == 0 and not isinstance(value, (bool, np.bool_)):
            values[symbol] = sp.Integer(int(value)) if isinstance(value, (int, np.integer)) else sp.Rational(
                float(value))
    try:
        return (unfold(sp.sympify(lhs)) - unfold(sp.sympify(rhs))).xreplace(values).is_zero is True
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return False


@dataclass(frozen=True)
class Outcome:
    status: str  # holds / violated / tie / skipped / undecidable / unreal / unbounded
    judgement: Judgement | None = None
    left: Side | None = None
    right: Side | None = None
    reason: str = ""
    unreal: bool = False  # skipped because both sides are not real there


def judge_world(lhs: sp.Expr, relation: str, rhs: sp.Expr, world: World, left=None, right=None,
                thorough: bool = False) -> Outcome:
    """The step in one world. ``left``/``right``: the sides if already evaluated (a Side, or the
    Unsupported its evaluation raised). A world that cannot say because of floating point, or a boundary
    world where a side is undefined, is ``skipped``; another world that cannot say is ``undecidable``.
    ``thorough``: see ``settle`` (asked for until a first world holds)."""
    skippable = bool(world.probe) or world.extreme()
    given = (left, right)
    try:
        left, right = _side(left, lhs, world), _side(right, rhs, world)
        judgement, left, right = settle(lhs, relation, rhs, world, left, right, thorough)
    except FloatRange as error:
        diverging = "overflow" in str(error) and _may_not_exist(lhs, rhs, world)
        if diverging:
            return Outcome(UNBOUNDED, reason=_not_existing(diverging, world, str(error)))
        return Outcome(SKIPPED, reason=str(error))
    except NotReal as error:
        # a symbolic power of a base that may be negative: ``_unsampled_power`` says why (its exponent may be
        # an integer in this world, which the enclosure of a non-integer exponent does not see)
        one_sided = "" if _unsampled_power(lhs, rhs) else (_one_side_unreal(lhs, rhs, world, *given)
                                                          or _diverging_against_unreal(lhs, rhs, world, *given))
        if one_sided:
            return Outcome(UNREAL, reason=one_sided)
        return Outcome(SKIPPED, reason=str(error), unreal=True)
    except Unsupported as error:
        return Outcome(SKIPPED if skippable else UNDECIDABLE, reason=str(error))
    if judgement.status == UNRESOLVED:
        return Outcome(SKIPPED, judgement, left, right, judgement.note)
    infinite = left.divergent or right.divergent or math.isinf(left.value) or math.isinf(right.value)
    diverging = infinite and judgement.status != VIOLATED and _may_not_exist(lhs, rhs, world)
    if diverging:
        return Outcome(UNBOUNDED, judgement, left, right, _not_existing(
            diverging, world, left.divergent or right.divergent or f"lhs = {left.value:.6g}, rhs = {right.value:.6g}"))
    if skippable and (left.divergent or right.divergent or (judgement.method == "quadrature"
                                                            and math.isinf(judgement.scale))):
        if infinite and judgement.status == VIOLATED and _may_not_exist(lhs, rhs, world):
            return Outcome(VIOLATED, judgement, left, right)  # a divergence confirmed in the tails: no artefact
        return Outcome(SKIPPED, judgement, left, right,
                       left.divergent or right.divergent or "a side overflows floating point")
    return Outcome(judgement.status, judgement, left, right)


def _both_sides(lhs: sp.Expr, rhs: sp.Expr, world: World, left=None, right=None) -> list:
    """Each side's value in ``world`` (a :class:`Side`), or the error that says why it has none."""
    sides = []
    for given, expr in ((left, lhs), (right, rhs)):
        try:
            sides.append(_side(given, expr, world))
        except Unsupported as error:
            sides.append(error)
    return sides


def _one_side_unreal(lhs: sp.Expr, rhs: sp.Expr, world: World, left=None, right=None) -> str:
    """Where one side is real in ``world`` and the other is not: the sentence that says so ("" otherwise)."""
    sides = _both_sides(lhs, rhs, world, left, right)
    real = [isinstance(side, Side) and math.isfinite(side.value) for side in sides]
    unreal = [isinstance(side, NotReal) for side in sides]
    if not (real[0] and unreal[1] or real[1] and unreal[0]):
        return ""
    value, why = (sides[0].value, sides[1]) if real[0] else (sides[1].value, sides[0])
    defined, undefined = ("left", "right") if real[0] else ("right", "left")
    cause = re.sub(r"^NaN in world \{[^}]*\}: ", "NaN: ", str(why))
    return (f"at {_world_values(world)} the {defined} side is {value:.6g}, the {undefined} side is not real "
            f"({cause}): {SIDE_CONDITION}")


def _diverging_against_unreal(lhs: sp.Expr, rhs: sp.Expr, world: World, left=None, right=None) -> str:
    """Where one side diverges (or overflows to ±inf) in a world of moderate values where its integrand does
    not decay in the tails (``_may_not_exist``: the integral does not exist) and the other is not real: the
    sentence that says the step needs a side condition there, such as σ² < 2 for
    E_N(0, σ²)[e^{z²/4}] = (1 − σ²/2)^{-1/2} ("" otherwise). Never a skipped world: the worlds that judge the
    step may all lie where both sides are finite."""
    sides = _both_sides(lhs, rhs, world, left, right)
    diverging = [isinstance(side, Side) and (bool(side.divergent) or math.isinf(side.value)) for side in sides]
    unreal = [isinstance(side, NotReal) for side in sides]
    if not (diverging[0] and unreal[1] or diverging[1] and unreal[0]):
        return ""
    integral = _may_not_exist(lhs, rhs, world)
    if not integral:
        return ""
    diverges, undefined = ("left", "right") if diverging[0] else ("right", "left")
    cause = re.sub(r"^NaN in world \{[^}]*\}: ", "NaN: ", str(sides[1] if diverging[0] else sides[0]))
    return (f"at {_world_values(world)} the {diverges} side diverges ({integral}: its integrand does not decay in "
            f"the tails), the {undefined} side is not real ({cause}): {SIDE_CONDITION}")


def _world_values(world: World) -> str:
    shown = {str(s): _plain_number(v) for s, v in world.symbols.items()
             if np.ndim(v) == 0 and isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)}
    shown = shown or family_parameters(world)
    return ", ".join(f"{name} = {value:.6g}" if isinstance(value, float) else f"{name} = {value}"
                     for name, value in shown.items()) or str(world.describe())


def _may_not_exist(lhs: sp.Expr, rhs: sp.Expr, world: World) -> str:
    """Where the world's values are moderate and an integral of a side over the real line has an integrand
    that decays no faster than 1/|z| far in the tails of its Gaussian: that integral (or expectation) does
    not exist there, and an overflow or a tail that does not vanish is no limit of floating point ("" if
    no side shows it)."""
    if world.extreme():
        return ""
    values = {s: sp.Float(float(v), 30) for s, v in world.symbols.items()
              if np.ndim(v) == 0 and isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)}
    try:
        with time_limit(TAIL_SECONDS):
            for side in (lhs, rhs):
                for node in unfold(sp.sympify(side)).atoms(sp.Integral):
                    if len(node.limits) == 1 and _growing_tail(node.function, node.limits[0][0], values):
                        return to_text(node)
    except (SymbolicTimeout, ArithmeticError, TypeError, ValueError, AttributeError, NameError, RecursionError):
        return ""
    return ""


TAIL_SECONDS = 1.0
TAIL_OFFSETS = (100, 200, 400, 800)  # standard deviations from the mean where the integrand's tail is read


def _growing_tail(integrand: sp.Expr, variable: sp.Symbol, values: dict) -> bool:
    """Whether |integrand| at mean ± k·std of its one Gaussian in ``variable`` (k in ``TAIL_OFFSETS``) falls
    by less than half at each doubling of k (slower than 1/|z|: ∫ |integrand| diverges), in mpmath, whose
    exponent range is unbounded."""
    from mathcheck.vocab import Normal
    normals = [n for n in integrand.atoms(Normal) if n.variable == variable]
    if len(normals) != 1:
        return False
    mean, std = (mpmath.mpf(str(sp.N(e.xreplace(values), 30))) for e in (normals[0].mean, normals[0].std))
    written = integrand.replace(lambda e: isinstance(e, Normal), lambda e: e.rewrite(sp.exp)).xreplace(values)
    if written.free_symbols != {variable}:
        return False
    function = sp.lambdify([variable], written, modules="mpmath")
    with mpmath.workdps(30):
        for direction in (1, -1):
            logs = [mpmath.log(abs(function(mean + direction * k * abs(std)))) for k in TAIL_OFFSETS]
            if all(mpmath.isfinite(v) for v in logs) and all(
                    later - earlier >= -mpmath.log(2) for earlier, later in zip(logs[1:], logs[2:])):
                return True
    return False


def _not_existing(integral: str, world: World, cause: str) -> str:
    cause = re.sub(r"\s*in world \{[^}]*\}", "", cause)
    return (f"{integral} may not exist: at {_world_values(world)} its integrand does not decay in the tails "
            f"({cause}); the document does not restrict the parameters to where it converges")


def _side(given, expr: sp.Expr, world: World) -> Side:
    if isinstance(given, Exception):
        raise given
    return given if given is not None else evaluate_side(expr, world)


# ---------------------------------------------------------------- many worlds


def _category(reason: str) -> str:
    """A skip reason without its world: worlds skipped for the same reason are counted together."""
    reason = re.sub(r"\s*in world \{[^}]*\}", "", reason)
    return re.sub(r"(?<![\w.])[-+]?(\d+\.?\d*(e[-+]?\d+)?|inf|nan)(?![\w.])", "…", reason)[:160]


class Tally:
    """The worlds' outcomes for one step, and the result they add up to."""

    def __init__(self, relation: str):
        self.relation = relation
        self.result = NumericResult(HOLDS, worst=0.0 if relation == "=" else math.inf)
        self.failure: tuple[Outcome, World] | None = None
        self.tie = ""
        self.undecidable = ""
        self.unreal = ""  # the first world where one side is real and the other is not
        self.unbounded = ""  # the first world of moderate values where an integral overflows or diverges
        self.both_unreal = 0  # worlds skipped because neither side is real there

    @property
    def settled(self) -> bool:
        return self.failure is not None or bool(self.undecidable or self.unreal)

    def add(self, outcome: Outcome, world: World) -> None:
        if outcome.status == VIOLATED:
            self.failure = (outcome, world)
        elif outcome.status == TIE:
            self.tie = self.tie or _tie_reason(outcome, world)
        elif outcome.status == SKIPPED:
            reason = _category(outcome.reason)
            self.result.skipped[reason] = self.result.skipped.get(reason, 0) + 1
            self.both_unreal += outcome.unreal
        elif outcome.status == UNREAL:
            self.unreal = self.unreal or outcome.reason
        elif outcome.status == UNBOUNDED:
            self.unbounded = self.unbounded or outcome.reason
        elif outcome.status == UNDECIDABLE:
            self.undecidable = self.undecidable or outcome.reason
        else:
            self._held(outcome, world)

    def _held(self, outcome: Outcome, world: World) -> None:
        result, judgement = self.result, outcome.judgement
        result.worlds += 1
        result.worst = max(result.worst, judgement.size) if self.relation == "=" else min(result.worst,
                                                                                           judgement.size)
        result.tolerance = max(result.tolerance, judgement.tolerance / judgement.scale)
        result.methods.add(judgement.method)
        key = (-judgement.size if self.relation == "=" else judgement.size) / judgement.scale
        result.closest = sorted(result.closest + [(key, world)], key=lambda pair: pair[0])[:CLOSEST_KEPT]
        kind = search_kind(world)
        result.by_kind[kind] = sorted(result.by_kind.get(kind, []) + [(key, world)],
                                      key=lambda pair: pair[0])[:CLOSEST_KEPT]

    def finish(self) -> NumericResult:
        result = self.result
        if self.failure is not None:
            outcome, world = self.failure
            return _refuted(result.worlds, outcome, world)
        if self.undecidable:
            return NumericResult("unsupported", result.worlds, detail={"reason": self.undecidable})
        if self.unreal:
            return NumericResult("unsupported", result.worlds, detail={"reason": self.unreal, "unreal": True})
        if self.unbounded:
            return NumericResult("unsupported", result.worlds, detail={"reason": self.unbounded})
        if self.both_unreal > result.worlds:
            return NumericResult("unsupported", result.worlds, detail={"reason": (
                f"both sides are not real in {self.both_unreal} of {self.both_unreal + result.worlds} worlds "
                f"judged as declared ({_skips(result.skipped)}): {SIDE_CONDITION}")})
        if self.tie:
            return NumericResult("unsupported", result.worlds, detail={"reason": self.tie})
        if result.worlds == 0:
            return NumericResult("unsupported", detail={"reason": "no world could judge it: " + (_skips(
                result.skipped) or "no worlds")})
        skipped = sum(result.skipped.values())
        if skipped and (result.worlds < MIN_JUDGING_WORLDS or SKIPPED_PER_JUDGING * result.worlds < skipped):
            return NumericResult("unsupported", result.worlds, detail={"reason": (
                f"too few worlds judged it to say it holds: {result.worlds} evaluated, {skipped} skipped (a "
                f"\"holds\" needs at least {MIN_JUDGING_WORLDS} evaluated worlds and no more than "
                f"{SKIPPED_PER_JUDGING} skipped per evaluated one): {_skips(result.skipped)}")})
        return result


def _skips(skipped: dict[str, int]) -> str:
    return "; ".join(f"{count} skipped: {reason}" for reason, count in sorted(skipped.items(), key=lambda i: -i[1]))


def _tie_reason(outcome: Outcome, world: World) -> str:
    left, right = outcome.left, outcome.right
    return (f"the two sides agree within the tolerance (lhs = {left.value:.10g}, rhs = {right.value:.10g}, "
            f"tolerance {outcome.judgement.tolerance:.3g}) in world {world.describe()}: a strict inequality "
            "cannot be confirmed numerically there")


def _shown(side: Side):
    return "diverges" if side.divergent else side.value


def _refuted(worlds: int, outcome: Outcome, world: World) -> NumericResult:
    return NumericResult("refuted", worlds, detail={"counterexample": _counterexample(outcome, world)},
                         witness=(outcome, world))


def _counterexample(outcome: Outcome, world: World) -> dict[str, Any]:
    """The refutation as the reports show it: the world, its free symbols' values exactly as evaluated
    (``values``: the world's description rounds them), both sides, the tolerance and how it was judged."""
    left, right, judgement = outcome.left, outcome.right, outcome.judgement
    found = {"world": world.describe(), "values": _free_values(world), "lhs": _shown(left), "rhs": _shown(right),
             "quadrature_error": left.error + right.error, "tolerance": judgement.tolerance,
             "method": judgement.method}
    if left.divergent or right.divergent:
        found["divergent"] = left.divergent or right.divergent
    if judgement.note:
        found["note"] = judgement.note
    return found


def _boundary_worlds_for(expressions) -> tuple[World, ...]:
    try:
        light = not all(interval_evaluable(e) for e in expressions)
        return boundary_worlds(Needs.of(expressions), light)
    except Unsupported:
        return ()


def check_numeric(lhs: sp.Expr, relation: str, rhs: sp.Expr, strategy, seed: int = 0,
                  examples: int = DEFAULT_EXAMPLES) -> NumericResult:
    """The step on the boundary worlds, then on ``examples`` worlds drawn from ``strategy`` (a hypothesis
    strategy, or worlds drawn already, a tuple or ``numeric.DrawnWorlds``: hypothesis samples from them and
    shrinks towards the first)."""
    from mathcheck import sums  # components, products, expectations over samples: worlds of concrete sizes
    if sums.handles([lhs, rhs]):
        return sums.check_numeric(lhs, relation, rhs, seed, examples)
    tally = Tally(relation)
    if _judged_in_turn(lhs, relation, rhs, _boundary_worlds_for([lhs, rhs]), tally):
        return tally.finish()
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    if isinstance(strategy, DrawnWorlds):
        strategy = strategy.hypothesis()
    if isinstance(strategy, tuple):
        strategy = st.sampled_from(strategy)

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False, print_blob=False,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False, verbosity=Verbosity.quiet,
              phases=(Phase.generate, Phase.shrink))
    @hypothesis_seed(seed)
    @given(strategy)
    def trial(world: World) -> None:
        outcome = judge_world(lhs, relation, rhs, world, thorough=tally.result.worlds == 0)
        if outcome.status == UNDECIDABLE:
            raise Unsupported(outcome.reason)
        tally.add(outcome, world)  # a violation: replaced by each smaller one while hypothesis shrinks
        if outcome.status == VIOLATED:
            raise _Violation()

    try:
        with hypothesis_run():
            trial()
    except _Violation:
        pass
    except Unsupported as error:
        tally.undecidable = str(error)
    return tally.finish()


def _judged_in_turn(lhs: sp.Expr, relation: str, rhs: sp.Expr, worlds, tally: "Tally") -> bool:
    """Judge the step in each of ``worlds`` in order into ``tally``, until one settles it (a violation, or a
    world that cannot evaluate it); whether one did."""
    for world in worlds:
        tally.add(judge_world(lhs, relation, rhs, world, thorough=tally.result.worlds == 0), world)
        if tally.settled:
            return True
    return False


def _cross_check_worlds_for(expressions) -> tuple[World, ...]:
    try:
        light = not all(interval_evaluable(e) for e in expressions)
        return cross_check_worlds(Needs.of(expressions), light)
    except Unsupported:
        return ()


def cross_check(lhs: sp.Expr, relation: str, rhs: sp.Expr, drawn: tuple, seed: int = 0) -> NumericResult:
    """The numeric check of a step the symbolic checker proved (a guard against a bug of the engine, not the
    verdict): a bounded, well-spread subset of the boundary worlds (``numeric.cross_check_worlds``: every
    edge value of every free symbol, every family world), then each world of ``drawn`` (drawn once for the
    document: ``numeric.DrawnWorlds.plain``) in turn, without a hypothesis run per step; the first violated
    world is the witness (as hypothesis would shrink towards it). A violation makes the proof a reported
    mathcheck bug (``decide``). A step not proved is judged on every boundary world (``check_numeric``)."""
    from mathcheck import sums
    if sums.handles([lhs, rhs]):
        return sums.check_numeric(lhs, relation, rhs, seed, len(drawn))
    tally = Tally(relation)
    if not _judged_in_turn(lhs, relation, rhs, _cross_check_worlds_for([lhs, rhs]), tally):
        _judged_in_turn(lhs, relation, rhs, drawn, tally)
    return tally.finish()


def strategy_for(chain: Chain):
    """(strategy, None) or (None, why no world can evaluate the chain)."""
    try:
        return world_strategy(Needs.of(chain.expressions)), None
    except Unsupported as error:
        return None, str(error)


def check_step(lhs: sp.Expr, step: Step, strategy=None, *, seed: int = 0, examples: int | None = None,
               model: tuple = (), no_world: str = "no world family applies",
               worlds: Callable[[int], tuple[Any, str]] | None = None) -> tuple[str, dict[str, Any]]:
    """The verdict of one step and its details. The symbolic proof comes first: a proved step is cross-checked
    on the boundary worlds (worlds drawn already: the subset ``numeric.cross_check_worlds``) and
    ``CROSS_CHECK_EXAMPLES`` drawn worlds (a world that refutes it makes it a
    reported mathcheck bug, see ``decide``), any other step on ``examples`` drawn worlds. ``worlds``, in place
    of ``strategy``: a function of the number of worlds wanted that gives (their strategy, or None and why
    there is none), called only when the numeric check runs. A strategy of worlds drawn already (a tuple,
    or ``numeric.DrawnWorlds``): a proved step is judged in each of them in turn (``cross_check``, on
    DrawnWorlds' ``plain`` worlds: no hypothesis at all), any other step by hypothesis sampling from them
    (DrawnWorlds' ``hypothesis`` worlds)."""
    from mathcheck.dimensions import two_symbols_one_name
    from mathcheck.matrix_numeric import is_matrix_step
    clash = two_symbols_one_name(lhs, step.expr)
    if clash:  # a counterexample would name two values d; lambdify refuses two arguments d
        return UNDECIDED, {"reason": clash}
    if is_matrix_step(lhs, step.expr):  # the scalar worlds do not evaluate matrices; ``decide`` uses the matrix worlds
        return decide(lhs, step, NumericResult("unsupported", detail={"reason": no_world}), model)
    proof = prove(lhs, step.relation, step.expr, step.rules, model=model)
    wanted = examples or DEFAULT_EXAMPLES
    if proof.proved:
        wanted = min(wanted, CROSS_CHECK_EXAMPLES)
    if worlds is not None:
        strategy, no_world = worlds(wanted)
    if strategy is None:
        numeric = NumericResult("unsupported", detail={"reason": no_world})
    elif proof.proved and isinstance(strategy, (tuple, DrawnWorlds)):  # worlds drawn already: judged in turn
        drawn = strategy.plain() if isinstance(strategy, DrawnWorlds) else strategy
        numeric = cross_check(lhs, step.relation, step.expr, drawn, seed)
    else:
        numeric = check_numeric(lhs, step.relation, step.expr, strategy, seed, wanted)
    return decide(lhs, step, numeric, model, proof)


CROSS_CHECK_EXAMPLES = 3  # drawn worlds (after the boundary worlds) that cross-check a symbolic proof


def decide(lhs: sp.Expr, step: Step, numeric: NumericResult, model: tuple = (),
           proof: Proof | None = None) -> tuple[str, dict[str, Any]]:
    """Combine the symbolic attempt (``proof``, if made already) with a numeric result into a verdict; a step
    that holds numerically but is not proved is searched for a counterexample first (``search``)."""
    from mathcheck.matrix_numeric import decide_matrix, is_matrix_step
    if is_matrix_step(lhs, step.expr):  # matrix steps: the matrix normal form and matrix worlds
        return decide_matrix(lhs, step)
    if proof is None:
        proof = prove(lhs, step.relation, step.expr, step.rules, model=model)
    detail: dict[str, Any] = {"symbolic": proof.reason}
    if proof.disproved:
        explained = _explained(detail, lhs, step, numeric, model, said="differ by" in proof.reason)
        detail["reason"] = f"refuted by sympy: {proof.reason}" + (f"; {explained}" if explained else "")
        return REFUTED, detail
    undefined = _undefined_at_a_size(lhs, step)
    if undefined:
        detail["reason"] = f"undecided: {undefined}"
        return UNDECIDED, detail
    sized = None if proof.proved else _size_verdict(lhs, step, model, detail)
    if sized is not None:
        return sized
    if numeric.status == "holds" and not proof.proved and step.why.strip():
        numeric = search(lhs, step.relation, step.expr, numeric)
    if numeric.status == "holds" and not proof.proved and numeric.methods == {"interval"}:
        numeric = certified(lhs, step.relation, step.expr, numeric)
    if numeric.status == "unsupported" and not proof.proved:
        numeric = _kink_refutation(lhs, step.relation, step.expr, numeric)
    if numeric.status == "refuted" and (proof.proved or not _clear(numeric.witness[0])
                                        or not _trustworthy(lhs, step.expr, numeric.witness[1])):
        numeric = reexamined(lhs, step.relation, step.expr, numeric, proved=proof.proved)
    if proof.proved and numeric.status == "unsupported" and numeric.detail.get("unreal"):
        detail["numeric"] = numeric.detail["reason"]
        detail["reason"] = (f"not decided: {numeric.detail['reason']} (the symbolic checker proved it where every "
                            f"value may be complex: {proof.reason})")
        return UNDECIDED, detail
    if numeric.status == DISPUTED:
        detail["numeric"] = numeric.detail["reason"]
        detail["reason"] = (f"not decided: {numeric.detail['reason']}" + (
            f" (the symbolic checker proved it: {proof.reason})" if proof.proved else f" (not proved: {proof.reason})"))
        return UNDECIDED, detail
    missing = _pole_in_expectation(lhs, step.expr) if numeric.status == "refuted" and not proof.proved else ""
    if missing:  # a counterexample is only as real as the values it compares: E[1/(x − 5)] has none
        detail["numeric"] = numeric.detail.get("reason", "")
        detail["reason"] = f"not decided: {missing}, so the numeric counterexample compares no real value"
        return UNDECIDED, detail
    if numeric.status == "refuted":
        detail.update(numeric.detail)
        detail["reason"] = _explained(detail, lhs, step, numeric, model)
        if proof.proved and _holds_exactly(lhs, step.relation, step.expr, numeric.witness[1]):
            detail["reason"] = (f"not decided: {detail['reason']}, yet the symbolic checker proved it and the step "
                                f"holds there in exact arithmetic: please report this mathcheck bug")
            return UNDECIDED, detail  # an evaluation artefact: no refutation stands against a proof
        if proof.proved:
            detail["reason"] += " (the symbolic checker also claimed a proof: please report this mathcheck bug)"
        return REFUTED, detail
    if numeric.status == "holds":
        detail.update(_holds_detail(numeric, step.relation))
    else:
        detail["numeric"] = numeric.detail.get("reason", "")
    unsampled = (_unsampled_power(lhs, step.expr) or _pole_in_expectation(lhs, step.expr)
                 or _cases_in(lhs, step.expr) if numeric.status == "holds" else "")
    if unsampled:
        detail["numeric"] = f"held on {_holds_summary(numeric)}, but {unsampled}"
        numeric = NumericResult("unsupported", numeric.worlds, detail={"reason": detail["numeric"]})
    held = f"held on {_holds_summary(numeric)}" if numeric.status == "holds" else None
    return unrefuted_verdict(step, proof, held, detail.get("numeric", ""), detail)


def _undefined_at_a_size(lhs: sp.Expr, step: Step) -> str:
    """Why a step in the sizes alone (d, K, N) does not hold at every size: as written, a side has no value at
    one ("" when none is found, or the step depends on more than sizes)."""
    from mathcheck.size_difference import no_value_reason, undefined_as_written
    sides = (sp.sympify(lhs), sp.sympify(step.expr))
    free = set().union(*(side.free_symbols for side in sides))
    if not free or not all(isinstance(s, sp.Symbol) and s.is_integer and s.is_positive for s in free):
        return ""
    try:
        with time_limit(SIZE_SECONDS):
            found = undefined_as_written(sides, sorted(free, key=str))
    except (SymbolicTimeout, NotImplementedError, ValueError, TypeError, RecursionError, ArithmeticError,
            sp.PolynomialError):
        return ""
    if found is None:
        return ""
    cancelled = " (a cancellation that removes the division holds only where it is defined)" \
        if found[1].startswith("the divisor") else ""
    return no_value_reason(*found) + cancelled


SIZE_SECONDS = 5.0  # the exact evaluation of a size-only difference at sizes 1..40 (a harmonic sum: 0.6 s)


def _size_verdict(lhs: sp.Expr, step: Step, model: tuple, detail: dict[str, Any]) -> tuple[str, dict] | None:
    """The verdict of a step whose lhs − rhs (normal forms) depends on the sizes alone (d, K, N), decided
    exactly (``size_difference.decide_sizes``): the worlds' few sizes could all be roots of a polynomial, and
    no finite set of sizes proves a difference that is no polynomial. None for any other step."""
    from mathcheck.size_difference import decide_sizes, size_symbols
    difference = None
    try:
        with time_limit(DIFFERENCE_SECONDS):
            difference = sp.expand(normal_form(sp.sympify(lhs), step.rules, model)
                                   - normal_form(sp.sympify(step.expr), step.rules, model))
        with time_limit(SIZE_SECONDS):
            verdict = decide_sizes(difference, step.relation) if difference != 0 else None
    except SymbolicTimeout:
        if difference is None or difference == 0 or size_symbols(difference) is None:
            return None
        detail["reason"] = (f"undecided: lhs − rhs depends on the sizes alone, and deciding it at every size took "
                            f"more than {SIZE_SECONDS:g}s (the numeric worlds draw only a few sizes)")
        return UNDECIDED, detail
    except (NotImplementedError, ValueError, TypeError, RecursionError, ArithmeticError,
            AttributeError, sp.PolynomialError):
        return None
    if verdict is None:
        return None
    detail["sizes"] = verdict.reason
    if verdict.status == "refuted":
        value = verdict.value if step.relation in ("=", ">=", ">") else -verdict.value  # the margin of ≤ is rhs − lhs
        detail["counterexample"] = {"world": {"family": "sizes", **{str(s): v for s, v in verdict.sizes.items()}},
                                    "lhs - rhs": sp.sstr(value)}  # (no re-evaluation: a size may be 2^40)
        how = "decided exactly" if not sp.sympify(verdict.value).has(sp.Float) else "evaluated in high precision"
        detail["reason"] = f"counterexample: {verdict.reason} (lhs − rhs depends on the sizes alone: {how})"
        return REFUTED, detail
    if verdict.status == "proved":
        return unrefuted_verdict(step, Proof(True, f"exact in the sizes: {verdict.reason}"), None, "", detail)
    if verdict.status == "undefined":
        detail["reason"] = f"undecided: {verdict.reason} (lhs − rhs depends on the sizes alone)"
        return UNDECIDED, detail
    return unrefuted_verdict(step, Proof(False, "a difference in the sizes alone, not decided at every size"),
                             f"held: {verdict.reason}", "", detail)


def _pole_in_expectation(lhs: sp.Expr, rhs: sp.Expr) -> str:
    """Why an expectation of a step may not exist: its body has a pole on the real line (``E[1/ε]``), where
    ∫ |body| · density diverges; quadrature that steps over the pole sums the two divergent halves to a
    finite number ("" if no expectation has one)."""
    from mathcheck.vocab import Expectation, density_variables
    for side in (lhs, rhs):
        for expectation in sp.sympify(side).atoms(Expectation):
            for variable in density_variables(expectation.density):
                pole = _real_pole(expectation.body, variable)
                if pole is not None:
                    return (f"{expectation} may not exist: its body has a pole at {variable} = {pole}, where the "
                            "integral of its absolute value diverges (quadrature steps over it)")
        for integral in sp.sympify(side).atoms(sp.Integral):
            for limit in integral.limits:
                over_the_line = len(limit) == 1 or (limit[1] == -sp.oo and limit[2] == sp.oo)
                pole = _real_pole(integral.function, limit[0]) if over_the_line else None
                if pole is not None:
                    return (f"{integral} may not exist: its integrand has a pole at {limit[0]} = {pole}, where the "
                            "integral of its absolute value diverges (quadrature steps over it)")
    return ""


@lru_cache(maxsize=1024)  # the same bodies recur step after step; sympy's cancel is not cached
def _real_pole(body: sp.Expr, variable: sp.Symbol) -> sp.Expr | None:
    if not isinstance(variable, sp.Symbol) or not body.has(variable):
        return None
    _, denominator = sp.fraction(sp.cancel(sp.together(body)))
    if not denominator.has(variable):
        return None
    try:
        roots = sp.roots(sp.Poly(denominator, variable))
    except (sp.PolynomialError, sp.GeneratorsNeeded, NotImplementedError):
        return None
    return next((root for root in roots if root.is_real), None)


def _unsampled_power(lhs: sp.Expr, rhs: sp.Expr) -> str:
    """Why worlds cannot vouch for a step with a power ``b**e`` whose exponent is symbolic and not known to be
    an integer and whose base can be negative: for ``b < 0`` it is real only at special exponents (``x**(2*a)``
    at ``a = 1/2``), which drawn worlds do not hit, so every world with ``b < 0`` is skipped ("" if none)."""
    for side in (lhs, rhs):
        for power in sorted(sp.sympify(side).atoms(sp.Pow), key=sp.default_sort_key):
            base, exponent = power.as_base_exp()
            if exponent.free_symbols and exponent.is_integer is not True and base.free_symbols \
                    and base.is_nonnegative is not True:
                return (f"`{power}` is real for {base} < 0 only at special values of {exponent}, which no world "
                        f"samples: the step is checked only where {base} ≥ 0")
    return ""


def unrefuted_verdict(step: Step, proof: Proof, held: str | None, numeric_reason: str,
                      detail: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The verdict of a step no check refuted: proved, holds (``held`` says where), or undecided."""
    if not step.why.strip():
        detail["reason"] = "no justification given: a step must say why it holds"
        return UNDECIDED, detail
    if proof.proved:
        detail["reason"] = proof.reason
        return PROVED, detail
    if held is not None:
        detail["reason"] = f"{held} (not proved: {proof.reason})"
        return HOLDS, detail
    detail["reason"] = f"not proved ({proof.reason}); numeric: {numeric_reason}"
    return UNDECIDED, detail


def _cases_in(lhs: sp.Expr, rhs: sp.Expr) -> str:
    """Why sampled values cannot settle a step with cases (a Piecewise): two cases may differ at one point only
    (x ≥ π against x > π), which no sample hits ("" when neither side has cases)."""
    if any(isinstance(side, sp.Basic) and side.has(sp.Piecewise) for side in (lhs, rhs)):
        return "it has cases, and sampled values can miss the one point where two cases differ (x ≥ π against x > π)"
    return ""


DISPUTED = "disputed"  # a float refutation of a proved step that higher precision could not examine
PRECISE_SLACK = 1e-25  # at PRECISE_DIGITS = 40 digits: a difference below this × (1 + |lhs| + |rhs|) is none


def _holds_exactly(lhs: sp.Expr, relation: str, rhs: sp.Expr, world: World) -> bool:
    """Whether the step holds at the world's values taken exactly (each float as the rational it is), evaluated
    by sympy at 60 digits; False wherever that cannot be told (densities, vectors, a side left symbolic)."""
    values = {symbol: sp.Rational(value) if isinstance(value, float) else sp.Integer(value)
              for symbol, value in world.symbols.items()
              if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)}
    try:
        gap = (sp.sympify(lhs) - sp.sympify(rhs)).subs(values)
        if gap.free_symbols or not gap.is_number:
            return False
        value = gap if gap.is_Rational else gap.evalf(60)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return False
    if not (value.is_real and value.is_finite):
        return False
    exact = value.is_Rational
    if relation == "=":
        return bool(value == 0) if exact else False
    margin = value if relation in (">=", ">") else -value
    return bool(margin > 0 or (margin == 0 and relation in (">=", "<="))) if exact or abs(margin) > 1e-40 else False


def _trustworthy(lhs: sp.Expr, rhs: sp.Expr, world: World) -> bool:
    """Whether a floating-point refutation's error estimate can be taken at its word: not in a world with
    values outside ``FLOAT_SAFE`` (σ = 1e-300 makes σ² underflow; quadrature of an oscillating integrand at
    μ = 1e6 loses its digits), nor of a side differentiated by differences (their step is no certified
    bound)."""
    return not world.extreme() and not any(sp.sympify(e).has(sp.Derivative) for e in (lhs, rhs))


def reexamined(lhs: sp.Expr, relation: str, rhs: sp.Expr, numeric: NumericResult,
               proved: bool = False) -> NumericResult:
    """A numeric refutation examined again before it is reported (``decide`` asks for it where the symbolic
    checker proved the step, wherever the failure is not clear, ``_clear``, or not ``_trustworthy``): an
    enclosure's refutation is rigorous and stands; a floating-point one is evaluated again in the same world
    at ``PRECISE_DIGITS`` digits (``numeric.precise_sides``). It stands only if the margin fails there too
    (beyond the error estimates of its integrals and derivatives and ``PRECISE_SLACK``); where the sides
    agree at that precision it was floating-point error, not a counterexample ("unsupported", with the
    reason); where the world has no precise form, or time runs out, it stands only if it is clear and
    trustworthy; a ``proved`` step disputed only in a world outside ``FLOAT_SAFE`` stays proved
    ("unsupported"); otherwise ``DISPUTED`` (undecided)."""
    outcome, world = numeric.witness
    judgement = outcome.judgement
    if judgement is None or judgement.method == "interval":
        return numeric
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    shown = (f"a floating-point evaluation in world {world.describe()} gives lhs − rhs = "
             f"{outcome.left.value - outcome.right.value:.3g} against a tolerance of {judgement.tolerance:.2g}"
             if not (outcome.left.divergent or outcome.right.divergent) else
             f"a floating-point evaluation in world {world.describe()} finds a side divergent")
    try:
        left, right, error = precise_sides(lhs, rhs, world)
    except (Unsupported, Divergent, SymbolicTimeout, ArithmeticError, ValueError, TypeError) as why:
        unexamined = f"{shown}, and it could not be examined at {PRECISE_DIGITS} digits ({why or type(why).__name__})"
        if _clear(outcome) and _trustworthy(lhs, rhs, world):
            return numeric
        if proved and world.extreme():  # floating point beyond its range against a proof: the proof stands
            return NumericResult("unsupported", numeric.worlds, detail={"reason": (
                f"{unexamined}: values outside {FLOAT_SAFE} make no counterexample without that check")})
        return NumericResult(DISPUTED, numeric.worlds, detail={"reason": unexamined})
    gap = left - right
    slack = 1000 * error + PRECISE_SLACK * (1 + abs(left) + abs(right))
    margin = -abs(gap) if relation == "=" else (gap if relation in (">=", ">") else -gap)
    precise = f"at {PRECISE_DIGITS} digits lhs − rhs = {mpmath.nstr(gap, 6)} (error bound {mpmath.nstr(slack, 2)})"
    if margin < -slack or (relation in ("<", ">") and margin <= 0 and exactly_equal(lhs, rhs, world)):
        numeric.detail["counterexample"]["precise"] = precise
        return numeric
    if relation in ("<", ">") and margin <= slack:
        return NumericResult(DISPUTED, numeric.worlds, detail={"reason": (
            f"{shown}; {precise}: a strict inequality this near equality is not decided numerically")})
    return NumericResult("unsupported", numeric.worlds, detail={"reason": (
        f"{shown}, but {precise}: the difference was floating-point error (rounding, under- or overflow, "
        "quadrature or differencing), not a counterexample; the other worlds "
        "were not judged")})


CERTIFY_SECONDS = 3.0  # the cancellation-free difference and the refined minimiser, per step
CERTIFY_WORLDS = 8  # judged worlds at most in which the cancellation-free difference is enclosed
REFINE_DIGITS = 60  # Newton's method on the margin's gradient, at this many digits
REFINE_SYMBOLS = 3  # the refined minimiser is sought over this many free symbols at most


def certified(lhs: sp.Expr, relation: str, rhs: sp.Expr, numeric: NumericResult) -> NumericResult:
    """A step that held in interval arithmetic but is not proved, looked at once more where the worlds'
    enclosures are too coarse to see it fail: lhs − rhs written without its cancellation (``_sign_forms``)
    and enclosed in the judged worlds (a difference e^(−10000) is certified nonzero: mpmath's exponent range
    is unbounded), and an inequality's margin at its minimiser refined by Newton's method on the gradient
    (``_refined_minimum``). Refuted where either certifies a failure; undecided where the search's smallest
    margin is negative and neither confirms it."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    worlds = _certifying_worlds(numeric)
    try:
        with time_limit(CERTIFY_SECONDS):
            found, positive = _kink_failure(lhs, relation, rhs, worlds, numeric), ""
            found = found or _cancellation_free_failure(lhs, relation, rhs, worlds, numeric)
            if found is None and relation != "=":
                found, positive = _refined_minimum(lhs, relation, rhs, numeric)
    except SymbolicTimeout:
        found, positive = None, ""
    if found is not None:
        return found
    negative = [key for key, _ in numeric.searched if key < 0]
    if negative and positive:
        numeric.detail["search"] = numeric.detail.get("search", "") + "; " + positive
    if relation != "=" and negative and not positive:
        return NumericResult("unsupported", numeric.worlds, detail={"reason": (
            f"the minimum search found a negative normalized margin {min(negative):.3g}, which interval arithmetic "
            "at the refined minimiser neither confirms nor rules out: a negative margin is no evidence that it holds")})
    return numeric


KINK_EXPRESSIONS = 12  # the zero sets searched at most: kinks of max, min, |·| and steps, and the sums inside them
KINK_STARTS = (0.0, 1.0, -1.0, 3.0, -3.0, 10.0, -10.0)
KINK_WORLDS = 2  # judged worlds whose other values a zero set is searched at
KINK_PROBE = "at a zero or an extremum of an argument of max, min, |·| or a step function"


def _kink_failure(lhs, relation: str, rhs, worlds: list, numeric: NumericResult) -> NumericResult | None:
    """The step judged again at the zero sets of the arguments of its max, min, |·| and step functions (where
    max(0, g) has its kink, g = 0; and of each sum inside those arguments, such as the residual e^x + x³ − 2 of
    max(0, 1e-4 − |e^x + x³ − 2|)), each root found in one symbol, the others at a judged world's values, by
    the secant method and by ``numeric.switch_points`` (which adds the extrema of each argument: the top of a
    bump 1 − (e^x − 10⁶)² too narrow for any world): a step false only on a narrow band around a root with
    no closed form is judged there (the minimum search sees a flat zero outside the band)."""
    try:
        expressions = _kink_expressions(unfold(lhs) - unfold(rhs))
    except (TypeError, ValueError, AttributeError, RecursionError):
        return None
    best = None  # the clearest violation: a root of the residual itself beats one at the band's edge
    for world in worlds[:KINK_WORLDS]:
        for expression in expressions:
            for symbol in sorted(expression.free_symbols, key=str):
                for root in _real_roots(expression, symbol, world):
                    try:
                        moved = with_symbols(world, {symbol: root}, probe=KINK_PROBE)
                    except (Unsupported, ValueError, TypeError):
                        continue
                    outcome = judge_world(lhs, relation, rhs, moved)
                    if outcome.status != VIOLATED:
                        continue
                    if _clear(outcome):
                        return _refuted(numeric.worlds, outcome, moved)
                    if best is None or abs(outcome.judgement.size) > abs(best[0].judgement.size):
                        best = (outcome, moved)
    return _refuted(numeric.worlds, *best) if best else None


def _kink_refutation(lhs, relation: str, rhs, numeric: NumericResult) -> NumericResult:
    """A step of the parameters alone that the worlds left undecided (too many skipped, say), judged at the
    switch points of its max, min, |·| and step functions from the first boundary worlds: a violation there
    is a counterexample that replaces the undecided result (``numeric`` otherwise)."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    if not (interval_evaluable(lhs) and interval_evaluable(rhs)) or not _has_switches(lhs, rhs):
        return numeric
    try:
        with time_limit(CERTIFY_SECONDS):
            found = _kink_failure(lhs, relation, rhs, list(_boundary_worlds_for([lhs, rhs])), numeric)
    except SymbolicTimeout:
        found = None
    return found or numeric


def _has_switches(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    return any(side.has(sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.Piecewise) for side in (lhs, rhs))


def _kink_expressions(difference: sp.Expr) -> list[sp.Expr]:
    found = []
    for node in sp.preorder_traversal(difference):
        if isinstance(node, (sp.Max, sp.Min)):
            found += [a - b for a, b in itertools.combinations(node.args, 2)]
        elif isinstance(node, (sp.Abs, sp.Heaviside)):
            found.append(node.args[0])
        elif isinstance(node, sp.Piecewise):  # where a piece's condition switches
            found += [r.lhs - r.rhs for _, condition in node.args for r in condition.atoms(Relational)]
    inner = [sub for expr in found for sub in sp.preorder_traversal(expr) if isinstance(sub, sp.Add)]
    unique = []
    for expr in found + inner:
        if expr.free_symbols and expr not in unique:
            unique.append(expr)
    return unique[:KINK_EXPRESSIONS]


def _real_roots(expression: sp.Expr, symbol: sp.Symbol, world: World) -> list[float]:
    """Real roots of ``expression`` in ``symbol``, the other symbols at ``world``'s values (secant method at
    30 digits from a few starts, the world's own value first; then ``numeric.switch_points``: its sign changes
    over ±1e-8 .. 1e8 and its extrema there); [] where it cannot be evaluated so."""
    value = world.symbols.get(symbol)
    others = {s: world.symbols.get(s) for s in expression.free_symbols - {symbol}}
    if value is None or np.ndim(value) != 0 or any(v is None or np.ndim(v) != 0 for v in others.values()):
        return []
    try:
        function = sp.lambdify([symbol], expression.xreplace({s: sp.Float(float(v), 30) for s, v in others.items()}),
                               modules="mpmath")
    except (TypeError, ValueError, NameError, SyntaxError):
        return []
    roots = []
    with mpmath.workdps(30):
        for start in (float(value),) + KINK_STARTS:
            try:
                root = mpmath.findroot(function, mpmath.mpf(start), solver="secant")
            except (ValueError, ZeroDivisionError, TypeError, ArithmeticError, NameError):
                continue
            if isinstance(root, mpmath.mpf) and mpmath.isfinite(root) and all(abs(root - r) > 1e-12 for r in roots):
                roots.append(root)
    roots += [mpmath.mpf(r) for r in switch_points(expression, symbol, others)
              if all(abs(r - known) > 1e-12 for known in roots)]
    if symbol.is_positive or symbol.is_nonnegative:
        roots = [r for r in roots if r > 0 or (r == 0 and symbol.is_nonnegative)]
    if symbol.is_negative or symbol.is_nonpositive:
        roots = [r for r in roots if r < 0 or (r == 0 and symbol.is_nonpositive)]
    return [float(r) for r in roots]


def _certifying_worlds(numeric: NumericResult) -> list[World]:
    worlds = [world for _, world in numeric.closest] + [world for _, world in numeric.searched]
    worlds += [world for kind in numeric.by_kind.values() for _, world in kind]
    unique = []
    for world in worlds:
        if all(world is not other for other in unique):
            unique.append(world)
    return unique[:CERTIFY_WORLDS]


def _sign_forms(difference: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """(numerator, denominator) pairs whose quotient has the sign of ``difference`` at every real point where
    it is defined, with the cancellations sympy can make done: tanh, sinh, cosh through exp, the difference
    over one denominator, and where it has logs exp(difference) − 1 (log(1 + e^t) − t becomes e^(−t))."""
    written = difference.replace(lambda e: isinstance(e, (sp.tanh, sp.sinh, sp.cosh)), _through_exp)
    forms = [written]
    if written.has(sp.log):
        forms.append(sp.expand(sp.exp(written)) - 1)
    pairs = []
    for form in forms:
        numerator, denominator = sp.fraction(sp.together(form))
        pairs.append((sp.expand(numerator), denominator))
    return pairs


def _through_exp(node: sp.Expr) -> sp.Expr:
    """tanh, sinh or cosh of a through exp(a) alone (``rewrite(exp)`` would write a power x² as exp(2 log x))."""
    up, down = sp.exp(node.args[0]), sp.exp(-node.args[0])
    if isinstance(node, sp.tanh):
        return (up - down) / (up + down)
    return (up - down) / 2 if isinstance(node, sp.sinh) else (up + down) / 2


def _enclosed_sign(expr: sp.Expr, world: World) -> int:
    """The sign of ``expr`` in ``world`` where an enclosure excludes 0 (1 or −1), else 0."""
    for bits in INTERVAL_PRECISIONS:
        try:
            low, high = bounds(interval_value(expr, world, bits))
        except Unresolved:
            continue
        except (Unsupported, ArithmeticError, ValueError, TypeError):
            return 0
        if low > 0 or high < 0:
            return 1 if low > 0 else -1
    return 0


def _fails_with_sign(relation: str, sign: int) -> bool:
    return {"=": sign != 0, ">=": sign < 0, ">": sign < 0, "<=": sign > 0, "<": sign > 0}[relation]


def _cancellation_free_failure(lhs, relation: str, rhs, worlds: list, numeric: NumericResult):
    try:
        difference = unfold(lhs) - unfold(rhs)
        if sp.count_ops(difference) > 200:
            return None
        pairs = _sign_forms(difference)
    except (TypeError, ValueError, ArithmeticError, RecursionError, AttributeError, sp.PolynomialError):
        return None
    for numerator, denominator in pairs:
        if numerator == 0:
            continue
        for world in worlds:
            sign = _enclosed_sign(numerator, world) * _enclosed_sign(denominator, world)
            if _fails_with_sign(relation, sign):
                note = (f"lhs − rhs {'>' if sign > 0 else '<'} 0 certified in interval arithmetic by its "
                        f"cancellation-free form ({to_text(numerator)}) / ({to_text(denominator)})")
                return _certified_refutation(lhs, rhs, world, note, numeric)
    return None


def _refined_minimum(lhs, relation: str, rhs, numeric: NumericResult) -> tuple[NumericResult | None, bool]:
    """An inequality's margin at the minimiser the search came near, refined by Newton's method on its
    gradient at ``REFINE_DIGITS`` digits and enclosed there at that exact point: (a refutation or None,
    what says that the margin there is certified positive: a negative margin of the search was rounding)."""
    positive = ""
    margin = (unfold(lhs) - unfold(rhs)) * (1 if relation in (">=", ">") else -1)
    for _, world in sorted(numeric.searched, key=lambda pair: pair[0])[:2]:
        symbols = sorted((s for s in margin.free_symbols), key=str)
        if not symbols or len(symbols) > REFINE_SYMBOLS or any(
                np.ndim(world.symbols.get(s)) != 0 or world.symbols.get(s) is None for s in symbols):
            continue
        point = _newton_point(margin, symbols, [float(world.symbols[s]) for s in symbols])
        if point is None or not all(_in_domain(s, v) for s, v in zip(symbols, point)):
            found, note = _margin_at_search_point(lhs, rhs, margin, relation, world, numeric)
            if found is not None:
                return found, ""
            positive = positive or note
            continue
        exact = {s: sp.Rational(mpmath.nstr(v, REFINE_DIGITS)) for s, v in zip(symbols, point)}
        refined = margin.xreplace(exact)
        sign = _enclosed_sign(refined, world)
        shown = {str(s): mpmath.nstr(v, 25) for s, v in zip(symbols, point)}
        if sign > 0 and not positive:
            positive = (f"refined by Newton's method at {REFINE_DIGITS} digits, the minimiser "
                        f"{', '.join(f'{k} = {v}' for k, v in shown.items())} has a positive margin in interval "
                        "arithmetic (the negative one was rounding)")
        if sign == 0 and relation in (">=", "<=") and _zero_enclosed(refined, world) and not positive:
            positive = (f"refined by Newton's method at {REFINE_DIGITS} digits, the minimiser "
                        f"{', '.join(f'{k} = {v}' for k, v in shown.items())} has a margin within rounding of 0: "
                        "interval arithmetic encloses 0 there (a minimum of 0, where ≥ holds with equality)")
        if sign < 0:
            near = with_symbols(world, {s: float(v) for s, v in zip(symbols, point)}, probe=SEARCH_PROBE)
            note = (f"the minimiser refined by Newton's method on the gradient at {REFINE_DIGITS} digits: the "
                    "margin is negative there in interval arithmetic")
            return _certified_refutation(lhs, rhs, near, note, numeric, shown), ""
    return None, positive


ZERO_WIDTH = mpmath.mpf(10) ** -50  # an enclosure of 0 this narrow is a margin within rounding of 0


def _margin_at_search_point(lhs, rhs, margin: sp.Expr, relation: str, world: World,
                            numeric: NumericResult) -> tuple[NumericResult | None, str]:
    """Where Newton's method finds no minimiser (a degenerate minimum, such as a whole line of zeros), the
    margin enclosed at the search's own point: (a refutation where it is certified negative, or a note saying
    that the search's negative margin was rounding: positive there, or, for ≥ and ≤, within rounding of 0)."""
    sign = _enclosed_sign(margin, world)
    if sign < 0:
        note = "the margin at the minimum search's point is negative in interval arithmetic"
        return _certified_refutation(lhs, rhs, world, note, numeric), ""
    if sign > 0:
        return None, ("at the minimum search's point the margin is positive in interval arithmetic (the "
                      "negative one was rounding; Newton's method found no isolated minimiser)")
    if relation in (">=", "<=") and _zero_enclosed(margin, world):
        return None, ("at the minimum search's point the margin is within rounding of 0: interval arithmetic "
                      "encloses 0 there (Newton's method found no isolated minimiser)")
    return None, ""


def _zero_enclosed(expr: sp.Expr, world: World) -> bool:
    """Whether an enclosure of ``expr`` in ``world`` holds 0 and is narrower than ``ZERO_WIDTH``."""
    try:
        low, high = bounds(interval_value(expr, world, INTERVAL_PRECISIONS[-1]))
    except (Unresolved, Unsupported, ArithmeticError, ValueError, TypeError):
        return False
    return low <= 0 <= high and high - low <= ZERO_WIDTH


def _in_domain(symbol: sp.Symbol, value) -> bool:
    """Whether a real ``value`` respects the sign ``symbol`` is declared with."""
    if not isinstance(value, mpmath.mpf):
        return False
    return not ((symbol.is_positive and value <= 0) or (symbol.is_nonnegative and value < 0)
                or (symbol.is_negative and value >= 0) or (symbol.is_nonpositive and value > 0))


def _newton_point(margin: sp.Expr, symbols: list, start: list[float]) -> list | None:
    try:
        gradient = [sp.lambdify(symbols, sp.diff(margin, s), modules="mpmath") for s in symbols]
        with mpmath.workdps(REFINE_DIGITS):
            if len(symbols) == 1:
                return [mpmath.findroot(gradient[0], mpmath.mpf(start[0]))]
            root = mpmath.findroot(gradient, [mpmath.mpf(v) for v in start])
            return [root[i] for i in range(len(symbols))]
    except (ValueError, ZeroDivisionError, TypeError, ArithmeticError, NameError, AttributeError):
        return None


def _certified_refutation(lhs, rhs, world: World, note: str, numeric: NumericResult,
                          values: dict | None = None) -> NumericResult | None:
    try:
        left, right = evaluate_side(lhs, world), evaluate_side(rhs, world)
    except Unsupported:
        return None
    judgement = Judgement(VIOLATED, 0.0, 0.0, 1 + abs(left.value) + abs(right.value), "interval", note)
    found = _refuted(numeric.worlds, Outcome(VIOLATED, judgement, left, right), world)
    if values:
        found.detail["counterexample"]["values"] = values
    return found


def _holds_detail(numeric: NumericResult, relation: str) -> dict[str, Any]:
    detail: dict[str, Any] = {"worlds": numeric.worlds, "tolerance": numeric.tolerance,
                              "tolerance_rule": TOLERANCE_NOTE + ": " + "; ".join(
                                  GUARANTEES[m] for m in sorted(numeric.methods)),
                              "can_miss": _can_miss(numeric)}
    detail["max_error" if relation == "=" else "min_margin"] = numeric.worst
    if numeric.skipped:
        detail["skipped"] = dict(numeric.skipped)
    if "search" in numeric.detail:
        detail["search"] = numeric.detail["search"]
    return detail


def _can_miss(numeric: NumericResult) -> str:
    misses = ["failures confined to regions that no world and no search reached (the search varies the free "
              "symbols and, from every kind of world that judged the step, its family's parameters: the "
              "linear-Gaussian and p/q worlds' within 1e-8 .. 1e8, the mixture-Bernoulli worlds' within "
              "1e-4 .. 1e4, with q and p as normals; the logistic, skew-normal and mixture q are only drawn)",
              "differences smaller than the tolerance"]
    if "quadrature" in numeric.methods:
        misses.append("integrand features narrower than the quadrature resolves (nodes about 1/20 of the "
                      "densities' scale apart near their mass, up to one scale apart 20-40 scales out), other "
                      "than the Gaussian bumps, poles and kinks that place panels; rounding errors beyond the "
                      "perturbed pass's estimate")
    if numeric.skipped:
        misses.append(f"failures only in the {sum(numeric.skipped.values())} skipped worlds")
    return "; ".join(misses)


def _holds_summary(numeric: NumericResult) -> str:
    text = f"{numeric.worlds} worlds, relative tolerance ≤ {numeric.tolerance:.2g}"
    if numeric.skipped:
        text += f", {sum(numeric.skipped.values())} skipped"
    if "search" in numeric.detail:
        text += f"; {numeric.detail['search']}"
    return text


def _describe_counterexample(found: dict[str, Any]) -> str:
    """``at mu = 0, sigma = 2: lhs = 0.807, rhs = 2.19 (...)``: the point, then both sides with as many digits
    as tell them apart (three at least)."""
    noise = found.get("tolerance", 0.0) if found.get("method") == "quadrature" else 0.0
    where, sides = _where(found), _sides_text(found["lhs"], found["rhs"], noise)
    text = f"{where}: {sides}" if where else sides
    if "divergent" in found:
        text += f" ({found['divergent']})"
    elif "note" in found:
        text += f" ({found['note']})"
    elif found.get("method") == "quadrature" and isinstance(found["lhs"], float) and isinstance(found["rhs"], float):
        text += f" (lhs − rhs = {found['lhs'] - found['rhs']:.3g}, tolerance {found['tolerance']:.2g})"
    return text


def _where(found: dict[str, Any]) -> str:
    world, values = dict(found["world"]), found.get("values")
    if values is None:
        return f"in world {world}"
    probe = world.pop("boundary case", "")
    rest = {key: value for key, value in world.items() if key not in values}
    if not values and rest == {"family": "parameters"}:
        return ""  # constants: the sides are numbers, there is no point to name
    text = "at " + ", ".join(f"{name} = {_number_text(value)}" for name, value in values.items()) if values else ""
    if rest != {"family": "parameters"}:
        text += (" in" if text else "in") + f" world {rest}"
    return text + (f" ({probe})" if probe else "")


def _number_text(value) -> str:
    """A value as the world holds it: an integer as such, a float in the shortest text that reads back as
    the same float (the world's description rounds to 6 digits: 0.99999988 is not 1); a text (a point
    finer than floats, ``certified``) as written."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)


def _sides_text(lhs, rhs, noise: float = 0.0) -> str:
    """Both sides, with as many digits as tell them apart (three at least); a side within ``noise`` (the
    quadrature's tolerance) of 0 as ≈ 0."""
    if not (isinstance(lhs, float) and isinstance(rhs, float)):
        return f"lhs = {lhs}, rhs = {rhs}"
    if 0 < noise < abs(lhs - rhs) and abs(lhs) <= noise:
        return f"lhs ≈ 0, rhs = {rhs:.3g}"
    if 0 < noise < abs(lhs - rhs) and abs(rhs) <= noise:
        return f"lhs = {lhs:.3g}, rhs ≈ 0"
    digits = 3
    gap, size = abs(lhs - rhs), max(abs(lhs), abs(rhs))
    if math.isfinite(gap) and 0 < gap < size:  # the rounding of the shown values well below their difference
        digits = max(digits, math.ceil(math.log10(size / gap)) + 2)
    while digits < 17 and lhs != rhs and f"{lhs:.{digits}g}" == f"{rhs:.{digits}g}":
        digits += 1
    digits = min(digits, 17)
    return f"lhs = {lhs:.{digits}g}, rhs = {rhs:.{digits}g}"


def _free_values(world: World) -> dict[str, Any]:
    """The world's freely chosen scalar symbols and their values, by name."""
    return {str(s): _plain_number(world.symbols[s]) for s in sorted(world.free, key=str)
            if s in world.symbols and np.ndim(world.symbols[s]) == 0
            and not isinstance(world.symbols[s], (bool, np.bool_))}


def _plain_number(value):
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


# ---------------------------------------------------------------- readable counterexamples and the difference


READABLE_JUDGED = 8  # simple points (in a base world each) judged at most for a readable witness
READABLE_POINTS = 1024  # simple points screened at most
READABLE_SECONDS = 0.3  # and a bound on their time (a tenth of that, typically)
CLEAR = 1e-3  # a readable witness fails by at least this × (1 + |lhs| + |rhs|): no rounding noise
DIFFERENCE_SECONDS = 0.5  # a bound rarely reached: the normal forms are cached from the proof attempt
DIFFERENCE_WIDTH = 80  # characters: a longer difference tells no more than the two sides
EXACTLY_EQUAL = "the two sides are exactly equal here"


def readable_counterexample(lhs: sp.Expr, step: Step, numeric: NumericResult,
                            model: tuple = ()) -> dict[str, Any] | None:
    """The counterexample a refuted step's report shows: at the simplest point that refutes it clearly
    (see :func:`readable_witness`; the witness found first is kept as ``first_found``), else the one found
    first; None when there is none."""
    first = numeric.detail.get("counterexample")
    witness = numeric.witness
    start = witness[1] if witness else (numeric.closest[0][1] if numeric.closest else None)
    if start is None:
        return first
    simpler = readable_witness(lhs, step.relation, step.expr, start, witness[0] if witness else None,
                               step.rules, model)
    if simpler is None:
        return first
    found = _counterexample(*simpler)
    if first is not None:
        found["first_found"] = first
    return found


def readable_witness(lhs: sp.Expr, relation: str, rhs: sp.Expr, world: World, outcome: Outcome | None = None,
                     rules=None, model: tuple = ()) -> tuple[Outcome, World] | None:
    """A witness of the same refutation that a reader takes in at a glance: the free symbols at simple
    values (``numeric.simple_assignments``: 0, ±1, ±2, 1/2, ... within their domains), in the canonical
    boundary worlds of the family where the sides need densities, where the step fails by more than
    ``CLEAR`` relative to the sides (or, for a strict inequality, where they are exactly equal). The points
    are screened in floating point (on the sides, or on their closed-form normal forms where only those
    are functions of the parameters alone), and at most ``READABLE_JUDGED`` are then judged like any
    world (interval arithmetic where the sides allow it, quadrature otherwise). None when no point simpler
    than ``world``'s (with its ``outcome``) refutes it; it never changes a verdict."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)  # a side given as a Python number
    try:
        symbols = _free_scalars([lhs, rhs], world)
        current = _simplicity_of(world, symbols) if outcome is not None and _clear(outcome) else None
        assignments = [values for rank, values in ranked_simple_assignments(symbols, READABLE_POINTS)
                       if current is None or rank < current]
        screen = _screening_sides(lhs, rhs, rules, model) if symbols else None
        if screen is not None:
            assignments = _screened(*screen, relation, symbols, world, assignments)
        bases = _readable_bases(lhs, rhs, world)
        candidates = [(values, base) for values in assignments for base in bases][:READABLE_JUDGED]
        deadline = time.perf_counter() + READABLE_SECONDS  # the screening has its own bound
        for values, base in candidates:
            if time.perf_counter() > deadline:
                return None
            candidate = with_symbols(base, values, probe=base.probe if base is not world else "")
            judged = judge_world(lhs, relation, rhs, candidate)
            if judged.status == VIOLATED and _clear(judged):
                return judged, candidate
    except (Unsupported, Divergent, ArithmeticError, ValueError, TypeError, RecursionError, SymbolicTimeout):
        return None
    return None


def _screening_sides(lhs: sp.Expr, rhs: sp.Expr, rules, model: tuple) -> tuple[sp.Expr, sp.Expr] | None:
    """Sides that floating point evaluates at many points at once, equal to the step's: the sides, or their
    normal forms (cached from the proof attempt) where only those are functions of the parameters alone."""
    if interval_evaluable(lhs) and interval_evaluable(rhs):
        return lhs, rhs
    try:
        with time_limit(DIFFERENCE_SECONDS):
            forms = tuple(normal_form(sp.sympify(e), RULES if rules is None else tuple(rules), model)
                          for e in (lhs, rhs))
    except (SymbolicTimeout, NotImplementedError, ValueError, TypeError, RecursionError, ArithmeticError,
            AttributeError):
        return None
    return forms if all(interval_evaluable(f) for f in forms) else None


def _free_scalars(expressions, world: World) -> list[sp.Symbol]:
    """The step's symbols that the world gives freely chosen scalar values (those a simpler point changes)."""
    return sorted((s for s in Needs.of(expressions).symbols if s in world.free and s in world.symbols
                   and np.ndim(world.symbols[s]) == 0 and simple_values(s)), key=str)


def _simplicity_of(world: World, symbols: list[sp.Symbol]) -> tuple | None:
    """The rank of the world's own point among the simple ones; None when it is no simple point (or lies in
    a world a search or a draw built, whose parameters are not simple either)."""
    if world.family != "parameters" and (not world.probe or world.probe == SEARCH_PROBE):
        return None
    ranks = tuple(simplicity(s, world.symbols[s]) for s in sorted(symbols, key=str))
    return None if None in ranks else simplicity_rank(ranks)


def _clear(outcome: Outcome) -> bool:
    """A violation no rounding explains: by at least ``CLEAR`` relative to the sides, an infinite or a
    divergent side, or an exact tie (of a strict inequality)."""
    judgement = outcome.judgement
    if judgement is None or outcome.status != VIOLATED:
        return False
    if judgement.note.startswith(EXACTLY_EQUAL) or math.isinf(judgement.size):
        return True
    return math.isfinite(judgement.scale) and abs(judgement.size) >= CLEAR * judgement.scale


def numpy_function(arguments: list, expr: sp.Expr) -> Callable:
    """``sp.lambdify(arguments, expr, modules="numpy")`` without the ``from numpy import *`` that gives that
    its namespace (0.15 s the first time: it imports numpy.f2py, numpy.testing, numpy.ma...): the NumPy
    printer, as lambdify configures it, imports just the functions the expression uses."""
    from sympy.printing.numpy import NumPyPrinter
    printer = NumPyPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                            "user_functions": {}})
    return sp.lambdify(arguments, expr, modules=[{}], printer=printer)


def _screened(lhs: sp.Expr, rhs: sp.Expr, relation: str, symbols: list[sp.Symbol], world: World,
              assignments: list[dict]) -> list[dict]:
    """The assignments at which floating point already shows a clear failure (or a tie, for a strict
    inequality), simplest first; all of them when the sides cannot be vectorized."""
    if not assignments or not symbols:
        return assignments
    others = sorted(Needs.of([lhs, rhs]).symbols - set(symbols), key=str)
    fixed = [float(world.symbols[s]) if s in world.symbols and np.ndim(world.symbols[s]) == 0 else math.nan
             for s in others]
    columns = [np.array([values[s] for values in assignments], dtype=float) for s in symbols]
    try:
        with np.errstate(all="ignore"):
            left, right = (np.broadcast_to(np.asarray(numpy_function(symbols + others, unfold(e))(
                *columns, *fixed), dtype=float), columns[0].shape) for e in (lhs, rhs))
            scale = 1 + np.abs(left) + np.abs(right)
            gap = left - right
            margin = -np.abs(gap) if relation == "=" else (gap if relation in (">=", ">") else -gap)
            failing = margin <= -CLEAR * scale
            if relation in ("<", ">"):
                failing |= np.abs(margin) <= 1e-12 * scale  # a tie: exact equality is judged below
            failing &= np.isfinite(scale)
    except (TypeError, ValueError, ArithmeticError, NameError, KeyError, SyntaxError):  # two symbols of one name
        return assignments
    return [values for values, fails in zip(assignments, failing) if fails]


SIMPLE_NORMALS = ((0.0, 1.0), (1.0, 2.0), (0.0, 2.0), (1.0, 1.0))  # (mean, std) of readable densities


def _readable_bases(lhs: sp.Expr, rhs: sp.Expr, world: World) -> list[World]:
    """The worlds whose free symbols a readable witness sets: the world itself where it has no densities;
    otherwise the family's canonical boundary worlds (moderate, fixed parameters), the world with its
    densities replaced by simple normals (its functions kept), then the world."""
    if world.family == "parameters":
        return [world]
    bases, seen = [], set()
    names = {str(s) for s in world.free}
    for candidate in _boundary_worlds_for([lhs, rhs]):
        key = tuple((k, str(v)) for k, v in candidate.describe().items() if k not in names)
        if key not in seen and candidate.family == world.family:
            seen.add(key)
            bases.append(candidate)
    return bases + _simple_densities(world) + [world]


def _simple_densities(world: World) -> list[World]:
    """``world`` (a world of densities of x) with its densities N(0, 1), N(1, 2), ... in turn."""
    if world.family != "densities-of-x" or not world.spec:
        return []
    densities = sorted(world.spec[2])
    worlds = []
    for normals in itertools.islice(itertools.permutations(SIMPLE_NORMALS, len(densities)), 4):
        values = {f"{name}_{which}": value for name, (mean, std) in zip(densities, normals)
                  for which, value in (("mean", mean), ("std", std))}
        rebuilt = with_family(world, values)
        rebuilt.probe = ""
        worlds.append(rebuilt)
    return worlds


def symbolic_difference(lhs: sp.Expr, rhs: sp.Expr, rules=None, model: tuple = ()) -> sp.Expr | None:
    """rhs − lhs in closed form, from the symbolic checker's normal forms (each equal to its side under
    the rules), in the shortest of a few targeted forms (logs combined, factored, over one denominator);
    None when it is 0, not found within ``DIFFERENCE_SECONDS``, or not shorter than both sides (each
    measured as written and as its normal form, whichever is longer: KL[a‖b] is short only as written)."""
    rules = RULES if rules is None else tuple(rules)
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    try:
        with time_limit(DIFFERENCE_SECONDS):
            left, right = normal_form(lhs, rules, model), normal_form(rhs, rules, model)
            difference = sp.expand(right - left)
            if difference == 0:
                return None
            forms = [sp.logcombine(difference), difference, sp.factor(difference),
                     sp.cancel(sp.together(difference))]
            best = min((f for f in forms if not _symbolic_powers(f)), key=sp.count_ops, default=difference)
            shorter = min(max(sp.count_ops(written), sp.count_ops(form))
                          for written, form in ((lhs, left), (rhs, right)))
            if best == 0 or sp.count_ops(best) >= shorter or len(to_text(best)) > DIFFERENCE_WIDTH:
                return None
            if any(_proportional(difference, form) for form in (left, right)):
                return None  # rhs = −lhs, rhs = 2 lhs: the difference is a side again
    except (SymbolicTimeout, NotImplementedError, ValueError, TypeError, RecursionError, ArithmeticError,
            AttributeError):
        return None
    return best


def _proportional(difference: sp.Expr, form: sp.Expr) -> bool:
    """Whether ``difference`` is a constant multiple of ``form`` (a side's normal form, not a constant),
    both expanded: the ratio of one term's coefficients, checked on the whole."""
    terms = [term for term in sp.Add.make_args(form) if not term.is_number]
    if not terms:
        return False
    coefficient, monomial = terms[0].as_coeff_Mul()
    ratio = difference.coeff(monomial) / coefficient
    return bool(ratio != 0 and ratio.is_number and sp.expand(difference - ratio * form) == 0)


def _symbolic_powers(expr: sp.Expr) -> bool:
    """Whether ``expr`` raises something to a symbolic power (logs combined as log(q**p): no simpler)."""
    return any(not power.exp.is_number for power in expr.atoms(sp.Pow))


def _explained(detail: dict[str, Any], lhs: sp.Expr, step: Step, numeric: NumericResult, model: tuple,
               said: bool = False) -> str:
    """``detail`` given the refuted step's readable ``counterexample`` and its ``difference`` (rhs − lhs);
    the text that says them (the difference only if not ``said`` already, by sympy's disproof)."""
    text = ""
    counterexample = readable_counterexample(lhs, step, numeric, model)
    if counterexample is not None:
        detail["counterexample"] = counterexample
        text = "counterexample: " + _describe_counterexample(counterexample)
    difference = symbolic_difference(lhs, step.expr, step.rules, model)
    if difference is not None:
        detail["difference"] = sp.sstr(difference)
        if not said:
            text += ("; " if text else "") + f"the sides differ by rhs − lhs = {to_text(difference)}"
    return text


def check_chain_numeric(chain: Chain, strategy, seed: int = 0, examples: int = DEFAULT_EXAMPLES,
                        wanted: list[int] | None = None) -> list[NumericResult]:
    """Every step on the same worlds (the boundary worlds, then those drawn once for all chains with the same
    needs), each expression evaluated once per world; step i on the boundary worlds and the first
    ``wanted[i]`` drawn worlds (``examples`` for every step unless given); a step failing in a drawn world is
    then re-run on its own so that hypothesis shrinks its counterexample."""
    expressions = chain.expressions
    wanted = [examples] * len(chain.steps) if wanted is None else wanted
    from mathcheck import sums
    if sums.handles(expressions):
        return [check_numeric(lhs, step.relation, step.expr, strategy, seed, count)
                for (lhs, step), count in zip(chain.pairs(), wanted)]
    drawn = sample_worlds(Needs.of(expressions), seed, max(wanted, default=0))
    worlds = [(world, 0) for world in _boundary_worlds_for(expressions)] + [
        (world, number) for number, world in enumerate(drawn, 1)]
    tallies = [Tally(step.relation) for step in chain.steps]
    for world, number in worlds:
        sides: dict[int, Any] = {}
        for index, step in enumerate(chain.steps):
            if tallies[index].settled or number > wanted[index]:
                continue
            left, right = (_memoized_side(sides, i, expressions[i], world) for i in (index, index + 1))
            outcome = judge_world(expressions[index], step.relation, step.expr, world, left, right,
                                  thorough=tallies[index].result.worlds == 0)
            tallies[index].add(outcome, world)
    results = []
    for index, (lhs, step) in enumerate(chain.pairs()):
        result = tallies[index].finish()
        if result.status == "refuted" and not tallies[index].failure[1].probe:
            shrunk = check_numeric(lhs, step.relation, step.expr, strategy, seed, wanted[index])
            result = shrunk if shrunk.status == "refuted" else result
        results.append(result)
    return results


def _memoized_side(sides: dict, index: int, expr: sp.Expr, world: World):
    if index not in sides:
        try:
            sides[index] = evaluate_side(expr, world)
        except Unsupported as error:
            sides[index] = error
    return sides[index]


def check_chain(chain: Chain, seed: int = 0, examples: int | None = None) -> EntryReport:
    """Every step of ``chain``, the symbolic proof first (as ``check_step``): a proved step is cross-checked on
    the boundary worlds and ``CROSS_CHECK_EXAMPLES`` drawn worlds, any other step on ``examples`` drawn worlds."""
    start = time.perf_counter()
    from mathcheck.matrices import involves_matrices
    from mathcheck.matrix_numeric import is_matrix_step
    strategy, no_world = ((None, "matrix steps are checked in the matrix worlds")
                          if any(map(involves_matrices, chain.expressions)) else strategy_for(chain))
    examples = examples or DEFAULT_EXAMPLES
    proofs = [None if is_matrix_step(lhs, step.expr) else prove(lhs, step.relation, step.expr, step.rules,
                                                                  model=chain.model)
              for lhs, step in chain.pairs()]  # a matrix step: ``decide`` takes the matrix normal form
    wanted = [min(examples, CROSS_CHECK_EXAMPLES) if proof is not None and proof.proved else examples
              for proof in proofs]
    if strategy is not None:
        numerics = check_chain_numeric(chain, strategy, seed, examples, wanted)
    else:
        numerics = [NumericResult("unsupported", detail={"reason": no_world})] * len(chain.steps)
    steps = []
    for index, ((lhs, step), numeric, proof) in enumerate(zip(chain.pairs(), numerics, proofs), 1):
        verdict, detail = decide(lhs, step, numeric, chain.model, proof)
        steps.append(StepReport(index, step.relation, to_text(lhs), to_text(step.expr), step.why, verdict, detail))
    return EntryReport(chain.name, chain.title, chain.source, chain.conclusion(), steps,
                       time.perf_counter() - start, chain=chain)


# ---------------------------------------------------------------- the minimum search


def search(lhs: sp.Expr, relation: str, rhs: sp.Expr, numeric: NumericResult) -> NumericResult:
    """Before an unproved step holds: look for the world the draws missed, by minimizing the normalized
    margin (lhs − rhs)/(1 + |lhs| + |rhs|) of an inequality (maximizing |lhs − rhs|/(...) beyond the
    tolerance, of an equality) over the free symbols and the model world's own parameters, from the
    tightest worlds and the features of the step (bumps, poles, kinks in a symbol); the best points, and
    the same rounded, are judged like any world. A strict inequality brought within ``TIGHT`` of equality
    is not confirmed.

    The search starts from every kind of world that judged the step (``search_kind``: each family, and
    each boundary case a family keeps while its parameters vary, such as q = the posterior): the tightest
    kind first with ``SEARCH_SECONDS`` and the full budget, each other kind from its own tightest worlds
    with ``SEARCH_SECONDS_PER_KIND`` and a share of it. A claim false only in one family, or only in a
    corner of one family's parameters, is searched there even when another family's world came closest."""
    if not numeric.closest:
        return numeric
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    summaries = []
    for position, worlds in enumerate(_kinds_to_search(numeric)):
        seconds = SEARCH_SECONDS if position == 0 else SEARCH_SECONDS_PER_KIND
        objective = _Objective(lhs, relation, rhs, worlds[0], seconds=seconds,
                               share=1 if position == 0 else OTHER_KIND_SHARE)
        if not objective.names:
            continue
        objective.run([objective.coordinates_of(world) for world in worlds])
        numeric.searched.extend((key, world) for key, world in zip(
            (key for key, _ in objective.best[:2]), objective.candidates()[:2]))
        found = _judged_candidates(lhs, relation, rhs, objective, numeric.worlds)
        if found is not None:
            return found
        summaries.append(objective.summary() if position == 0 else f"from the {_kind_text(worlds[0])}: "
                         + objective.summary())
    numeric.detail["search"] = "; ".join(summaries) if summaries else (
        "minimum search: nothing to vary (no free real parameter, no model parameter)")
    return numeric


def search_kind(world: World) -> tuple[str, str]:
    """The kind of world a search from ``world`` explores: its family, and the boundary case it keeps while
    the family's parameters vary (q = the posterior, q = the prior, p = q, affine functions); a family's
    drawn worlds and its edge-value worlds are one kind."""
    kept = [part for part in world.probe.split("; ") if part and part not in NEUTRAL_PROBES]
    return world.family, "; ".join(kept)


NEUTRAL_PROBES = {"edge values", "a standard case"}


def _kind_text(world: World) -> str:
    family, case = search_kind(world)
    return f"{family} worlds" + (f" with {case}" if case else "")


def _kinds_to_search(numeric: NumericResult) -> list[list[World]]:
    """The worlds to start from, one list per kind of world: the kind of the tightest world first (with
    the tightest worlds of any kind), then every other kind by its own tightest world, and last, for a
    family that judged the step only with a tie (q = the posterior, p = q), that world untied."""
    first = search_kind(numeric.closest[0][1])
    kinds = sorted(((pairs[0][0], kind) for kind, pairs in numeric.by_kind.items() if kind != first),
                   key=lambda pair: pair[0])
    starts = [[world for _, world in numeric.closest]]
    starts += [[world for _, world in numeric.by_kind[kind]] for _, kind in kinds]
    present = {first} | {kind for _, kind in kinds}
    for worlds in list(starts):  # a family met only with a tie (q = the posterior, p = q): searched untied too
        family, case = search_kind(worlds[0])
        if case and (family, "") not in present:
            loose = _untied(worlds[0])
            if loose is not None:
                present.add((family, ""))
                starts.append([loose])
    return starts


def _untied(world: World) -> World | None:
    try:
        return untied(world)
    except (Unsupported, ArithmeticError, ValueError, TypeError, KeyError):
        return None


def _judged_candidates(lhs, relation, rhs, objective: "_Objective", worlds: int) -> NumericResult | None:
    """The search's best points judged like any world: the refutation, tie or too-near strict inequality
    they show, or None."""
    for world in objective.candidates():
        outcome = judge_world(lhs, relation, rhs, world)
        if outcome.status == VIOLATED:
            return _refuted(worlds, outcome, world)
        if outcome.status == TIE:
            return NumericResult("unsupported", worlds, detail={"reason": "the minimum search found a tie: "
                                                                + _tie_reason(outcome, world)})
        if (outcome.status == HOLDS_NUMERICALLY and relation in ("<", ">")
                and outcome.judgement.size / outcome.judgement.scale < TIGHT):
            return NumericResult("unsupported", worlds, detail={"reason": (
                f"the minimum search brought lhs − rhs within {outcome.judgement.size:.3g} of 0 in world "
                f"{world.describe()}: a strict inequality cannot be confirmed numerically so near an equality")})
    return None


def _coordinates(expressions, world: World) -> list[sp.Symbol]:
    """The free real symbols of the step whose values the search may change."""
    symbols = Needs.of(expressions).symbols
    return sorted((s for s in symbols if s in world.free and not s.is_integer and np.ndim(world.symbols[s]) == 0
                   and s.is_real), key=str)


def _one_signed(symbol: sp.Symbol) -> bool:
    return bool(symbol.is_positive or symbol.is_nonnegative or symbol.is_negative or symbol.is_nonpositive)


@dataclass(frozen=True)
class _Axis:
    """One search coordinate: log |v| for a quantity of one sign, logit v for a weight in (0, 1), asinh v
    otherwise, within ``limit``."""

    name: str
    one_signed: bool
    negative: bool = False
    limit: float = 709.0  # |coordinate| ≤ limit
    weight: bool = False

    def coordinate(self, value: float) -> float:
        value = float(value)
        if self.weight:
            raw = math.log(value / (1 - value)) if 0 < value < 1 else math.copysign(self.limit, value - 0.5)
        else:
            raw = math.log(max(abs(value), 1e-300)) if self.one_signed else math.asinh(value)
        return min(max(raw, -self.limit), self.limit)

    def values(self, coordinates):
        coordinates = np.clip(coordinates, -self.limit, self.limit)
        if self.weight:
            return 1 / (1 + np.exp(-coordinates))
        if self.one_signed:
            magnitudes = np.exp(coordinates)
            return -magnitudes if self.negative else magnitudes
        return np.sinh(coordinates)

    def value(self, coordinate: float) -> float:
        return float(self.values(np.float64(coordinate)))


class _Exhausted(Exception):
    pass


QUADRATURE_LIMIT = math.log(1e8)  # quadrature worlds are searched within 1e-8 .. 1e8


def _shift_points(difference: sp.Expr, symbol: sp.Symbol) -> list[float]:
    """Where an argument a·x + b (numbers a ≠ 0, b ≠ 0) of a function, power or product in ``difference``
    vanishes, x = −b/a, the farthest from 0 first: a claim shifted far from the origin is searched there."""
    points = set()
    for node in sp.preorder_traversal(difference):
        if not isinstance(node, (sp.Function, sp.Pow)) or not node.args or not isinstance(node.args[0], sp.Expr):
            continue  # a Piecewise's arguments are (piece, condition) pairs
        argument = sp.expand(node.args[0])
        if argument.free_symbols != {symbol} or not argument.is_polynomial(symbol):
            continue
        poly = sp.Poly(argument, symbol)
        if poly.degree() != 1:
            continue
        a, b = poly.all_coeffs()
        if b != 0 and a.is_number and b.is_number:
            point = float(-b / a)
            if math.isfinite(point) and abs(point) > 1:
                points.add(point)
    return sorted(points, key=lambda v: -abs(v))


class _Objective:
    """The normalized margin as a function of the search coordinates (the free symbols, then the model
    world's parameters), with the best points it has seen."""

    def __init__(self, lhs: sp.Expr, relation: str, rhs: sp.Expr, base: World, seconds: float = SEARCH_SECONDS,
                 share: int = 1):
        self.lhs, self.relation, self.rhs, self.base = lhs, relation, rhs, base
        self.parameters_only = interval_evaluable(lhs) and interval_evaluable(rhs)
        self.symbols = _coordinates([lhs, rhs], base)
        self.family = {} if self.parameters_only else family_parameters(base)
        limit = 709.0 if self.parameters_only else QUADRATURE_LIMIT
        self.axes = [_Axis(str(s), _one_signed(s), bool(s.is_negative or s.is_nonpositive),
                           limit if _one_signed(s) else min(limit, math.asinh(1e8)) if not self.parameters_only
                           else limit) for s in self.symbols]
        self.axes += [_Axis(name, is_scale(name), weight=is_weight(name),
                            limit=math.log(family_range(name)) if is_scale(name) or is_weight(name)
                            else math.asinh(family_range(name))) for name in self.family]
        self.names = [a.name for a in self.axes]
        self.budget = SEARCH_EVALUATIONS[self.parameters_only] // share
        self.calls, self.starts = 0, 0
        self.best: list[tuple[float, tuple]] = []  # (key, coordinates), lowest first
        self.deadline = time.perf_counter() + seconds
        if self.parameters_only:
            fixed = sorted(Needs.of([lhs, rhs]).symbols - set(self.symbols), key=str)
            self.fixed = [base.symbols.get(s, math.nan) for s in fixed]
            arguments = self.symbols + fixed
            self.numpy = [numpy_function(arguments, unfold(e)) for e in (lhs, rhs)]
            self.mpmath = [sp.lambdify(arguments, unfold(e), modules="mpmath") for e in (lhs, rhs)]

    def coordinates_of(self, world: World) -> list[float]:
        values = [world.symbols.get(s, 0.0) for s in self.symbols]
        parameters = family_parameters(world)
        values += [parameters.get(name, self.family[name]) for name in self.family]
        return [axis.coordinate(v) for axis, v in zip(self.axes, values)]

    def world(self, point, probe: str = SEARCH_PROBE) -> World:
        values = [axis.value(u) for axis, u in zip(self.axes, point)]
        world = self.base
        if self.family:
            world = with_family(world, dict(zip(self.family, values[len(self.symbols):])), probe)
        return with_symbols(world, dict(zip(self.symbols, values[:len(self.symbols)])), probe)

    def key(self, lhs, rhs, tolerance=0.0):
        """The normalized margin (less the tolerance, so that noise is not a violation); 2 where undefined."""
        with np.errstate(all="ignore"):
            scale = 1 + np.abs(lhs) + np.abs(rhs)
            if self.relation == "=":
                key = -np.maximum(np.abs(lhs - rhs) - tolerance, 0) / scale
            else:
                key = ((lhs - rhs if self.relation in (">=", ">") else rhs - lhs) + tolerance) / scale
        return np.where(np.isfinite(key), key, 2.0)

    def __call__(self, point) -> float:
        if self.calls >= self.budget or time.perf_counter() > self.deadline:
            raise _Exhausted()
        self.calls += 1
        try:
            key = float(self._key_at(point))
        except (Unsupported, Divergent, ArithmeticError, ValueError, TypeError):
            key = 2.0
        self.remember(key, point)
        return key

    def _key_at(self, point):
        if self.parameters_only:
            values = [axis.value(u) for axis, u in zip(self.axes, point)]
            with np.errstate(all="ignore"):
                lhs, rhs = (float(np.real_if_close(f(*values, *self.fixed))) for f in self.numpy)
            return self.key(lhs, rhs)
        world = self.world(point, probe="search")
        (lhs, left_error), (rhs, right_error) = evaluate(self.lhs, world), evaluate(self.rhs, world)
        tolerance = ERROR_FACTOR * (left_error + right_error) + 4 * EPS * (abs(lhs) + abs(rhs))
        if not tolerance <= CONVERGENCE * (1 + abs(lhs) + abs(rhs)):
            return 2.0
        return self.key(lhs, rhs, tolerance)

    def remember(self, key: float, point) -> None:
        entry = (key, tuple(float(u) for u in point))
        if entry not in self.best:
            self.best = sorted(self.best + [entry])[:6]

    def run(self, starts: list[list[float]]) -> None:
        dimension = len(self.axes)
        try:
            corners = [] if self.parameters_only else self.corners(starts[0])
            starts = starts[:2] + corners + self.feature_starts(starts[0]) + self.sampled() + starts[2:]
            starts += [[u] * dimension for u in (0.0, 3.0, -3.0, 30.0, -30.0)]
            for start in starts:
                self.starts += 1
                self.local(np.array(start, dtype=float), step=1.0, function=self)
            if self.parameters_only and self.best and self.best[0][0] < TIGHT:
                self.local(np.array(self.best[0][1]), step=1e-4, function=self.precise)
        except _Exhausted:
            pass

    def corners(self, start: list[float], count: int = 2) -> list[list[float]]:
        """``start`` with one coordinate at either end of its range, each judged (2 per coordinate): a
        claim false only in a corner of a family (a narrow q, a tiny noise, a huge offset) is reached at
        once; the best of them are starts of the local search."""
        found = []
        for index, axis in enumerate(self.axes):
            for end in (-axis.limit, axis.limit):
                moved = list(start)
                moved[index] = end
                found.append((self(moved), moved))
        return [point for _, point in sorted(found, key=lambda pair: pair[0])[:count]]

    def local(self, start: np.ndarray, step: float, function) -> None:
        """A local descent: Nelder–Mead for sides of the parameters alone, a compass search (each coordinate
        in turn, its step doubled on success and halved on failure) when each evaluation costs quadratures
        and only a few of many coordinates matter (a model world's noise scale, say)."""
        if not self.parameters_only:
            self.compass(start, step, function)
            return
        simplex = np.vstack([start] + [start + step * np.eye(len(start))[i] for i in range(len(start))])
        share = max(20 * len(start), self.budget // (10 if self.parameters_only else 4))
        optimize.minimize(function, start, method="Nelder-Mead",
                          options={"initial_simplex": simplex, "maxfev": share, "xatol": 1e-13, "fatol": 1e-18,
                                   "adaptive": len(start) > 3})

    def compass(self, start: np.ndarray, step: float, function) -> None:
        point, key = start.copy(), function(start)
        steps = np.full(len(start), step)
        for _ in range(self.budget // 4):
            improved = False
            for index in range(len(point)):
                for direction in (1.0, -1.0):
                    trial = point.copy()
                    trial[index] += direction * steps[index]
                    trial_key = function(trial)
                    if trial_key < key:
                        point, key, improved = trial, trial_key, True
                        steps[index] *= 2
                        break
                else:
                    steps[index] /= 2
            if not improved and steps.max() < 1e-3:
                return

    def precise(self, point) -> float:
        """The key in 50-digit arithmetic: a margin below float resolution still has its sign."""
        if self.calls >= self.budget + 300 or time.perf_counter() > self.deadline:
            raise _Exhausted()
        self.calls += 1
        values = [axis.value(u) for axis, u in zip(self.axes, point)]
        try:
            with mpmath.workdps(50):
                lhs, rhs = (mpmath.mpf(f(*values, *self.fixed)) for f in self.mpmath)
                scale = 1 + abs(lhs) + abs(rhs)
                gap = (lhs - rhs) if self.relation in (">=", ">", "=") else (rhs - lhs)
                key = float(-abs(gap) / scale if self.relation == "=" else gap / scale)
        except (ArithmeticError, ValueError, TypeError):
            key = 2.0
        self.remember(key, point)
        return key

    def feature_starts(self, start: list[float]) -> list[list[float]]:
        """``start`` with one symbol moved to a feature of the step in it (a bump's centre, a pole, a
        kink): a failure confined near a feature is found from there."""
        difference = unfold(self.lhs) - unfold(self.rhs)
        evaluator = Evaluator(self.base)
        starts = []
        for index, symbol in enumerate(self.symbols):
            for kind, coefficients in integrand_features(difference, symbol):
                try:
                    values = np.array([evaluator.placement(c, {}) for c in coefficients], dtype=float)
                    points = feature_breakpoints(kind, values, symbol)
                except (Unsupported, TypeError, ValueError, ArithmeticError):
                    continue
                for centre in (p[len(p) // 2] for p in points):
                    moved = list(start)
                    moved[index] = self.axes[index].coordinate(centre)
                    starts.append(moved)
        for index, symbol in enumerate(self.symbols):  # e^{x - 10^6} + (x - 10^6)^4: the action is at 10^6
            for centre in _shift_points(difference, symbol)[:2]:
                moved = list(start)
                moved[index] = self.axes[index].coordinate(centre)
                starts.append(moved)
        return starts[:8]

    def sampled(self, count: int = 3) -> list[list[float]]:
        """The best of many random points (moderate, wide, log-scale) as starts: ``SEARCH_SAMPLES``
        vectorized for sides of the parameters alone, a quarter of the budget otherwise."""
        rng = np.random.default_rng(len(self.axes))
        size = SEARCH_SAMPLES // 3 if self.parameters_only else max(1, self.budget // 12)
        columns = []
        for axis in self.axes:
            if axis.one_signed:
                coordinate = np.concatenate([rng.uniform(-3, 3, size), rng.uniform(-12, 12, size),
                                             rng.uniform(-axis.limit, axis.limit, size)])
            else:
                moderate = np.concatenate([rng.uniform(-10, 10, size), rng.uniform(-1000, 1000, size)])
                coordinate = np.concatenate([np.arcsinh(moderate), rng.uniform(-axis.limit, axis.limit, size)])
            columns.append(rng.permutation(np.clip(coordinate, -axis.limit, axis.limit)))
        points = np.array(columns)
        if not self.parameters_only:
            for index in range(points.shape[1]):
                self(points[:, index])
            return [list(point) for _, point in self.best[:count]]
        values = [axis.values(points[i]) for i, axis in enumerate(self.axes)]
        with np.errstate(all="ignore"):
            try:
                lhs, rhs = (np.broadcast_to(np.asarray(f(*values, *self.fixed), dtype=float), points.shape[1:])
                            for f in self.numpy)
            except (TypeError, ValueError):
                return []
            keys = self.key(lhs, rhs)
        order = np.argsort(keys)[:count]
        for index in order:
            self.remember(float(keys[index]), points[:, index])
        return [points[:, index].tolist() for index in order]

    def candidates(self) -> list[World]:
        """The worlds at the best points, then at the best point with its symbols rounded to 0-6 decimals
        (equality points are often round)."""
        worlds, seen = [], []
        for _, point in self.best:
            if point not in seen:
                seen.append(point)
                worlds.extend(self._built(point))
        if self.best and self.symbols:
            built = self._built(self.best[0][1])
            if not built:
                return worlds
            best = built[0]
            for digits in range(7):
                rounded = {s: float(round(best.symbols[s], digits)) for s in self.symbols}
                if all(v != 0 or not (s.is_positive or s.is_negative) for s, v in rounded.items()):
                    worlds.append(with_symbols(best, rounded, probe=SEARCH_PROBE))
        return worlds

    def _built(self, point) -> list[World]:
        """[the world at ``point``], or [] where its family cannot build it (floating point cannot place it)."""
        try:
            return [self.world(point)]
        except (Unsupported, ArithmeticError, ValueError, TypeError):
            return []

    def summary(self) -> str:
        text = f"minimum search over {', '.join(self.names)}: {self.calls} evaluations from {self.starts} starts"
        if self.best:
            key, point = self.best[0]
            shown = ", ".join(f"{a.name} = {a.value(u):.6g}" for a, u in zip(self.axes, point))
            if key >= 2.0:  # the key of a point where a side is undefined (``key``)
                text += ", no point found where both sides are defined"
            else:
                text += f", smallest normalized margin {key:.3g} at {shown}" if self.relation != "=" else (
                    f", largest normalized difference {-key:.3g} at {shown}")
        return text
