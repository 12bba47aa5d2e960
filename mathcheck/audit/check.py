"""Checking a document's steps with the engine of ``verify-all`` (mathcheck.checker.check_step).

Verdicts: the checker's ``proved`` / ``holds`` / ``refuted`` / ``undecided``, plus ``unparsed`` (the reader
could not read the step exactly; the fragment is quoted) and ``definition`` (a step that names a quantity:
it states nothing to check).

Names: the first readable formula that introduces a name defines it for the whole document:
``NAME := expr``, a chain's last step ``... = NAME`` with a new name, or a first ``NAME = expr``. A use
before the definition is resolved with it and says so. A name defined nowhere stays an opaque quantity:
a step that depends on its value is ``undecided``, never ``refuted``. A name written on both sides
(``x = x + 1``) defines nothing: it is a claim, checked. A second definition of a name (``:=``, or a second
assignment ``x = 2`` after ``x = 1``) is checked against the first.

A document passes (``ok``) when every step is proved, holds or is a definition: an undecided step is not
verified.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from hypothesis import strategies as st
from sympy.core.function import AppliedUndef

from mathcheck.audit.document import ChainItem, Document, Formula
from mathcheck.audit.latex import MAX_NESTING, BareDensity, Context, NameRef, Parser, Unparsed, power_problem
from mathcheck.calc import ChainError, Step, compose
from mathcheck.checker import NumericResult, check_step, decide
from mathcheck.numeric import Divergent, Needs, Unsupported, sample_worlds, shared_needs
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from mathcheck.symbolic import DEFAULT_SECONDS, SymbolicTimeout, time_limit
from mathcheck.vocab import (Defined, Density, Normal, X, concave_function, convex_function, define, positive_function,
                             to_text, unfold, x, z)

UNPARSED, DEFINITION = "unparsed", "definition"
# what sympy and the numeric worlds raise on a step they cannot handle; anything else is a mathcheck bug
_MATH_ERRORS = (Unsupported, Divergent, ValueError, TypeError, NotImplementedError, ZeroDivisionError,
                RecursionError, OverflowError)
VERDICTS = (PROVED, HOLDS, REFUTED, UNDECIDED, UNPARSED, DEFINITION)
VERIFIED = (PROVED, HOLDS, DEFINITION)
DEFAULT_EXAMPLES = 10  # numeric worlds per step: the article's audit must fit in 5 s on 2 cores


@dataclass
class StepResult:
    line: int
    block: int
    relation: str
    lhs: str
    rhs: str
    verdict: str
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "block": self.block, "relation": self.relation, "lhs": self.lhs,
                "rhs": self.rhs, "verdict": self.verdict, "reason": self.reason}


@dataclass
class AuditReport:
    file: str
    steps: list[StepResult]
    document: Document
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every step verified: none refuted, unparsed or undecided."""
        return not self.not_verified

    @property
    def not_verified(self) -> list[StepResult]:
        return [step for step in self.steps if step.verdict not in VERIFIED]

    def counts(self) -> dict[str, int]:
        return {v: sum(step.verdict == v for step in self.steps) for v in VERDICTS}


# ---------------------------------------------------------------- parsed items


@dataclass
class Item:
    """One expression of a chain, read: ``expr`` or ``problem``."""

    relation: str | None
    source: str
    line: int
    start: int
    formula: Formula
    expr: sp.Expr | None = None
    problem: Unparsed | None = None


def _read_item(document: Document, formula: Formula, item: ChainItem) -> Item:
    segment = item.segment
    start = segment.start if segment else (item.problem.start if item.problem else formula.start)
    read = Item(item.relation, segment.source if segment else "", document.line_of(start), start, formula)
    if item.problem is not None:
        read.problem = item.problem
        return read
    try:
        with time_limit(DEFAULT_SECONDS):
            read.expr = Parser(segment.tokens, document.text, formula.context, 0).parse()
    except Unparsed as error:
        read.problem = error
    except RecursionError:  # the parser refuses deeper nesting first; this is a last resort
        read.problem = Unparsed(f"nesting too deep to read (the reader allows {MAX_NESTING} levels)",
                                segment.source[:40], segment.start, segment.end)
    except SymbolicTimeout:
        read.problem = Unparsed(f"reading this expression took more than {DEFAULT_SECONDS:g}s",
                                segment.source[:40], segment.start, segment.end)
    return read


