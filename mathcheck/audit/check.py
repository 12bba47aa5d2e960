"""Checking a document's steps with the engine of ``verify-all`` (mathcheck.checker.check_step).

Verdicts: the checker's ``proved`` / ``holds`` / ``refuted`` / ``undecided``, plus ``unparsed`` (the reader
could not read the step exactly; the fragment is quoted) and ``definition`` (a step that names a quantity:
it states nothing to check).

Names: the first readable formula that introduces a name defines it for the whole document:
``NAME := expr``, a chain's last step ``... = NAME`` with a new name, or a first ``NAME = expr``. A use
before the definition is resolved with it and says so. A name defined nowhere stays an opaque quantity:
a step that depends on its value is ``undecided``, never ``refuted``. A name written on both sides
(``x = x + 1``), or earlier in the chain that ends with it (``L ≥ 3 = L``), defines nothing: it is a claim,
checked. A second definition of a name (``:=``, or a second assignment ``x = 2`` after ``x = 1``) is checked
against the first. Arguments are substituted into a definition without capture (a bound variable of the body
that would capture an argument is renamed: ``F(y) := ∫ q(z|X) y z dz`` makes ``F(z)`` = ``∫ q(z'|X) z z' dz'``);
a parameter the body only binds (z in ``L(X, z) := ∫ q(z|X) ... dz``) takes no other argument.

Assumptions belong to the step that makes them: an unknown function is positive in a step only where that
step takes its log (``log g(v)`` for v over the real line: everywhere; ``log g(1)``: only if every value of g
in the step is one whose log is taken), and concave or convex only as the prose declares. An assignment
``z = μ + σ ε`` of a variable with a declared law is checked in law against the declared Gaussians
(mean and variance of an affine map of independent declared noises; a declared density q(z) ~ N(m, v) gives
z a law too); when that law cannot be computed the step is ``undecided``, never a definition. The earlier
assignments are put into the right side first (z = ε, then x = z + ε is 2ε), and a second assignment of a
variable is checked against the first, pathwise. Only a left side written as a bare name assigns
(``\\sqrt{x}^2 = -1`` is a claim), and a standard operator (Var, KL, ELBO, ...) is defined only by ``:=``.
A defined name or assigned variable whose value has a free v, used under a binder of v, is ambiguous: unparsed.

A document passes (``ok``) when every step is proved, holds or is a definition: an undecided step is not
verified.
"""
from __future__ import annotations

import bisect
import os
import re
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Callable

import sympy as sp
from sympy.core.function import AppliedUndef

from mathcheck.lazy import LazyPattern
from mathcheck.audit.cache import cached_step
from mathcheck.audit.dependence import captured_variables, closed_dependence, declared_dependence
from mathcheck.audit.matrix_reader import LEARNED, shape_text
from mathcheck.matrices import INVERSE_WRITTEN, MatrixExpectation, MvNormal, presumed_invertible
from mathcheck.audit.document import ChainItem, Document, Formula, ended_statement
from mathcheck.audit.families import IndexedFamily, family_of, symbols_by_name
from mathcheck.audit.prose_definitions import (Condition, covers_the_line, defines_constant, named_sigmoids,
                                               other_piece, overlap_problem, piece_condition, split_definition,
                                               stated_under_condition)
from mathcheck.audit.document import _inline_maths
from mathcheck.audit.redefined import (SHOWN, Redefinition, applied_kinds, defined_kind, defines, defines_display,
                                       log_base_cues, log_bases,
                                       prose_definitions)
from mathcheck.audit.latex import (MAX_NESTING, SMOOTH, BareDensity, Context, NameRef, Parser, Unparsed,
                                   data_bases, parse_expression, power_problem, script_end)
from mathcheck.calc import ChainError, Step, compose
from mathcheck.checker import NumericResult, check_step, decide
from mathcheck.dimensions import one_symbol_per_name
from mathcheck.notation import ARTICLE_SCOPE, Scope, canonical_labels, data_densities, infer_scope, signature
from mathcheck.numeric import DrawnWorlds, Divergent, Needs, Unsupported, declared_densities, shared_needs
from mathcheck.numeric import _key as density_key
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from mathcheck.symbolic import DEFAULT_SECONDS, SymbolicTimeout, time_limit, with_scope
from mathcheck.vocab import (KL, Defined, Density, Expectation, Normal, X, concave_function, convex_function, define,
                             density_variables, integral_variables, labels_resolved, positive_function, to_text,
                             unfold, x, z)
from mathcheck.vocab import cached_on_expressions

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

    def _repr_html_(self) -> str:
        from mathcheck.display import audit_html

        return audit_html(self)


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
    declaration: str = ""  # a ``~`` step the document layer read as a declaration: what it declares
    variable: str = ""  # ``\\propto_z``: the variable the proportionality is in, as written
    note: str = ""  # the annotation over the relation (``\\overset{+c}{=}``: ``+c``)
    end: int | None = None  # where it ends in the file


def _read_item(document: Document, formula: Formula, item: ChainItem) -> Item:
    segment = item.segment
    start = segment.start if segment else (item.problem.start if item.problem else formula.start)
    read = Item(item.relation, segment.source if segment else "", document.line_of(start), start, formula,
                declaration=item.declaration, note=item.note, end=segment.end if segment else None)
    if item.problem is not None:
        read.problem = item.problem
        if not (getattr(item.problem, "not_checked", False) and segment is not None and segment.tokens):
            return read
    tokens = segment.tokens
    if read.problem is not None and item.relation == "∝" and tokens[0].kind == "sym" and tokens[0].text == "_":
        end = script_end(tokens, 1)  # \propto_z: proportional as a function of z
        read.variable = "".join(t.text for t in tokens[1:end] if not (t.kind == "sym" and t.text in "{}"))
        tokens = tokens[end:]
    try:
        with time_limit(DEFAULT_SECONDS):
            read.expr = Parser(tokens, document.text, formula.context, 0).parse()
    except Unparsed as error:
        if read.problem is not None:  # ≈, ∝ with a side that cannot be read: not checked, with why
            read.problem.reason += f"; and its right-hand side cannot be read: {error.reason}"
            return read
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
    source: str = ""  # the body as written
    refusal: str = ""  # why the definition cannot be used (a condition not read, two bodies): its uses are undecided
    domain: sp.Basic | None = None  # where a piecewise or restricted prose definition holds (None: everywhere)
    offset: int | None = None  # where a display defines it (a prose definition is placed by its line)


class NotChecked(Unparsed):
    """A use the document's definitions do not settle (a name defined only on part of the line, a definition
    refused): the step is undecided, with the reason."""


class Names:
    """The document's defined names and their resolution into mathcheck.vocab objects."""

    def __init__(self, chains: list[list[Item]], prose: tuple = (), text: str = "", scopes: tuple = ()):
        self.text, self.chains = text, chains  # the document as the checker reads it: where a name is first written
        self.scopes = scopes  # (opening, end, its line, the end's line) of each lemma, proof or scoped section
        self.definitions: dict[str, Definition] = {}
        self.defining_items: dict[int, str] = {}  # id(item) -> name
        self.undefined: dict[sp.Expr, str] = {}  # the symbol or function an undefined name is read as -> the name
        self.unreadable: dict[str, int] = {}  # names defined by `:=` with a body that cannot be read -> line
        self.sizes = _sizes(chains)  # K of \sum_{k=1}^K: a positive integer, also where it is written outside the sum
        self.functions: set[str] = set()  # one-letter functions the document defines: h(x) := x^2
        self.indexed: dict[str, IndexedFamily] = {}  # letter -> w_k := p(x, z_k)/q(z_k|x) (audit/families.py)
        self.indexed_items: dict[int, IndexedFamily] = {}  # id(item) -> the family it defines
        self.generic = False  # while True, instances w_1 of a family are left as the numbers they are read as
        for chain in chains:
            self._collect_family(chain)
        self.redefined_in_prose: dict[str, Definition] = {}  # f defined by a display, again in the prose later
        self.freed: dict[str, int] = {}  # a name defined as a value (K = 1) -> the line the prose frees it from
        self.kept: set[str] | frozenset[str] = frozenset()  # the names the formula being checked quantifies
        for definition in prose:  # "Let $f(x) = x^3$": f is defined there, a later display about f is a claim
            if definition.name not in self.definitions and not any(
                    item.line < definition.line and item.expr is not None and mentions_function(item.expr, definition.name)
                    for chain in chains for item in chain):
                self.definitions[definition.name] = definition
                self.functions.add(definition.name)
            elif definition.name not in self.definitions:  # a display used f before: a second meaning from here on
                self.redefined_in_prose.setdefault(definition.name, definition)
        for chain in chains:  # `:=` defines first: an `=` of a name defined so, or of an instance, is a claim
            self._collect(chain, explicit=True)
        for chain in chains:
            self._collect(chain, explicit=False)

    def _collect(self, chain: list[Item], explicit: bool) -> None:
        for position in range(1, len(chain)):
            previous, item = chain[position - 1], chain[position]
            if explicit and item.relation == ":=" and isinstance(previous.expr, NameRef) and item.expr is None:
                self.unreadable.setdefault(previous.expr.name, item.line)  # L_K := (a body the reader refuses)
            if previous.expr is None or item.expr is None:
                continue
            function = function_name(previous) if position == 1 else None  # h(x) := x^2
            if function is not None and mentions_function(item.expr, function.name):
                continue  # k(x) = k(x) + 1, w(x) = w'(x), g(x) = g(-x): an equation about the name, never its definition
            if function is not None and (item.relation == ":=" or (
                    item.relation == "=" and len(chain) == 2 and function.name not in self.definitions
                    and _alone_in_display(previous, item) and not self._written_before(previous, self.chains))):
                if explicit == (item.relation == ":="):
                    self.functions.add(function.name)
                    self._define(function, item.expr, item)
                continue
            if item.relation == ":=" and isinstance(previous.expr, NameRef):
                if explicit:
                    self._define(previous.expr, item.expr, item)
            elif explicit:
                continue
            elif item.relation == "=" and position == 1 and isinstance(previous.expr, NameRef) \
                    and self.fresh(previous.expr.name) and not self._written_before(previous, self.chains) \
                    and not (len(chain) == 2 and _a_named_example(self.text, previous, item)):
                self._define(previous.expr, item.expr, item)  # "With a single sample, $$K = 1$$": no definition
            elif item.relation == "=" and position == len(chain) - 1 and position > 1 \
                    and isinstance(item.expr, NameRef) and self.fresh(item.expr.name) \
                    and not _mentions(chain[:position], item.expr.name):  # L ≥ 3 = L names nothing: a claim
                self._define(item.expr, previous.expr, item)

    def _written_before(self, head: Item, chains: list[list[Item]]) -> bool:
        """Whether the function ``head`` names (``h`` of ``h(x)``) is written before its display: in an earlier
        display, or equated to something in the prose before it ("Let $h(x) := x^2$", "$h(x) \\equiv x^2$"). Then
        the display ``h(x) = ...`` is a claim about it, never a new definition of it."""
        name = function_name(head) or (head.expr if isinstance(head.expr, NameRef) else None)
        if name is None:
            return False
        if any(item.line < head.line and item.expr is not None and mentions_function(item.expr, name.name)
               for chain in chains for item in chain):
            return True
        letter = re.escape(head.source.split("(")[0].strip())
        before = self.text[:head.formula.start] if self.text else ""
        equated = re.finditer(rf"(?<![A-Za-z\\]){letter}\s*\([^()$]*\)\s*(?:=|:=|\\coloneqq|\\triangleq|\\equiv|"
                              rf"\\stackrel|\\overset|\\doteq)", before)
        return any(not _PROSE_NEGATION.search(self._sentence_before(match.start(), len(before))) for match in equated)

    def _sentence_before(self, offset: int, limit: int) -> str:
        """The sentence of the document's text around ``offset``, cut at ``limit`` (where the display starts), as
        written (its formulas too)."""
        begin, stop = _sentence_span(_masked_maths(self.text), offset, offset, limit)
        return self.text[begin:stop]

    def _collect_family(self, chain: list[Item]) -> None:
        """``w_k := body`` with a body that uses the index k: an indexed family (the first of its letter)."""
        if len(chain) != 2 or chain[1].relation != ":=" or chain[0].expr is None or chain[1].expr is None \
                or not written_as_name(chain[0]) or declared_laws(chain[0].formula.context, chain[0].expr):
            return
        found = family_of(chain[0].expr, chain[1].expr)
        if found is None or found[0] in self.indexed:
            return
        family = IndexedFamily(chain[0].expr, found[0], found[1], chain[1].expr, chain[1].line, chain[1].formula)
        self.indexed[found[0]] = family
        self.indexed_items[id(chain[1])] = family

    def indexed_instance(self, symbol: sp.Expr) -> tuple[IndexedFamily, int] | None:
        """(the family, n) when ``symbol`` is w_n of a family w_k := ... (not the family's own w_k)."""
        if not isinstance(symbol, sp.Symbol):
            return None
        for family in self.indexed.values():
            value = family.instance_index(symbol.name)
            if value is not None:
                return family, value
        return None

    def _own_family_symbols(self, expr: sp.Expr, formula: Formula, notes: list[str]) -> dict:
        """w_k itself, written where its index k is not bound by a sum over k: the body as defined."""
        indices = {v.name for node in expr.atoms(sp.Sum, sp.Product) for v in node.variables}
        mapping = {}
        for family in self.indexed.values():
            own = [s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name == family.symbol.name]
            if own and family.index not in indices:
                note = f"{family.symbol} is defined at line {family.line}"
                if note not in notes:
                    notes.append(note)
                body = _family_body(family, {}, formula)
                mapping.update({symbol: define(symbol.name, (), body) for symbol in own})
        return mapping

    def _indexed_instances(self, expr: sp.Expr, formula: Formula, notes: list[str]) -> sp.Expr:
        """``w_1`` with ``w_k := p(x, z_k)/q(z_k|x)`` defined: the body with 1 for k (z_1 for z_k)."""
        mapping = {}
        taken = symbols_by_name(expr)
        for symbol in expr.free_symbols:
            found = self.indexed_instance(symbol)
            if found is None:
                continue
            family, value = found
            index = {s for s in family.body.free_symbols if isinstance(s, sp.Symbol) and s.name == family.index}
            outside = _outside_assumptions(index, sp.Integer(value))
            if outside:
                raise Unparsed(f"{symbol} reads as {family.symbol} (defined at line {family.line}) with "
                               f"{family.index} = {value}, but the definition is read where {outside}: not an "
                               f"instance it covers", sp.sstr(symbol))
            body = _family_body(family, family.mapping(value, taken), formula)
            problem = _density_problem(body)
            if problem:
                raise Unparsed(f"{symbol} as {family.symbol} (defined at line {family.line}) with {family.index} = "
                               f"{value}: {problem}", sp.sstr(symbol))
            note = f"{symbol} is {family.symbol} (line {family.line}) with {family.index} = {value}"
            if note not in notes:
                notes.append(note)
            mapping[symbol] = define(symbol.name, (), body)
        mapping.update(self._symbolic_instances(expr, formula, notes, taken))
        mapping.update(self._own_family_symbols(expr, formula, notes))
        expr = substitute(expr, mapping) if mapping else expr
        summed = self._summed_instances(expr, formula, notes)
        return expr.xreplace(summed) if summed else expr

    def _symbolic_instances(self, expr: sp.Expr, formula: Formula, notes: list[str], taken: dict) -> dict:
        """``w_j``, ``w_{k+1}`` with ``w_k := body`` defined: the body with j (k + 1) for k, z_{k+1} for z_k."""
        mapping = {}
        for symbol in free_symbols(expr):
            for family in self.indexed.values():
                subscript = family.instance_subscript(symbol.name) if isinstance(symbol, sp.Symbol) else None
                value = _subscript_index(subscript, taken, family) if subscript else None
                if value is None:
                    continue
                body = _family_body(family, family.renamed(subscript, value, taken), formula)
                if _density_problem(body):
                    continue
                note = f"{symbol} is {family.symbol} (line {family.line}) with {family.index} = {value}"
                if note not in notes:
                    notes.append(note)
                mapping[symbol] = define(symbol.name, (), body)
        return mapping

    def _summed_instances(self, expr: sp.Expr, formula: Formula, notes: list[str]) -> dict:
        """The terms w[j] of a sum or product over j (``\\sum_{j=1}^{3} w_j``) with ``w_k := body`` defined: the
        body with j for k (a body with densities stays the sum's own term, as read)."""
        replacements = {}
        for term in expr.atoms(sp.Indexed):
            family = next((f for f in self.indexed.values() if str(term.base.label) == f.base), None)
            mapping = family.summed(term.indices[0]) if family is not None and len(term.indices) == 1 else None
            if mapping is None:
                continue
            index = term.indices[0]
            note = f"{family.symbol} (line {family.line}) summed over {index}" if str(index) == family.index else \
                f"{family.base}_{index} is {family.symbol} (line {family.line}) with {family.index} = {index}"
            if note not in notes:
                notes.append(note)
            replacements[term] = _family_body(family, mapping, formula)
        return replacements

    def fresh(self, name: str) -> bool:
        """Whether ``name`` means nothing yet, so that ``name = expr`` can define it: not defined, not a standard
        operator, and not an instance of a defined family (L_0 or L_1 once L_β := ... is defined)."""
        return name not in self.definitions and name not in self.unreadable and not standard_operator(name) \
            and self.instance_of(name) is None and self.instance_of_unreadable(name) is None \
            and self.decorated(name) is None and self.applied(name) is None and self.instance_unmatched(name) is None

    def instance_unmatched(self, name: str) -> Definition | None:
        """The definition of a family L_β whose body as written uses its subscript β, when ``name`` is another
        subscript of it (L_1) that :meth:`instance_of` cannot match to a parameter of the body as read: an
        instance that is not checked, never a new name."""
        parts = subscripted(name)
        if parts is None or name in self.definitions or self.instance_of(name) is not None:
            return None
        for definition in self.definitions.values():
            defined = subscripted(definition.name)
            if defined is not None and defined[0] == parts[0] and defined[1] != parts[1] \
                    and _written_in(defined[1], definition.source):
                return definition
        return None

    def applied(self, name: str) -> tuple[Definition, str] | None:
        """(the definition of F, the argument written) when ``name`` is ``F(q)`` read as one name (the
        \\mathcal{L}(q) convention of a density argument) while F itself is defined: F applied to q, an
        instance to check by substitution, never a new name."""
        written = _APPLIED_NAME.fullmatch(name) if name not in self.definitions else None
        definition = self.definitions.get(written.group("base")) if written is not None else None
        return (definition, written.group("argument")) if definition is not None else None

    def decorated(self, name: str) -> Definition | None:
        """The definition of ``name`` without its subscript when that is a defined name and ``name`` is no
        instance of a family (L_θ after L(x) := ...: the subscript shows the parameters, it names nothing new)."""
        parts = subscripted(name)
        if parts is None or name in self.definitions or self.instance_of(name) is not None \
                or not _parameter_subscript(parts[1]):
            return None
        return self.definitions.get(parts[0])

    def instance_of_unreadable(self, name: str) -> tuple[str, int] | None:
        """(the family's name, its line) when ``name`` is another subscript of a name defined by ``:=`` with a
        parameter subscript whose body cannot be read (L_1 after an unreadable L_K := ...)."""
        parts = subscripted(name)
        if parts is None or name in self.definitions or name in self.unreadable:
            return None
        for family, line in self.unreadable.items():
            defined = subscripted(family)
            if defined is not None and defined[0] == parts[0] and defined[1] != parts[1] \
                    and re.fullmatch(r"\\?[A-Za-z]+", defined[1]):
                return family, line
        return None

    def instance_of(self, name: str) -> tuple[Definition, sp.Symbol | str, str] | None:
        """(the definition of the family, its parameter, the subscript written) when ``name`` is the same base
        name as a defined one whose subscript is a parameter of its body (L_β, L_K), with another subscript."""
        parts = subscripted(name)
        if parts is None or name in self.definitions:
            return None
        base, subscript = parts
        for definition in self.definitions.values():
            defined = subscripted(definition.name)
            if defined is None or defined[0] != base or defined[1] == subscript:
                continue
            parameter = _parameter_of(definition, defined[1])
            if parameter is not None:
                return definition, parameter, subscript
        return None

    def _define(self, name: NameRef, body: sp.Expr, item: Item) -> None:
        if name.name in self.definitions or not definable(name) or self.applied(name.name) is not None:
            return
        if any(ref.name == name.name for ref in body.atoms(NameRef)):
            return  # NAME = NAME + 1 names nothing: it is a claim about NAME
        if self.instance_of(name.name) is not None:
            return  # L_1 := ... with L_β := ... defined: a claim about the instance, checked against the family
        self.definitions[name.name] = Definition(name.name, name.arguments, body, item.line, item.formula,
                                                 source=item.source, offset=item.start)
        self.defining_items[id(item)] = name.name

    def resolve(self, expr: sp.Expr, formula: Formula, notes: list[str], line: int) -> sp.Expr:
        """Replace names and bare densities; raises Unparsed when one cannot be resolved."""
        expr = _declared_conditionals(_resolve_bare_densities(expr, formula), formula.context)
        for name in sorted(formula.context.own_constants):
            note = f"{'π' if name == 'pi' else name} is the document's own quantity here, not the built-in constant"
            if note not in notes and any(s.name == name for s in expr.free_symbols if isinstance(s, sp.Symbol)):
                notes.append(note)
        expr = self._indexed_instances(expr, formula, notes) if self.indexed and not self.generic else expr
        replacements = {}
        for ref in expr.atoms(NameRef):
            replacements[ref] = self._reference(ref, formula, notes, line)
        for call in expr.atoms(AppliedUndef):  # h(2) with h(x) := x^2
            if call.func.__name__ in self.functions or self.instance_of(call.func.__name__) is not None:
                replacements[call] = self._reference(NameRef(call.func.__name__, call.args), formula, notes, line)
        replacements.update(self._defined_sizes(expr, line))
        return expr.xreplace(replacements) if replacements else expr

    def _defined_sizes(self, expr: sp.Expr, line: int | None = None) -> dict:
        """N of ``\\sum_{i=1}^{N}`` (read as a size symbol) where the document defines N (``N := 100``, "Let $N = 100$"):
        its value, as the N written outside the sum has (a positive integer only; another value stays the size)."""
        found = {}
        for name in self.sizes:
            definition = self.definitions.get(name)
            written = [s for s in free_symbols(expr) if isinstance(s, sp.Symbol) and s.name == name]
            if definition is None or definition.arguments or definition.refusal or not written \
                    or self.freed_at(name, line) or self.ended_at(definition, line):
                continue
            try:
                value = self._body(definition)
            except Unparsed:
                continue
            if value.is_integer and value.is_positive:  # N(N + 1) reads N as a plain symbol: the same N
                found.update({symbol: value for symbol in written})
        return found

    def free(self, name: str, line: int) -> None:
        """The prose makes ``name`` arbitrary again before ``line`` ("Now let $K$ be any positive integer"): a value
        it was defined as before (K = 1) is not its meaning from there on."""
        definition = self.definitions.get(name)
        if definition is not None and not definition.arguments and definition.line < line:
            self.freed.setdefault(name, line)

    def ended_at(self, definition: Definition, line: int | None) -> int | None:
        """The line where the lemma, proof or scoped section ("In this section let ...") that makes ``definition``
        ends, when ``line`` comes after it: there the name is fresh again, its definition not put in."""
        if line is None:
            return None
        for opening, end, opening_line, end_line in self.scopes:
            inside = opening <= definition.offset < end if definition.offset is not None \
                else opening_line <= definition.line <= end_line
            if inside and end_line < line:
                return end_line
        return None

    def freed_at(self, name: str, line: int | None) -> bool:
        """Whether ``name``'s defined value is withdrawn at ``line`` (see :meth:`free`), or in the formula being
        checked, which quantifies it ("for all K")."""
        return self._freed_before(name, line) or re.sub(r"[\\{}\s]", "", name) in self.kept

    def _freed_before(self, name: str, line: int | None) -> bool:
        freed = self.freed.get(name)
        return freed is not None and line is not None and line >= freed

    def _reference(self, ref: NameRef, formula: Formula, notes: list[str], line: int, at_use: bool = True) -> sp.Expr:
        definition = self.definitions.get(ref.name)
        if definition is not None and not ref.arguments and self.freed_at(ref.name, line):
            where = f"from line {self.freed[ref.name]}" if self._freed_before(ref.name, line) else "in this formula"
            note = f"{_display(ref.name)} is arbitrary {where} (its value at line {definition.line} not put in)"
            if note not in notes:
                notes.append(note)
            definition = None
        definition = self._in_scope(definition, line, notes)
        shown = sp.sstr(ref)
        arguments = tuple(self.resolve(a, formula, notes, line) for a in ref.arguments)
        instance = self.instance_of(ref.name) if definition is None else None
        if instance is not None and self._in_scope(instance[0], line, notes) is None:
            instance = None
        if instance is not None:
            return self._instance(ref, instance, arguments, formula, notes, line)
        applied = self.applied(ref.name) if definition is None and not arguments else None
        if applied is not None and self._in_scope(applied[0], line, notes) is None:
            applied = None
        if applied is not None:
            return self._reference(_applied_reference(applied, formula, shown), formula, notes, line, at_use)
        unmatched = self.instance_unmatched(ref.name) if definition is None and instance is None else None
        if unmatched is not None:
            raise Unparsed(f"{_display(ref.name)} reads as an instance of {_display(unmatched.name)} (defined at line "
                           f"{unmatched.line}), but {subscripted(unmatched.name)[1]} is no parameter of its body as "
                           f"read: the instance is not checked", shown)
        unreadable = self.instance_of_unreadable(ref.name) if definition is None and instance is None else None
        if unreadable is not None:
            raise Unparsed(f"{_display(ref.name)} reads as an instance of {_display(unreadable[0])}, whose definition "
                           f"at line {unreadable[1]} cannot be read", shown)
        decorated = self.decorated(ref.name) if definition is None and unreadable is None else None
        if decorated is not None and self._in_scope(decorated, line, notes) is None:
            decorated = None
        if decorated is not None:
            note = f"{_display(ref.name)} read as {_display(decorated.name)} (defined at line {decorated.line})"
            if note not in notes:
                notes.append(note)
            return self._reference(NameRef(decorated.name, ref.arguments), formula, notes, line, at_use)
        if definition is None and not arguments and ref.name in self.sizes:
            return self.sizes[ref.name]
        counted = formula.context.declared_symbols().get(ref.name) if definition is None and not arguments else None
        if counted is not None:  # "let $K$ be a positive integer", "Assume $K > 0$": K is that number
            return counted
        if definition is None and not arguments and ref.name in formula.context.bounded:
            return formula.context.bounded[ref.name]  # "Assume $N \ge 2$": 2 + δ_N
        if definition is None:
            note = f"{_display(ref.name)} is not defined in the document"
            if note not in notes:
                notes.append(note)
            opaque = sp.Function(ref.name)(*arguments) if arguments else sp.Symbol(ref.name, real=True)
            self.undefined[opaque.func if arguments else opaque] = ref.name
            return opaque
        if definition.refusal:
            raise NotChecked(definition.refusal, shown)
        again = self.redefined_in_prose.get(ref.name)
        if again is not None and line is not None and line >= again.line and again.line > definition.line \
                and not (again.arguments == definition.arguments and _same_body(again.body, definition.body)):
            raise NotChecked(f"{_display(ref.name)} is defined at line {definition.line} and again in the prose at "
                             f"line {again.line} ({_short(again.source)}): which meaning holds here is not decided",
                             shown)
        body = self._body(definition)
        if not arguments and definition.arguments:  # L for L(x): the arguments as defined
            note = (f"{_display(ref.name)} read as {_display(ref.name)}({', '.join(map(sp.sstr, definition.arguments))}),"
                    f" as defined at line {definition.line}")
            if note not in notes:
                notes.append(note)
            arguments = tuple(definition.arguments)
        if arguments != tuple(definition.arguments):
            if len(arguments) != len(definition.arguments):
                raise Unparsed(f"{_display(ref.name)} is defined at line {definition.line} with "
                               f"{len(definition.arguments)} argument(s), used here with {len(arguments)}", shown)
            body = _applied(definition, body, arguments, shown)
        _within_domain(definition, arguments, shown)
        if definition.line > line:
            note = f"{_display(ref.name)} as defined later, at line {definition.line}"
            if note not in notes:
                notes.append(note)
        if at_use:
            _refuse_revoked_signs(definition, body, formula.context, shown)
        return define(_display(ref.name), arguments, _in_context(body, formula.context) if at_use else body)

    def _in_scope(self, definition: Definition | None, line: int | None, notes: list[str]) -> Definition | None:
        """``definition``, or None where the statement or section that makes it has ended before ``line``."""
        end = self.ended_at(definition, line) if definition is not None else None
        if end is None:
            return definition
        note = (f"{_display(definition.name)} is defined at line {definition.line} inside a lemma, proof or section "
                f"that ends at line {end}: its definition is not put in after that")
        if note not in notes:
            notes.append(note)
        return None

    def _instance(self, ref: NameRef, instance: tuple, arguments: tuple, formula: Formula, notes: list[str],
                  line: int) -> sp.Expr:
        """``L_0(x)`` with ``L_β(x) := body`` defined: the body with 0 for β (and the arguments for the
        parameters); a subscript that cannot be read leaves the name undefined (opaque)."""
        definition, parameter, subscript = instance
        family = NameRef(definition.name, arguments)
        body = self._reference(family, formula, notes, line, at_use=False).body
        value = _subscript_value(subscript, body)
        if value is None:
            raise Unparsed(f"{_display(ref.name)} reads as {_display(definition.name)} (defined at line "
                           f"{definition.line}) with {subscript} for {parameter}, which cannot be read", sp.sstr(ref))
        note = f"{_display(ref.name)} is {_display(definition.name)} (line {definition.line}) with {parameter} = {value}"
        if note not in notes:
            notes.append(note)
        symbols = {s for s in body.atoms(sp.Symbol) if s.name == str(parameter)}
        refs = {r for r in body.atoms(NameRef) if r.name == str(parameter)}
        if any(s.is_integer and s.is_positive for s in symbols):  # S_m after S_n := Σ_{k=1}^n: m is a size too
            value = value.xreplace({s: sp.Symbol(s.name, integer=True, positive=True) for s in value.free_symbols
                                    if isinstance(s, sp.Symbol) and not s.is_integer})
        outside = _outside_assumptions(symbols, value)
        bounded = _bounded_parameter(definition, str(parameter))
        if bounded is not None:  # β ≥ 1: the body holds 1 + δ_β; β = value is δ_β = value − 1
            excess, bound = bounded
            value = value.xreplace({s: bound + excess for s in value.free_symbols
                                    if isinstance(s, sp.Symbol) and s.name == str(parameter)})
            outside = outside or _outside_assumptions({excess}, value - bound, f"{parameter} ≥ {bound}")
            symbols, value = {excess}, value - bound
        if outside:
            raise Unparsed(f"{_display(ref.name)} reads as {_display(definition.name)} (defined at line "
                           f"{definition.line}) with {parameter} = {value if bounded is None else value + bounded[1]}, "
                           f"but the definition is read where {outside}: not an instance it covers", sp.sstr(ref))
        body = substitute(body.xreplace({r: value for r in refs}), {symbol: value for symbol in symbols})
        _refuse_revoked_signs(definition, body, formula.context, sp.sstr(ref))
        return define(_display(ref.name), arguments, _in_context(body, formula.context))

    def _body(self, definition: Definition) -> sp.Expr:
        if definition.resolved is not None:
            return definition.resolved
        if definition.resolving:
            raise Unparsed(f"{_display(definition.name)} is defined in terms of itself (line {definition.line})",
                           definition.name)
        recursive = _recursive_uses(definition)
        if recursive:
            raise Unparsed(f"{_display(definition.name)} is defined at line {definition.line} through its own instance "
                           f"{_display(recursive[0])}: recursive definition not unfolded", definition.name)
        definition.resolving = True
        kept, self.kept = self.kept, frozenset()  # a body means what it meant where it was defined
        try:
            definition.resolved = self.resolve(definition.body, definition.formula, [], definition.line)
        except Unparsed as error:
            raise Unparsed(f"the definition of {_display(definition.name)} at line {definition.line} cannot be "
                           f"used: {error.reason}", error.fragment) from None
        finally:
            definition.resolving, self.kept = False, kept
        return definition.resolved