# ---------------------------------------------------------------- definitions


@dataclass
class Definition:
    name: str
    arguments: tuple
    body: sp.Expr
    line: int
    formula: Formula
    resolved: sp.Expr | None = None
    resolving: bool = False


class Names:
    """The document's defined names and their resolution into mathcheck.vocab objects."""

    def __init__(self, chains: list[list[Item]]):
        self.definitions: dict[str, Definition] = {}
        self.defining_items: dict[int, str] = {}  # id(item) -> name
        for chain in chains:
            self._collect(chain)

    def _collect(self, chain: list[Item]) -> None:
        for position in range(1, len(chain)):
            previous, item = chain[position - 1], chain[position]
            if previous.expr is None or item.expr is None:
                continue
            if item.relation == ":=" and isinstance(previous.expr, NameRef):
                self._define(previous.expr, item.expr, item)
            elif item.relation == "=" and position == 1 and isinstance(previous.expr, NameRef) \
                    and previous.expr.name not in self.definitions:
                self._define(previous.expr, item.expr, item)
            elif item.relation == "=" and position == len(chain) - 1 and position > 1 \
                    and isinstance(item.expr, NameRef) and item.expr.name not in self.definitions:
                self._define(item.expr, previous.expr, item)

    def _define(self, name: NameRef, body: sp.Expr, item: Item) -> None:
        if name.name in self.definitions:
            return
        if not all(isinstance(a, sp.Symbol) for a in name.arguments):
            return
        if any(ref.name == name.name for ref in body.atoms(NameRef)):
            return  # NAME = NAME + 1 names nothing: it is a claim about NAME
        self.definitions[name.name] = Definition(name.name, name.arguments, body, item.line, item.formula)
        self.defining_items[id(item)] = name.name

    def resolve(self, expr: sp.Expr, formula: Formula, notes: list[str], line: int) -> sp.Expr:
        """Replace names and bare densities; raises Unparsed when one cannot be resolved."""
        expr = _resolve_bare_densities(expr, formula)
        replacements = {}
        for ref in expr.atoms(NameRef):
            replacements[ref] = self._reference(ref, notes, line)
        return expr.xreplace(replacements) if replacements else expr

    def _reference(self, ref: NameRef, notes: list[str], line: int) -> sp.Expr:
        definition = self.definitions.get(ref.name)
        shown = sp.sstr(ref)
        if definition is None:
            note = f"{_display(ref.name)} is not defined in the document"
            if note not in notes:
                notes.append(note)
            if ref.arguments:
                return sp.Function(ref.name)(*ref.arguments)
            return sp.Symbol(ref.name, real=True)
        body = self._body(definition)
        if tuple(ref.arguments) != tuple(definition.arguments):
            if len(ref.arguments) != len(definition.arguments):
                raise Unparsed(f"{_display(ref.name)} is defined at line {definition.line} with "
                               f"{len(definition.arguments)} argument(s), used here with {len(ref.arguments)}", shown)
            body = body.xreplace(dict(zip(definition.arguments, ref.arguments)))
        if definition.line > line:
            note = f"{_display(ref.name)} as defined later, at line {definition.line}"
            if note not in notes:
                notes.append(note)
        return define(_display(ref.name), ref.arguments, body)

    def _body(self, definition: Definition) -> sp.Expr:
        if definition.resolved is not None:
            return definition.resolved
        if definition.resolving:
            raise Unparsed(f"{_display(definition.name)} is defined in terms of itself (line {definition.line})",
                           definition.name)
        definition.resolving = True
        try:
            definition.resolved = self.resolve(definition.body, definition.formula, [], definition.line)
        except Unparsed as error:
            raise Unparsed(f"the definition of {_display(definition.name)} at line {definition.line} cannot be "
                           f"used: {error.reason}", error.fragment) from None
        finally:
            definition.resolving = False
        return definition.resolved


def _display(name: str) -> str:
    return name


def _resolve_bare_densities(expr: sp.Expr, formula: Formula) -> sp.Expr:
    bare = expr.atoms(BareDensity)
    if not bare:
        return expr
    mapping = {}
    for density in bare:
        declared = formula.context.densities.get((density.family, density.label))
        if declared is not None:
            mapping[density] = declared[1]
            continue
        signatures = {d for d in _formula_densities(formula) if d.family == density.family and d.label == density.label}
        if len(signatures) == 1:
            mapping[density] = signatures.pop()
            continue
        name = density.family + (f"_{{\\{density.label}}}" if density.label else "")
        why = "several densities of that name appear" if signatures else "no density of that name appears"
        raise Unparsed(f"`{name}` has no arguments and no declaration (p(x) \\sim N(...)) names its variables; "
                       f"{why} in this formula", name)
    return expr.xreplace(mapping)


def _formula_densities(formula: Formula) -> set:
    found = getattr(formula, "_densities", None)
    if found is None:
        found = set()
        for chain in getattr(formula, "_items", []):
            for item in chain:
                if item.expr is not None:
                    found |= {d for d in item.expr.atoms(Density)}
        formula._densities = found
    return found


# ---------------------------------------------------------------- functions


def _function_kinds(expressions: list[sp.Expr], context: Context) -> dict[str, str]:
    """concave / convex (declared in the prose), positive (inside a log or a concave/convex function), plain."""
    kinds: dict[str, str] = {}
    for expr in expressions:
        for call in expr.atoms(AppliedUndef):
            name = call.func.__name__
            kinds.setdefault(name, context.curvature.get(name, "plain"))
    for expr in expressions:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.log) or (isinstance(node, AppliedUndef) and kinds.get(node.func.__name__) in
                                            ("concave", "convex")):
                for inner in node.args[0].atoms(AppliedUndef) if node.args else ():
                    if kinds.get(inner.func.__name__) == "plain":
                        kinds[inner.func.__name__] = "positive"
    return kinds


def _with_function_kinds(expr: sp.Expr, kinds: dict[str, str]) -> sp.Expr:
    calls = expr.atoms(AppliedUndef)
    if not calls:
        return expr
    classes = {}
    for name, kind in kinds.items():
        if kind == "concave":
            classes[name] = concave_function(name)
        elif kind == "convex":
            classes[name] = convex_function(name)
        elif kind == "positive":
            classes[name] = positive_function(name)
    if not classes:
        return expr
    return expr.replace(lambda n: isinstance(n, AppliedUndef) and n.func.__name__ in classes,
                        lambda n: classes[n.func.__name__](*n.args))


# ---------------------------------------------------------------- worlds


class WorldCache:
    """The numeric worlds of the document: ``numeric.sample_worlds``, drawn once per set of needs and
    shared by the steps that need them (and with every other checker run in the process)."""

    def __init__(self, seed: int, examples: int):
        self.seed, self.examples = seed, examples
        self.cache: dict = {}

    def strategy(self, expressions: list[sp.Expr]):
        needs = shared_needs(Needs.of(expressions))
        if needs not in self.cache:
            try:
                worlds = sample_worlds(needs, self.seed, self.examples)
            except Unsupported as error:
                self.cache[needs] = (None, str(error))
            else:
                self.cache[needs] = (st.sampled_from(worlds), "")
        return self.cache[needs]


# ---------------------------------------------------------------- the audit