def _display(name: str) -> str:
    return name


_APPLIED_NAME = LazyPattern(r"(?P<base>.+)\((?P<argument>[^()]+)\)")


def _applied_reference(applied: tuple[Definition, str], formula: Formula, shown: str) -> NameRef:
    """``F(q)`` (read as one name) as F applied to the variable q, for a defined F with one argument."""
    definition, written = applied
    if not definition.arguments or len(definition.arguments) != 1 or not re.fullmatch(r"[A-Za-z]", written):
        raise Unparsed(f"ambiguous: {shown} may be {_display(definition.name)} (defined at line {definition.line} with "
                       f"{len(definition.arguments)} argument(s)) applied to {written}, or a new name", shown)
    return NameRef(definition.name, (Parser([], "", formula.context, 0).symbol(written),))


def _subscript_index(subscript: str, taken: dict, family: IndexedFamily) -> sp.Expr | None:
    """The subscript of an instance (``j``, ``k+1``, ``2k`` as read) as the index value it stands for, its letters
    the step's own symbols where it writes them; None when it is not an expression of letters and numbers."""
    if not re.fullmatch(r"\d*[A-Za-z](?:[+-](?:\d+|\d*[A-Za-z]))?", subscript.replace(" ", "")):
        return None  # j, k+1, 2k, j+k; not w_{ij} (an entry) nor w_theta (a label)
    try:
        value = parse_expression(subscript, Context())
    except (Unparsed, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(value, sp.Expr) or not all(isinstance(s, sp.Symbol) for s in value.free_symbols):
        return None
    index = {s.name: s for s in family.body.free_symbols if isinstance(s, sp.Symbol) and s.name == family.index}
    return value.xreplace({s: taken.get(s.name, index.get(s.name, s)) for s in value.free_symbols})


def _family_body(family: IndexedFamily, mapping: dict, formula: Formula) -> sp.Expr:
    """The body of an indexed family with ``mapping`` put in, as the formula that uses it reads its names (x read
    as X since the weights were defined, σ > 0 declared since)."""
    body = substitute(family.body, mapping)
    renamed = {s: formula.context.renamed[s.name] for s in free_symbols(body)
               if isinstance(s, sp.Symbol) and s.name in formula.context.renamed}
    return _in_context(substitute(body, renamed), formula.context)


_SIGNS = ("positive", "nonnegative", "negative", "nonpositive", "nonzero")


def _refuse_revoked_signs(definition: Definition, body: sp.Expr, context: Context, shown: str) -> None:
    """A sign declared where the definition was made (a > 0 at F := √(a²), read a) that the using formula no
    longer declares (a < 0 declared since): the body may rest on it, so the use is refused."""
    declared_then = definition.formula.context.symbols
    for symbol in free_symbols(body):
        if not isinstance(symbol, sp.Symbol) or declared_then.get(symbol.name) != symbol:
            continue
        now = context.symbols.get(symbol.name, context.bounded.get(symbol.name, sp.Symbol(symbol.name, real=True)))
        lost = [sign for sign in _SIGNS if getattr(symbol, f"is_{sign}") and not getattr(now, f"is_{sign}")]
        if lost:
            raise Unparsed(f"{_display(definition.name)} is defined at line {definition.line} where {symbol.name} is "
                           f"{lost[0]}, which is no longer declared here: its definition may rest on it", shown)


def _in_context(body: sp.Expr, context: Context) -> sp.Expr:
    """A definition's body as the formula that uses it reads its names: the declarations made since (β ≥ 1 read
    as 1 + δ_β, σ > 0) hold for the free symbols of the body too, so that the body and the step share one β."""
    bounded, declared = getattr(context, "bounded", {}) or {}, context.symbols
    mapping = {}
    for symbol in free_symbols(body):
        if not isinstance(symbol, sp.Symbol):
            continue
        if symbol.name in bounded:
            mapping[symbol] = bounded[symbol.name]
        elif symbol.name in declared and declared[symbol.name] != symbol:
            mapping[symbol] = declared[symbol.name]
    return substitute(body, mapping) if mapping else body


_ELBO_NAMES = frozenset({"elbo", "evidencelowerbound", "variationallowerbound", "theelbo"})
_LABEL_TEXT = LazyPattern(r"\\(?:text|mathrm|textrm|textbf|mathbf|textit|mathit|operatorname)\s*\{([^{}]*)\}")


_RELATION_IN_LABEL = LazyPattern(r"[=<>]|\\(?:leq?|geq?|neq?|lt|gt|approx|sim|simeq|equiv|propto|ll|gg)(?![A-Za-z])")
_TEXT_IN_LABEL = LazyPattern(r"\\(?:text|mathrm|textrm|textit|mbox)\s*\{[^{}]*\}")


def _states_a_relation(label: str) -> bool:
    """Whether a brace's annotation is a formula with a relation (``=3``, ``\\geq 0``): a claim, not a name."""
    return bool(_RELATION_IN_LABEL.search(_TEXT_IN_LABEL.sub(" ", label)))


def braced_parts(source: str) -> list[tuple[str, str]]:
    """(A, its name) for each ``\\underbrace{A}_{name}`` / ``\\overbrace{A}^{name}`` of ``source``."""
    found = []
    for match in re.finditer(r"\\(underbrace|overbrace)\s*\{", source):
        end = _group_end(source, match.end() - 1)
        script = "_" if match.group(1) == "underbrace" else "^"
        rest = source[end:].lstrip() if end is not None else ""
        if not rest.startswith(script):
            continue
        rest = rest[1:].lstrip()
        label_end = _group_end(rest, 0) if rest.startswith("{") else (1 if rest else None)
        if label_end is None:
            continue
        label = rest[1:label_end - 1] if rest.startswith("{") else rest[:1]
        found.append((source[match.end():end - 1], label.strip()))
    return found


def _group_end(text: str, opening: int) -> int | None:
    """The index after the ``}`` that closes the ``{`` at ``opening``."""
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif text[index] == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _label_name(label: str) -> str:
    """The word a brace's label is written in (``\\text{ELBO}``: ELBO); "" when it is mathematics."""
    words = _LABEL_TEXT.fullmatch(label.strip())
    if words:
        return words.group(1).strip()
    return label.strip() if re.fullmatch(r"[A-Za-z][A-Za-z ]+", label.strip()) and len(label.strip()) > 1 else ""


def _elbo_of(part: sp.Expr, scope: Scope) -> sp.Expr | None:
    """E_q[log p(x|z)] − KL(q ‖ p(z)) for the one encoder q(z|x) of ``part`` (the measure of its expectations,
    else its one conditional of an inference letter), p's label as ``part`` writes p(x|z); None when unclear."""
    densities = unfolded(part).atoms(Density) | {e.args[0] for e in part.atoms(Expectation)
                                                  if isinstance(e.args[0], Density)}
    measures = {e.args[0] for e in part.atoms(Expectation) if isinstance(e.args[0], Density) and e.args[0].given}
    if not measures:
        measures = {d for d in densities if d.given and d.family in scope.inference_families}
    if len(measures) != 1:
        return None
    (q,) = measures
    latent, observed = q.variables, q.given

    def model(variables, given) -> Density:
        written = {d for d in densities if d.family not in scope.inference_families and d.family != q.family
                   and set(d.variables) == set(variables) and set(d.given) == set(given)}
        return written.pop() if len(written) == 1 else Density("p", variables, given)

    return Expectation(q, sp.log(model(observed, latent))) - KL(q, model(latent, ()))


def _sizes(chains: list[list[Item]]) -> dict[str, sp.Symbol]:
    """The upper limits of the document's sums and products that are a name (K of ``\\sum_{k=1}^K``), as the
    reader makes them (integer symbols): the same K wherever the document writes it."""
    found: dict[str, sp.Symbol] = {}
    for chain in chains:
        for item in chain:
            if not isinstance(item.expr, sp.Basic):
                continue
            for node in item.expr.atoms(sp.Sum, sp.Product):
                for limit in node.limits:
                    upper = limit[-1] if len(limit) == 3 else None
                    if isinstance(upper, sp.Symbol) and upper.is_integer:
                        found.setdefault(upper.name, upper)
    return found


_SUBSCRIPTED = LazyPattern(r"^(?P<base>.+?)_(?:\{(?P<braced>[^{}]+)\}|(?P<plain>[^_{}]+))$")


def subscripted(name: str) -> tuple[str, str] | None:
    """(base, subscript) of a subscripted name as the reader writes it (``\\mathcal{L}_beta``, ``L_K+1``)."""
    found = _SUBSCRIPTED.match(name)
    if found is None:
        return None
    return found.group("base"), (found.group("braced") or found.group("plain")).strip()


def _parameter_subscript(subscript: str) -> bool:
    """Whether a subscript only shows parameters: Greek letters (θ; θ, φ), not an index (1, i, K) that may
    name another object (L_1 a norm, h_1 a layer)."""
    from mathcheck.audit.latex import GREEK
    words = [word.strip().lstrip("\\") for word in re.split(r",|\\,|;", subscript)]
    return bool(words) and all(word in GREEK for word in words)


def _parameter_of(definition: Definition, subscript: str) -> str | None:
    """The parameter a defined family's subscript names (β of L_β := ... − β KL): a single name that occurs in
    the body (as a symbol or a name), not one of its arguments; None for L_1 := ... or L_q := ... without q."""
    if not re.fullmatch(r"\\?[A-Za-z]+", subscript):
        return None
    name = subscript.lstrip("\\")
    if any(str(a) == name for a in definition.arguments):
        return None
    body = definition.body
    written = {s.name for s in body.atoms(sp.Symbol)} | {r.name for r in body.atoms(NameRef)}
    if _bounded_parameter(definition, name) is not None:
        return name  # β ≥ 1 in the prose: the body holds β as 1 + δ_β
    return name if name in written or _recursive_uses(definition, name) else None


_ASSUMED = (("positive", "> 0"), ("nonnegative", "≥ 0"), ("nonzero", "≠ 0"), ("integer", "an integer"))


def _written_in(subscript: str, source: str) -> bool:
    """Whether the name of a subscript (``beta``, ``\\beta``, ``K``) is written in ``source`` as a name of its own."""
    if not re.fullmatch(r"\\?[A-Za-z]+", subscript):
        return False
    name = subscript.lstrip("\\")
    return re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", source) is not None


def _outside_assumptions(symbols: set, value: sp.Expr, shown: str = "") -> str:
    """"" when ``value`` has every assumption the parameter's symbols carry (σ > 0 read as a positive σ, whose
    body sympy may have simplified by it: √(σ²) = σ); otherwise what the value is not known to satisfy."""
    value = sp.sympify(value)
    for symbol in symbols:
        for assumption, written in _ASSUMED:
            if symbol.assumptions0.get(assumption) and getattr(value, f"is_{assumption}") is not True:
                return shown or f"{symbol} {written}"
    return ""


def _bounded_parameter(definition: Definition, name: str) -> tuple[sp.Symbol, sp.Expr] | None:
    """(δ, bound) when the body of ``definition`` reads its parameter ``name`` as bound + δ (the prose says
    β ≥ 1, Context.declare_bound), so that an instance L_1 puts 1 − bound for δ."""
    value = (getattr(definition.formula.context, "bounded", {}) or {}).get(name)
    if value is None:
        return None
    excess = [s for s in sp.sympify(value).free_symbols if s.name == f"delta_{name}"]
    if len(excess) != 1 or excess[0] not in free_symbols(definition.body):
        return None
    return excess[0], sp.sympify(value) - excess[0]


def _recursive_uses(definition: Definition, parameter: str | None = None) -> list[str]:
    """The instances of the family itself that its body uses (L_{β-1} in L_β := L_{β-1} + 1): names of the same
    base whose subscript is an expression in the parameter (any parameter where ``parameter`` is None)."""
    defined = subscripted(definition.name)
    if defined is None:
        return []
    parameter = parameter if parameter is not None else defined[1].lstrip("\\")
    uses = []
    for ref in definition.body.atoms(NameRef):
        parts = subscripted(ref.name)
        if parts is not None and parts[0] == defined[0] and ref.name != definition.name \
                and parameter in re.findall(r"[A-Za-z]+", parts[1].replace("\\", "")):
            uses.append(ref.name)
    return sorted(uses)


def _subscript_value(subscript: str, body: sp.Expr) -> sp.Expr | None:
    """The value a subscript gives the family's parameter: 0, 1, K + 1, 2K (its names as the body's symbols)."""
    from sympy.parsing.sympy_parser import (implicit_multiplication_application, parse_expr,
                                            standard_transformations)
    text = subscript.replace("\\", "")
    if not re.fullmatch(r"[A-Za-z0-9+\-*/ ()]+", text):
        return None
    known = {s.name: s for s in body.atoms(sp.Symbol)}
    names = set(re.findall(r"[A-Za-z]+", text))
    local = {n: known.get(n, sp.Symbol(n, real=True)) for n in names}  # as an undefined name K reads
    try:
        return parse_expr(text, local_dict=local, transformations=standard_transformations +
                          (implicit_multiplication_application,), evaluate=True)
    except (SyntaxError, TypeError, ValueError, NameError, AttributeError):
        return None


def definable(name: NameRef) -> bool:
    """A name can be defined with distinct variables as its arguments: L(X, z), not L(X, 0) or F(x, x)."""
    return all(isinstance(a, sp.Symbol) for a in name.arguments) and len(set(name.arguments)) == len(name.arguments)


# names of standard operators: ``Var(x) = 0`` or ``KL = -1`` is a claim about them, never their definition
# (only ``NAME := expr`` defines such a name). D_{KL} is left definable: articles name their closed form so
# (D_{KL} = ½[−log σ² + σ² − 1 + μ²]), and its uses are then checked against that formula.
STANDARD_OPERATORS = frozenset({"var", "variance", "cov", "kl", "elbo", "e", "h", "log", "ln", "exp", "max",
                                "min", "sup", "inf", "det", "tr", "std", "mean"})
_BARE_NAME = LazyPattern(r"^(\\[A-Za-z]+\{\\?[A-Za-z]+\}|\\?[A-Za-z]+)(_(\{[A-Za-z0-9]*\}|[A-Za-z0-9]))?$")


def standard_operator(name: str) -> bool:
    return re.sub(r"[\\{}_ ]|mathrm|operatorname", "", name).lower() in STANDARD_OPERATORS


# -- sentences: one rule for where a sentence of the prose ends, used by every reader of this module that asks for
# "the sentence around" a place or cuts prose into sentences: at . ! ? before a space or the end of the text, at
# 。！？ (Japanese needs no space after them), and at a blank line

_SENTENCE_END = LazyPattern(r"[.!?](?=\s|$)|[。！？]|\n\s*\n")
_SENTENCE_BREAK = LazyPattern(r"(?<=[.!?])\s+|(?<=[。！？])|\n\s*\n")  # the same places, for re.split


def _sentences(text: str) -> list[str]:
    """The sentences of ``text`` (the space after a closing mark dropped, the mark kept)."""
    return _SENTENCE_BREAK.split(text)


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``text[start:end]`` (a formula, or a place: start == end), its closing mark
    kept (a "?" says it asks). Pass the text with its inline formulas blanked (:func:`_masked_maths`): a mark
    inside math ends no sentence."""
    begin, stop = _sentence_span(text, start, end)
    return text[begin:stop]


def _sentence_span(text: str, start: int, end: int, limit: int | None = None) -> tuple[int, int]:
    """(begin, stop) of :func:`_sentence`; ``limit``: where the text is cut (the sentence stops there at the latest)."""
    starts, ends = _sentence_ends(text)
    before = bisect.bisect_right(ends, start) - 1
    begin = ends[before] if before >= 0 else 0
    after = bisect.bisect_left(starts, end)
    stop = len(text)
    if after < len(starts):
        stop = starts[after] if text[starts[after]].isspace() else ends[after]
    return begin, stop if limit is None else min(stop, limit)


@lru_cache(maxsize=8)
def _sentence_ends(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(starts, ends) of the places where the sentences of ``text`` end, found once for a text (a document
    asks for the sentence around each of its inline formulas)."""
    found = list(_SENTENCE_END.finditer(text))
    return tuple(m.start() for m in found), tuple(m.end() for m in found)


@lru_cache(maxsize=8)
def _masked_maths(text: str) -> str:
    """``text`` with every inline formula blanked (:func:`_masked`)."""
    return _masked(text, [(start, end) for start, end, _, _ in _inline_maths(text)])


def _alone_in_display(previous: Item, item: Item) -> bool:
    """Whether ``previous = item`` is all its display holds (no condition, note or other formula beside it): then
    ``h(x) = x^2`` may define h; written beside anything else it stays a claim."""
    def squeezed(text: str) -> str:
        return re.sub(r"\s+", "", text)

    display = squeezed(re.sub(r"\\(?:begin|end)\s*\{[^}]*\}|\$\$|\\\[|\\\]|\$", " ", item.formula.source))
    return display.replace("&", "").rstrip(".,;") == squeezed(f"{previous.source}={item.source}")


def function_name(item: Item) -> NameRef | None:
    """``h(x)``, ``g(\\epsilon)`` written as a one-letter function of distinct variables: the name it defines
    with ``:=`` (or with ``=``, when the name is fresh), as a NameRef; None otherwise."""
    expr = item.expr
    if not isinstance(expr, AppliedUndef) or isinstance(expr, (Density, Defined)):
        return None
    name = NameRef(expr.func.__name__, expr.args)
    if not definable(name) or not re.fullmatch(r"\s*\\?[A-Za-z]+(?:_\{?\\?[A-Za-z0-9]+\}?)?\s*\(.*\)\s*", item.source):
        return None
    return name


def mentions_function(expr: sp.Expr, name: str) -> bool:
    """Whether ``expr`` uses the function or name ``name`` (applied to anything, or differentiated)."""
    return any(isinstance(node, AppliedUndef) and node.func.__name__ == name for node in expr.atoms(AppliedUndef)) \
        or any(ref.name == name for ref in expr.atoms(NameRef))


_PROSE_HEAD = LazyPattern(r"\s*(?:\\math(?:cal|rm|bf|scr)\s*\{\s*[A-Za-z]+\s*\}|\\?[A-Za-z]+)(?:_\{?\\?[A-Za-z0-9]+\}?)?"
                         r"\s*\([^()=]*\)\s*")
_PROSE_NEGATION = LazyPattern(r"\b(?:not|never|no|whether)\b|n't\b|\?", re.IGNORECASE)
_BETWEEN_PIECES = LazyPattern(r"(?:,\s*)?\b(?:and|but|while|whereas)\b|;")


@dataclass
class _Piece:
    """One ``$f(x) = body$`` of the prose, with the condition its words put on it."""
    name: NameRef
    body: sp.Expr
    line: int
    formula: Formula
    source: str
    condition: Condition


@dataclass
class ProseValue:
    """``Let $c := 3$``: the value the prose gives a variable, from its offset on."""
    symbol: sp.Symbol
    value: sp.Expr
    line: int
    offset: int
    formula: Formula  # the display after it: the context the value is read in
    source: str
    anew: bool = False  # the sentence says the value changes ("now", "next we take", "以下では"): no check


_FREEING = LazyPattern(r"\b(?:arbitrary|any|every\s+real|all\s+real|general(?:ly)?|generic|for\s+(?:all|every|any)"
                      r"|unrestricted|free\s+to\s+vary|free\s+variable|var(?:y|ies|ying)|rang(?:e|es|ing)\s+over"
                      r"|no\s+longer\s+(?:fixed|assigned|set|equal)|(?:be|denotes?|is\s+now)\s+(?:an?\s+)?(?:(?:positive|negative|non-?negative"
                      r"|non-?zero|natural|real|complex|free)\s+)*(?:number|integer|scalar|real|variable))\b"
                      r"|任意|一般|勝手な|自由に|すべての|全ての|あらゆる"
                      r"|を(?:正の|負の|非負の)?(?:実数|整数|自然数|変数|実変数)と", re.IGNORECASE)
# "In general:", "More generally,", "一般には": a sentence that is only a turn to the general case frees every value
_GENERAL_TURN = LazyPattern(r"\W*(?:now|next|then)?\W*(?:in\s+general|more\s+generally|generally|一般に(?:は)?|"
                           r"一般の場合(?:に|は)?)\W*", re.IGNORECASE)
# "$x \in \mathbb{R}$", "$K \in \mathbb{N}$": a domain declaration of a lone name (re-declares it, as a sign does)
_DOMAIN_DECLARATION = LazyPattern(r"\s*(\\?[A-Za-z]+)\s*\\in\b.*", re.DOTALL)
# "where $K \in \mathbb{N}$", "ただし": a sentence that goes on describing the display before it (its value too)
_CONTINUING = LazyPattern(r"\W*(?:(?:where|with|since|as|because|so|i\.\s?e\.|which|for\s+which)\b|ただし)",
                         re.IGNORECASE)
# "at one point", "with a single sample", "in the special case", "例えば": the value that follows is a local instance
_EXAMPLE_CASE = LazyPattern(r"\b(?:for\s+(?:example|instance)|e\.\s?g\.|sanity[-\s]check|as\s+a\s+check|"
                           r"at\s+(?:one|a|a\s+(?:single|fixed|given|particular|specific|sample))\s+point|"
                           r"with\s+(?:a\s+single|one|only\s+one|just\s+one)\s+(?:sample|draw|point|example)|"
                           r"(?:in|as|for)\s+(?:the|a)\s+(?:special|simplest|trivial|toy)\s+case)\b|"
                           r"例えば|たとえば|例として|一点で|特別な場合|特殊な場合", re.IGNORECASE)
_EXAMPLE_LEAD = LazyPattern(r"(?:\be\.\s?g\.|\bi\.\s?e\.|\bfor\s+(?:example|instance)|\bsuch\s+as|\bsay|\bat|\bsetting"
                           r"|\btake|\bchoose|\bpick|\bexample|\binstance)[\s,:;({}$\\\[]*"
                           r"(?:\\(?:quad|qquad|text|mathrm|textrm|,|;)[\s{}(]*)*$", re.IGNORECASE)


def _plain_name(symbol: sp.Expr) -> str:
    """``sigma`` for σ, ``c`` for c: a variable's name without the markup, as compared with the prose."""
    return re.sub(r"[\\{}\s]", "", getattr(symbol, "name", ""))


def _freed_names(prose: str) -> set[str]:
    """The lone variables ($c$, $\\sigma$) of the sentences of ``prose`` that make them arbitrary again ("take any
    $x$", "let $x$ be a real number", "一般の $x$"), and the names a domain declaration re-declares ($x \\in
    \\mathbb{R}$)."""
    sentences, maths = _marked_sentences(prose)
    lone = {re.sub(r"[\\{}\s]", "", maths[int(k)][0]) for sentence in sentences if _FREEING.search(sentence)
            for k in re.findall(r"⟦(\d+)⟧", sentence) if re.fullmatch(r"\s*\\?[A-Za-z]+\s*", maths[int(k)][0])}
    domains = {re.sub(r"[\\{}\s]", "", found.group(1)) for sentence in sentences
               if not _CONTINUING.match(sentence) for k in re.findall(r"⟦(\d+)⟧", sentence)
               for found in [_DOMAIN_DECLARATION.fullmatch(maths[int(k)][0])] if found is not None}
    return lone | domains


def _turns_general(prose: str) -> bool:
    """Whether a sentence of ``prose`` is only a turn to the general case ("In general:", "一般に、"): every
    assigned value is withdrawn there."""
    sentences, _ = _marked_sentences(prose)
    return any(_GENERAL_TURN.fullmatch(sentence.strip()) for sentence in sentences)


# "\forall x", "\text{for all } x", "\text{for every $c$}", "\text{任意の } x": the formula quantifies the name
_QUANTIFIER = LazyPattern(r"(?:\\forall|\bfor\s+(?:all|every|each|any)(?:\s+real)?|任意の|すべての|全ての)"
                         r"(?P<names>(?:\s|[{}$~,]|\\[,;: !]|\\q?quad\b|\\(?:text|mathrm)\b)*\\?[A-Za-z]+\b"
                         r"(?:\s*,\s*\\?[A-Za-z]+\b)*)", re.IGNORECASE)


@lru_cache(maxsize=256)  # asked for once per step of a formula, on its whole source
def _quantified_names(source: str) -> frozenset[str]:
    """The names a formula's own text quantifies (``(x+1)^2 = x^2 + 2x + 1 \\quad \\text{for all } x``): an
    assigned value of such a name is never put in there (the formula is about every value)."""
    quantified = {re.sub(r"[\\{}\s]", "", name) for found in _QUANTIFIER.finditer(source)
                  for name in re.findall(r"\\?[A-Za-z]+\b", re.sub(r"\\(?:q?quad|text|mathrm)\b|\\[,;: !]", " ",
                                                                    found.group("names")))}
    in_a_domain = {name.lstrip("\\") for name in re.findall(r"(?<![A-Za-z\\])(\\?[A-Za-z]+)\s*\\in\b", source)}
    return frozenset(quantified | in_a_domain)  # "x \\in \\mathbb{R}" in the formula: about every x there


def _an_example_value(text: str, start: int) -> bool:
    """``\\text{(e.g. } x = 2``, "For example, take $$ x = 2 $$": the value just after an example's lead-in is
    an instance of the general statement, not an assignment for the rest of the document."""
    before = text[max(0, start - 120):start]
    before = re.split(r"(?<![.\s][a-z]\.)(?<=[.!?])\s+(?=[A-Z])|=|\\\\", before)[-1]
    lead = _EXAMPLE_LEAD.search(before.replace("$$", " ").replace("\\[", " "))
    if lead is not None and re.match(r"\W*(?:take|choose|pick|setting)\b", lead.group(), re.I) \
            and _VALUE_CHANGES.search(before[:lead.start()]):
        return False  # "Next we take $c := 3$": the value changes, no example
    return lead is not None or _an_example_case(before)


def _an_example_case(before: str) -> bool:
    """Whether the sentence that leads into a value (``before``, up to it) names a local case: "Sanity check at
    one point:", "With a single sample,", "例えば" (the display opening it and a paragraph break before it kept)."""
    lead_in = re.sub(r"(?:\$\$|\\\[|\\begin\{[A-Za-z*]+\}|\s)*$", "", before)
    return bool(_EXAMPLE_CASE.search(re.split(r"(?<=[.!?。])\s+|(?<=。)|\n\s*\n", lead_in)[-1]))


def _marked_sentences(prose: str) -> tuple[list, list[str]]:
    """The sentences of ``prose`` with each inline formula written ⟦k⟧, and the formulas (k -> (math, start))."""
    maths = list(_inline_maths(prose))
    parts, last = [], 0
    for k, (start, end, _, _) in enumerate(maths):
        parts += [prose[last:start], f"⟦{k}⟧"]
        last = end
    parts.append(prose[last:])
    sentences = [sentence for block in re.split(r"\n[ \t]*(?=#)|(?<=\n)(?=[ \t]*#)|\n\s*\n|^(?=#)", "".join(parts))
                 for sentence in (re.split(r"\n", block, maxsplit=1) if block.lstrip().startswith("#") else [block])
                 for sentence in _sentences(sentence)]  # a heading is a sentence of its own
    return sentences, [(math, math_start) for _, _, math_start, math in maths]


def _piece_words(sentence: str, numbers: list[int]) -> dict[int, str]:
    """For each definition ⟦k⟧ of a sentence, the words that may state its condition: those before it (from the
    sentence's start or the conjunction after the previous definition) and those after it (up to the
    conjunction before the next one)."""
    return {k: before + " " + after for k, (before, after) in _piece_parts(sentence, numbers).items()}


def _piece_parts(sentence: str, numbers: list[int]) -> dict[int, tuple[str, str]]:
    """:func:`_piece_words`, the words before and after each definition apart."""
    spans = [(sentence.index(f"⟦{k}⟧"), sentence.index(f"⟦{k}⟧") + len(f"⟦{k}⟧")) for k in numbers]
    cuts = [0]
    for (_, end), (start, _) in zip(spans, spans[1:]):
        between = list(_BETWEEN_PIECES.finditer(sentence, end, start)) or \
            list(re.compile(r",").finditer(sentence, end, start))  # "..., $f(x) = 0$ otherwise"
        cuts.append(between[-1].start() if between else start)
    cuts.append(len(sentence))
    return {k: (sentence[cuts[i]:spans[i][0]], sentence[spans[i][1]:cuts[i + 1]]) for i, k in enumerate(numbers)}


def _prose_stretches(document: Document):
    """(the prose before a display, its offset, the display it is read with) for each stretch of prose (what is
    never rendered, code and comments, blanked)."""
    text = document.prose if len(document.prose) == len(document.text) else document.text
    cursor = 0
    for formula in list(document.formulas) + [None]:
        end = formula.start if formula is not None else len(document.text)
        context_formula = formula if formula is not None else (document.formulas[-1] if document.formulas else None)
        if context_formula is not None:
            yield text[cursor:end], cursor, context_formula
        if formula is not None:
            cursor = formula.end


def _prose_reading(document: Document) -> tuple[tuple[Definition, ...], tuple[ProseValue, ...]]:
    """The definitions the prose makes: ``Let $f(x) = x^3$``, ``$\\mathcal{L}(\\theta) := \\theta^2$`` (a function or
    named quantity, any definition sign, in a sentence that neither negates nor questions it; its pieces and
    their conditions made one definition per name) and the values it gives variables (``Let $c := 3$``,
    ``where $\\beta = 1$``), each read in the context of the display that follows."""
    pieces: dict[str, list[_Piece]] = {}
    values: list[ProseValue] = []
    for prose, base, formula in _prose_stretches(document):
        sentences, maths = _marked_sentences(prose)
        for sentence in sentences:
            if _PROSE_NEGATION.search(re.sub(r"⟦\d+⟧", " ", sentence)):
                continue
            numbers = [int(k) for k in re.findall(r"⟦(\d+)⟧", sentence)]
            found = [(k, read) for k, read in ((k, _read_prose_definition(maths[k][0], formula)) for k in numbers)
                     if read is not None]
            for k, name in named_sigmoids(sentence, [math for math, _ in maths]):  # "$\sigma$ is the logistic sigmoid": its definition
                read = _read_prose_definition(rf"{name}(t) := \frac{{1}}{{1 + e^{{-t}}}}", formula)
                if read is not None and isinstance(read[0], NameRef) and read[1] is not None:
                    pieces.setdefault(read[0].name, []).append(_Piece(read[0], read[1], document.line_of(
                        base + maths[k][1]), formula, read[2], Condition("whole")))
            words = _piece_words(sentence, [k for k, _ in found])
            functions = []
            for k, (name, body, source) in found:
                line = document.line_of(base + maths[k][1])
                if isinstance(name, sp.Symbol) or not name.arguments:  # c := 3, \mathrm{lr} = 0.1: a value
                    before = re.sub(r"⟦\d+⟧", "$", sentence[:sentence.index(f"⟦{k}⟧")])
                    after = re.split(r"⟦\d+⟧", sentence[sentence.index(f"⟦{k}⟧") + len(f"⟦{k}⟧"):])[0]
                    if not defines_constant(before, split_definition(maths[k][0])[1], after) \
                            or stated_under_condition(words[k]):
                        continue
                    if isinstance(name, sp.Symbol):
                        values.append(ProseValue(name, body, line, base + maths[k][1], formula, source,
                                                 bool(_VALUE_CHANGES.search(sentence))))
                        continue
                functions.append((k, name, body, source, line))
            values += _values_in_words(document, sentence, maths, base, formula, [k for k, _ in found])
            parts = _piece_parts(sentence, [k for k, _ in found])
            for k, name, body, source, line in functions:
                unsigned = _unsigned(formula.context, [a.name for a in name.arguments])
                in_words = other_piece(parts[k][1], [math for math, _ in maths],
                                       (name.name, tuple(a.name for a in name.arguments))) if name.arguments else None
                if in_words is not None:  # "..., and zero otherwise": the other piece is read too, never dropped
                    words[k] = parts[k][0] + " " + parts[k][1][:in_words[0]]
                    pieces.setdefault(name.name, []).append(
                        _word_piece(name, in_words, [math for math, _ in maths], line, formula, unsigned))
                condition = piece_condition(words[k], [math for math, _ in maths], name.arguments, unsigned) \
                    if name.arguments else Condition("whole")
                body = body if body is not None else _body_under(condition, name, source, unsigned)
                if body is None:
                    continue
                pieces.setdefault(name.name, []).append(_Piece(name, body, line, formula, source, condition))
    return tuple(_combined(found) for found in pieces.values()), tuple(values)


# "now", "next we take", "from now on", "instead", "以下では": the sentence changes a value given before
_VALUE_CHANGES = LazyPattern(r"\b(?:now|next|henceforth|hereafter|instead|from\s+(?:here|this\s+point)\s+on|"
                            r"in\s+what\s+follows|(?:re-?)?(?:assign|define)s?|change[sd]?|becomes?|anew|again|"
                            r"switch(?:es|ed)?|update[sd]?)\b|"
                            r"以下|以降|今度|改めて|新たに|代わりに|変更", re.I)
# "$c$ is now $3$", "$c$ becomes $3$", "set $c$ to $3$", "$c$ を $3$ とする": a value stated in words
_VALUE_IN_WORDS = LazyPattern(r"(?:\b(?:set|put|change|fix)\s+)?⟦(?P<name>\d+)⟧\s*(?:(?:is|equals)\s+(?:now|henceforth|"
                             r"from\s+now\s+on)\s+(?:equal\s+to\s+|set\s+to\s+)?|now\s+(?:becomes|equals)\s+|"
                             r"(?:is\s+)?(?:now\s+)?(?:set|changed|fixed)\s+to\s+|to\s+|を|は)\s*⟦(?P<value>\d+)⟧"
                             r"(?P<after>\s*(?:と(?:する|し|おく|置く|定める|します)|に(?:する|変更|設定)))?", re.I)


def _values_in_words(document: Document, sentence: str, maths: list, base: int, formula: Formula,
                     taken: list[int]) -> list[ProseValue]:
    """The values a sentence gives in words ("$c$ is now $3$", "set $c$ to $3$", "$c$ を $3$ とする") to a lone
    variable; the value is any number or expression that reads."""
    found = []
    for m in _VALUE_IN_WORDS.finditer(sentence):
        name, value = int(m.group("name")), int(m.group("value"))
        japanese = m.group().find("を") >= 0 or m.group().find("は") >= 0
        if name in taken or value in taken or (japanese and not m.group("after")):
            continue
        if not re.fullmatch(r"\s*\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*", maths[name][0]) or _RELATION_IN.search(maths[value][0]):
            continue
        symbol, read = _parsed_or_none(maths[name][0], formula.context), _parsed_or_none(maths[value][0], formula.context)
        if not isinstance(symbol, sp.Symbol) or not isinstance(read, sp.Expr) or symbol in read.free_symbols:
            continue
        if not (japanese or m.group().lower().startswith(("set", "put", "change", "fix")) or
                _VALUE_CHANGES.search(m.group())):
            continue  # "$c$ to $3$" alone is no assignment
        found.append(ProseValue(symbol, read, document.line_of(base + maths[value][1]), base + maths[name][1],
                                formula, maths[value][0], True))
    return found


_RELATION_IN = LazyPattern(r"[=<>]|\\(?:le|ge|ne|in|sim|approx)(?![A-Za-z])")


def _word_piece(name: NameRef, in_words: tuple, maths: list[str], line: int, formula: Formula,
                context: Context) -> _Piece:
    """The piece of a definition its words give (``and zero otherwise``, ``and $-x$ for $x < 0$``); a value that
    does not read as an expression gives an unread condition, so that the definition is refused."""
    _, value, condition_words = in_words
    source = value if isinstance(value, str) else maths[value]
    body = sp.Integer(value) if isinstance(value, str) else _parsed_or_none(source, context)
    condition = piece_condition(condition_words, maths, name.arguments, context)
    if body is None or split_definition(source) is not None or isinstance(body, sp.core.relational.Relational):
        body, condition = sp.S.Zero, Condition("unread", written=f"the piece ${source}$ {condition_words.strip()}")
    return _Piece(name, body, line, formula, source, condition)


def _read_prose_definition(math: str, formula: Formula) -> tuple[Any, sp.Expr | None, str] | None:
    """(the name: a Symbol for a variable, a NameRef for a function or named quantity; the body, None for a
    function's body that reads only under its condition (log x for x > 0); the body as written) of an inline
    ``NAME SIGN body``; None when it is none. A function's body is read without the signs the prose gives its
    arguments (a condition of one piece says nothing about another)."""
    split = split_definition(math)
    if split is None:
        return None
    head, _, source = split
    function = bool(_PROSE_HEAD.fullmatch(head))
    if not (function or _BARE_NAME.match("".join(head.split()))):
        return None
    try:
        with time_limit(DEFAULT_SECONDS):
            name = parse_expression(head, formula.context)
            if function and isinstance(name, (NameRef, AppliedUndef)):
                context = _unsigned(formula.context, [getattr(a, "name", "") for a in _arguments_of(name)])
                name = parse_expression(head, context)
                body = _parsed_or_none(source, context)
            else:
                body = parse_expression(source, formula.context)
    except (Unparsed, SymbolicTimeout, RecursionError, ValueError, TypeError):
        return None
    if isinstance(name, sp.Symbol) and not function:
        return (name, body, source) if name not in free_symbols(body) and not body.atoms(Density) else None
    if isinstance(name, AppliedUndef) and not isinstance(name, (Density, Defined)):
        name = NameRef(name.func.__name__, name.args)
    if not isinstance(name, NameRef) or not definable(name) or standard_operator(name.name) \
            or (body is not None and mentions_function(body, name.name)):
        return None
    return name, body, source


def _arguments_of(head: sp.Expr) -> tuple:
    return tuple(head.arguments) if isinstance(head, NameRef) else tuple(head.args)


def _parsed_or_none(source: str, context: Context) -> sp.Expr | None:
    try:
        return parse_expression(source, context)
    except Unparsed:
        return None


def _body_under(condition: Condition, name: NameRef, source: str, context: Context) -> sp.Expr | None:
    """A piece's body read with the sign its own condition gives its argument (``\\log x`` for ``x > 0``), in the
    argument's plain symbol; None where the condition gives no sign or the body still does not read."""
    relation = condition.relation
    signs = {">": "positive", ">=": "nonnegative", "<": "negative", "<=": "nonpositive"}
    if condition.kind != "when" or not isinstance(relation, sp.core.relational.Relational) \
            or relation.rhs != 0 or relation.rel_op not in signs or relation.lhs not in name.arguments:
        return None
    signed = context.copy()
    argument = relation.lhs
    signed.renamed[argument.name] = signed.declare_symbol(argument.name, **{signs[relation.rel_op]: True})
    body = _parsed_or_none(source, signed)
    if body is None or mentions_function(body, name.name):
        return None
    return body.xreplace({s: argument for s in body.free_symbols if isinstance(s, sp.Symbol) and s.name == argument.name})


def _unsigned(context: Context, names: list[str]) -> Context:
    """``context`` without the signs it gives the arguments of a definition: "let $g(x) = x^2$ when $x \\ge 0$"
    states where g is x², the hypothesis x ≥ 0 says nothing about the argument of g."""
    plain = context.copy()
    for name in names:
        plain.symbols.pop(name, None)
        plain.bounded.pop(name, None)
        if getattr(plain.renamed.get(name), "name", None) == name:
            plain.renamed.pop(name)
    return plain


def _combined(pieces: list[_Piece]) -> Definition:
    """One definition of a name from its pieces in the prose: a plain body, a Piecewise of pieces whose
    conditions are read exactly (with the domain they cover when it is not the whole line), or a refusal."""
    first = pieces[0]
    variables = tuple(first.name.arguments)

    def made(body: sp.Expr, source: str, domain: sp.Basic | None = None, refusal: str = "") -> Definition:
        return Definition(first.name.name, variables, body, first.line, first.formula, source=source, domain=domain,
                          refusal=refusal)

    def refused(why: str) -> Definition:
        return made(first.body, first.source, refusal=f"{_display(first.name.name)} is defined in the prose (line "
                                                      f"{first.line}) {why}: its uses are not checked")

    if any(len(piece.name.arguments) != len(variables) for piece in pieces):
        return refused("with different numbers of arguments")
    renamed = [(_with_arguments(piece, variables), piece) for piece in pieces]
    unread = [piece.condition for piece in pieces if piece.condition.kind == "unread"]
    if unread:
        return refused(f"under a condition mathcheck does not read exactly ({_short(unread[0].written)})")
    kinds = {piece.condition.kind for piece in pieces}
    if kinds == {"whole"}:
        different = [(body, piece) for body, piece in renamed[1:] if not _same_body(body, renamed[0][0])]
        if different:
            return refused(f"twice, as {_short(first.source, 30)} and (line {different[0][1].line}) as "
                           f"{_short(different[0][1].source, 30)}")
        return made(first.body, first.source)
    when = [(body, piece.condition) for body, piece in renamed if piece.condition.kind == "when"]
    otherwise = [body for body, piece in renamed if piece.condition.kind == "otherwise"]
    if "whole" in kinds or not when or len(otherwise) > 1:
        return refused("by pieces that do not fit together (a piece without a condition, or several 'otherwise')")
    problem = overlap_problem([(body, condition.relation) for body, condition in when], variables)
    if problem:
        return refused(f"by pieces that conflict: {problem}")
    pairs = [(body, condition.relation) for body, condition in when] + [(body, True) for body in otherwise]
    source = "; ".join(f"{piece.source} ({piece.condition.written})" for piece in pieces)
    conditions = [condition.relation for _, condition in when]
    domain = None if otherwise or covers_the_line(conditions, variables) else sp.Or(*conditions)
    return made(sp.Piecewise(*pairs), source, domain)


def _with_arguments(piece: _Piece, variables: tuple) -> sp.Expr:
    """The body of a piece written with other argument names (f(y) = ... after f(x) = ...) in ``variables``."""
    mapping = dict(zip(piece.name.arguments, variables))
    if piece.condition.relation is not None:
        piece.condition.relation = piece.condition.relation.xreplace(mapping)
    return substitute(piece.body, mapping)


def _same_body(first: sp.Expr, second: sp.Expr) -> bool:
    try:
        with time_limit(DEFAULT_SECONDS):
            return first == second or sp.expand(first - second) == 0
    except (SymbolicTimeout, *_MATH_ERRORS):
        return False


def _within_domain(definition: Definition, arguments: tuple, shown: str) -> None:
    """Refuse a use of a name defined only on part of the line where its arguments may lie outside that part."""
    if definition.domain is None:
        return
    holds = definition.domain.xreplace(dict(zip(definition.arguments, arguments)))
    if holds is sp.true:
        return
    where = "outside it" if holds is sp.false else "where that is not known"
    raise NotChecked(f"{_display(definition.name)} is defined (line {definition.line}) only where "
                     f"{sp.sstr(definition.domain)}, and {shown} is used {where}: not checked", shown)


def written_as_name(item: Item) -> bool:
    """Whether ``item`` is written as a bare name (``z``, ``\\epsilon``, ``z_1``), not only read as one:
    ``\\sqrt{x}^2`` and ``\\log e^{x}`` read as x but assign nothing."""
    return bool(_BARE_NAME.match("".join(item.source.split())))


def _mentions(items: list[Item], name: str) -> bool:
    return any(item.expr is not None and any(ref.name == name for ref in item.expr.atoms(NameRef)) for item in items)


# ---------------------------------------------------------------- substitution


def _applied(definition: Definition, body: sp.Expr, arguments: tuple, shown: str) -> sp.Expr:
    """The body of ``definition`` with ``arguments`` for its parameters, substituted without capture.
    A parameter that the body only binds (``L(X, z) := ∫ q(z|X) ... dz``: z is integrated out) is not a
    parameter the body depends on: a different argument for it is refused, not substituted."""
    free, bound = free_symbols(body), bound_symbols(body)
    mapping = {}
    for parameter, argument in zip(definition.arguments, arguments):
        if parameter == argument:
            continue
        if parameter not in free and parameter in bound:
            raise Unparsed(f"{_display(definition.name)} is defined at line {definition.line} with {parameter} "
                           f"integrated out of its body ({parameter} is bound there, not its argument): {shown} "
                           f"cannot put {sp.sstr(argument)} for it", shown)
        mapping[parameter] = argument
    applied = substitute(body, mapping)
    problem = _density_problem(applied)
    if problem:
        raise Unparsed(f"{shown} with {_display(definition.name)} as defined at line {definition.line}: {problem}",
                       shown)
    return applied


def _with_displayed(dependence: dict, chains: list, random: set) -> dict:
    """``dependence`` and the names a display writes as a lone name equal to an expression (``b = z - m``,
    ``\\mathbf{y} = W\\mathbf{x}``: a definition, or a claim; either way b is no constant in z); the densities'
    own variables (z = μ + σε) keep their role."""
    found = {name: set(variables) for name, variables in dependence.items()}
    for chain in chains:
        if len(chain) != 2 or chain[1].relation != "=" or not isinstance(chain[0].expr, (sp.Symbol, sp.MatrixSymbol)) \
                or not isinstance(chain[1].expr, sp.Basic) or chain[0].expr in random:
            continue
        name = _plain_name(chain[0].expr)
        names = _free_names(chain[1].expr) - {name}
        if names:
            found.setdefault(name, set()).update(names)
    return {name: frozenset(variables) for name, variables in found.items()}


def _free_names(expr: sp.Basic) -> set[str]:
    """The names of the variables and vectors ``expr`` leaves free (m = E[z] leaves no z free)."""
    bound = {_plain_name(v) for node in sp.preorder_traversal(expr) for v in _binds(node) + _matrix_binds(node)}
    return {_plain_name(s) for s in free_symbols(expr)} | ({_plain_name(s) for s in expr.atoms(sp.MatrixSymbol)} - bound)


def _with_vector_values(expr: sp.Basic, constants: dict) -> sp.Basic:
    """``expr`` with each vector the document assigned (``b := x - \\mu`` of vectors x, μ, read before b's shape
    was known) put in where a step writes it as a vector of the value's shape (``b^T b``)."""
    if not isinstance(expr, sp.Basic):
        return expr
    named = {v.name: e for v, e in constants.items() if isinstance(e, sp.MatrixExpr)}
    found = {m: named[m.name] for m in expr.atoms(sp.MatrixSymbol) if m.name in named and named[m.name].shape == m.shape
             and m not in named[m.name].atoms(sp.MatrixSymbol)}
    return expr.xreplace(found) if found else expr


def _matrix_binds(expr: sp.Basic) -> tuple:
    """The variables an expectation of the matrix engine binds (E_{N(x; μ, Σ)}[xᵀAx] binds x)."""
    density = expr.density if isinstance(expr, (MatrixExpectation, Expectation)) else None
    return tuple(getattr(density, "variables", ())) if isinstance(density, MvNormal) or \
        (isinstance(expr, MatrixExpectation) and density is not None) else ()


def _binds(expr: sp.Expr) -> tuple:
    """The variables ``expr`` binds: an integral's, a sum's or product's index, an expectation's and a KL's
    (the first density's)."""
    if isinstance(expr, sp.Integral):
        return integral_variables(expr)
    if isinstance(expr, (sp.Sum, sp.Product)):
        return tuple(expr.variables)
    if isinstance(expr, Expectation):
        return tuple(density_variables(expr.density))
    if isinstance(expr, KL):
        return tuple(density_variables(expr.first))
    return ()


def free_symbols(expr: sp.Expr) -> set:
    """The symbols of ``expr`` outside the scope of every binder of theirs (sympy's ``free_symbols`` counts
    the variables an Expectation or a KL binds as free)."""
    if isinstance(expr, sp.Symbol):
        return {expr}
    if isinstance(expr, Defined):
        return free_symbols(expr.body)
    found = set()
    for arg in expr.args:
        found |= free_symbols(arg)
    return found - set(_binds(expr))


def bound_symbols(expr: sp.Expr) -> set:
    found = set(_binds(expr))
    for arg in expr.args:
        found |= bound_symbols(arg)
    return found


def _size_symbols(expr: sp.Expr) -> set:
    """The symbols in the sizes of ``expr``'s matrices (sympy's free_symbols of A ∈ ℝ^{d×d} is {A}: an assigned
    d := 3 is put in there too)."""
    return {s for m in expr.atoms(sp.MatrixSymbol) for size in m.shape for s in sp.sympify(size).free_symbols}


def substitute(expr: sp.Expr, mapping: dict) -> sp.Expr:
    """``expr`` with the free occurrences of the symbols of ``mapping`` replaced; a bound variable that would
    capture a symbol of a replacement is renamed first (∫ q(z|X) y z dz with z for y: ∫ q(z'|X) z z' dz')."""
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping or isinstance(expr, (sp.Number, sp.NumberSymbol)):
        return expr
    if isinstance(expr, sp.Symbol):
        return mapping.get(expr, expr)
    if not expr.args or not (set(mapping) & (expr.free_symbols | _size_symbols(expr))):
        return expr
    bound = _binds(expr)
    if bound:
        mapping = {k: v for k, v in mapping.items() if k not in bound}
        incoming = set().union(*(free_symbols(sp.sympify(v)) for v in mapping.values())) if mapping else set()
        captured = [v for v in bound if v in incoming]
        if captured:
            taken = expr.atoms(sp.Symbol) | incoming | set(mapping)
            expr = expr.xreplace({v: _fresh(v, taken) for v in captured})
    args = [substitute(arg, mapping) for arg in expr.args]
    if all(new is old for new, old in zip(args, expr.args)):
        return expr
    return expr.func(*args)


def _fresh(variable: sp.Symbol, taken: set) -> sp.Symbol:
    names = {s.name for s in taken}
    name = variable.name + "'"
    while name in names:
        name += "'"
    return sp.Symbol(name, **variable.assumptions0)


def _density_problem(expr: sp.Expr) -> str:
    for density in expr.atoms(Density):
        arguments = density.variables + density.given
        if not all(isinstance(a, sp.Symbol) for a in arguments):
            return f"it would make {sp.sstr(density)} a density of something other than variables"
        if len(set(arguments)) != len(arguments):
            return f"a variable would appear twice in the density {sp.sstr(density)}"
    return ""


def _resolve_bare_densities(expr: sp.Expr, formula: Formula) -> sp.Expr:
    bare = expr.atoms(BareDensity)
    if not bare:
        return expr
    mapping = {}
    for density in bare:
        declared = formula.context.densities.get((density.family, density.label))
        signatures = {d for d in _formula_densities(formula) if d.family == density.family and d.label == density.label}
        conditional = [value[1] for key, value in formula.context.densities.items()
                       if len(key) == 3 and key[:2] == (density.family, density.label)]
        if declared is not None and conditional and len(signatures) != 1:
            name = density.family + (f"_{{\\{density.label}}}" if density.label else "")
            raise Unparsed(f"`{name}` has no arguments, and the prose declares more than one density of that name "
                           f"({sp.sstr(declared[0])} and {', '.join(sp.sstr(c) for c in conditional)}): which one "
                           "is meant?", name)
        if declared is None and not signatures and len(conditional) == 1:
            _refuse_other_conditionings(density, _declared_conditional_density(density, formula), formula)
        if declared is not None:
            mapping[density] = declared[1]
            continue
        if len(signatures) == 1:
            _refuse_other_written(density, next(iter(signatures)), formula)
            mapping[density] = signatures.pop()
            continue
        if not signatures and len(conditional) == 1:  # E_q[z] after q(z|x) = N(z; μ, σ²) is declared
            mapping[density] = conditional[0]
            continue
        name = density.family + (f"_{{\\{density.label}}}" if density.label else "")
        why = "several densities of that name appear" if signatures else "no density of that name appears"
        raise Unparsed(f"`{name}` has no arguments and no declaration (p(x) \\sim N(...)) names its variables; "
                       f"{why} in this formula", name)
    return expr.xreplace(mapping)


def _declared_conditional_density(bare: BareDensity, formula: Formula) -> Density:
    """The one declared conditional density of the letter of ``bare`` (as written: q(z|x))."""
    return next(value[0] for key, value in formula.context.densities.items()
                if len(key) == 3 and key[:2] == (bare.family, bare.label))


def _refuse_other_conditionings(bare: BareDensity, declared: Density, formula: Formula) -> None:
    """A bare ``E_q`` names the declared q only where the document writes no q of another conditioning (q(z)
    beside a declared q(z|x), in a display or in a sentence not read as a declaration): otherwise which q is
    meant is unknown, and the step is unparsed rather than read with one of them."""
    _refuse_other_qs(bare, declared, formula, "the prose declares", same_variables=False)


def _refuse_other_written(bare: BareDensity, own: Density, formula: Formula) -> None:
    """A bare ``E_q`` beside the one q this formula writes (``\\mathbb{E}_q[\\log q(z)]``) names that q only
    where the document writes no q of the same variables with another conditioning: with q(z|x) and q(z) both
    written, E_q[log q(z)] may well be E_{q(z|x)}[log q(z)], so the step is unparsed rather than read with the
    one in sight."""
    _refuse_other_qs(bare, own, formula, "this formula writes", same_variables=True)


def _refuse_other_qs(bare: BareDensity, meant: Density, formula: Formula, source: str, same_variables: bool) -> None:
    """Unparsed when the document writes a density of ``bare``'s letter with a conditioning other than
    ``meant``'s (of the same variables only, where ``same_variables``)."""
    written = getattr(formula, "document_densities", {}).get((bare.family, bare.label), set())
    others = sorted({sp.sstr(d) for d in written if isinstance(d, Density) and d.given != meant.given
                     and (not same_variables or d.variables == meant.variables)})
    if others:
        name = bare.family + (f"_{{\\{bare.label}}}" if bare.label else "")
        raise Unparsed(f"`{name}` has no arguments: {source} {sp.sstr(meant)}, and the document also "
                       f"writes {', '.join(others)}: which one is meant?", name)


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


@cached_on_expressions(4096)
def unfolded(expr: sp.Expr) -> sp.Expr:
    """``vocab.unfold`` for the audit's own walkers: an expectation or a KL of vectors or matrices (the matrix
    engine's, mathcheck/matrices.py) stays folded, since its integral is no scalar a matrix product can hold
    (sympy's MatMul refuses noncommutative scalars); the scalar ones and the defined names are unfolded."""
    return _unfolded_until_none(expr, lambda now: [node for node in now.atoms(Defined, Expectation, KL)
                                                   if not _mentions_matrices(node)])


def _unfolded_until_none(expr: sp.Expr, foldings: Callable[[sp.Expr], list]) -> sp.Expr:
    """``expr`` with the nodes ``foldings(expr)`` lists unfolded, again on the result while it lists any (20 rounds
    at most); as far as it got where an unfolding fails."""
    for _ in range(20):
        found = foldings(expr)
        if not found:
            return expr
        try:
            expr = expr.xreplace({node: node.unfold() for node in found})
        except _MATH_ERRORS:
            return expr
    return expr


def _undecided_without_counterexample(detail: dict, reason: str) -> tuple[str, dict]:
    """A refutation that does not hold for the document: undecided with ``reason``, its counterexample dropped."""
    detail = dict(detail)
    detail["reason"] = reason
    detail.pop("counterexample", None)
    return UNDECIDED, detail


def _mentions_matrices(node: sp.Expr) -> bool:
    return isinstance(node, (Expectation, KL)) and any(isinstance(n, sp.MatrixExpr) for n in sp.preorder_traversal(node))


def _function_kinds(expressions: list[sp.Expr], context: Context) -> tuple[dict[str, str], dict[str, str]]:
    """The kind of each unknown function of one step, and why it is positive where it is: concave / convex
    as the prose declares; positive where the step itself needs it (see _positive_functions); plain."""
    opened = [unfolded(expr) for expr in expressions]
    kinds: dict[str, str] = {}
    for expr in opened:
        for call in expr.atoms(AppliedUndef):
            name = call.func.__name__
            kinds.setdefault(name, context.curvature.get(name, "plain"))
    plain = {name for name, kind in kinds.items() if kind == "plain"}
    positive = _positive_functions(opened, plain)
    kinds.update({name: "positive" for name in positive})
    return kinds, positive


def _positive_functions(expressions: list[sp.Expr], candidates: set[str]) -> dict[str, str]:
    """The functions a step can take positive, and why: ``log g(t)`` is defined only where g(t) > 0, so g is
    positive everywhere when the step takes ``log g(v)`` for v integrated over the real line, and it may be
    taken positive when every use of g in the step is a value whose log the step takes (``log g(1)``: g(1) > 0,
    nothing about g(2)). A log of a product only counts when the other factors are positive."""
    uses: dict[str, list[tuple[sp.Expr, bool]]] = {}  # name -> (call, whether a bound variable is in it)
    logged: dict[sp.Expr, str] = {}  # calls outside any binder of their variables whose log is taken
    everywhere: dict[str, str] = {}

    def visit(node: sp.Expr, bound: frozenset) -> None:
        if isinstance(node, sp.Integral):
            over_line = {limit[0] for limit in node.limits if len(limit) == 3 and limit[1] == -sp.oo
                         and limit[2] == sp.oo}
            visit(node.function, bound | over_line)
            return
        if isinstance(node, sp.log):
            call = _logged_call(node.args[0])
            if call is not None and call.func.__name__ in candidates:
                if call.args and len(set(call.args)) == len(call.args) and all(a in bound for a in call.args):
                    everywhere.setdefault(call.func.__name__, _shown(node))
                elif not call.free_symbols & bound:
                    logged.setdefault(call, _shown(node))
        if isinstance(node, AppliedUndef) and node.func.__name__ in candidates:
            uses.setdefault(node.func.__name__, []).append((node, bool(node.free_symbols & bound)))
        for arg in node.args:
            visit(arg, bound)

    for expr in expressions:
        visit(expr, frozenset())
    positive = {}
    for name, calls in uses.items():
        if name in everywhere:
            positive[name] = f"the step takes {everywhere[name]} over the whole real line"
        elif all(not inside and call in logged for call, inside in calls):
            shown = ", ".join(sorted({logged[call] for call, _ in calls}))
            positive[name] = f"every value of {name} in the step is inside a log ({shown})"
    return positive


_NOT_SMOOTH = (sp.Abs, sp.Max, sp.Min, sp.Piecewise, sp.sign, sp.Heaviside, sp.floor, sp.ceiling)


def explicit_derivatives(expr: sp.Expr) -> sp.Expr:
    """Every derivative of an explicit formula (numbers, variables, elementary functions, a Gaussian density
    written out) carried out: exact, of any order, mixed (∂²/∂μ∂σ). A derivative of an integral, an expectation,
    a density, a named quantity or an unknown function stays for the engine (Leibniz's rule, its conditions),
    and so does one of a function that is not smooth everywhere (|x|, max)."""
    def operand_of(node: sp.Derivative) -> sp.Expr:  # a defined name's body (h(x) := x^3: d²h/dx² is 6x)
        return _defined_bodies(node.expr) if node.expr.has(Defined) else node.expr

    def explicit(node: sp.Expr) -> bool:
        return isinstance(node, sp.Derivative) and not operand_of(node).has(
            Density, BareDensity, sp.Integral, Expectation, KL, AppliedUndef, Defined, NameRef, sp.Sum, sp.Product,
            sp.Subs, sp.Derivative, *_NOT_SMOOTH) and not any(isinstance(n, sp.MatrixExpr)
                                                               for n in sp.preorder_traversal(node.expr))

    def carried_out(node: sp.Derivative) -> sp.Expr:
        operand = operand_of(node).replace(lambda n: isinstance(n, Normal), lambda n: n.rewrite(sp.exp))
        return sp.diff(operand, *node.variable_count)

    try:
        return expr.replace(explicit, carried_out)
    except _MATH_ERRORS:
        return expr


def _mixed_order_problem(expr: sp.Expr, text: str) -> str:
    """Why a mixed partial derivative of an unknown function u in ``expr`` cannot be read in its written order
    ("" when none): the engine's normal forms sort the variables, and ∂x∂y u = ∂y∂x u (Schwarz) holds only for a u
    with continuous second partials, which the document (``text``) must state (C², smooth)."""
    for node in explicit_derivatives(unfolded(expr)).atoms(sp.Derivative):
        written = [v for v, _ in node.variable_count]
        if len(set(written)) < 2 or written == sorted(written, key=sp.default_sort_key):
            continue
        unknown = sorted((f for f in node.expr.atoms(AppliedUndef) if not isinstance(f, (Density, Defined))
                          and len(set(written) & f.free_symbols) > 1), key=sp.default_sort_key)
        if unknown and not _stated_smooth(unknown[0].func.__name__, text):
            shown = sp.sstr(unknown[0])
            return (f"a mixed partial derivative of {shown} in the order {', '.join(map(str, written))}: it equals "
                    f"the other order only for continuous second partials (Schwarz), and the document does not say "
                    f"{shown.split('(')[0]} is C² (twice continuously differentiable)")
    return ""


def _stated_smooth(name: str, text: str) -> bool:
    """Whether a sentence of ``text`` says that the function ``name`` (or every function) is C², C^∞, smooth."""
    letter = re.compile(rf"(?<![A-Za-z\\]){re.escape(name)}(?![A-Za-z])|\b(?:all|every|each)\s+functions?\b")
    return any(SMOOTH.search(sentence) and letter.search(sentence)
               for sentence in re.split(r"(?<=[.!?。])\s", text))


def _defined_bodies(expr: sp.Expr) -> sp.Expr:
    """``expr`` with its defined names (vocab.Defined) replaced by their bodies, the rest as it is."""
    return _unfolded_until_none(expr, lambda now: list(now.atoms(Defined)))


def _logged_call(argument: sp.Expr):
    """The call g(...) whose sign the positivity of ``argument`` fixes: g(...), g(...)^k with k odd over any
    denominator, times factors known positive; None when there is no such single call."""
    calls = []
    for factor in sp.Mul.make_args(argument):
        base, exponent = (factor.base, factor.exp) if isinstance(factor, sp.Pow) else (factor, sp.Integer(1))
        if isinstance(base, AppliedUndef) and exponent.is_Rational and exponent.p % 2 == 1:
            calls.append(base)
        elif factor.is_positive is not True:
            return None
    return calls[0] if len(calls) == 1 else None


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


def _point_values(expressions: list[sp.Expr], kinds: dict[str, str]) -> dict:
    """An unknown function that a step uses only at constant points (``g(1)``, ``g(2)``) contributes only its
    values there: unknown numbers, real (positive where the step takes their log), drawn as numbers by the
    numeric worlds rather than as a catalogue function at those points. {call (after the kinds): symbol}."""
    calls: dict[str, set] = {}
    for expr in expressions:
        for call in unfolded(expr).atoms(AppliedUndef):
            calls.setdefault(call.func.__name__, set()).add(call)
    points = {}
    for name, found in calls.items():
        kind = kinds.get(name)
        if kind not in ("plain", "positive") or (len(name) > 1 and not _greek(name)) or name[0].isupper():
            continue  # declared curvature, or a name the document leaves undefined (kept for `undecided`)
        if all(call.args and not any(free_symbols(a) for a in call.args) for call in found):
            for call in found:
                shown = f"{name}({', '.join(map(sp.sstr, call.args))})"
                if kind == "positive":  # as _with_function_kinds writes it
                    points[positive_function(name)(*call.args)] = sp.Symbol(shown, positive=True)
                else:
                    points[call] = sp.Symbol(shown, real=True)
    return points


# ---------------------------------------------------------------- worlds


class WorldCache:
    """The numeric worlds of the document (``numeric.DrawnWorlds``), drawn once per set of needs and shared
    by the steps that need them (and with every other checker run in the process)."""

    def __init__(self, seed: int, examples: int):
        self.seed, self.examples = seed, examples
        self.cache: dict = {}

    def strategy(self, expressions: list[sp.Expr], scope: Scope | None = None, examples: int | None = None):
        """(``examples`` worlds (default: the audit's number), drawn when first used, "") or (None, why none):
        ``numeric.DrawnWorlds``, which ``checker.check_step`` judges in turn for a proved step (drawn without
        hypothesis) and samples from with hypothesis for any other (drawn by hypothesis)."""
        needs = shared_needs(Needs.of(expressions, scope))
        count = examples or self.examples
        if (needs, count) not in self.cache:
            try:
                worlds = DrawnWorlds.of(needs, self.seed, count)
            except Unsupported as error:
                self.cache[needs, count] = (None, str(error))
            else:
                self.cache[needs, count] = (worlds, "")
        return self.cache[needs, count]


# ---------------------------------------------------------------- the audit


def _a_named_example(text: str, previous: Item, item: Item) -> bool:
    """``K = 1`` (a name, no arguments, given a number) just after an example's lead-in ("With a single sample,")."""
    return isinstance(previous.expr, NameRef) and not previous.expr.arguments and isinstance(item.expr, sp.Expr) \
        and item.expr.is_number is True and _an_example_value(text, previous.start)


def _example_value(name: sp.Expr, item: Item, result: StepResult) -> StepResult:
    """``x = 2`` after an example's lead-in ("e.g.", "at one point", "with a single sample"): a local instance."""
    result.verdict, result.relation = DEFINITION, "="
    result.reason = (f"an example value {sp.sstr(name)} = {_shown(item.expr)} (after an example's lead-in such as "
                     f"'e.g.' or 'at one point'): not an assignment, not put in anywhere else")
    return result


def _contradicts_declaration(context, name: str, value) -> str:
    """Why a number given to a declared name is none it may take (a count set to −5 or 1/2, σ > 0 set to 0,
    N ≥ 5 set to 2); "" where it may (or is no number)."""
    value = sp.sympify(value)
    if not (isinstance(value, sp.Expr) and value.is_number and value.is_real):
        return ""
    note = context.notes.get(("symbol", name), "")
    declared = context.symbols.get(name)
    if declared is not None:
        failed = [kind for kind in ("integer", "positive", "nonnegative", "negative", "nonpositive", "nonzero")
                  if getattr(declared, f"is_{kind}") is True and getattr(value, f"is_{kind}") is False]
        return (f"{name} = {sp.sstr(value)} is no value of {name} as declared ({note or ', '.join(failed)}): it is not "
                f"{' and not '.join(failed)}") if failed else ""
    bounded = context.bounded.get(name)
    if bounded is None or len(sp.sympify(bounded).free_symbols) != 1:
        return ""
    (excess,) = sp.sympify(bounded).free_symbols
    solved = sp.solve(sp.Eq(bounded, value), excess)
    allowed = [v for v in solved if all(getattr(v, f"is_{kind}") is not False for kind in ("integer", "positive",
                                                                                          "nonnegative")
                                        if getattr(excess, f"is_{kind}") is True)]
    return "" if allowed else f"{name} = {sp.sstr(value)} is no value of {name} as declared ({note})"


def _written_in_step(formula: Formula, sides: tuple[Item, Item]) -> list[tuple[str, sp.Basic]]:
    """(what, expression) for each thing the reader recorded where it is written in the step's two sides
    (``Context.written_conditions``: an inverse, a radicand, a logarithm's or a Γ's argument), before sympy
    simplified it away."""
    return [(what, value) for (start, _, what), value in formula.context.written_conditions.items()
            if isinstance(value, sp.Basic) and any(side.end is not None and side.start <= start < side.end
                                                    for side in sides)]


def _with_presumptions(formula: Formula, sides: tuple[Item, Item], result: StepResult) -> StepResult:
    """``result`` with what its proof presumes and its reason does not say, where it is verified: that the
    matrices the step inverts as written are invertible (the reader cancels A⁻¹A to I before any proof sees it),
    and the shapes of its matrices that no declaration gives but their use here (B of (AB)⁻¹ read as d×d)."""
    if result.verdict not in VERIFIED:
        return result
    written = [sp.sstr(value) for what, value in _written_in_step(formula, sides) if what == INVERSE_WRITTEN]
    named = re.findall(r"presuming ([^()]*?) invertible", result.reason)
    result.reason += presumed_invertible([name for name in written
                                          if not any(name in part.split(", ") for part in named)])
    used = {m.name for side in sides if isinstance(side.expr, sp.Basic) for m in side.expr.atoms(sp.MatrixSymbol)}
    guessed = sorted(name for name in used if LEARNED + name in formula.context.shapes)
    if guessed:
        shown = ", ".join(f"{name} as {shape_text(formula.context.shapes[LEARNED + name]).strip('()')}"
                          for name in guessed)
        result.reason += f" (reading {shown}: {'shapes' if len(guessed) > 1 else 'a shape'} not declared but " \
                         f"guessed from the use here)"
    return result


class Auditor:
    def __init__(self, document: Document, seed: int = 0, examples: int | None = None):
        self.document, self.seed = document, seed
        self.examples = examples or DEFAULT_EXAMPLES
        self.results: list[StepResult] = []
        self.chains: list[list[Item]] = []
        for formula in document.formulas:
            formula._items = [[_read_item(document, formula, item) for item in chain] for chain in formula.chains]
            self.chains.extend(formula._items)
        prose_definitions, self.prose_values = _prose_reading(document)
        self.names = Names(self.chains, prose_definitions, document.text,
                           tuple((a, b, document.line_of(a), document.line_of(b)) for a, b in document.statements))
        self.assignments: dict[sp.Symbol, Item] = {}  # variable -> its first assignment (x = 1)
        self.values: dict[sp.Symbol, sp.Expr] = {}  # variable -> its first assignment's value, earlier ones put in
        self.random: set[sp.Symbol] = set()  # assigned variables with a declared law: z = μ + σ ε, a function of ε
        self.worlds = WorldCache(seed, self.examples)
        self.scope = document_scope(document, self.chains)
        self.density_variables = {v for chain in self.chains for item in chain if isinstance(item.expr, sp.Basic)
                                  for density in item.expr.atoms(Density) for v in density.variables + density.given}
        self.declared = declared_model_densities(document, self.scope)
        self.redefinitions: list[Redefinition] = []  # the document's definitions of built-in names
        self._redefining: dict[int, Redefinition] = {}  # id(item) of H(p) := ... -> its definition
        self._segments: dict[int, Any] | None = None  # id(item) -> its Segment (the expanded text)
        self.dependence = closed_dependence(_with_displayed(declared_dependence(self._prose_text()), self.chains,
                                                            self.density_variables), self._prose_text())  # c -> {z}

    def run(self) -> list[StepResult]:
        self._check_redefinitions()
        problems = sorted(self.document.problems, key=lambda problem: problem.start)
        values = sorted(self.prose_values, key=lambda found: found.offset)
        cursor = 0
        for formula in self.document.formulas:
            self._withdraw_values(self._prose_text()[cursor:formula.start], self.document.line_of(formula.start))
            cursor = formula.end
            while values and values[0].offset < formula.start:
                self._prose_value(values.pop(0))
            self._leave_statements(formula.start)
            while problems and problems[0].start < formula.start:
                self.results.append(self._prose_problem(problems.pop(0)))
            if formula.problem is not None:
                self.results.append(self._unparsed_block(formula))
                continue
            if not formula._items:
                line = self.document.line_of(formula.start)
                self.results.append(StepResult(line, formula.index, "", "", formula.source.strip(), UNDECIDED,
                                               "an empty formula: nothing to check"))
            for chain in formula._items:
                self._chain(formula, chain)
        self.results += [self._prose_problem(problem) for problem in problems]
        return self.results

    def _withdraw_values(self, prose: str, line: int) -> None:
        """"From now on $c$ is an arbitrary real number", "In general, for every real $x$", "Now let $x \\in
        \\mathbb{R}$": the prose frees an assigned variable (a sentence that is only "In general:" frees them all),
        so its value is no longer put in (the later steps, from ``line`` on, are about any value); a name defined
        as a value (K = 1) is free again from ``line`` on too."""
        freed = _freed_names(prose)
        for name in freed:
            self.names.free(name, line)
        if _turns_general(prose):
            freed |= {_plain_name(v) for v in list(self.assignments) + list(self.values)}
            for name, definition in self.names.definitions.items():  # K = 1, N := 100: a number, free again
                if isinstance(definition.body, sp.Expr) and definition.body.is_number is True:
                    self.names.free(name, line)
        for name in freed:
            for variable in [v for v in list(self.assignments) + list(self.values) if _plain_name(v) == name]:
                self._unassign(variable)

    def _leave_statements(self, at: int) -> None:
        """A variable assigned inside a lemma or proof that has ended (x := 2y there) is free again at ``at``."""
        for variable in [v for v, item in self.assignments.items() if ended_statement(self.document, item.start, at)]:
            self._unassign(variable)

    def _unassign(self, variable: sp.Symbol) -> None:
        """``variable`` is no longer assigned: neither its value nor its role as a random variable is put in."""
        self.assignments.pop(variable, None)
        self.values.pop(variable, None)
        self.random.discard(variable)

    def _prose_value(self, found: ProseValue) -> None:
        """``Let $c := 3$``: the variable is assigned from here on, as by a display ``c := 3`` (a variable the
        densities are over keeps its role). A second, different value is checked against the first; a value
        against a declared sign is checked as a display's is. Either check is a step of its own, at the prose."""
        variable, context = found.symbol, found.formula.context
        if _an_example_value(self.document.text, found.offset):
            return  # "Setting $t = 2$ gives 9": an instance, not a value for the rest of the document
        if variable in (x, z, X) or self._random_variable(variable) or declared_laws(context, variable) \
                or variable.name in context.reparametrizations:
            return
        item = Item("=", found.source, found.line, found.offset, found.formula, expr=found.value)
        result = StepResult(found.line, 0, "=", sp.sstr(variable), found.source, UNDECIDED, "")
        earlier = self.assignments.get(variable)
        if earlier is not None:
            if earlier.source.strip() == found.source.strip():
                return
            if found.anew:  # "Next we take $c := 3$": the value changes here, and holds from here on
                result.verdict, result.relation = DEFINITION, "="
                result.reason = (f"assigns {variable} := {_short(found.source)} from here on (the prose changes the "
                                 f"value given at line {earlier.line}, {variable} = {_short(earlier.source)})")
                self.results.append(result)
            else:
                self.results.append(self._claim(earlier.formula, earlier.expr, "=", item, result, (
                    f"{variable} is already assigned at line {earlier.line} ({variable} = {_short(earlier.source)}), "
                    f"checked against it: ")))
            self.values.pop(variable, None)  # the later value applies from here, never the old one silently
            result = StepResult(found.line, 0, "=", sp.sstr(variable), found.source, UNDECIDED, "")
        self.assignments[variable] = item
        sign = _sign_problem(variable, self._assigned_value(found.formula, variable, item), context)
        if sign:
            result.verdict, result.reason = sign
            self.results.append(result)

    # -- the document's own meaning of a name: redefined built-ins (audit/redefined.py), macros that fail

    def _expanded_source(self, item: Item) -> str:
        """The text of ``item`` as the checker reads it (its macros expanded)."""
        if self._segments is None:
            self._segments = {id(read): written.segment for formula in self.document.formulas
                              for chain, items in zip(formula.chains, getattr(formula, "_items", []))
                              for written, read in zip(chain, items)}
        segment = self._segments.get(id(item))
        return self.document.text[segment.start:segment.end] if segment is not None else item.source

    def _check_redefinitions(self) -> None:
        """Each definition of a built-in name (H(p) := ..., in a display or the prose), checked against the
        built-in meaning."""
        for formula in self.document.formulas:
            introduced = defines_display(self.document.text[max(0, formula.start - 120):formula.start])
            for chain in getattr(formula, "_items", []) or []:
                for previous, item in zip(chain, chain[1:]):
                    defining = item.relation == ":=" or (introduced and item.relation == "=" and len(chain) == 2)
                    if defining and previous.expr is not None and function_name(previous) is None \
                            and not isinstance(previous.expr, (NameRef, sp.Symbol)):
                        kind = defined_kind(self._expanded_source(previous))
                        if kind is not None:
                            self._redefining[id(item)] = self._redefinition(formula, previous, item, kind)
        prose = self._prose_text()
        maths = list(_inline_maths(prose))
        for start, end, offset, math in maths:
            equals = defines(prose[max(0, start - 60):start], prose[end:end + 20])
            for kind, lhs, rhs in prose_definitions(math, equals=equals):
                self._prose_redefinition(offset, kind, lhs, rhs)
        numbers = [(start, end) for start, end, _, math in maths if not math.strip().isdigit()]  # "底は $2$": kept
        stated = log_bases(_masked(prose, numbers))
        lines = {self.document.line_of(offset) for offset, _ in stated}
        for offset, base in log_base_cues(prose, _masked(prose, numbers)):
            if self.document.line_of(offset) not in lines:
                lines.add(self.document.line_of(offset))
                stated.append((offset, base))
        for offset, base in stated:
            self.redefinitions.append(Redefinition("logarithm", self.document.line_of(offset), r"\log",
                                                   rf"\log_{{{base}}}", UNDECIDED,
                                                   f"the prose speaks of logarithms to base {base}"))

    def _redefinition(self, formula: Formula, previous: Item, item: Item, kind: str) -> Redefinition:
        found = Redefinition(kind, item.line, previous.source, item.source)
        if item.expr is None:
            found.verdict, found.reason = UNPARSED, item.problem.reason if item.problem else "it cannot be read"
        else:
            scratch = StepResult(item.line, formula.index, "=", previous.source, item.source, UNDECIDED, "")
            self._claim(formula, previous.expr, "=", item, scratch)
            found.verdict, found.reason = scratch.verdict, scratch.reason
        self.redefinitions.append(found)
        return found

    def _prose_text(self) -> str:
        """The document's text with its display formulas blanked (offsets kept): the prose and its inline math
        (code, comments and other text that is never rendered blanked too)."""
        if len(self.document.prose) == len(self.document.text):
            return self.document.prose
        text = list(self.document.text)
        for formula in self.document.formulas:
            text[formula.start:formula.end] = " " * (formula.end - formula.start)
        return "".join(text)

    def _prose_redefinition(self, offset: int, kind: str, lhs: str, rhs: str) -> None:
        from mathcheck.audit.latex import tokenize
        from types import SimpleNamespace
        after = [f for f in self.document.formulas if f.start > offset] or self.document.formulas[-1:]
        if not after:
            return  # no formula: no step uses the name
        formula, line = after[0], self.document.line_of(offset)
        found = Redefinition(kind, line, lhs, rhs)
        self.redefinitions.append(found)
        try:
            with time_limit(DEFAULT_SECONDS):
                sides = [Parser(tokenize(text), text, formula.context, 0).parse() for text in (lhs, rhs)]
                own = SimpleNamespace(context=formula.context, _densities={d for side in sides
                                                                           for d in side.atoms(Density)})
                sides = [_resolve_bare_densities(side, own) for side in sides]  # H(p) := ... p(x) ...: p(x)
        except (Unparsed, SymbolicTimeout, RecursionError, *_MATH_ERRORS) as error:
            found.verdict, found.reason = UNPARSED, str(error)
            return
        scratch = StepResult(line, 0, "=", lhs, rhs, UNDECIDED, "")
        self._claim(formula, sides[0], "=", Item("=", rhs, line, offset, formula, expr=sides[1]), scratch)
        found.verdict, found.reason = scratch.verdict, scratch.reason

    def _redefinition_step(self, found: Redefinition, result: StepResult) -> StepResult:
        """The step ``H(p) := ...`` of a display: the document's definition of a built-in name."""
        shown = SHOWN[found.kind]
        if found.verdict == UNPARSED:
            result.verdict = UNPARSED
            result.reason = (f"the document defines {shown} (the built-in {found.kind}) itself, and the definition "
                             f"cannot be read: {found.reason}; steps that use {shown} are not checked")
        elif found.agrees:
            result.verdict = DEFINITION
            result.reason = f"defines {shown} as the built-in {found.kind} is defined (checked: {found.reason})"
        else:  # NAME := ... is the author's convention; NAME = ... under "we define" may be a slip: not verified
            result.verdict = DEFINITION if result.relation == ":=" else UNDECIDED
            result.reason = (f"the document defines {shown} itself, and that is not shown to be the built-in "
                             f"{found.kind} ({found.verdict}: {found.reason}): steps that use {shown} are not "
                             f"checked with the built-in meaning")
        return result

    def _kinds_used(self, items: list[Item]) -> set[str]:
        """The built-in names the items apply, also through the definitions of the names they use."""
        kinds: set[str] = set()
        seen: set[str] = set()
        pending = [item.expr for item in items if isinstance(item.expr, sp.Basic)]
        for item in items:
            kinds |= applied_kinds(self._expanded_source(item))
        while pending:
            expr = pending.pop()
            names = {ref.name for ref in expr.atoms(NameRef)}
            names |= {call.func.__name__ for call in expr.atoms(AppliedUndef)}
            for name in names - seen:
                seen.add(name)
                definition = self.names.definitions.get(name)
                if definition is not None:
                    kinds |= applied_kinds(definition.source)
                    pending.append(definition.body)
        if kinds & {"KL divergence", "entropy"}:
            kinds.add("logarithm")  # a divergence or an entropy is in the units of its logarithm
        return kinds

    def _not_the_documents_meaning(self, result: StepResult, items: list[Item]) -> None:
        """A verdict that reads a name with a meaning that is not the document's is no verdict on the document:
        a built-in name the document defines otherwise (or not shown to agree), a macro that cannot be
        expanded (the name is read as the built-in command it was to replace)."""
        if result.verdict not in (PROVED, HOLDS, REFUTED):
            return
        failed = self._failed_macro(items)
        if failed is not None:
            result.verdict = UNPARSED
            result.reason = (f"not checked: {failed.reason}, so `{failed.fragment}` would be read with its built-in "
                             f"meaning, not the document's ({result.reason})")
            return
        if not self.redefinitions:
            return
        kinds = self._kinds_used(items)
        for found in self.redefinitions:
            if found.kind not in kinds:
                continue
            if found.agrees:
                if found.verdict == HOLDS and result.verdict == PROVED:
                    result.verdict = HOLDS
                    result.reason += f" [{found.note()}: it agrees with the built-in {found.kind} numerically]"
                continue
            result.verdict = UNDECIDED
            result.reason = (f"not checked: {found.note()}, which is not shown to be the built-in {found.kind} "
                             f"({found.verdict}), and the step would be read with the built-in meaning "
                             f"({result.reason})")
            result.detail = {}
            return

    def _failed_macro(self, items: list[Item]) -> Unparsed | None:
        """A problem of the document (a macro that does not expand) inside the expressions of the step."""
        spans = []
        for item in items:
            self._expanded_source(item)
            segment = self._segments.get(id(item))
            if segment is not None:
                spans.append((segment.start, segment.end))
        for problem in self.document.problems:
            if problem.start >= 0 and any(start <= problem.start < end for start, end in spans):
                return problem
        return None

    def _prose_problem(self, problem: Unparsed) -> StepResult:
        """A declaration in the prose that cannot be used (block 0: not in a formula)."""
        return StepResult(self.document.line_of(problem.start), 0, "", "", problem.fragment, UNPARSED, problem.reason,
                          {"fragment": problem.fragment})

    def _unparsed_block(self, formula: Formula) -> StepResult:
        problem = formula.problem
        line = self.document.line_of(problem.start if problem.start >= 0 else formula.start)
        return StepResult(line, formula.index, "", "", problem.fragment, UNPARSED, problem.reason,
                          {"fragment": problem.fragment})

    def _chain(self, formula: Formula, chain: list[Item]) -> None:
        if len(chain) == 1:
            self._lone_expression(formula, chain[0])
            return
        last_readable: Item | None = chain[0] if chain[0].expr is not None else None
        skipped: list[Item] = []  # unreadable expressions since last_readable
        previous = chain[0]
        for position, item in enumerate(chain[1:]):
            result = self._step(formula, chain, previous, item, last_readable, skipped)
            self._not_the_documents_meaning(result, [previous, item] + ([last_readable] if last_readable else []))
            self.results.append(result)
            for named in ((chain[0], item) if position == 0 else (item,)):
                parts = self._named_parts(formula, named, result)
                for part in parts:
                    self._not_the_documents_meaning(part, [named])
                self.results.extend(parts)
            if item.expr is not None:
                last_readable, skipped = item, []
            else:
                skipped.append(item)
            previous = item

    def _named_parts(self, formula: Formula, item: Item, step: StepResult) -> list[StepResult]:
        """``\\underbrace{A}_{\\text{ELBO}}`` in ``item``: a claim that A is the ELBO, checked as an extra step
        "A = ELBO" on that line when the name is known (ELBO, or a name the document defines); otherwise
        ``step``'s reason says the name was not checked."""
        found = []
        for part, label in braced_parts(item.source):
            name = _label_name(label)
            named = self._named_value(formula, part, label, name)
            if isinstance(named, str) and _states_a_relation(label) and step.verdict in (PROVED, HOLDS):
                # a formula under the brace (=3, \geq 0) is a claim of its own: unchecked, it is not verified
                step.verdict = UNDECIDED
                step.reason = (f"not verified: the annotation `{_short(label, 30)}` of a braced part is a claim "
                               f"that is not checked ({named}); {step.reason}")
                continue
            if isinstance(named, str):
                step.reason += f" [the name `{_short(label, 30)}` of a braced part is not checked: {named}]"
                continue
            inner, value = named
            result = StepResult(item.line, formula.index, "=", part, label, UNDECIDED, "")
            claim = Item("=", label, item.line, item.start, formula, expr=value)
            found.append(self._claim(formula, inner, "=", claim, result,
                                     f"the part braced as `{_short(label, 30)}` is checked as that name: "))
        return found

    def _named_value(self, formula: Formula, part: str, label: str, name: str):
        """(the braced part, what its name means) or why the name cannot be checked."""
        from mathcheck.audit.latex import tokenize
        try:
            with time_limit(DEFAULT_SECONDS):
                inner = Parser(tokenize(part), part, formula.context, 0).parse()
                written = Parser(tokenize(label), label, formula.context, 0).parse() if not name else None
        except (Unparsed, SymbolicTimeout, RecursionError, *_MATH_ERRORS):
            return "it cannot be read"
        if isinstance(written, NameRef) and (written.name in self.names.definitions
                                             or self.names.decorated(written.name) is not None):
            return inner, written
        defined = self.names.definitions.get(name) if name else None
        if defined is not None:
            return inner, NameRef(defined.name, defined.arguments)
        if name.lower().replace(" ", "") in _ELBO_NAMES:
            elbo = _elbo_of(inner, self.scope)
            return (inner, elbo) if elbo is not None else "which encoder q(z|x) it bounds with is not clear"
        return "mathcheck knows ELBO and the names the document defines"

    def _lone_expression(self, formula: Formula, item: Item) -> None:
        if item.problem is not None:
            self.results.append(StepResult(item.line, formula.index, "", "", item.source, UNPARSED,
                                           item.problem.reason, {"fragment": item.problem.fragment}))
            return
        lone = StepResult(item.line, formula.index, "", "", item.source, UNDECIDED,
                          "a formula without a relation states nothing to check")
        self.results.append(lone)
        self.results.extend(self._named_parts(formula, item, lone))  # its braced parts' names still are claims

    def _step(self, formula: Formula, chain: list[Item], previous: Item, item: Item, last_readable: Item | None,
              skipped: list[Item]) -> StepResult:
        result = StepResult(item.line, formula.index, item.relation or "", previous.source, item.source, UNDECIDED, "")
        if getattr(item.problem, "not_checked", False) and item.expr is not None and last_readable is not None \
                and not skipped:
            if item.relation == "∝":
                return self._with_usable_laws(formula, last_readable, item,
                                              self._proportional(formula, last_readable, item, result))
            if item.relation == "≐" and _additive_constant_nearby(self.document, formula):
                return self._with_usable_laws(formula, last_readable, item,
                                              self._up_to_constant(formula, last_readable, item, result, "",
                                                                  start=chain[0]))
            if item.relation == "≐":
                result.verdict, result.reason = UNDECIDED, item.problem.reason
                return result
            return self._approximation(formula, last_readable, item, result)
        if item.problem is not None:
            result.verdict, result.reason = UNPARSED, item.problem.reason
            result.detail["fragment"] = item.problem.fragment
            if last_readable is None and chain[0].problem is not None and chain[0] is previous:
                result.reason = f"left-hand side: {chain[0].problem}; right-hand side: {item.problem.reason}"
            if getattr(item.problem, "ill_formed", False):  # shapes that do not fit (audit/matrix_reader.py)
                result.verdict = REFUTED
            if getattr(item.problem, "not_checked", False):  # ≈, ∝: read as a claim, not checked (document.py)
                result.verdict = UNDECIDED
            return result
        if item.relation == "~":
            if not item.declaration:  # the document layer reads every declaration: this one it did not
                result.verdict, result.reason = UNPARSED, "`\\sim` that is not a declaration mathcheck can use"
                return result
            result.verdict, result.reason = DEFINITION, f"a declaration: {item.declaration}, for what follows"
            return result
        redefinition = self._redefining.get(id(item))
        if redefinition is not None:
            return self._redefinition_step(redefinition, result)
        family = self.names.indexed_items.get(id(item))
        if family is not None:
            result.verdict = DEFINITION
            result.reason = (f"defines the family {family.symbol} := {_shown(family.body)}, indexed by {family.index} "
                             f"({family.base}_1, {family.base}_2, ... are its instances)")
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
            contradiction = _contradicts_declaration(formula.context, defined, definition.body)
            if contradiction:  # "We have $N$ training examples." then $$N = -5$$: no value a count takes
                result.verdict, result.reason = REFUTED, contradiction
            return result
        relation, prefix = item.relation, ""
        named = function_name(previous) if previous is chain[0] else None
        named = named if named is not None and named.name in self.names.functions else previous.expr
        earlier = self.names.definitions.get(named.name) if isinstance(named, NameRef) else None
        if earlier is None and isinstance(named, NameRef) and self.names.applied(named.name) is not None:
            earlier = self.names.applied(named.name)[0]  # F(q) with F defined: checked against F's definition
        instance = self._defined_instance(previous) if item.relation == ":=" and earlier is None else ""
        if instance:  # L_1 := ... with L_β := ... defined, w_1 := ... with w_k := ...: a claim about the instance
            return self._claim(formula, previous.expr, "=", item, result, instance)
        if item.relation == ":=" and earlier is None and len(chain) == 2 and isinstance(previous.expr, sp.Symbol) \
                and written_as_name(previous) and not item.expr.has(previous.expr):
            return self._assignment(formula, previous, item, result)  # x := 1, z := μ + σ ε
        if item.relation == ":=" and earlier is None:
            result.verdict = UNPARSED
            result.reason = "`:=` defines a name: its left-hand side must be a name such as L(X, z)"
            called = function_name(previous) if previous is chain[0] else None
            called = called if called is not None else previous.expr if isinstance(previous.expr, NameRef) else None
            if called is not None and mentions_function(item.expr, called.name):
                result.reason = (f"`:=` defines nothing here: the right-hand side uses {called.name} itself, so this "
                                 f"is an equation {called.name} must satisfy, not its definition")
            elif isinstance(previous.expr, NameRef) and not definable(previous.expr):
                result.reason = (f"`:=` defines a name: the arguments of {sp.sstr(previous.expr)} must be distinct "
                                 f"variables, as in L(X, z)")
            return result
        if earlier is not None and (item.relation == ":=" or (item.relation == "=" and len(chain) == 2)):
            relation, prefix = "=", f"{earlier.name} is defined at line {earlier.line}, checked against it: "
        if last_readable is None:
            first = chain[0]
            result.verdict = UNPARSED
            result.reason = "its left-hand side cannot be read" + (f": {first.problem.reason}" if first.problem else "")
            result.detail["fragment"] = first.problem.fragment if first.problem else first.source
            if getattr(first.problem, "ill_formed", False):  # shapes that do not fit (audit/matrix_reader.py)
                result.verdict = REFUTED
            return result
        if len(chain) == 2 and item.relation == "=" and earlier is None and _a_named_example(
                self.document.text, previous, item) and self.names.instance_of(previous.expr.name) is None:
            return _example_value(previous.expr, item, result)  # "With a single sample, $$K = 1$$"
        if len(chain) == 2 and isinstance(previous.expr, sp.Symbol) and item.relation == "=" \
                and written_as_name(previous) and (previous.expr in (x, z, X) or self._random_variable(previous.expr)
                                                   or previous.expr in self.values
                                                   or declared_laws(formula.context, previous.expr)
                                                   or self._new_vector_name(previous, item)) \
                and not item.expr.has(previous.expr):
            return self._assignment(formula, previous, item, result)
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
        if relation in ("<", ">", "<=", ">=", "≤", "≥") and self._has_constant_term(formula, last_readable, item):
            result.verdict = UNDECIDED
            result.reason = prefix + ("not checked: an inequality with an unspecified constant (const, or a C the "
                                      "prose calls a constant): which constant, and the same one on both sides?")
            return result
        marked = self._additive_constant_mark(formula, chain, last_readable, item) if relation == "=" else ""
        if marked:
            return self._with_usable_laws(formula, last_readable, item,
                                          self._up_to_constant(formula, last_readable, item, result, prefix, marked,
                                                              chain[0]))
        result = self._with_defined_sizes(formula, last_readable, item,
                                          self._claim(formula, last_readable.expr, relation, item, result, prefix))
        return _with_presumptions(formula, (last_readable, item), result)

    def _claim(self, formula: Formula, lhs: sp.Expr, relation: str, item: Item, result: StepResult,
               prefix: str = "") -> StepResult:
        """Check ``lhs relation item.expr`` with the document's names resolved; an internal error of the engine
        on this one step makes the step undecided, with the error as the reason (the other steps are still checked)."""
        try:
            return self._claim_checked(formula, lhs, relation, item, result, prefix)
        except (ValueError, TypeError, AttributeError, NotImplementedError, IndexError, KeyError,
                ZeroDivisionError) as error:
            if os.environ.get("MATHCHECK_DEBUG"):
                raise
            result.verdict = UNDECIDED
            result.reason = prefix + (f"not checked: the engine failed on this step ({type(error).__name__}: "
                                      f"{error})")[:300]
            result.relation = relation
            return result

    def _claim_checked(self, formula: Formula, lhs: sp.Expr, relation: str, item: Item, result: StepResult,
                       prefix: str = "") -> StepResult:
        """Check ``lhs relation item.expr`` with the document's names resolved."""
        generic = self._for_every_instance(formula, lhs, relation, item, result, prefix)
        if generic is not None:
            return generic
        notes: list[str] = []
        kept = _quantified_names(formula.source)  # "for all x": x's assigned or defined value is not put in
        try:
            self.names.kept = kept
            try:
                lhs = self.names.resolve(lhs, formula, notes, item.line)
                rhs = self.names.resolve(item.expr, formula, notes, item.line)
            finally:
                self.names.kept = frozenset()
            for side, expr in (("left", lhs), ("right", rhs)):
                problem = _value_problem(expr) or self._captured_use(expr)
                if problem:
                    raise Unparsed(f"the {side}-hand side cannot be evaluated: {problem}", _shown(expr))
            dependent = self._dependent_use(lhs) or self._dependent_use(rhs)
            if dependent:
                raise NotChecked(dependent, _shown(lhs))
        except Unparsed as error:
            result.verdict = UNDECIDED if isinstance(error, NotChecked) else UNPARSED
            result.reason = prefix + error.reason
            result.detail["fragment"] = error.fragment
            return result
        schwarz = _mixed_order_problem(lhs, self.document.text) or _mixed_order_problem(rhs, self.document.text)
        if schwarz:
            result.verdict, result.reason = UNPARSED, prefix + schwarz
            result.detail["fragment"] = item.source
            return result
        lhs, rhs, assigned = self._with_values(lhs, kept), self._with_values(rhs, kept), \
            self._assigned_in(lhs, rhs, kept=kept)
        if assigned:
            notes.append(f"with the assigned {assigned} put in")
        kinds, positive = _function_kinds([lhs, rhs], formula.context)
        points = _point_values([lhs, rhs], kinds)
        lhs, rhs = (explicit_derivatives(_with_function_kinds(side, kinds).xreplace(points)) for side in (lhs, rhs))
        lhs, rhs = (self._densities_at_points(_of_datasets(side, formula.context)) for side in (lhs, rhs))
        lhs, rhs = at_concrete_data_points(lhs, rhs, formula.context)
        lhs, rhs = with_labelled_parameters(lhs, rhs)
        rules, unfounded = self._founded_rules(formula, item, lhs, rhs)
        verdict, detail = self._check(lhs, relation, rhs, item.line, rules)
        if unfounded and verdict != REFUTED:
            detail = {**detail, "reason": f"{detail.get('reason', '')} [{unfounded}]"}
        if verdict == UNDECIDED and self.scope.data:
            verdict, detail = self._pointwise_over_data(lhs, relation, rhs, item.line, verdict, detail)
        verdict, detail = _without_unusable_laws(lhs, rhs, formula.context, self.document.tentative, verdict, detail)
        if verdict == REFUTED:
            verdict, detail = self._with_refused_declarations(formula, lhs, relation, rhs, item, verdict, detail)
        ambiguous = self._ambiguous_densities(lhs, rhs) if verdict in (REFUTED, UNDECIDED) else []
        if ambiguous:
            verdict = UNDECIDED
            detail["reason"] = (f"{' and '.join(ambiguous)} and the same density without its label are both "
                                f"written, and the document does not say whether they are one density (the label "
                                f"only showing the parameters) or two (e.g. the data distribution, or any other "
                                f"density, and the model's): identified only by convention, so kept apart (state "
                                f"it, e.g. `$p_\\theta(x) = p(x)$`): {detail.get('reason', '')}")
        verdict, detail = self._unpinned_refutation(formula, lhs, rhs, verdict, detail)
        verdict, detail = self._against_definition(lhs, rhs, item, verdict, detail)
        result.verdict = verdict
        result.reason = prefix + detail.get("reason", "") + _notes(notes, lhs, rhs, kinds, positive, formula.context)
        result.detail = {k: v for k, v in detail.items() if k != "reason"}
        result.relation = relation
        return result

    def _resolved_sides(self, formula: Formula, lhs: sp.Expr, item: Item,
                        rhs: sp.Expr | None = None) -> tuple[sp.Expr, sp.Expr]:
        """Both sides (the right one ``item.expr`` unless given) with the document's names resolved (raises
        Unparsed)."""
        lhs = self.names.resolve(lhs, formula, [], item.line)
        rhs = self.names.resolve(item.expr if rhs is None else rhs, formula, [], item.line)
        for side, expr in (("left", lhs), ("right", rhs)):
            problem = _value_problem(expr) or self._captured_use(expr)
            if problem:
                raise Unparsed(f"the {side}-hand side cannot be evaluated: {problem}", _shown(expr))
        kept = _quantified_names(formula.source)
        return self._with_values(lhs, kept), self._with_values(rhs, kept)

    def _constants(self, kept: set[str] | frozenset[str] = frozenset()) -> dict[sp.Symbol, sp.Expr]:
        """The assigned variables whose values later steps mean (c := 3, m := E[x], m := z²): every assignment
        except those of a random variable (z = μ + σε, x = 1: the densities' variables keep their own role) and
        those of the names in ``kept``."""
        return {v: e for v, e in self.values.items() if v not in self.random and not self._random_variable(v)
                and _plain_name(v) not in kept}

    def _with_values(self, expr: sp.Expr, kept: set[str] | frozenset[str] = frozenset()) -> sp.Expr:
        """``expr`` with the document's assigned values put in (c + 1 after c := 3 is 4), except those of the
        names in ``kept`` (the formula quantifies them: "for all x")."""
        constants = self._constants(kept)
        used = {v: e for v, e in constants.items() if v in free_symbols(expr)}
        expr = substitute(expr, used) if used else expr
        return _with_vector_values(expr, constants)

    def _assigned_in(self, *sides: sp.Expr, kept: set[str] | frozenset[str] = frozenset()) -> str:
        constants = self._constants(kept)
        used = sorted({v for side in sides for v in free_symbols(side) if v in constants}, key=sp.default_sort_key)
        return ", ".join(f"{v} := {_shown(constants[v])}" for v in used)

    def _approximation(self, formula: Formula, previous: Item, item: Item, result: StepResult) -> StepResult:
        """``a ≈ b``: not checked (how close is not said); the gap a − b where both sides are numbers."""
        result.verdict, result.reason = UNDECIDED, item.problem.reason
        try:
            lhs, rhs = self._resolved_sides(formula, previous.expr, item)
            gap = _numeric_gap(lhs, rhs)
        except (Unparsed, SymbolicTimeout, RecursionError, *_MATH_ERRORS):
            return result
        if gap is not None:
            result.reason += f"; the gap: {gap}"
            return result
        try:
            with time_limit(DEFAULT_SECONDS):
                form = self._free_of(lhs - rhs, [])  # the normal form of the gap
        except (SymbolicTimeout, RecursionError, *_MATH_ERRORS):
            form = None
        written = form if form is not None and not form.has(sp.Integral) else unfolded(lhs - rhs)
        variables = sorted(free_symbols(written), key=sp.default_sort_key)
        if written.is_number:  # x² + 1 ≈ x²: the same gap everywhere
            result.reason += f"; the gap lhs − rhs = {_shown(written)} everywhere"
        elif form is not None and len(_shown(form)) <= 80:
            result.reason += f"; the gap depends on {', '.join(map(sp.sstr, variables))}: lhs − rhs = {_shown(form)}"
        elif variables:
            result.reason += f"; the gap depends on {', '.join(map(sp.sstr, variables))}: not computed"
        return result

    def _proportional(self, formula: Formula, previous: Item, item: Item, result: StepResult) -> StepResult:
        """``a ∝ b`` in a named variable v (``\\propto_v``, else the variables of the density a): checked as "a / b
        does not depend on v", proved where the normal form of a / b is free of v, refuted by a world where
        ∂(a / b)/∂v ≠ 0. Between logs, ∝ means "equal up to an additive constant" only where the prose says so
        (then a − b must not depend on v); otherwise it is ambiguous, and not checked."""
        result.relation = "∝"
        try:
            lhs, rhs = self._resolved_sides(formula, previous.expr, item)
        except Unparsed as error:
            result.verdict, result.reason = UNPARSED, error.reason
            result.detail["fragment"] = error.fragment
            return result
        variables = self._proportional_variables(formula, lhs, item)
        if isinstance(variables, str):
            result.verdict, result.reason = UNDECIDED, f"not checked: ∝ {variables}"
            return result
        additive = _logarithmic(lhs) or _logarithmic(rhs)  # log p(z|x) ∝ -(z - μ)²/2: the shorthand, not a factor
        if additive and not _additive_constant_stated(self.document, formula):
            result.verdict = UNDECIDED
            result.reason = ("not checked: ∝ between logs is ambiguous (a factor, or equal up to an additive constant "
                             "as a common shorthand has it?): the document does not say; write + const, or state "
                             "\"up to an additive constant\"")
            return result
        return self._free_of_variables(lhs, rhs, variables, additive, self._fresh_density(lhs, item), item, result)

    def _free_of_variables(self, lhs: sp.Expr, rhs: sp.Expr, variables: list, additive: bool, fresh: str, item: Item,
                           result: StepResult, equation: bool = False) -> StepResult:
        """Whether lhs / rhs (lhs − rhs where ``additive``) is free of ``variables``: proved by normal forms,
        refuted by a world where its derivative in one of them is not 0. One check for ∝ (between densities, and
        between logs where the prose says so) and for = up to an additive constant (``equation``)."""
        shown = ", ".join(map(sp.sstr, variables))
        kind = "equal up to an additive constant" if equation else "proportional"
        mark = kind if equation else "∝"
        relation = "lhs − rhs" if additive else "lhs / rhs"
        quantity = lhs - rhs if additive else lhs / rhs
        try:
            with time_limit(DEFAULT_SECONDS):
                constant = self._free_of(quantity, variables)
        except (SymbolicTimeout, RecursionError, *_MATH_ERRORS):
            constant = None
        if constant is not None:
            stds = {n.std for side in (lhs, rhs) for n in unfolded(side).atoms(Normal)}  # > 0 where N(m, s²) is one
            factor = _factor_problem(constant.xreplace({std: sp.Dummy(positive=True) for std in
                                                        stds | {sp.Abs(std) for std in stds}}),
                                     additive, _density_side(lhs) or _density_side(rhs))
            if factor is not None:
                result.verdict = factor[0]
                result.reason = f"{mark} in {shown}: {relation} = {_shown(constant)}: {factor[1]}"
                return result
            result.verdict = PROVED
            result.reason = (f"{kind} in {shown}{' up to an additive constant' if additive and not equation else ''}: "
                             f"{relation} = {_shown(constant)} by normal forms, free of {shown}")
            return result
        held = self._held_fixed(quantity, variables)
        if held:  # the model worlds evaluate densities of x at the observed value only: ∂/∂x of them reads 0
            result.verdict = UNDECIDED
            result.reason = (f"{mark} in {shown}: {relation} is not free of {shown} by normal forms, and the model "
                             f"worlds "
                             f"hold {', '.join(map(sp.sstr, held))} at one value (the observation), so no world "
                             f"shows how it varies with {', '.join(map(sp.sstr, held))}: not decided")
            return result
        verdicts = []
        for variable in variables:
            verdict, detail = self._check(sp.Derivative(quantity, variable), "=", sp.S.Zero, item.line)
            if verdict == UNDECIDED:  # a world at σ = 0 of N(m, σ²): a counterexample at σ > 0 still refutes
                positive = _with_positive_stds(sp.Derivative(quantity, variable), lhs, rhs)
                retried = self._check(positive, "=", sp.S.Zero, item.line) if positive is not None else None
                verdict, detail = retried if retried is not None and retried[0] == REFUTED else (verdict, detail)
            verdicts.append((variable, verdict, detail))
        refuted = [(v, d) for v, verdict, d in verdicts if verdict == REFUTED]
        if refuted and fresh:
            result.verdict = DEFINITION
            result.reason = f"defines {fresh} up to its normalizing constant (∝ in {shown})"
            return result
        if refuted:
            variable, detail = refuted[0]
            result.verdict = REFUTED
            result.reason = (f"not {kind} in {variable}: {relation} depends on {variable} "
                             f"(∂/∂{variable} of it ≠ 0): {detail.get('reason', '')}")
            result.detail = {k: v for k, v in detail.items() if k != "reason"}
            return result
        if all(verdict == HOLDS for _, verdict, _ in verdicts):
            result.verdict = HOLDS
            result.reason = (f"{kind} in {shown}: ∂/∂{shown} of {relation} = 0 held numerically: "
                             f"{verdicts[0][2].get('reason', '')}")
            return result
        if fresh:
            result.verdict = DEFINITION
            result.reason = f"defines {fresh} up to its normalizing constant (∝ in {shown})"
            return result
        result.verdict = UNDECIDED
        result.reason = (f"{mark} in {shown}: whether {relation} depends on {shown} is not decided: "
                         f"{verdicts[0][2].get('reason', '')}")
        return result

    def _has_constant_term(self, formula: Formula, previous: Item, item: Item) -> bool:
        """Whether a side of the step writes an unspecified constant (``\\text{const}``, a C the prose calls one)."""
        named = _named_constants(self.document, formula, self.names.definitions, self.values)
        return any(_is_constant_atom(atom, named) for side in (previous, item) if isinstance(side.expr, sp.Basic)
                   for atom in side.expr.atoms(NameRef, sp.Symbol))

    def _additive_constant_mark(self, formula: Formula, chain: list[Item], previous: Item, item: Item) -> str:
        """How an = step says it holds only up to an additive constant ("" when it does not): a constant term
        (``+ \\text{const}``, ``+ C`` with the prose saying C is one), a note over = (``\\overset{+c}{=}``), or the
        prose at the display ("up to an additive constant", 定数項を除いて)."""
        named = _named_constants(self.document, formula, self.names.definitions, self.values)
        if any(_constant_terms(side.expr, named) for side in (previous, item) if isinstance(side.expr, sp.Basic)):
            return "term"
        if _constant_note(item.note, self.document.text):
            return "note"
        return "prose" if _additive_constant_nearby(self.document, formula) else ""

    def _up_to_constant(self, formula: Formula, previous: Item, item: Item, result: StepResult, prefix: str,
                        marked: str = "prose", start: Item | None = None) -> StepResult:
        """``a = b + const`` (or = marked as up to an additive constant): checked as "a − b does not depend on the
        variables", the variables those the prose names ("independent of $x$"), else those of the log-density the
        step is about; the same check as ∝ between logs (``_free_of_variables``). An = that holds as written is
        kept as it is (a note or prose may cover the display's other steps)."""
        if marked != "term":
            plain = self._claim(formula, previous.expr, "=", item, replace(result, detail={}), prefix)
            if plain.verdict in VERIFIED:
                return plain
        result.relation = "="
        named = _named_constants(self.document, formula, self.names.definitions, self.values)
        sides = [_without_constant_terms(side.expr, named) for side in (previous, item)]
        if any(side is None for side in sides):
            result.verdict = UNDECIDED
            result.reason = prefix + ("not checked: the additive constant is also written other than as an added "
                                      "term, so what it stands for is not known")
            return result
        try:
            lhs, rhs = self._resolved_sides(formula, sides[0], item, sides[1])
        except Unparsed as error:
            result.verdict, result.reason = UNPARSED, prefix + error.reason
            result.detail["fragment"] = error.fragment
            return result
        variables = self._additive_variables(formula, lhs, rhs, start.expr if start is not None else None)
        if isinstance(variables, str):
            result.verdict = UNDECIDED
            result.reason = prefix + f"not checked: equal up to an additive constant {variables}"
            return result
        checked = self._free_of_variables(lhs, rhs, variables, True, "", item, result, equation=True)
        checked.reason = prefix + checked.reason
        checked.detail["up_to"] = "an additive constant"
        return checked

    def _additive_variables(self, formula: Formula, lhs: sp.Expr, rhs: sp.Expr, start: sp.Basic | None = None):
        """The variables an additive constant must not depend on: those the prose at the display names
        ("does not depend on $x$", "$\\mu$ に依存しない"), else the variables of the log-densities of one side
        (log p(x|z): x), else of the chain's first expression, with the parameters this display or the next
        differentiates or optimizes in (``\\nabla_\\mu``, ``\\arg\\max_\\mu``); a reason (str) when none says."""
        present = free_symbols(unfolded(lhs)) | free_symbols(unfolded(rhs))
        names = _prose_variables(self.document, formula)
        if names:
            found = sorted((s for s in present if isinstance(s, sp.Symbol) and s.name in names),
                           key=sp.default_sort_key)
            return found or f"in {', '.join(sorted(names))}, which neither side has as a variable"
        optimized = {s for s in present if isinstance(s, sp.Symbol) and s.name in _optimized_names(self.document,
                                                                                                   formula)}
        for side in (lhs, rhs, start):
            variables = _log_density_variables(side) if isinstance(side, sp.Expr) else []
            if variables:
                return sorted(set(variables) | optimized, key=sp.default_sort_key)
        if optimized:
            return sorted(optimized, key=sp.default_sort_key)
        return ("in which variables? The prose does not name them (\"independent of $x$\") and neither side is a "
                "log-density of them")

    def _with_defined_sizes(self, formula: Formula, previous: Item, item: Item, result: StepResult) -> StepResult:
        """``result`` undecided where a side as written (before its names are resolved, which cancels (N − d)/(N − d)
        to 1) has no value at some sizes: its divisors, logarithms' arguments, even roots' radicands and Γs'
        arguments, each resolved on its own (``size_difference.undefined_as_written``), and those the reader met
        where sympy simplified them away ((√(N − 2))² read as N − 2: ``Context.written_conditions``)."""
        from mathcheck.size_difference import no_value_reason, undefined_conditions, written_conditions
        lhs = previous.expr
        if result.verdict not in VERIFIED or not all(isinstance(side, sp.Basic) for side in (lhs, item.expr)):
            return result
        found = written_conditions(lhs, item.expr)
        found += [(condition, what) for what, condition in _written_in_step(formula, (previous, item))
                  if what != INVERSE_WRITTEN and (condition, what) not in found]
        conditions = []
        for condition, what in found:
            try:
                conditions.append((self.names.resolve(condition, formula, [], item.line), what))
            except (Unparsed, SymbolicTimeout, RecursionError, *_MATH_ERRORS):
                continue
        try:
            with time_limit(DEFAULT_SECONDS):
                found = undefined_conditions(conditions)
        except (SymbolicTimeout, RecursionError, *_MATH_ERRORS):
            return result
        if found is not None:
            earlier, result.verdict = result.verdict, UNDECIDED
            result.reason = f"undecided: {no_value_reason(*found)} (it is {earlier} only for the sides once simplified)"
        return result

    def _with_usable_laws(self, formula: Formula, previous: Item, item: Item, result: StepResult) -> StepResult:
        """``result`` undecided where the step uses a density whose stated law cannot be used
        (``_without_unusable_laws``)."""
        if not isinstance(previous.expr, sp.Basic) or not isinstance(item.expr, sp.Basic):
            return result
        verdict, detail = _without_unusable_laws(previous.expr, item.expr, formula.context, self.document.tentative,
                                                 result.verdict, {**result.detail, "reason": result.reason})
        if verdict != result.verdict:
            result.verdict, result.reason = verdict, detail.pop("reason")
            result.detail = detail
        return result

    def _proportional_variables(self, formula: Formula, lhs: sp.Expr, item: Item):
        """The variables of ``lhs ∝ ...``: the one written under ∝, else those of the density on the left (of
        its log); a reason (str) when they are not named."""
        if item.variable:
            found = [s for s in free_symbols(unfolded(lhs)) | free_symbols(unfolded(item.expr))
                     if isinstance(s, sp.Symbol) and s.name == item.variable]
            return found or f"in {item.variable}, which neither side has"
        inner = lhs.args[0] if isinstance(lhs, sp.log) else lhs
        if isinstance(inner, Density):
            return sorted(inner.variables, key=sp.default_sort_key)
        if isinstance(inner, Normal) and isinstance(inner.variable, sp.Symbol):
            return [inner.variable]
        everything = sorted(free_symbols(unfolded(lhs)) | free_symbols(unfolded(item.expr)), key=sp.default_sort_key)
        if everything and self._free_of(lhs / item.expr, everything) is not None:
            return everything  # a constant ratio: proportional in whichever variable is meant
        return "in which variable? It is not written (\\propto_z) and the left-hand side is no density of it"

    def _held_fixed(self, quantity: sp.Expr, variables: list) -> list:
        """The ``variables`` that the model worlds of ``quantity`` hold at one value (the observed X, a condition c):
        a numeric derivative in one of them does not move the densities, so it is no evidence of anything."""
        try:
            with labels_resolved(), declared_densities(self.declared):
                canonical = canonical_labels(data_densities(unfolded(quantity), self.scope), self.scope)
                needs = Needs.of([canonical], self.scope)
        except _MATH_ERRORS:
            return list(variables)
        fixed = set(needs.model.fixed()) if needs.model is not None else set()
        fixed_names = {sp.sstr(v) for v in fixed}
        return [v for v in variables if v in fixed or sp.sstr(v) in fixed_names]

    def _fresh_density(self, lhs: sp.Expr, item: Item) -> str:
        """``r(z) ∝ ...`` with r no model letter and written nowhere before: a definition of r up to its
        normalization ("" otherwise)."""
        inner = lhs.args[0] if isinstance(lhs, sp.log) else lhs
        if not isinstance(inner, Density) or inner.family in self.scope.joint_families:
            return ""
        for chain in self.chains:
            for other in chain:
                if other.line >= item.line or not isinstance(other.expr, sp.Basic):
                    continue
                if any((d.family, d.label) == (inner.family, inner.label) for d in other.expr.atoms(Density)):
                    return ""
        return sp.sstr(inner)

    def _free_of(self, quantity: sp.Expr, variables: list) -> sp.Expr | None:
        """The normal form of ``quantity`` (with the document's labels and declarations) when it is free of
        ``variables``; None otherwise."""
        from mathcheck.symbolic import expand_logs, normal_form
        with labels_resolved(), declared_densities(self.declared):
            canonical = canonical_labels(data_densities(quantity, self.scope), self.scope)
            form = normal_form(canonical, with_scope(None, self.scope))
            form = sp.expand(expand_logs(sp.cancel(sp.together(form)))) if not form.has(sp.Integral) else form
        if form.has(sp.Derivative, sp.Subs) or free_symbols(form) & set(variables):
            return None
        return form

    def _densities_at_points(self, expr: sp.Expr) -> sp.Expr:
        """A density at a point, p(x, μ + σε), in the scope's basis as its density p(x, z) is (product rule, then
        z = μ + σε put in: p(x | μ + σε) p(μ + σε)), so that both are one normal form."""
        points = {}
        for formula in self.document.formulas:
            points.update(formula.context.points)
        found = {node: points[node] for node in expr.atoms(Density) if node in points}
        if not found:
            return expr
        from mathcheck.symbolic import factorize
        with labels_resolved():
            rebased = {node: factorize(canonical_labels(data_densities(template, self.scope), self.scope),
                                       self.scope).subs(point, simultaneous=True)
                       for node, (template, point) in found.items()}
        return expr.xreplace(rebased)

    def _with_refused_declarations(self, formula: Formula, lhs: sp.Expr, relation: str, rhs: sp.Expr, item: Item,
                                   verdict: str, detail: dict) -> tuple[str, dict]:
        """A step refuted while the prose states a declaration it uses that the reader does not take as one (not a
        plain declarative sentence, Document.tentative): checked again as if it were one. Refuted then too, the
        counterexample fits the sentence; otherwise the verdict depends on how the sentence is read: undecided."""
        tentative = _tentative_declarations(lhs, rhs, formula.context, self.document.tentative)
        if not tentative:
            return verdict, detail
        taken = {**symbols_by_name(lhs), **symbols_by_name(rhs)}
        sides = [_as_declared(side, tentative, taken) for side in (lhs, rhs)]
        again, again_detail = self._check(sides[0], relation, sides[1], item.line, self._declared_rules(formula, item))
        sentences = "; ".join(note for note, _ in tentative)
        if again == REFUTED:
            again_detail = dict(again_detail)
            again_detail["reason"] = (f"{again_detail.get('reason', '')} [refuted also with the sentence read as a "
                                      f"declaration: {sentences}]")
            return again, again_detail
        return _undecided_without_counterexample(
            detail, f"refuted only if the prose does not declare what it states ({sentences}): read as a declaration, "
                    f"the check gives {again} ({again_detail.get('reason', '')}); without it: "
                    f"{detail.get('reason', '')}")

    def _defined_instance(self, previous: Item) -> str:
        """How ``previous`` (the left of a ``:=``) is an instance of a family the document defines ("" if not)."""
        expr = previous.expr
        name = expr.name if isinstance(expr, NameRef) else (
            expr.func.__name__ if isinstance(expr, AppliedUndef) else None)
        if name is not None and not isinstance(expr, (Density, Defined)) and self.names.instance_of(name) is not None:
            family = self.names.instance_of(name)[0]
            return f"{name} is an instance of {family.name} (defined at line {family.line}), checked against it: "
        if isinstance(expr, sp.Symbol) and self.names.indexed_instance(expr) is not None:
            family = self.names.indexed_instance(expr)[0]
            return f"{expr} is an instance of {family.symbol} (defined at line {family.line}), checked against it: "
        return ""

    def _for_every_instance(self, formula: Formula, lhs: sp.Expr, relation: str, item: Item, result: StepResult,
                            prefix: str) -> StepResult | None:
        """A step about instances w_1, w_2 of an indexed family (audit/families.py) that holds for every value
        they may take (w_1, w_2 > 0 for the importance weights: Jensen) holds for theirs: checked so first;
        None when it does not pass so (then the instances are put in)."""
        if not self.names.indexed or self.names.generic or not any(
                self.names.indexed_instance(s) is not None for side in (lhs, item.expr) for s in side.free_symbols):
            return None
        self.names.generic = True
        try:
            generic = self._claim(formula, lhs, relation, item, replace(result, detail=dict(result.detail)), prefix)
        finally:
            self.names.generic = False
        if generic.verdict not in (PROVED, HOLDS):
            return None
        generic.reason += " (for every value of the instances of the indexed family, so for theirs)"
        return generic

    def _ambiguous_densities(self, lhs: sp.Expr, rhs: sp.Expr) -> list[str]:
        """The densities of the step that the scope keeps apart from their bare letter only because both are
        written (``Scope.ambiguous``): a verdict that depends on that choice is not the document's."""
        written = {d for side in (lhs, rhs) for d in unfolded(side).atoms(Density)}
        plain = {d.family for d in written if not d.label or self.scope.identifies(d)}
        return sorted(sp.sstr(d) for d in written if d.label and signature(d) in self.scope.ambiguous
                      and d.family in plain)  # with no bare density of its letter here, identifying it changes nothing

    def _dependent_use(self, expr: sp.Expr) -> str:
        """Why ``expr`` is not decided ("" when it is): a name the prose says depends on v ("let $c$ be a weight
        that depends on $z$"), used inside an expectation over v, where it is no constant."""
        def visit(node: sp.Basic, bound: frozenset) -> str:
            name = _plain_name(node) if isinstance(node, (sp.Symbol, sp.MatrixSymbol)) else ""
            captured = captured_variables(name, self.dependence.get(name, frozenset()), bound)
            if captured:
                return (f"the document says {name} depends on {', '.join(captured)}, and it is used here inside an "
                        f"expectation over {', '.join(captured)}, where it is no constant: not decided")
            inner = bound | {_plain_name(v) for v in _binds(node) + _matrix_binds(node)}
            return next((found for found in (visit(arg, inner) for arg in node.args if isinstance(arg, sp.Basic))
                         if found), "")

        return visit(expr, frozenset())

    def _against_definition(self, lhs: sp.Expr, rhs: sp.Expr, item: Item, verdict: str,
                            detail: dict) -> tuple[str, dict]:
        """A refutation of a step about z and ε where the prose defines z = μ + σε and the value is not put in
        (z keeps its role as a density's variable): the worlds draw z and ε apart, so a counterexample there may
        break the definition: undecided, with why."""
        if verdict != REFUTED:
            return verdict, detail
        mentioned = {s for s in lhs.free_symbols | rhs.free_symbols if isinstance(s, sp.Symbol)}
        for found in self.prose_values:
            noises = {s for s in mentioned if s.name in {v.name for v in free_symbols(found.value)}
                      and s.name != found.symbol.name}
            if found.offset < item.formula.start and found.symbol.name in {s.name for s in mentioned} and noises:
                put_in = self._with_definition(lhs, rhs, item, found, mentioned)
                if put_in[0] == REFUTED and "claimed a proof" not in put_in[1].get("reason", ""):
                    return put_in  # refuted with z = μ + σε put in (and no proof against it): the document's
                detail = {**detail, "reason": (
                    f"the document defines {found.symbol} = {_shown(found.value)} (line {found.line}), which the "
                    f"worlds here do not respect (they draw {found.symbol} and "
                    f"{', '.join(sorted(map(sp.sstr, noises)))} apart): a counterexample there is not one "
                    f"to the document ({detail.get('reason', '')})")}
                return UNDECIDED, detail
        return verdict, detail

    def _with_definition(self, lhs: sp.Expr, rhs: sp.Expr, item: Item, found: ProseValue,
                         mentioned: set) -> tuple[str, dict]:
        """The verdict on the step with the prose's z = μ + σε put in for z (the step's own symbols of those names)."""
        by_name = {s.name: s for s in mentioned}
        value = found.value.xreplace({s: by_name.get(s.name, s) for s in found.value.free_symbols})
        variable = {by_name[found.symbol.name]: value}
        try:
            verdict, detail = self._check(lhs.xreplace(variable), item.relation or "=", rhs.xreplace(variable),
                                          item.line)
        except (ValueError, TypeError, AttributeError, NotImplementedError):
            return UNDECIDED, {}
        note = f" [with the prose's {found.symbol} = {_shown(found.value)} (line {found.line}) put in]"
        return verdict, {**detail, "reason": detail.get("reason", "") + note}

    def _captured_use(self, expr: sp.Expr) -> str:
        """Why ``expr`` is ambiguous ("" when it is not): a defined name or an assigned variable whose value has
        a free variable v, used under a binder of v (m := z/2 in ∫ N(z; m, 1) dz): does v mean the bound one?"""
        def free_in_value(node: sp.Expr) -> tuple[str, set]:
            if isinstance(node, Defined):
                definition = self.names.definitions.get(node.name)
                body = definition.resolved if definition is not None and definition.resolved is not None else node.body
                parameters = set(definition.arguments) if definition is not None else set(node.arguments)
                return node.name, free_symbols(body) - parameters
            if isinstance(node, sp.Symbol) and node in self.values and node not in self.random:
                return sp.sstr(node), free_symbols(self.values[node])
            value = self._vector_value(node)  # b = x − μ of a vector b: its value, as a scalar's
            return (node.name, {sp.Symbol(n) for n in _free_names(value)}) if value is not None else ("", set())

        def visit(node: sp.Expr, bound: frozenset) -> str:
            name, free = free_in_value(node)
            if name and not (isinstance(node, sp.Symbol) and node in bound):
                captured = sorted({_plain_name(s) for s in free} & {_plain_name(s) for s in bound})
                if captured:
                    return (f"{name} is defined with {', '.join(captured)} free, and used here where "
                            f"{', '.join(captured)} is bound: ambiguous (is it the bound variable?)")
            inner = bound | set(_binds(node)) | set(_matrix_binds(node))
            for arg in node.args:
                found = visit(arg, inner) if isinstance(arg, sp.Basic) else ""
                if found:
                    return found
            return ""

        return visit(expr, frozenset())

    def _vector_value(self, node: sp.Basic) -> sp.Expr | None:
        """The value the document assigns the vector ``node`` (``$\\mathbf{b} = \\mathbf{x} - \\boldsymbol\\mu$``,
        read as the scalar b := x − μ); None for any other node."""
        if not isinstance(node, sp.MatrixSymbol):
            return None
        return next((value for variable, value in self.values.items() if variable.name == node.name
                     and variable not in self.random), None)

    def _random_variable(self, symbol: sp.Symbol) -> bool:
        """A variable the document's densities are over or conditioned on (as the article's x, z, X are)."""
        return symbol in self.density_variables

    def _followed_declarations(self, lhs: sp.Expr, rhs: sp.Expr, context: Context) -> frozenset:
        """The declared densities (as written) that the step's model worlds take as theirs: the prior and the
        likelihood (numeric.declared_densities), so that the worlds' p(x, z), p(z|x), p(x) follow from them."""
        with labels_resolved(), declared_densities(self.declared):
            sides = [canonical_labels(data_densities(side, self.scope), self.scope) for side in (lhs, rhs)]
            try:
                model = Needs.of(sides, self.scope).model
            except (ValueError, TypeError):  # (an E over a vector variable has no scalar integral: no model worlds)
                return frozenset()
            if model is None:
                return frozenset()
            keys = model.keys()
            taken = {keys[role] for role in model.declared_roles}
            return frozenset(written for written, _ in context.densities.values() if isinstance(written, Density)
                             and density_key(canonical_labels(data_densities(written, self.scope), self.scope))
                             in taken)

    def _unpinned_refutation(self, formula: Formula, lhs: sp.Expr, rhs: sp.Expr, verdict: str,
                             detail: dict) -> tuple[str, dict]:
        """A refutation in worlds that the document does not pin down is undecided, with why: each guard names
        what the worlds do not follow (declared densities used beside densities the worlds draw freely, names
        the document does not define) and says why a counterexample there is not one to the document."""
        if verdict != REFUTED:
            return verdict, detail
        context = formula.context
        detail = _in_document_names(detail, context)  # δ_s = 1e-08 of s ≥ 1: s = 1.00000001
        followed = self._followed_declarations(lhs, rhs, context) if "counterexample" in detail else frozenset()
        guards = (
            (lambda: "; ".join(_declared_against_model(lhs, rhs, context, followed)),
             "the step uses the declared {} together with the model's own densities of that letter, which the worlds "
             "do not tie to the declaration: a counterexample there is not one to the document ({})"),
            (lambda: "; ".join(_conditionals_against_model(lhs, rhs, context, followed)),
             "the step uses the declared {} together with another density of that letter over the same variable, "
             "which the worlds do not derive from the declaration: a counterexample there is not one to the "
             "document ({})"),
            (lambda: _opaque_difference(lhs, rhs, self.names),
             "depends on {}, which the document does not define (numerically: {})"),
        )
        for untied, reason in guards:
            found = untied()
            if found:
                return UNDECIDED, {**detail, "reason": reason.format(found, detail.get("reason", ""))}
        return verdict, detail

    def _check(self, lhs: sp.Expr, relation: str, rhs: sp.Expr, line: int, declared: tuple = ()) -> tuple[str, dict]:
        """The engine's verdict, with the labels as the document's scope resolves them; ``declared``: the rules
        the document states for this step (a reparametrization z = g(ε), differentiation under ∫)."""
        with labels_resolved(), declared_densities(self.declared):  # cached: audit/cache.py
            key = ("audit step", lhs, relation, rhs, self.scope, self.declared, self.seed, self.examples)
            return cached_step(key + ((declared,) if declared else ()),
                               lambda: self._check_resolved(lhs, relation, rhs, line, declared))

    def _check_resolved(self, lhs: sp.Expr, relation: str, rhs: sp.Expr, line: int,
                        declared: tuple = ()) -> tuple[str, dict]:
        why = f"as written in {self.document.path} line {line}"
        lhs, rhs = (canonical_labels(data_densities(side, self.scope), self.scope) for side in (lhs, rhs))
        lhs, rhs = one_symbol_per_name(lhs, rhs)  # d of \sum_{j=1}^{d} and a d outside it: one positive integer
        declared = tuple(self._canonical_rule(rule) for rule in declared)
        hidden = _derivatives_of_densities(lhs, rhs, declared)
        if hidden:  # the worlds do not know how q_φ moves with φ: only a proof decides
            from mathcheck.symbolic import prove
            proof = prove(lhs, relation, rhs, with_scope(None, self.scope) + declared)
            if proof.proved:
                return PROVED, {"reason": f"{proof.reason} (proved; no numeric world follows how {hidden} depends on "
                                          f"its label, so none cross-checks it)", "symbolic": proof.reason}
            if proof.disproved:
                return REFUTED, {"reason": f"refuted by sympy: {proof.reason}", "symbolic": proof.reason}
            return UNDECIDED, {"reason": f"not proved ({proof.reason}); numeric: no world follows how {hidden} "
                                         f"depends on its label", "symbolic": proof.reason}
        if any(_abstract_reparametrization(rule) for rule in declared):
            from mathcheck.symbolic import prove
            proof = prove(lhs, relation, rhs, with_scope(None, self.scope) + declared)
            if proof.proved and "declared" in proof.reason:  # the worlds cannot follow a declared abstract law
                return PROVED, {"reason": f"{proof.reason} (proved under the document's declaration; no numeric "
                                          f"world follows an abstract declared law, so none cross-checks it)",
                                "symbolic": proof.reason}

        def worlds(count: int):  # drawn only when the numeric check runs (a proved step needs few)
            try:
                return self.worlds.strategy([lhs, rhs], self.scope, count)
            except _MATH_ERRORS as error:  # a world the engine cannot build: the numeric side is skipped, not the step
                return None, f"no world: {type(error).__name__}: {error}"[:300]

        step = Step(relation, rhs, why, with_scope(None, self.scope) + declared)
        try:
            verdict, detail = check_step(lhs, step, seed=self.seed, examples=self.examples, worlds=worlds)
            if verdict == REFUTED and any(_abstract_reparametrization(rule) and rule.law in
                                          (lhs.atoms(Density) | rhs.atoms(Density)) for rule in declared):
                return UNDECIDED, {**detail, "reason": (
                    f"the step uses the declared reparametrization ({'; '.join(map(str, declared))}), which no "
                    f"numeric world follows: a counterexample there is not one to the document "
                    f"({detail.get('reason', '')})")}
            return verdict, detail
        except _MATH_ERRORS as error:  # the worlds give up on this step: sympy alone decides it, or nobody
            failed = f"the numeric checker failed: {type(error).__name__}: {error}"[:300]
        try:
            return decide(lhs, step, NumericResult("unsupported", detail={"reason": failed}))
        except _MATH_ERRORS as error:
            return UNDECIDED, {"reason": f"{failed}; the checker failed: {type(error).__name__}: {error}"[:300]}

    def _pointwise_over_data(self, lhs: sp.Expr, relation: str, rhs: sp.Expr, line: int, verdict: str,
                             detail: dict) -> tuple[str, dict]:
        """A step whose sides are expectations over the data distribution p(x) (an unknown density, any one:
        ``Scope.data``) of terms that do not involve it, E_{p(x)}[A(x)] R E_{p(x)}[B(x)]: it holds for every data
        distribution exactly when A(x) R B(x) holds at every x (a data distribution concentrated near one x
        tells), so a counterexample to the pointwise claim refutes it. Otherwise the verdict is unchanged."""
        with labels_resolved(), declared_densities(self.declared):
            sides = [canonical_labels(data_densities(side, self.scope), self.scope) for side in (lhs, rhs)]
        found = [_pointwise(side) for side in sides]
        if None in found or not all(variable for _, variable in found):
            return verdict, detail
        (left, first), (right, second) = found
        if first != second:
            right = substitute(right, {second: first})
        if first in free_symbols(lhs) | free_symbols(rhs):  # x outside the expectations too: not one claim in x
            return verdict, detail
        # A < B at every point is not needed for E[A] < E[B]: A ≤ B everywhere with A < B on a set of positive mass
        # suffices (x² > 0 except at 0). So a strict step is refuted only where the non-strict one fails, A > B at
        # a point (by continuity near it too, where a data density can put its mass).
        weak = {"<": "<=", ">": ">="}.get(relation, relation)
        pointwise, shown = self._check_pointwise(left, weak, right, line)
        if pointwise[0] != REFUTED:
            return verdict, detail
        return REFUTED, {**pointwise[1], "reason": (
            f"refuted pointwise: both sides are expectations over the data distribution, any density of {first}, of "
            f"terms free of it, so the step {'needs at least' if weak != relation else 'claims'} {shown} at every "
            f"{first} (a data distribution concentrated near one {first} shows the gap): {pointwise[1].get('reason', '')}")}

    def _check_pointwise(self, left: sp.Expr, relation: str, right: sp.Expr, line: int):
        """The engine's verdict on the pointwise claim, with the bare p(x) the model's (no data distribution)."""
        from dataclasses import replace
        scope = replace(self.scope, data=frozenset())
        step = Step(relation, right, f"pointwise, as written in {self.document.path} line {line}",
                    with_scope(None, scope))
        left, right = one_symbol_per_name(left, right)

        def worlds(count: int):
            try:
                return self.worlds.strategy([left, right], scope, count)
            except _MATH_ERRORS as error:
                return None, f"no world: {type(error).__name__}: {error}"[:300]

        shown = f"{_short(_shown(left), 50)} {relation} {_short(_shown(right), 50)}"
        if _derivatives_of_densities(left, right, ()):  # no world follows a density's dependence on its label
            return (UNDECIDED, {"reason": "a derivative of a density in a parameter of its label"}), shown
        try:
            with labels_resolved(), declared_densities(self.declared):
                return check_step(left, step, seed=self.seed, examples=self.examples, worlds=worlds), shown
        except _MATH_ERRORS as error:
            return (UNDECIDED, {"reason": f"{type(error).__name__}: {error}"}), shown

    def _canonical_rule(self, rule):
        """A declared rule with its densities as the step's are (the labels the scope drops dropped)."""
        from mathcheck.lemmas import Reparametrization
        if not isinstance(rule, Reparametrization):
            return rule
        law, noise = (canonical_labels(data_densities(d, self.scope), self.scope) for d in (rule.law, rule.noise))
        return Reparametrization(rule.variable, rule.transform, noise, law)

    def _declared_rules(self, formula: Formula, item: Item) -> tuple:
        """What the document states that this step may use: each reparametrization z = g(ε), ε ~ p(ε) of its
        prose with z's law (the one it names, else z's declared Gaussian density), and differentiation under
        the integral sign where the row's annotation or the prose around the display says so (the
        reparametrization trick, Leibniz's rule, dominated convergence) or a reparametrization is declared."""
        from mathcheck.lemmas import LEIBNIZ_HYPOTHESIS, Reparametrization
        rules = []
        context = formula.context
        for variable, (transform, noise, law) in context.reparametrizations.items():
            laws = [law] if law is not None else [normal for _, normal in context.densities.values()
                                                  if isinstance(normal, Normal) and normal.variable == variable]
            rules += [Reparametrization(variable, transform, noise, candidate) for candidate in laws]
        if context.reparametrizations or _states_leibniz(self.document, formula, item):
            rules.append(LEIBNIZ_HYPOTHESIS)
        return tuple(rules)

    def _founded_rules(self, formula: Formula, item: Item, lhs: sp.Expr, rhs: sp.Expr) -> tuple[tuple, str]:
        """The declared rules of the step, less differentiation under ∫ where the prose states a law of one of
        the step's densities that cannot be used (q_φ(z) = U(z; 0, φ)): the hypothesis the step names is about
        regularity, and says nothing of whether that law's support moves with φ (then a boundary term appears).
        Also the reason it was dropped ("" when nothing was)."""
        from mathcheck.lemmas import LEIBNIZ_HYPOTHESIS
        rules = self._declared_rules(formula, item)
        if LEIBNIZ_HYPOTHESIS not in rules:
            return rules, ""
        notes = formula.context.notes
        stated = [notes[("density-refused", d.family, d.label)] for d in sorted(
            {d for side in (lhs, rhs) for d in unfolded(side).atoms(Density)}, key=sp.default_sort_key)
            if ("density-refused", d.family, d.label) in notes]
        stated += [notes[("law-refused", v)] for v in sorted(
            {v for side in (lhs, rhs) for d in unfolded(side).atoms(Density) for v in d.variables},
            key=sp.default_sort_key) if ("law-refused", v) in notes]
        if not stated:
            return rules, ""
        return tuple(r for r in rules if r != LEIBNIZ_HYPOTHESIS), (
            f"differentiation under the integral sign not assumed: the prose states a law for a density of the step "
            f"that cannot be used ({'; '.join(stated)}), whose support may move with the parameter (a boundary "
            f"term the stated hypothesis does not rule out)")

    def _new_vector_name(self, previous: Item, item: Item) -> bool:
        """``\\mathbf{b} = \\mathbf{x} - \\boldsymbol\\mu``: a name written nowhere before, equated to a vector, is
        assigned it (a scalar name it cannot equal)."""
        name = previous.expr.name
        return isinstance(item.expr, sp.MatrixExpr) and not any(
            other.line < previous.line and other.expr is not None and name in {
                s.name for s in other.expr.atoms(sp.Symbol, sp.MatrixSymbol)} for chain in self.chains for other in chain)

    def _assignment(self, formula: Formula, previous: Item, item: Item, result: StepResult) -> StepResult:
        """``z = μ(X) + ε σ(X)``: an assignment of a variable; checked against the first assignment (pathwise)
        when the variable was assigned before, in law when the variable has a declared law, against the
        declared sign when the prose declares one (σ > 0)."""
        variable = previous.expr
        if _an_example_value(self.document.text, previous.start):
            return _example_value(variable, item, result)
        earlier = self.assignments.get(variable)
        if earlier is not None:
            prefix = f"{variable} is already assigned at line {earlier.line} " \
                     f"({variable} = {_short(earlier.source)}), checked against it: "
            return self._claim(earlier.formula, earlier.expr, "=", item, result, prefix)
        self.assignments[variable] = item
        value = self._assigned_value(formula, variable, item)
        laws = declared_laws(formula.context, variable)
        if len(laws) > 1:
            result.verdict, result.relation = UNDECIDED, "="
            result.reason = (f"{variable} has several declared laws ({'; '.join(f'N({m}, {v})' for m, v in laws)}): "
                             f"which one this assignment must have is ambiguous")
            return result
        if laws:
            self.random.add(variable)
            return self._in_law(formula, variable, laws[0], item, result, value)
        sign = _sign_problem(variable, value, formula.context)
        if sign:
            result.verdict, result.reason = sign
            result.relation = "="
            return result
        refused = formula.context.notes.get(("law-refused", variable))
        if refused:  # the prose gives z a law mathcheck could not read: which law the assignment must have is unknown
            result.verdict, result.relation = UNDECIDED, "="
            result.reason = (f"assigns {variable} := {_shown(item.expr)}, but the prose states a law for {variable} "
                             f"that cannot be used: {refused}")
            return result
        result.verdict = DEFINITION
        result.reason = f"assigns the variable {variable} := {_shown(item.expr)} (not an identity to check)"
        return result

    def _assigned_value(self, formula: Formula, variable: sp.Symbol, item: Item) -> sp.Expr | None:
        """The right side of ``variable = expr`` with the names resolved and the earlier assignments put in
        (z = ε, then x = z + ε: 2ε); recorded as the value of ``variable``. None when it cannot be read."""
        try:
            value = self.names.resolve(item.expr, formula, [], item.line)
        except Unparsed:
            return None
        value = substitute(value, {v: e for v, e in self.values.items() if v != variable})
        self.values[variable] = value
        return value

    def _in_law(self, formula: Formula, variable: sp.Symbol, law: tuple, item: Item, result: StepResult,
                value: sp.Expr | None) -> StepResult:
        """``z = a + Σ bᵢ εᵢ`` with declared εᵢ ~ N(mᵢ, vᵢ), taken independent: the right side has the law
        N(a + Σ bᵢ mᵢ, Σ bᵢ² vᵢ), compared with the declared law of z by its mean and its variance (two
        Gaussian laws are equal exactly when both are). A right side that is not affine in declared Gaussians
        has a law mathcheck does not compute: undecided. The earlier assignments are put in first (``value``):
        a noise assigned before (η = −ε) is its value, so the noises left are distinct and never assigned in
        terms of each other."""
        notes = formula.context.notes
        declared = notes.get(("law", variable), f"{variable} ~ N({law[0]}, {law[1]})")
        result.relation = "="
        if value is None:
            try:
                self.names.resolve(item.expr, formula, [], item.line)
            except Unparsed as error:
                result.verdict, result.reason = UNPARSED, error.reason
                result.detail["fragment"] = error.fragment
                return result
        expr = value
        laws = {s: declared_laws(formula.context, s) for s in free_symbols(expr)
                if s != variable and s not in self.values}
        laws = {s: found[0] for s, found in laws.items() if len(found) == 1}
        noises = sorted(laws, key=sp.default_sort_key)
        if not noises:
            result.verdict = UNDECIDED
            result.reason = (f"{variable} has a declared law ({declared}), but {_shown(expr)} involves no variable "
                             f"with a declared Gaussian law: its law cannot be computed")
            refused = [notes[("law-refused", s)] for s in sorted(free_symbols(expr), key=sp.default_sort_key)
                       if ("law-refused", s) in notes]
            if refused:
                result.reason += f" [{'; '.join(refused)}]"
            return result
        law_text = "; ".join(notes.get(("law", n), f"{n} ~ N({laws[n][0]}, {laws[n][1]})").split(": ", 1)[-1]
                             for n in noises) + (" (independent)" if len(noises) > 1 else "")
        moments = _affine_moments(expr, noises, laws)
        if moments is None or law[0].has(*noises) or law[1].has(*noises):
            result.verdict = UNDECIDED
            result.reason = (f"in law: with {law_text}, {_shown(expr)} is not an affine map of the declared "
                             f"Gaussian noise, whose law mathcheck computes; the declaration is {declared}")
            return result
        numbers = _fixed_values(moments + law, {law[1]} | {laws[n][1] for n in noises})
        mean, variance = (m.xreplace(numbers) for m in moments)
        declared_mean, declared_variance = (m.xreplace(numbers) for m in law)
        mean_verdict, mean_detail = self._check(mean, "=", declared_mean, item.line)
        variance_verdict, variance_detail = self._check(variance, "=", declared_variance, item.line)
        result.verdict = _both(mean_verdict, variance_verdict)
        result.reason = (f"in law: with {law_text}, {_shown(expr)} ~ N({_shown(mean)}, {_shown(variance)}); the "
                         f"declaration ({declared}) gives N({_shown(declared_mean)}, {_shown(declared_variance)}): "
                         f"mean: {mean_detail.get('reason', '')}; variance: {variance_detail.get('reason', '')}")
        failed = variance_detail if variance_verdict == REFUTED else mean_detail if mean_verdict == REFUTED else {}
        result.detail = {k: v for k, v in failed.items() if k != "reason"}
        return result


_ADDITIVE_CONSTANT = LazyPattern(
    r"up\s+to\s+(?:an?\s+)?(?:additive\s+)?(?:constants?|const\.?)(?![A-Za-z])(?!\s+(?:factors?|multiples?|multipliers?"
    r"|scalings?|scales?)\b)(?:\s+terms?)?|additive\s+constants?|modulo\s+(?:an?\s+)?(?:additive\s+)?constants?"
    r"|(?:dropp(?:ing|ed)|ignor(?:ing|ed)|omitt?(?:ing|ed)|discard(?:ing|ed)|neglect(?:ing|ed))\s+"
    r"(?:the\s+|all\s+|any\s+)?"
    r"(?:additive\s+)?constant(?:s|\s+terms?)?(?![A-Za-z])"
    r"|constants?(?:\s+terms?)?\s+(?:are|is|being|have\s+been|has\s+been)\s+"
    r"(?:dropped|ignored|omitted|discarded|neglected)"
    r"|定数(?:項)?(?:の差)?を(?:除いて|除けば|除く|無視|省略|省い|省く|落と)|定数の差"
    r"|定数(?:項)?は(?:無視|省略|省い|落と)", re.IGNORECASE)


def _additive_constant_stated(document: Document, formula: Formula) -> bool:
    """Whether the prose says that ∝ between logs means equal up to an additive constant: around the display
    (the prose since the display before, and after it up to the next), or in a sentence about ∝ anywhere."""
    index = document.formulas.index(formula)
    before = document.formulas[index - 1].end if index > 0 else 0
    after = document.formulas[index + 1].start if index + 1 < len(document.formulas) else len(document.text)
    if _affirmed(document.text[before:formula.start]) or _affirmed(document.text[formula.end:after]):
        return True
    return any(_affirmed(sentence) for sentence in re.split(r"(?<=[.!?。])\s", document.text)
               if "\\propto" in sentence or "∝" in sentence)


_NEGATION = LazyPattern(r"\b(?:not|never|no|nor|neither|rather\s+than|instead\s+of)\b|n't\b|ではなく|ではない|でない",
                       re.IGNORECASE)


def _affirmed(text: str) -> bool:
    """Whether ``text`` says "up to an additive constant" without denying it in the clause that leads to it
    ("does not mean equality up to an additive constant" says the opposite)."""
    for found in _ADDITIVE_CONSTANT.finditer(text):
        start = max(text.rfind(mark, 0, found.start()) for mark in (".", "!", "?", "。", "\n\n", ";")) + 1
        if not _NEGATION.search(text[start:found.start()]):  # "..., not a factor" after it denies the other reading
            return True
    return False


def _with_positive_stds(expr: sp.Expr, *sides: sp.Expr) -> sp.Expr | None:
    """``expr`` with the standard deviations of the sides' N(m, σ²) positive symbols of the same names (None when
    there are none): the worlds then draw σ > 0, where every counterexample is one."""
    normals = [n for side in sides for n in unfolded(side).atoms(Normal)]
    stds = {n.std.args[0] if isinstance(n.std, sp.Abs) else n.std for n in normals}
    plain = {s: sp.Symbol(s.name, positive=True) for s in stds if isinstance(s, sp.Symbol) and s.is_positive is None}
    return expr.xreplace(plain) if plain else None


def _display_prose(document: Document, formula: Formula) -> str:
    """The prose that speaks of the display: the paragraph that leads to it, the first sentence after it, and
    the words written inside it (``\\text{(up to a constant)}``); inline ``\\(..\\)`` written as ``$..$``."""
    index = document.formulas.index(formula)
    before = document.text[document.formulas[index - 1].end if index > 0 else 0:formula.start]
    after_end = document.formulas[index + 1].start if index + 1 < len(document.formulas) else len(document.text)
    after = document.text[formula.end:after_end]
    before = ([part for part in re.split(r"\n\s*\n", before) if part.strip()] or [""])[-1]  # the lead-in
    before = " ".join([part for part in _sentences(before) if part.strip()][-2:])
    after = "" if re.match(r"[ \t]*\n\s*\n", after) else _sentences(after.lstrip())[0]  # the display's own sentence
    inside = " ".join(re.findall(r"\\(?:text|mbox|textrm|textnormal)\s*\{([^{}]*)\}", formula.source))
    return re.sub(r"\\\((.*?)\\\)", r"$\1$", f"{before} {after} {inside}", flags=re.S)


def _additive_constant_nearby(document: Document, formula: Formula) -> bool:
    """Whether the prose at the display says its = (or ≐) holds up to an additive constant."""
    return _affirmed(_display_prose(document, formula))


_CONSTANT_NOTE = LazyPattern(r"\+?(?:c|C|const|cst|定数)|\+c\.?")


def _constant_note(note: str, text: str) -> bool:
    """Whether the note over = marks equality up to an additive constant: ``+c``, ``c``, ``\\text{const}``; a lone
    ``c`` only where the document labels no step a, b or d (then c is a step's label, not a constant)."""
    plain = re.sub(r"\\(?:text|textrm|mathrm|rm|mbox|operatorname|mathit|textit)\b|[{}\s]", "", note).rstrip(".")
    if not _CONSTANT_NOTE.fullmatch(plain):
        return False
    labels = re.search(r"\\(?:stackrel|overset|underset)\s*\{\s*\(?\s*(?:\\text\s*\{)?\s*[abdAB]\s*\}?\s*\)?\s*\}",
                       text)
    return plain.startswith("+") or plain.startswith("const") or not labels


_CONSTANT_WORDS = LazyPattern(r"const(?:_.*)?")
_CONSTANT_LETTER = LazyPattern(
    r"\$\s*([^$]{1,12}?)\s*\$\s*,?\s*(?:collects?|gathers?|absorbs?|denotes?|is|are|stands?\s+for|contains?|includes?|"
    r"represents?|being)\s+(?!not\b|never\b|no\b)([^.;$]{0,60}?)"
    r"(?:constant|independent|(?:do|does)\s+not\s+depend|free\s+of)"
    r"|(?:an?|some|the|additive|arbitrary|normali[sz]ing)\s+constants?\s+\$\s*([^$]{1,12}?)\s*\$"
    r"|\$\s*([^$]{1,12}?)\s*\$\s*(?:は|が|を)[^。]{0,40}?定数|定数\s*\$\s*([^$]{1,12}?)\s*\$", re.IGNORECASE)


def _named_constants(document: Document, formula: Formula, definitions: dict, values: dict) -> set[str]:
    """The names of additive constants: ``const`` (``\\text{const}``, ``\\text{定数}``) and those the prose at the
    display says are constants ("$C$ collects the constants", "where $C$ does not depend on $x$", "$C$ は定数"),
    less those the document defines or assigns."""
    names = set()
    for found in _CONSTANT_LETTER.finditer(_display_prose(document, formula)):
        written = next(group for group in (found.group(1), found.group(3), found.group(4), found.group(5)) if group)
        try:
            read = parse_expression(written, formula.context)
        except Unparsed:
            continue
        if isinstance(read, sp.Symbol) or (isinstance(read, NameRef) and not read.arguments):
            names.add(read.name)
    taken = set(definitions) | {sp.sstr(v) for v in values}
    return {name for name in names | {"const"} if name not in taken}


def _is_constant_atom(atom: sp.Basic, named: set[str]) -> bool:
    if not (isinstance(atom, sp.Symbol) or (isinstance(atom, NameRef) and not atom.arguments)):
        return False
    return atom.name in named or ("const" in named and bool(_CONSTANT_WORDS.fullmatch(atom.name)))


def _constant_terms(expr: sp.Basic, named: set[str]) -> list:
    """The added terms of ``expr`` that are an unspecified constant (``\\text{const}``, a named C), times a number."""
    return [term for term in sp.Add.make_args(expr) if _is_constant_atom(term.as_coeff_Mul()[1], named)]


def _without_constant_terms(expr: sp.Basic, named: set[str]) -> sp.Basic | None:
    """``expr`` without its constant terms; None where such a constant is also written otherwise (2 const x)."""
    constants = _constant_terms(expr, named)
    rest = sp.Add(*[term for term in sp.Add.make_args(expr) if term not in constants])
    if any(_is_constant_atom(atom, named) for atom in rest.atoms(NameRef, sp.Symbol)):
        return None
    return rest


_VARIABLE_LIST = r"((?:\$[^$]+\$(?:\s*(?:,|and|or|nor|、|と|や|および)\s*)?)+)"
_PROSE_VARIABLES = LazyPattern(
    r"(?:independent\s+of|(?:does|do)(?:n't|\s+not)\s+depend\s+on|not\s+depending\s+on|free\s+of|constant\s+in|"
    r"with\s+respect\s+to|w\.\s?r\.\s?t\.?|(?:does|do)(?:n't|\s+not)\s+involve|not\s+involving)\s+" + _VARIABLE_LIST +
    r"|" + _VARIABLE_LIST +
    r"\s*(?:に(?:は)?(?:依存しない|よらない|依らない|関係しない|無関係)|を含まない|について|に関して)",
    re.IGNORECASE)


def _prose_variables(document: Document, formula: Formula) -> set[str]:
    """The variables the prose at the display names for its constant ("does not depend on $x$", "w.r.t.
    $\\theta$", "$\\mu$ に依存しない")."""
    names = set()
    for found in _PROSE_VARIABLES.finditer(_display_prose(document, formula)):
        for written in re.findall(r"\$([^$]+)\$", found.group(1) or found.group(2)):
            for part in written.split(","):
                try:
                    read = parse_expression(part, formula.context)
                except Unparsed:
                    continue
                names |= {s.name for s in free_symbols(read) if isinstance(s, sp.Symbol)}
    return names


_OPTIMIZED = LazyPattern(r"\\(?:nabla|partial)\s*_\s*\{?\s*\\?([A-Za-z]+)"
                        r"|\\frac\s*\{\s*\\partial[^{}]*\}\s*\{\s*\\partial\s*\\?([A-Za-z]+)"
                        r"|(?:\\arg\s*|\\operatorname\*?\{arg\s*)?\\?(?:max|min)\}?\s*_\s*\{?\s*\\?([A-Za-z]+)")


def _optimized_names(document: Document, formula: Formula) -> set[str]:
    """The names this display and the next differentiate or optimize in (``\\nabla_\\mu``, ``\\partial/\\partial
    \\mu``, ``\\arg\\max_\\theta``): an additive constant must not depend on them either."""
    index = document.formulas.index(formula)
    sources = formula.source + " ".join(f.source for f in document.formulas[index + 1:index + 2])
    return {next(g for g in found.groups() if g) for found in _OPTIMIZED.finditer(sources)}


def _log_density_variables(side: sp.Expr) -> list:
    """The variables of the log-densities that make up ``side`` (log p(x|z): x; log p(x|z) + log p(z): x, z);
    [] when it is not a sum of log-densities."""
    variables: set = set()
    for term in sp.Add.make_args(side):
        factor = term.as_coeff_Mul()[1]
        inner = factor.args[0] if isinstance(factor, sp.log) else None
        if isinstance(inner, Density):
            variables |= set(inner.variables)
        elif isinstance(inner, Normal) and isinstance(inner.variable, sp.Symbol):
            variables.add(inner.variable)
        elif free_symbols(term):
            return []
    return sorted((v for v in variables if isinstance(v, sp.Symbol)), key=sp.default_sort_key)


def _density_side(expr: sp.Expr) -> bool:
    """Whether ``expr`` is a density, or a product of densities and positive numbers (a side of ∝ between densities)."""
    factors = sp.Mul.make_args(expr)
    return any(isinstance(f, (Density, Normal)) for f in factors) and all(
        isinstance(f, (Density, Normal)) or (f.is_number and f.is_positive) for f in factors)


def _factor_problem(constant: sp.Expr, additive: bool, densities: bool) -> tuple[str, str] | None:
    """Why the ratio (the difference, between logs) ``constant`` of ∝ does not make the sides proportional: a
    factor must be finite and nonzero, and between densities positive; (verdict, reason), None when it is one."""
    if constant.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return REFUTED, "not a finite constant: one side is 0 where the other is not (∝ needs a finite nonzero factor)"
    if additive:
        return None
    if constant.is_zero:
        return REFUTED, "the factor is 0: a side that is 0 is proportional to nothing nonzero"
    if not densities:
        return None if constant.is_zero is False else (UNDECIDED, "whether the factor is nonzero is not decided")
    sign = _sign_with_positive_densities(constant)
    if sign is not None and sign.is_negative:
        return REFUTED, "a negative factor: two densities (positive) are proportional only by a positive constant"
    if sign is None or not sign.is_positive:
        return UNDECIDED, "whether the factor is positive (as between two densities it must be) is not decided"
    return None


def _sign_with_positive_densities(expr: sp.Expr) -> sp.Expr | None:
    """``expr`` with every density (and every other applied function's value that is a density) a positive
    symbol, so that its sign can be read; None when it has anything else that is not a number's sign."""
    positives = {d: sp.Dummy(positive=True) for d in unfolded(expr).atoms(Density, Normal)}
    try:
        return sp.simplify(unfolded(expr).xreplace(positives))
    except _MATH_ERRORS:
        return None


def _logarithmic(expr: sp.Expr) -> bool:
    """Whether ``expr`` is a log, or a sum of (multiples of) logs and constants: a side of ∝ between logs."""
    terms = sp.Add.make_args(expr)
    logs = [t for t in terms if isinstance(t.as_coeff_Mul()[1], sp.log)]
    return bool(logs) and all(t in logs or not free_symbols(t) for t in terms)


def _numeric_gap(lhs: sp.Expr, rhs: sp.Expr) -> str | None:
    """lhs − rhs (and relative to the larger side) where both sides are numbers, else None."""
    values = []
    for side in (lhs, rhs):
        side = unfolded(side)
        if free_symbols(side) or side.has(Density, BareDensity, sp.Integral):
            return None
        value = sp.N(side, 30)
        if not value.is_real or not value.is_finite:
            return None
        values.append(value)
    left, right = values
    gap = left - right
    scale = max(abs(left), abs(right))
    relative = f" (relative {sp.N(abs(gap) / scale, 2)})" if scale != 0 else ""
    return (f"lhs = {sp.N(left, 8)}, rhs = {sp.N(right, 8)}, lhs − rhs = {sp.N(gap, 3)}{relative}")


def _derivatives_of_densities(lhs: sp.Expr, rhs: sp.Expr, declared: tuple) -> str:
    """An abstract density inside a derivative of the step (q_φ under ∂/∂φ; not a declared noise p(ε)), shown;
    "" when there is none. Its dependence on the parameter is its label: no numeric world has it."""
    noises = {getattr(rule, "noise", None) for rule in declared}
    for side in (lhs, rhs):
        for node in unfolded(side).atoms(sp.Derivative):
            variables = {v for v, _ in node.variable_count}  # ∂/∂z of p(z|x): in its own variable, the worlds have it
            found = sorted((d for d in node.expr.atoms(Density) if d not in noises
                            and not variables <= set(d.variables) | set(d.given)), key=sp.default_sort_key)
            if found:
                return sp.sstr(found[0])
    return ""


def _of_datasets(expr: sp.Expr, context: Context) -> sp.Expr:
    """p(D) of a data set the prose declares i.i.d. (D = {x^(i)}_{i=1}^N): Π_{i=1}^N p(X)|_{X = x^(i)}."""
    if not context.datasets:
        return expr
    from mathcheck.sums import AtPoint
    index = sp.Symbol("i", integer=True, positive=True)
    mapping = {}
    for density in expr.atoms(Density):
        if len(density.variables) == 1 and all(_model_parameter(g) for g in density.given) \
                and isinstance(density.variables[0], sp.Symbol) and density.variables[0].name in context.datasets:
            size, _ = context.datasets[density.variables[0].name]
            mapping[density] = sp.Product(AtPoint(Density(density.family, [X], list(density.given), density.label),
                                                  index), (index, 1, size))
    return expr.xreplace(mapping) if mapping else expr


_MODEL_PARAMETERS = frozenset({"theta", "phi", "psi", "lambda", "eta", "omega"})


def _model_parameter(given: sp.Expr) -> bool:
    """A condition that is the model's parameter (p(D | θ): i.i.d. given θ, as the data set is declared), not a
    random variable (given a global latent z, the points need not be independent)."""
    return isinstance(given, sp.Symbol) and given.name in _MODEL_PARAMETERS


def _pointwise(side: sp.Expr) -> tuple[sp.Expr, sp.Symbol | None] | None:
    """``side`` = Σ cₖ E_{p_data(x)}[Aₖ] + r (cₖ, r and Aₖ free of the data distribution p_data, r free of x) as the
    pointwise Σ cₖ Aₖ + r and x; None when it is not of that form (p_data elsewhere: inside a term, a KL)."""
    from mathcheck.notation import DATA_LABEL
    total, variable = sp.S.Zero, None
    for term in sp.Add.make_args(side):
        outer = [f for f in sp.Mul.make_args(term) if isinstance(f, Expectation) and isinstance(f.density, Density)
                 and f.density.label == DATA_LABEL and len(f.density.variables) == 1 and not f.density.given]
        data = [d for d in unfolded(term).atoms(Density) if d.label == DATA_LABEL]
        if not outer:
            if data:
                return None
            total += term
            continue
        if len(outer) != 1:
            return None
        (expectation,) = outer
        rest = term / expectation
        v = expectation.density.variables[0]
        if any(d.label == DATA_LABEL for d in unfolded(expectation.body).atoms(Density)) or \
                any(d.label == DATA_LABEL for d in unfolded(rest).atoms(Density)) or v in free_symbols(rest):
            return None
        body = expectation.body if variable is None or v == variable else substitute(expectation.body, {v: variable})
        variable = variable if variable is not None else v
        total += rest * body
    return total, variable


_DATA_POINT_NAME = LazyPattern(r"(?P<base>.+)\^\{\((?P<index>\d+)\)\}|(?P<sub>.+)_(?P<number>\d+)")


def at_concrete_data_points(lhs: sp.Expr, rhs: sp.Expr, context: Context) -> tuple[sp.Expr, sp.Expr]:
    """The densities of one data point x^{(1)} (or x_1 of declared data points x_1, ..., x_N) as the model's density
    of X at that point, p(X)|_{X = x^{(1)}} (as a sum over the data points writes its terms), where the step uses
    the point only inside densities; one data point at a time per density."""
    sides = (lhs, rhs)

    def point(symbol) -> int | None:
        m = _DATA_POINT_NAME.fullmatch(getattr(symbol, "name", ""))
        if m is None or (m.group("sub") is not None and m.group("sub") not in context.data_points) or \
                (m.group("base") is not None and m.group("base") not in data_bases(context)):
            return None  # z^{(1)}: a sample of a latent, not a data point
        return int(m.group("index") or m.group("number"))

    points = {s for side in sides for s in side.atoms(sp.Symbol) if point(s) is not None}
    if not points:
        return tuple(sides)
    from mathcheck.sums import AtPoint
    if any(side.replace(lambda n: isinstance(n, AtPoint), lambda n: sp.S.Zero).has(X) for side in sides):
        return tuple(sides)  # X of the document itself: its points are not the model's X at a point
    mapping = {}
    for side in sides:
        for density in side.atoms(Density):
            inside = [s for s in density.variables + density.given if s in points]
            if len(inside) == 1:
                mapping[density] = AtPoint(density.xreplace({inside[0]: X}), point(inside[0]))
    if not mapping:
        return tuple(sides)
    converted = tuple(side.xreplace(mapping) for side in sides)
    if any(free_symbols(side) & points for side in converted):
        return tuple(sides)  # the point is also used outside its densities: left as one variable
    return converted


def _abstract_reparametrization(rule) -> bool:
    """A declared z = g(ε) whose law or noise is an abstract density: taken as declared, not checked."""
    from mathcheck.lemmas import Reparametrization
    return isinstance(rule, Reparametrization) and (isinstance(rule.law, Density) or isinstance(rule.noise, Density))


_LEIBNIZ_WORDS = LazyPattern(r"reparameteri[sz]|reparametri[sz]|leibniz|differentiat\w*\s+under|under\s+the\s+integral"
                            r"|dominated\s+convergence|interchang\w*|pathwise|再パラメータ化|積分記号下", re.I)
_NEGATED = LazyPattern(r"\b(?:not|no|never|cannot|can't|fails?|without|unless|if|whether)\b|n't\b|ない|できない", re.I)


def _states_leibniz(document: Document, formula: Formula, item: Item) -> bool:
    """Whether the row of ``item`` (its annotation) or a plain sentence of the prose around the display says
    that the derivative moves under the integral (the reparametrization trick, Leibniz's rule)."""
    text = document.text
    row_end = formula.end
    for m in re.finditer(r"\\\\", text[item.start:formula.end]):
        row_end = item.start + m.start()
        break
    if _LEIBNIZ_WORDS.search(text[item.start:row_end]):
        return True
    index = document.formulas.index(formula)
    before = document.formulas[index - 1].end if index > 0 else 0
    after = document.formulas[index + 1].start if index + 1 < len(document.formulas) else len(text)
    around = text[before:formula.start] + " " + text[formula.end:after]
    return any(_LEIBNIZ_WORDS.search(s) and not _NEGATED.search(s) for s in _sentences(around))


def with_labelled_parameters(*sides: sp.Expr) -> tuple[sp.Expr, ...]:
    """The sides with every function labelled by a variable the step differentiates in taking it as an argument
    (g_φ(ε) -> g_φ(ε, φ) under ∂/∂φ): its dependence on φ is written by its label, and the engine must see it."""
    from mathcheck.audit.latex import labelled_calls
    variables = {v for side in sides for node in side.atoms(sp.Derivative) for v, _ in node.variable_count}
    mapping = {call: call.func(*call.args, v) for v in variables if isinstance(v, sp.Symbol)
               for side in sides for call in labelled_calls(side, v)}
    return tuple(side.xreplace(mapping) for side in sides) if mapping else sides


def declared_laws(context: Context, variable: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """The distinct laws (mean, variance) the declarations give ``variable``: ``z ~ N(μ, σ²)``, and a declared
    density of z alone, ``q(z) ~ N(m, v)``."""
    found = []
    if variable in context.laws:
        found.append(tuple(context.laws[variable]))
    for density, normal in context.densities.values():
        if tuple(getattr(density, "variables", ())) == (variable,) and isinstance(normal, Normal) \
                and not getattr(density, "given", ()):  # q(z|x) ~ N(μ, σ²) is z's law given x only
            found.append((normal.args[1], normal.args[2] ** 2))
    distinct = []
    for law in found:
        if not any(_same_value(law[0], other[0]) and _same_value(law[1], other[1]) for other in distinct):
            distinct.append(law)
    return distinct


def _same_value(first: sp.Expr, second: sp.Expr) -> bool:
    """Whether two law parameters are one value; a vector mean and a scalar 0 (shapes that do not subtract)
    are not."""
    try:
        return sp.simplify(first - second) == 0
    except _MATH_ERRORS:
        return first == second


_SIGNS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer")


def _sign_problem(variable: sp.Symbol, value: sp.Expr | None, context: Context) -> tuple[str, str] | None:
    """(verdict, reason) when ``variable := value`` meets a sign the prose declares for ``variable`` (σ > 0)
    that ``value`` does not have (refuted) or is not known to have (undecided); None when nothing is declared."""
    declared = [sign for sign in _SIGNS if getattr(variable, f"is_{sign}") is True]
    if not declared:
        return None
    note = context.notes.get(("symbol", variable.name), f"{variable} declared {', '.join(declared)}")
    if value is None:
        return UNDECIDED, f"{variable} is declared {', '.join(declared)} ({note}); its assignment cannot be read"
    for sign in declared:
        holds = getattr(value, f"is_{sign}")
        if holds is False:
            return REFUTED, f"{variable} := {_shown(value)} is not {sign}, as declared ({note})"
        if holds is not True:
            return UNDECIDED, f"{variable} := {_shown(value)}: not known to be {sign}, as declared ({note})"
    return None


def _affine_moments(expr: sp.Expr, noises: list[sp.Symbol], laws: dict) -> tuple[sp.Expr, sp.Expr] | None:
    """(mean, variance) of ``expr`` = a + Σ bᵢ εᵢ for independent εᵢ ~ N(mᵢ, vᵢ); None when it is not affine."""
    try:
        offset = expr.subs({noise: 0 for noise in noises})
        slopes = {noise: sp.diff(expr, noise) for noise in noises}
        if any(slope.has(*noises) for slope in slopes.values()):
            return None
        if sp.expand(expr - offset - sum(slopes[n] * n for n in noises)) != 0:
            return None
        mean = offset + sum(slopes[n] * laws[n][0] for n in noises)
        variance = sum(slopes[n] ** 2 * laws[n][1] for n in noises)
    except _MATH_ERRORS:  # matrix slopes or means (z = μ + L ε): not this scalar rule's
        return None
    return mean, variance


def _fixed_values(expressions, variances: set) -> dict:
    """For a fixed X the functions of X are numbers: name them as such. A declared variance that is a
    single name (σ(X), s) is positive by the declaration N(m, v) itself; any other name is only real."""
    numbers = {}
    for expr in expressions:
        for call in expr.atoms(AppliedUndef):
            name = f"{call.func.__name__}({', '.join(map(sp.sstr, call.args))})"
            numbers[call] = sp.Symbol(name, positive=True) if call in variances else sp.Symbol(name, real=True)
    for variance in variances:
        if isinstance(variance, sp.Symbol) and not variance.is_positive:
            numbers[variance] = sp.Symbol(variance.name, positive=True)
    return numbers


def _both(first: str, second: str) -> str:
    if REFUTED in (first, second):
        return REFUTED
    if first == second == PROVED:
        return PROVED
    if {first, second} <= {PROVED, HOLDS}:
        return HOLDS
    return UNDECIDED


def _value_problem(expr: sp.Expr) -> str:
    """Why ``expr`` has no value ("" when it may have one): a division by zero or an undefined value once
    the names are unfolded, or a number too large to compute."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            base, exponent = (_number(node.base), _number(node.exp))
            problem = power_problem(base, exponent) if base is not None and exponent is not None else ""
            if problem:
                return problem
    if expr.has(sp.zoo, sp.nan) or (expr.atoms(Defined) and unfolded(expr).has(sp.zoo, sp.nan)):
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
    sides = [reevaluate(unfolded(side)) for side in (lhs, rhs)]
    try:
        parts = [sp.expand(sides[0] - sides[1])]
    except _MATH_ERRORS:  # a matrix and a scalar side (A⁻¹A = I read with a scalar I): both sides, uncancelled
        parts = sides
    involved = {s.name for part in parts for s in part.free_symbols if isinstance(s, sp.Symbol)}
    involved |= {c.func.__name__ for part in parts for c in part.atoms(AppliedUndef)}
    return bool(involved & set(names))


def _declared_against_model(lhs: sp.Expr, rhs: sp.Expr, context: Context,
                            followed: frozenset = frozenset()) -> list[str]:
    """The declarations (``p(z) ~ N(0, 1)``, read as the Gaussian itself) of a step that also has an abstract
    density of the same letter which depends on the declared one: a joint, a marginal or a conditional not given
    all of its variables (p(x, z), p(x), p(z|x); not p(x|z)). Unless the worlds take the declaration as theirs
    (``followed``), they draw that letter's model freely, so its p(x, z) is not the declared prior's: a
    refutation there may be an artefact."""
    opened = [unfolded(side) for side in (lhs, rhs)]
    normals = {n for side in opened for n in side.atoms(Normal)}
    abstract = {d for side in opened for d in side.atoms(Density)}
    found = []
    for key, (density, normal) in context.densities.items():
        family, label = key[:2]
        if normal not in normals or not isinstance(density, Density) or density.given or density in followed:
            continue  # a declared conditional: _conditionals_against_model
        declared = set(density.variables)
        if any(d.family == family and d.label == label and d != density and not declared <= set(d.given)
               and (declared & set(d.variables + d.given) or not d.given) for d in abstract):
            found.append(f"{sp.sstr(density)} ~ {sp.sstr(normal)}")
    return sorted(found)


def _tentative_declarations(lhs: sp.Expr, rhs: sp.Expr, context: Context, tentative: dict) -> list[tuple[str, tuple]]:
    """(note, what it would declare) of each declaration the prose states but the reader refuses as not plainly
    declarative (document.Document.tentative) that this step uses: a density of the letter it declares, a name
    whose sign it states (and that no later declaration gives a sign), a function whose curvature it states."""
    opened = [unfolded(side) for side in (lhs, rhs)]
    letters = {(d.family, d.label) for side in opened for d in side.atoms(Density)}
    names = {s.name for side in opened for s in side.free_symbols if isinstance(s, sp.Symbol)}
    functions = {call.func.__name__ for side in opened for call in side.atoms(AppliedUndef)}
    found = []
    for key, note in context.notes.items():
        if key[0] == "curvature-refused" and key[1] in functions and key[1] not in context.curvature \
                and ("curvature-tentative", key[1]) in context.notes:
            found.append((note, ("curvature", key[1], context.notes[("curvature-tentative", key[1])])))
            continue
        payload = tentative.get(note)
        if payload is None or (note, payload) in found:
            continue
        if key[0] == "density-refused" and tuple(key[1:3]) in letters and payload[0] == "densities":
            found.append((note, payload))
        elif key[0] == "sign-refused" and key[1] in names and key[1] not in context.symbols \
                and key[1] not in context.bounded and payload[0] == "sign":
            found.append((note, payload))
    return found


def _as_declared(expr: sp.Expr, tentative: list[tuple[str, tuple]], taken: dict[str, sp.Symbol]) -> sp.Expr:
    """``expr`` with the refused declarations put in as if declared: each density of a declared letter (its
    variable as declared, or another one for a declared conditional) by its Gaussian, whose parameters are the
    step's symbols of those names; then each name of a stated sign with that sign."""
    mapping = {}
    for _, payload in tentative:
        if payload[0] != "densities":
            continue
        for key, (written, normal) in payload[1].items():
            for density in expr.atoms(Density):
                if (density.family, density.label) != tuple(key[:2]) or tuple(density.given) != tuple(written.given) \
                        or len(density.variables) != 1:
                    continue
                point = density.variables[0]
                if point == written.variables[0]:
                    mapping[density] = normal
                elif len(key) == 3 and not normal.mean.has(point) and not normal.std.has(point):
                    mapping[density] = Normal(point, normal.mean, normal.std)
    expr = expr.xreplace(mapping)
    expr = expr.xreplace({s: taken[s.name] for s in expr.free_symbols
                          if isinstance(s, sp.Symbol) and s.name in taken and s != taken[s.name]})
    curvatures = {payload[1]: payload[2] for _, payload in tentative if payload[0] == "curvature"}
    expr = _with_function_kinds(expr, curvatures) if curvatures else expr
    signs = {}
    for _, payload in tentative:
        if payload[0] != "sign":
            continue
        _, names, bound, strict = payload
        for symbol in [s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name in names]:
            if bound == 0:
                signs[symbol] = sp.Symbol(symbol.name, real=True, **({"positive": True} if strict else
                                                                      {"nonnegative": True}))
            else:
                signs[symbol] = bound + sp.Symbol(f"delta_{symbol.name}", **({"positive": True} if strict else
                                                                              {"nonnegative": True}))
    return substitute(expr, signs) if signs else expr


def _declared_conditionals(expr: sp.Expr, context: Context) -> sp.Expr:
    """``expr`` with the Gaussian the prose declares for a conditional density (``q(z|x) = N(z; μ, σ²)``) put in
    for it: wherever the step writes that density given the same variables, of its one variable or of another
    one (q(z_1|x): the same law at z_1)."""
    declared = {key: value for key, value in context.densities.items() if len(key) == 3}
    if not declared:
        return expr
    mapping = {}
    for density in expr.atoms(Density):
        found = declared.get((density.family, density.label, tuple(sp.sstr(g) for g in density.given)))
        if found is None or len(density.variables) != 1 or tuple(density.given) != tuple(found[0].given):
            continue
        written, normal = found
        (variable,), (point,) = written.variables, density.variables
        if point != variable and (normal.mean.has(point) or normal.std.has(point)):
            continue
        mapping[density] = normal if point == variable else Normal(point, normal.mean, normal.std)
    return expr.xreplace(mapping) if mapping else expr


def _conditionals_against_model(lhs: sp.Expr, rhs: sp.Expr, context: Context,
                                followed: frozenset = frozenset()) -> list[str]:
    """The declared conditionals (``p(x|z) = N(x; m, s²)``) of a step that also writes another density of the
    same letter over the declared variable (p(x), p(x, z), p(z|x)): unless the worlds take the declaration as
    theirs (``followed``), they draw that density freely, so a refutation there may be an artefact."""
    opened = [unfolded(side) for side in (lhs, rhs)]
    normals = {n for side in opened for n in side.atoms(Normal)}
    abstract = {d for side in opened for d in side.atoms(Density)}
    found = []
    for key, (density, normal) in context.densities.items():
        if len(key) != 3 or not isinstance(density, Density) or density in followed:
            continue
        declared = set(density.variables)
        used = any(n.mean == normal.mean and n.std == normal.std for n in normals)  # at its variable or another
        if used and any(d.family == key[0] and d.label == key[1] and d != density
                        and declared & set(d.variables + d.given) for d in abstract):
            found.append(f"{sp.sstr(density)} ~ {sp.sstr(normal)}")
    return sorted(found)


def _undefined_names(expr: sp.Expr, names: Names) -> list[str]:
    return sorted({ref.name for ref in expr.atoms(NameRef) if ref.name not in names.definitions})


def _in_document_names(detail: dict, context) -> dict:
    """``detail`` with a counterexample at ``delta_s = 1e-08`` (a declared order read s = 1 + δ_s) said in the
    document's names too: ``s = 1.00000001 (delta_s = 1e-08)``."""
    found = detail.get("counterexample") or {}
    values = found.get("values") or {}
    reason = detail.get("reason", "")
    named = {}
    for name, value in (getattr(context, "bounded", {}) or {}).items():
        value = sp.sympify(value)
        if not value.free_symbols or any(s.name not in values or not isinstance(values[s.name], (int, float))
                                         for s in value.free_symbols):
            continue
        exact = value.subs({s: sp.Rational(values[s.name]) for s in value.free_symbols})
        named[name] = float(exact)
        excess = [s.name for s in value.free_symbols if s.name == f"delta_{name}"]
        if excess:
            reason = re.sub(rf"(?<![\w]){re.escape(excess[0])} = ([^,:()]+?)(?=[,:(]| in world|$)",
                            lambda m: f"{name} = {named[name]:.12g} ({excess[0]} = {m.group(1).strip()})"
                            + m.group(1)[len(m.group(1).rstrip()):], reason, count=1)
    if not named:
        return detail
    return {**detail, "reason": reason, "counterexample": {**found, "document_values": named}}


def _opaque_difference(lhs: sp.Expr, rhs: sp.Expr, names: Names) -> str:
    """The names the document does not define that the difference of the sides depends on ("" if none)."""
    undefined = _opaque(lhs, rhs, names)
    return ", ".join(undefined) if undefined and _difference_depends_on(lhs, rhs, undefined) else ""


_UNREAD_LAW = "states a law mathcheck does not read"  # document.py's note on a named law (Laplace, Bernoulli)


def _unusable_declarations(lhs: sp.Expr, rhs: sp.Expr, context: Context, tentative: dict) -> list[str]:
    """The notes of the declarations the prose states, and mathcheck cannot use, for a density of the step (of
    its letter) or for the law of one of its densities' variables: no normalized density or unreadable
    (``Document.tentative`` "unreadable": p(x|z) = N(z; 2x, 1)), or a named law mathcheck does not read
    (q(z|x) = Laplace(z; μ, b)). A negated or hedged declaration is none of these: it declares nothing."""
    opened = [unfolded(side) for side in (lhs, rhs)]
    letters = {(d.family, d.label) for side in opened for d in side.atoms(Density)}
    variables = {v for side in opened for d in side.atoms(Density) for v in d.variables}
    found = {note for key, note in context.notes.items()
             if (key[0] == "density-refused" and tuple(key[1:3]) in letters
                 or key[0] == "law-refused" and key[1] in variables)
             and (tentative.get(note) == ("unreadable",) or _UNREAD_LAW in note)}
    return sorted(found)


def _without_unusable_laws(lhs: sp.Expr, rhs: sp.Expr, context: Context, tentative: dict, verdict: str,
                           detail: dict) -> tuple[str, dict]:
    """A step about a density whose stated law cannot be used (``_unusable_declarations``) gets no verdict from
    the generic density rules, which hold for any density of its variable: the document's may be none (N(z; 2x,
    1) is no density of x) or a law they do not follow (a Laplace mean, a Bernoulli pmf). Proved, holds and
    refuted are undecided there, with the verdict they would be; so is a ∝ that would define the density afresh
    (the prose has stated its law)."""
    if verdict not in (PROVED, HOLDS, REFUTED, DEFINITION):
        return verdict, detail
    unusable = _unusable_declarations(lhs, rhs, context, tentative)
    if not unusable:
        return verdict, detail
    shown = "a definition" if verdict == DEFINITION else verdict
    return _undecided_without_counterexample(
        detail, f"not {shown}: the prose states the law of a density the step uses, and that declaration cannot be "
                f"read ({'; '.join(unusable)}); the generic density rules, which hold for any law, say nothing of "
                f"this one, so their verdict ({verdict}: {detail.get('reason', '')}) is not one about the document")


def _opaque(lhs: sp.Expr, rhs: sp.Expr, names: Names) -> list[str]:
    found = set()
    for expr in (lhs, rhs):
        expr = unfolded(expr)
        found |= {name for opaque, name in names.undefined.items()
                  if (opaque in expr.free_symbols if isinstance(opaque, sp.Symbol)
                      else any(c.func == opaque for c in expr.atoms(AppliedUndef)))}
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
    """Whether a symbol's name is a name (ELBO, KL) rather than a variable: a letter with an index (m_1, s_2,
    x_i) is a variable, as m and s are, which a counterexample may give any value."""
    base, _, index = name.partition("_")
    return not _greek(name) and not (len(base) == 1 and base.isalpha() and index.isalnum())


def _notes(notes: list[str], lhs, rhs, kinds: dict[str, str], positive: dict[str, str], context: Context) -> str:
    extra = list(notes)
    used = set()
    for expr in (lhs, rhs):
        used |= {c.func.__name__ for c in unfolded(expr).atoms(AppliedUndef)}
        for node in unfolded(expr).atoms(Normal):
            used.add(("normal", node))
    for name in sorted(n for n in used if isinstance(n, str)):
        kind = kinds.get(name)
        if kind in ("concave", "convex"):
            extra.append(f"{name} {kind} as the prose declares ({context.notes.get(('curvature', name), '')})")
        if kind != "concave" and kind != "convex" and ("curvature-refused", name) in context.notes:
            extra.append(f"no curvature declared for {name}: {context.notes[('curvature-refused', name)]}")
    extra += [f"{name} taken positive in this step: {why}" for name, why in sorted(positive.items())]
    for density in {d for expr in (lhs, rhs) for d in unfolded(expr).atoms(Density)}:
        refused = context.notes.get(("density-refused", density.family, density.label))
        if refused:
            extra.append(f"{sp.sstr(density)} is not declared: {refused}")
    for key, note in context.notes.items():
        if key[0] == "density":
            declared = context.densities.get(key[1:])
            if declared and any(declared[1] == n[1] for n in used if isinstance(n, tuple)):
                extra.append(f"{key[1]} as declared at {note}")
    return f" [{'; '.join(extra)}]" if extra else ""


def _shown(expr: sp.Expr) -> str:
    return to_text(expr)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


def declared_model_densities(document: Document, scope: Scope) -> frozenset:
    """The Gaussian densities the prose declares, as the numeric worlds take them (``numeric.declared_densities``):
    {(key, mean, std)} with the parameters of ``_declared_parameters`` (numbers, names of unspecified parameters,
    None where the worlds can take neither); a density declared twice differently, once with None (its law is
    not one the worlds can take). A declared conditional is also put in where a step
    writes it (_declared_conditionals); the worlds take it so that the densities it fixes (p(x), p(z|x)) follow."""
    laws: dict = {}
    for formula in document.formulas:
        for written, declared in getattr(formula.context, "densities", {}).values():
            if not isinstance(written, Density) or not isinstance(declared, Normal):
                continue
            with labels_resolved():
                key = density_key(canonical_labels(data_densities(written, scope), scope))  # p(x) the data: p_data
            laws.setdefault(key, set()).add(_declared_parameters(written, declared))
    return frozenset((key, *(found.pop() if len(found) == 1 else (None, None))) for key, found in laws.items())


def _parameter(value: sp.Expr, positive: bool = False) -> float | frozenset | None:
    """A parameter of a declared Gaussian as the worlds take it (``numeric._declared_law``): a number; the name
    of an unspecified parameter (w: a symbol of no known sign; for a standard deviation, ``positive``, σ, |σ| or
    √v) as a set, which a world may draw where the step does not write it; None otherwise."""
    if value.is_number:
        return float(value) if value.is_real else None
    inner = value.args[0] if isinstance(value, sp.Abs) or (isinstance(value, sp.Pow) and value.exp == sp.S.Half) \
        else value
    if not isinstance(inner, sp.Symbol):
        return None
    signed = any(getattr(inner, f"is_{sign}") is not None for sign in ("positive", "negative", "zero"))
    return frozenset({inner.name}) if positive or not signed else None  # a drawn coefficient may take any sign


def _declared_parameters(written: Density, declared: Normal) -> tuple:
    """(mean, std) of a declared Gaussian as the worlds take them (``_parameter``); for a density given one
    variable z the mean is the pair (a, b) of a mean a z + b, or the name of f for a mean f(z) with f an
    unspecified function (a world may take any a z + b for it); None where the worlds can take neither."""
    std = _parameter(declared.std, positive=True)
    if not written.given:
        return _parameter(declared.mean), std
    if len(written.given) != 1 or not isinstance(written.given[0], sp.Symbol):
        return None, std
    (given,), mean = written.given, sp.expand(declared.mean)
    if isinstance(mean, AppliedUndef) and mean.args == (given,) and mean.is_positive is None:
        return frozenset({mean.func.__name__}), std  # f(z): an affine f is one (and concave, and convex)
    slope, rest = mean.coeff(given, 1), mean.coeff(given, 0)
    if sp.expand(mean - slope * given - rest) != 0:
        return None, std  # z², a sigmoid: no linear-Gaussian world
    return (_parameter(slope), _parameter(rest)), std


def document_scope(document: Document, chains: list[list[Item]]) -> Scope:
    """The notation of the document (``mathcheck.notation``): what its prose declares (the reader's Context:
    ``latents``, ``observed``, ``conditioning``, ``model_labels`` where it fills them, density letters),
    extended by the usage in all its formulas (integration variables are latent, ...)."""
    declared = {"latents": set(), "observed": set(), "conditioning": set(),
                "model_labels": set(ARTICLE_SCOPE.model_labels), "density_letters": set(ARTICLE_SCOPE.density_letters)}
    for formula in document.formulas:
        context = formula.context
        for name in ("latents", "observed", "conditioning", "model_labels"):
            declared[name] |= set(getattr(context, name, ()) or ())
        declared["density_letters"] |= {key[0] for key in getattr(context, "densities", {}) if isinstance(key, tuple)}
        declared["density_letters"] |= set(getattr(context, "density_letters", ()) or ())
    expressions = [item.expr for chain in chains for item in chain if isinstance(item.expr, sp.Basic)]
    written = {d for expr in expressions for d in expr.atoms(Density)}
    data, identified, distinct = declared_label_rules(document.text, written)
    base = Scope(**{name: frozenset(values) for name, values in declared.items()}, data=data, identified=identified,
                 distinct=distinct)
    displays: dict = {}
    for chain in chains:
        for item in chain:
            displays.setdefault(id(item.formula), []).append(item.expr)
    try:
        return infer_scope(expressions, base, list(displays.values()))
    except _MATH_ERRORS:  # a formula the inference cannot walk: the article's notation, as before
        return ARTICLE_SCOPE


# "$p(x)$ is the data distribution", "the empirical distribution $p(x)$", "Let $p(x)$ denote the true data
# density", "We write $p(x)$ for the data distribution", "The data are drawn from $p(x)$"
_DATA_KIND = r"(?:true\s+|empirical\s+|observed\s+)?(?:data|empirical|true|data[- ]generating)[*_]*\s+(?:[*_]*)" \
             r"(?:distribution|density)"
_DATA_AFTER = LazyPattern(r"^[\s,]*(?:is|denotes|denote|be|for|:)?\s*(?:the|an?|our)?\s*[*_]*" + _DATA_KIND, re.I)
_DATA_BEFORE = LazyPattern(r"(?:(?:data|empirical|true|data[- ]generating)[*_]*\s+(?:distribution|density)[*_]*"
                          r"[\s,]*(?:is\s+|,\s*)?|\bdata(?:\s+points?)?\s+(?:are|is|were|be)\s+(?:(?:i\.i\.d\.|"
                          r"independently)\s+)?(?:drawn|sampled|generated)\s+(?:i\.i\.d\.\s+)?from\s*)$", re.I)
_MODEL_AFTER = LazyPattern(r"^\s*(?:denotes|is)\s+the\s+[*_]*model\b", re.I)
# "Let $q(z|x)$ be any distribution over $z$": another density than the model's q_φ(z|x)
_OTHER_AFTER = LazyPattern(r"^[\s,]*(?:is|denotes|denote|be)\s+(?:any|an\s+arbitrary|arbitrary|another|a\s+different|"
                          r"some\s+other|an\s+other|a\s+second)\b", re.I)
# "the parameters $\phi, \theta$ are written explicitly", "パラメータ$\phi,\theta$を明示的に表しています",
# "we drop the subscript $\theta$": the labels only show parameters; the labelled density is the bare one
_LABELS_ONLY = LazyPattern(r"\s*\\?[A-Za-z]+(?:\s*(?:,|\\,|and)\s*\\?[A-Za-z]+)*\s*")
_LABEL_WORD = LazyPattern(r"parameters?|subscripts?|labels?|パラメータ|添字", re.I)
_SHOWN_OR_DROPPED = LazyPattern(r"explicit|明示|omit|drop|suppress|省略", re.I)
_HEDGED = LazyPattern(r"\b(?:if|when|whenever|suppose|assume|assuming|whether|iff|unless|not|only)\W*$", re.I)
# an identification of a labelled with a bare density is read only from a plain declarative sentence of notation:
# a negation, a hedge or hypothesis, or a conclusion anywhere in the sentence makes it no declaration
_NOT_PLAIN = LazyPattern(r"\b(?:not|never|no|cannot|can't|can\s*not|isn't|aren't|don't|doesn't|fails?|false|wrong|"
                        r"incorrect|differs?|different|unlike|suppose|supposing|assume|assuming|if|iff|unless|"
                        r"whether|when|whenever|would|could|may|might|should|approximately|approximate|towards?|"
                        r"optimum|optimal|general|contradiction|claim|claims|hence|thus|therefore|so|follows|"
                        r"original|only|ideally|hope|expect)\b|ない|ません|ならば|なら|仮定", re.I)
# "the parameters $\phi, \theta$ are written explicitly (in the notation)", "we omit the subscripts $\theta$",
# "パラメータ$\phi,\theta$を明示的に表しています": the exact notation pattern, nothing else
_LABELS_BEFORE = LazyPattern(r"(?:\b(?:parameters?|subscripts?|labels?)|パラメータ|添字)\s*$", re.I)
_LABELS_AFTER = LazyPattern(r"^\s*(?:(?:are|is)\s+(?:omitted|dropped|suppressed|(?:written|shown)\s+explicitly)"
                           r"(?:\s+(?:in|from)\s+the\s+notation)?\s*(?:[.;,]|$)"
                           r"|を(?:明示的に(?:表して|示して|書いて)います|省略(?:して|し)ます|省略しています))", re.I)
_LABELS_DROP_BEFORE = LazyPattern(r"\bwe\s+(?:omit|drop|suppress)\s+the\s+(?:parameters?|subscripts?|labels?)\s*$",
                                 re.I)


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every inline formula blanked out (same length), so that sentence marks and words inside
    the math do not count."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "M" * (end - start)
    return "".join(chars)


def _plain_declaration(masked: str, start: int, end: int) -> bool:
    return not _NOT_PLAIN.search(_sentence(masked, start, end))


def _labels_only_shown(masked: str, start: int, end: int) -> bool:
    """The formula is the list of labels in "the parameters $\\phi, \\theta$ are written explicitly" (or
    "we omit the subscript $\\theta$"), in a plain sentence."""
    before, after = masked[max(0, start - 60):start], masked[end:end + 80]
    if not (_LABELS_BEFORE.search(before) and _LABELS_AFTER.match(after) or _LABELS_DROP_BEFORE.search(before)):
        return False
    return _plain_declaration(masked, start, end)


def declared_label_rules(text: str, written: set) -> tuple[frozenset, frozenset, frozenset]:
    """What the prose says about the model labels (``mathcheck.notation.Scope``): (the signatures of bare
    densities the prose calls the data distribution, another density than the model's; the signatures of
    labelled densities the prose declares the bare letter's: ``$p_\\theta(x) = p(x)$`` stated, ``$p$ denotes
    the model``, or "the parameters $\\phi, \\theta$ are written explicitly"; the signatures of labelled
    densities the prose declares another density than the bare one: "$q(z|x)$ is any distribution"). Only
    plain statements in inline math of the prose count."""
    from mathcheck.audit.document import _inline_maths
    from mathcheck.audit.latex import tokenize

    def read(math: str):
        try:
            with time_limit(DEFAULT_SECONDS):
                return Parser(tokenize(math), math, Context(), 0).parse()
        except (Unparsed, SymbolicTimeout, RecursionError, *_MATH_ERRORS):
            return None

    def labelled_like(bare: Density) -> set:
        return {signature(d) for d in written if d.label and d.family == bare.family
                and _names_of(d.variables) == _names_of(bare.variables) and _names_of(d.given) == _names_of(bare.given)}

    data, identified, distinct = set(), set(), set()
    maths = list(_inline_maths(text))
    masked = _masked_maths(text)
    for start, end, _, math in maths:
        if text.startswith("$$", start) or _HEDGED.search(text[max(0, start - 40):start]):
            continue
        after, before = text[end:end + 80], text[max(0, start - 60):start]
        plain = _plain_declaration(masked, start, end)
        if "=" not in math:
            letter = re.fullmatch(r"\s*([A-Za-z])\s*", math)
            if letter and _MODEL_AFTER.match(after):
                if plain:
                    identified |= {signature(d) for d in written if d.family == letter.group(1) and d.label}
            elif letter and _DATA_AFTER.match(after):  # "Let $p$ be the data distribution"
                data |= {signature(d) for d in _data_marginals(written, letter.group(1))}
            elif _LABELS_ONLY.fullmatch(math) and _LABEL_WORD.search(before[-30:] + after[:30]) \
                    and _SHOWN_OR_DROPPED.search(before[-40:] + after[:40]):
                if not _labels_only_shown(masked, start, end):
                    continue
                labels = {word.lstrip("\\") for word in re.findall(r"\\?[A-Za-z]+", math)} - {"and"}
                identified |= {signature(d) for d in written if d.label in labels}
            elif _DATA_AFTER.match(after) or _DATA_BEFORE.search(before):
                expr = read(math)
                if isinstance(expr, Density) and not expr.label:
                    data.add(signature(expr))
            elif _OTHER_AFTER.match(after):
                expr = read(math)
                if isinstance(expr, Density) and not expr.label:
                    distinct |= labelled_like(expr)
            continue
        sides = math.split("=")
        if not plain or len(sides) != 2 or "(" not in math or any(mark in math for mark in ("<", ">", "\\le", "\\ge", "\\ne",
                                                                                "\\approx")):
            continue
        first, second = read(sides[0]), read(sides[1])
        if isinstance(first, Density) and isinstance(second, Density) and first.family == second.family \
                and first.variables == second.variables and first.given == second.given \
                and bool(first.label) != bool(second.label):
            identified.add(signature(first if first.label else second))
    return frozenset(data), frozenset(identified), frozenset(distinct - identified)


def _names_of(variables) -> frozenset:
    return frozenset(sp.sstr(v) for v in variables)


def _data_marginals(written: set, letter: str) -> set:
    """The bare densities of ``letter`` that can be the data distribution: marginals (nothing behind the bar)
    over variables no density of the letter is conditioned on and no conditional of another letter is over
    (z of p(x|z), of q(z|x): the latent)."""
    drawn = {v for d in written if d.family == letter for v in _names_of(d.given)}
    drawn |= {v for d in written if d.family != letter and d.given for v in _names_of(d.variables)}
    return {d for d in written if d.family == letter and not d.label and not d.given
            and not _names_of(d.variables) & drawn}


def audit_document(document: Document, seed: int = 0, examples: int | None = None) -> AuditReport:
    start = time.perf_counter()
    steps = Auditor(document, seed, examples).run()
    return AuditReport(document.path, steps, document, time.perf_counter() - start)