class Auditor:
    def __init__(self, document: Document, seed: int = 0, examples: int | None = None):
        self.document, self.seed = document, seed
        self.examples = examples or DEFAULT_EXAMPLES
        self.results: list[StepResult] = []
        self.chains: list[list[Item]] = []
        for formula in document.formulas:
            formula._items = [[_read_item(document, formula, item) for item in chain] for chain in formula.chains]
            self.chains.extend(formula._items)
        self.names = Names(self.chains)
        self.assignments: dict[sp.Symbol, Item] = {}  # variable -> its first assignment (x = 1)
        self.worlds = WorldCache(seed, self.examples)

    def run(self) -> list[StepResult]:
        for formula in self.document.formulas:
            if formula.problem is not None:
                self.results.append(self._unparsed_block(formula))
                continue
            kinds = _function_kinds([i.expr for c in formula._items for i in c if i.expr is not None],
                                    formula.context)
            if not formula._items:
                line = self.document.line_of(formula.start)
                self.results.append(StepResult(line, formula.index, "", "", formula.source.strip(), UNDECIDED,
                                               "an empty formula: nothing to check"))
            for chain in formula._items:
                self._chain(formula, chain, kinds)
        return self.results

    def _unparsed_block(self, formula: Formula) -> StepResult:
        problem = formula.problem
        line = self.document.line_of(problem.start if problem.start >= 0 else formula.start)
        return StepResult(line, formula.index, "", "", problem.fragment, UNPARSED, problem.reason,
                          {"fragment": problem.fragment})

    def _chain(self, formula: Formula, chain: list[Item], kinds: dict[str, str]) -> None:
        if len(chain) == 1:
            self._lone_expression(formula, chain[0])
            return
        last_readable: Item | None = chain[0] if chain[0].expr is not None else None
        skipped: list[Item] = []  # unreadable expressions since last_readable
        previous = chain[0]
        for item in chain[1:]:
            result = self._step(formula, chain, previous, item, last_readable, skipped, kinds)
            self.results.append(result)
            if item.expr is not None:
                last_readable, skipped = item, []
            else:
                skipped.append(item)
            previous = item

    def _lone_expression(self, formula: Formula, item: Item) -> None:
        if item.problem is not None:
            self.results.append(StepResult(item.line, formula.index, "", "", item.source, UNPARSED,
                                           item.problem.reason, {"fragment": item.problem.fragment}))
            return
        self.results.append(StepResult(item.line, formula.index, "", "", item.source, UNDECIDED,
                                       "a formula without a relation states nothing to check"))

    def _step(self, formula: Formula, chain: list[Item], previous: Item, item: Item, last_readable: Item | None,
              skipped: list[Item], kinds: dict[str, str]) -> StepResult:
        result = StepResult(item.line, formula.index, item.relation or "", previous.source, item.source, UNDECIDED, "")
        if item.problem is not None:
            result.verdict, result.reason = UNPARSED, item.problem.reason
            result.detail["fragment"] = item.problem.fragment
            if last_readable is None and chain[0].problem is not None and chain[0] is previous:
                result.reason = f"left-hand side: {chain[0].problem}; right-hand side: {item.problem.reason}"
            return result
        if item.relation == "~":
            result.verdict, result.reason = DEFINITION, "a declaration: binds the distribution for what follows"
            return result
        defined = self.names.defining_items.get(id(item))
        if defined is not None:
            definition = self.names.definitions[defined]
            result.verdict = DEFINITION
            result.reason = f"defines {defined}" + (f"({', '.join(map(sp.sstr, definition.arguments))})"
                                                   if definition.arguments else "") + \
                f" := {_shown(definition.body)}"
            undefined = _undefined_names(definition.body, self.names)
            if undefined:
                result.reason += f" (not defined in the document: {', '.join(undefined)})"
            return result
        relation, prefix = item.relation, ""
        earlier = self.names.definitions.get(previous.expr.name) if isinstance(previous.expr, NameRef) else None
        if item.relation == ":=" and earlier is None:
            result.verdict = UNPARSED
            result.reason = "`:=` defines a name: its left-hand side must be a name such as L(X, z)"
            return result
        if item.relation in (":=", "=") and earlier is not None and len(chain) == 2:  # NAME = expr once more
            relation, prefix = "=", f"{earlier.name} is defined at line {earlier.line}, checked against it: "
        if last_readable is None:
            first = chain[0]
            result.verdict = UNPARSED
            result.reason = "its left-hand side cannot be read" + (f": {first.problem.reason}" if first.problem else "")
            result.detail["fragment"] = first.problem.fragment if first.problem else first.source
            return result
        if len(chain) == 2 and isinstance(previous.expr, sp.Symbol) and previous.expr in (x, z, X) \
                and item.relation == "=" and not item.expr.has(previous.expr):
            return self._assignment(formula, previous, item, result, kinds)
        if skipped:
            try:
                for between in skipped:
                    relation = compose(between.relation, relation) if between.relation else relation
            except ChainError as error:
                result.reason = f"the previous expression cannot be read and {error}"
                return result
            prefix = (f"checked against line {last_readable.line} (`{_short(last_readable.source)}`), "
                      f"the last expression that could be read: ")
            result.lhs = last_readable.source
        return self._claim(formula, last_readable.expr, relation, item, result, kinds, prefix)

    def _claim(self, formula: Formula, lhs: sp.Expr, relation: str, item: Item, result: StepResult,
               kinds: dict[str, str], prefix: str = "") -> StepResult:
        """Check ``lhs relation item.expr`` with the document's names resolved."""
        notes: list[str] = []
        try:
            lhs = self.names.resolve(lhs, formula, notes, item.line)
            rhs = self.names.resolve(item.expr, formula, notes, item.line)
            for side, expr in (("left", lhs), ("right", rhs)):
                problem = _value_problem(expr)
                if problem:
                    raise Unparsed(f"the {side}-hand side cannot be evaluated: {problem}", _shown(expr))
        except Unparsed as error:
            result.verdict, result.reason = UNPARSED, prefix + error.reason
            result.detail["fragment"] = error.fragment
            return result
        lhs, rhs = _with_function_kinds(lhs, kinds), _with_function_kinds(rhs, kinds)
        verdict, detail = self._check(lhs, relation, rhs, item.line)
        undefined = _opaque(lhs, rhs, self.names) if verdict == REFUTED else []
        if undefined and _difference_depends_on(lhs, rhs, undefined):
            verdict = UNDECIDED
            detail["reason"] = (f"depends on {', '.join(undefined)}, which the document does not define "
                                f"(numerically: {detail.get('reason', '')})")
        result.verdict = verdict
        result.reason = prefix + detail.get("reason", "") + _notes(notes, lhs, rhs, kinds, formula.context)
        result.detail = {k: v for k, v in detail.items() if k != "reason"}
        result.relation = relation
        return result

    def _check(self, lhs: sp.Expr, relation: str, rhs: sp.Expr, line: int) -> tuple[str, dict]:
        why = f"as written in {self.document.path} line {line}"
        try:
            strategy, no_world = self.worlds.strategy([lhs, rhs])
        except _MATH_ERRORS as error:  # a world the engine cannot build: the numeric side is skipped, not the step
            strategy, no_world = None, f"no world: {type(error).__name__}: {error}"[:300]
        step = Step(relation, rhs, why)
        try:
            return check_step(lhs, step, strategy, seed=self.seed, examples=self.examples, no_world=no_world)
        except _MATH_ERRORS as error:  # the worlds give up on this step: sympy alone decides it, or nobody
            failed = f"the numeric checker failed: {type(error).__name__}: {error}"[:300]
        try:
            return decide(lhs, step, NumericResult("unsupported", detail={"reason": failed}))
        except _MATH_ERRORS as error:
            return UNDECIDED, {"reason": f"{failed}; the checker failed: {type(error).__name__}: {error}"[:300]}

    def _assignment(self, formula: Formula, previous: Item, item: Item, result: StepResult,
                    kinds: dict[str, str]) -> StepResult:
        """``z = μ(X) + ε σ(X)``: an assignment of a variable; checked in law when the prose declares laws,
        against the first assignment when the variable was assigned before."""
        variable = previous.expr
        law = formula.context.laws.get(variable)
        if law is None:
            result.verdict = DEFINITION
            result.reason = f"assigns the variable {variable} := {_shown(item.expr)} (not an identity to check)"
        else:
            result = _check_in_law(self, formula, variable, law, item, result)
        if result.verdict != DEFINITION:
            return result
        earlier = self.assignments.get(variable)
        if earlier is None:
            self.assignments[variable] = item
            return result
        prefix = f"{variable} is already assigned at line {earlier.line} ({variable} = {_short(earlier.source)}), " \
                 f"checked against it: "
        return self._claim(earlier.formula, earlier.expr, "=", item, result, kinds, prefix)


def _check_in_law(auditor: Auditor, formula: Formula, variable, law, item: Item, result: StepResult) -> StepResult:
    """An affine map of declared Gaussians, ``a + b ε`` with ε ~ N(0, 1), has law N(a, b²): compare it with the
    declared law of the variable, as densities at a point t."""
    expr = item.expr
    noises = [s for s in expr.free_symbols if s in formula.context.laws and s != variable]
    if len(noises) != 1:
        result.verdict = DEFINITION
        result.reason = f"assigns the variable {variable} := {_shown(expr)} (no declared noise to check its law)"
        return result
    (noise,) = noises
    noise_mean, noise_variance = formula.context.laws[noise]
    slope = sp.diff(expr, noise)
    if slope.has(noise) or sp.simplify(noise_mean) != 0 or sp.simplify(noise_variance - 1) != 0:
        result.verdict = DEFINITION
        result.reason = f"assigns the variable {variable} := {_shown(expr)} (not affine in a standard normal)"
        return result
    # For a fixed X the functions of X are numbers: name them as such (σ(X) > 0 as a scale).
    numbers = {}
    for call in (expr.atoms(AppliedUndef) | law[0].atoms(AppliedUndef) | law[1].atoms(AppliedUndef)):
        name = f"{call.func.__name__}({', '.join(map(sp.sstr, call.args))})"
        numbers[call] = sp.Symbol(name, positive=True) if call.func.__name__.startswith("sigma") else \
            sp.Symbol(name, real=True)
    offset = expr.subs(noise, 0).xreplace(numbers)
    slope = slope.xreplace(numbers)
    mean, variance = law[0].xreplace(numbers), law[1].xreplace(numbers)
    t = sp.Symbol("t", real=True)
    lhs = Normal(t, offset, sp.Abs(slope) if not slope.is_positive else slope)
    rhs = Normal(t, mean, sp.sqrt(variance))
    verdict, detail = auditor._check(lhs, "=", rhs, item.line)
    declared = formula.context.notes.get(("law", variable), "")
    noise_note = formula.context.notes.get(("law", noise), "")
    result.verdict = verdict
    result.relation = "="
    result.reason = (f"in law: with {noise_note.split(': ', 1)[-1]}, {_shown(expr)} has the density "
                     f"N(t; {_shown(offset)}, ({_shown(slope)})²), the declaration ({declared}) gives "
                     f"N(t; {_shown(mean)}, {_shown(variance)}): {detail.get('reason', '')}")
    result.detail = {k: v for k, v in detail.items() if k != "reason"}
    return result


def _value_problem(expr: sp.Expr) -> str:
    """Why ``expr`` has no value ("" when it may have one): a division by zero or an undefined value once
    the names are unfolded, or a number too large to compute."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            base, exponent = (_number(node.base), _number(node.exp))
            problem = power_problem(base, exponent) if base is not None and exponent is not None else ""
            if problem:
                return problem
    if expr.has(sp.zoo, sp.nan) or (expr.atoms(Defined) and unfold(expr).has(sp.zoo, sp.nan)):
        return "an undefined value (sympy: zoo or nan), e.g. a division by zero"
    return ""


def _number(expr: sp.Expr) -> sp.Expr | None:
    """The exact rational ``expr`` is once its names are unfolded, or None (not one, or not safe to compute)."""
    if isinstance(expr, Defined):
        return _number(expr.body)
    if expr.is_Rational:
        return expr
    if not isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return None
    args = [_number(arg) for arg in expr.args]
    if any(arg is None for arg in args) or (isinstance(expr, sp.Pow) and power_problem(*args)):
        return None
    value = expr.func(*args)
    return value if value.is_Rational else None


def _difference_depends_on(lhs: sp.Expr, rhs: sp.Expr, names: list[str]) -> bool:
    """Whether lhs − rhs still involves an undefined name (then a counterexample is only a choice of it)."""
    from mathcheck.symbolic import reevaluate
    difference = sp.expand(reevaluate(unfold(lhs)) - reevaluate(unfold(rhs)))
    involved = {s.name for s in difference.free_symbols if isinstance(s, sp.Symbol)}
    involved |= {c.func.__name__ for c in difference.atoms(AppliedUndef)}
    return bool(involved & set(names))


def _undefined_names(expr: sp.Expr, names: Names) -> list[str]:
    return sorted({ref.name for ref in expr.atoms(NameRef) if ref.name not in names.definitions})


def _opaque(lhs: sp.Expr, rhs: sp.Expr, names: Names) -> list[str]:
    found = set()
    for expr in (lhs, rhs):
        expr = unfold(expr)
        found |= {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol) and len(s.name) > 1
                  and s.name not in ("mu", "sigma") and not s.name.startswith(("mu_", "sigma_"))
                  and s.name.replace("_", "").isalnum() and s.name[0].isalpha() and _is_name(s.name)}
        found |= {c.func.__name__ for c in expr.atoms(AppliedUndef) if c.func.__name__ not in names.definitions
                  and (len(c.func.__name__) > 1 and not _greek(c.func.__name__) or c.func.__name__[0].isupper())}
    return sorted(found)


def _greek(name: str) -> bool:
    from mathcheck.audit.latex import GREEK
    return name.split("_")[0] in GREEK


def _is_name(name: str) -> bool:
    return not _greek(name)


def _notes(notes: list[str], lhs, rhs, kinds: dict[str, str], context: Context) -> str:
    extra = list(notes)
    used = set()
    for expr in (lhs, rhs):
        used |= {c.func.__name__ for c in unfold(expr).atoms(AppliedUndef)}
        for node in unfold(expr).atoms(Normal):
            used.add(("normal", node))
    for name in sorted(n for n in used if isinstance(n, str)):
        kind = kinds.get(name)
        if kind in ("concave", "convex"):
            extra.append(f"{name} {kind} as the prose declares ({context.notes.get(('curvature', name), '')})")
        elif kind == "positive":
            extra.append(f"{name} taken positive (it appears inside a log or a concave/convex function)")
    for key, note in context.notes.items():
        if key[0] == "density":
            declared = context.densities.get((key[1], key[2]))
            if declared and any(declared[1] == n[1] for n in used if isinstance(n, tuple)):
                extra.append(f"{key[1]} as declared at {note}")
    return f" [{'; '.join(extra)}]" if extra else ""


def _shown(expr: sp.Expr) -> str:
    return to_text(expr)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def audit_document(document: Document, seed: int = 0, examples: int | None = None) -> AuditReport:
    start = time.perf_counter()
    steps = Auditor(document, seed, examples).run()
    return AuditReport(document.path, steps, document, time.perf_counter() - start)
