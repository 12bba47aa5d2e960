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

import re
import time
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from hypothesis import strategies as st
from sympy.core.function import AppliedUndef

from mathcheck.audit.cache import cached_step
from mathcheck.audit.document import ChainItem, Document, Formula
from mathcheck.audit.latex import MAX_NESTING, BareDensity, Context, NameRef, Parser, Unparsed, power_problem
from mathcheck.calc import ChainError, Step, compose
from mathcheck.checker import NumericResult, check_step, decide
from mathcheck.dimensions import one_symbol_per_name
from mathcheck.notation import ARTICLE_SCOPE, Scope, canonical_labels, data_densities, infer_scope, signature
from mathcheck.numeric import Divergent, Needs, Unsupported, declared_densities, sample_worlds, shared_needs
from mathcheck.numeric import _key as density_key
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from mathcheck.symbolic import DEFAULT_SECONDS, SymbolicTimeout, time_limit, with_scope
from mathcheck.vocab import (KL, Defined, Density, Expectation, Normal, X, concave_function, convex_function, define,
                             density_variables, integral_variables, labels_resolved, positive_function, to_text,
                             unfold, x, z)

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


def _read_item(document: Document, formula: Formula, item: ChainItem) -> Item:
    segment = item.segment
    start = segment.start if segment else (item.problem.start if item.problem else formula.start)
    read = Item(item.relation, segment.source if segment else "", document.line_of(start), start, formula,
                declaration=item.declaration)
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
        self.undefined: dict[sp.Expr, str] = {}  # the symbol or function an undefined name is read as -> the name
        self.unreadable: dict[str, int] = {}  # names defined by `:=` with a body that cannot be read -> line
        self.sizes = _sizes(chains)  # K of \sum_{k=1}^K: a positive integer, also where it is written outside the sum
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
            if item.relation == ":=" and isinstance(previous.expr, NameRef):
                if explicit:
                    self._define(previous.expr, item.expr, item)
            elif explicit:
                continue
            elif item.relation == "=" and position == 1 and isinstance(previous.expr, NameRef) \
                    and self.fresh(previous.expr.name):
                self._define(previous.expr, item.expr, item)
            elif item.relation == "=" and position == len(chain) - 1 and position > 1 \
                    and isinstance(item.expr, NameRef) and self.fresh(item.expr.name) \
                    and not _mentions(chain[:position], item.expr.name):  # L ≥ 3 = L names nothing: a claim
                self._define(item.expr, previous.expr, item)

    def fresh(self, name: str) -> bool:
        """Whether ``name`` means nothing yet, so that ``name = expr`` can define it: not defined, not a standard
        operator, and not an instance of a defined family (L_0 or L_1 once L_β := ... is defined)."""
        return name not in self.definitions and name not in self.unreadable and not standard_operator(name) \
            and self.instance_of(name) is None and self.instance_of_unreadable(name) is None \
            and self.decorated(name) is None

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
        if name.name in self.definitions or not definable(name):
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
            replacements[ref] = self._reference(ref, formula, notes, line)
        return expr.xreplace(replacements) if replacements else expr

    def _reference(self, ref: NameRef, formula: Formula, notes: list[str], line: int, at_use: bool = True) -> sp.Expr:
        definition = self.definitions.get(ref.name)
        shown = sp.sstr(ref)
        arguments = tuple(self.resolve(a, formula, notes, line) for a in ref.arguments)
        instance = self.instance_of(ref.name) if definition is None else None
        if instance is not None:
            return self._instance(ref, instance, arguments, formula, notes, line)
        unreadable = self.instance_of_unreadable(ref.name) if definition is None and instance is None else None
        if unreadable is not None:
            raise Unparsed(f"{_display(ref.name)} reads as an instance of {_display(unreadable[0])}, whose definition "
                           f"at line {unreadable[1]} cannot be read", shown)
        decorated = self.decorated(ref.name) if definition is None and unreadable is None else None
        if decorated is not None:
            note = f"{_display(ref.name)} read as {_display(decorated.name)} (defined at line {decorated.line})"
            if note not in notes:
                notes.append(note)
            return self._reference(NameRef(decorated.name, ref.arguments), formula, notes, line, at_use)
        if definition is None and not arguments and ref.name in self.sizes:
            return self.sizes[ref.name]
        if definition is None:
            note = f"{_display(ref.name)} is not defined in the document"
            if note not in notes:
                notes.append(note)
            opaque = sp.Function(ref.name)(*arguments) if arguments else sp.Symbol(ref.name, real=True)
            self.undefined[opaque.func if arguments else opaque] = ref.name
            return opaque
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
        if definition.line > line:
            note = f"{_display(ref.name)} as defined later, at line {definition.line}"
            if note not in notes:
                notes.append(note)
        return define(_display(ref.name), arguments, _in_context(body, formula.context) if at_use else body)

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
        body = substitute(body.xreplace({r: value for r in refs}), {symbol: value for symbol in symbols})
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
_LABEL_TEXT = re.compile(r"\\(?:text|mathrm|textrm|textbf|mathbf|textit|mathit|operatorname)\s*\{([^{}]*)\}")


_RELATION_IN_LABEL = re.compile(r"[=<>]|\\(?:leq?|geq?|neq?|lt|gt|approx|sim|simeq|equiv|propto|ll|gg)(?![A-Za-z])")
_TEXT_IN_LABEL = re.compile(r"\\(?:text|mathrm|textrm|textit|mbox)\s*\{[^{}]*\}")


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


_SUBSCRIPTED = re.compile(r"^(?P<base>.+?)_(?:\{(?P<braced>[^{}]+)\}|(?P<plain>[^_{}]+))$")


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
    return name if name in written or _recursive_uses(definition, name) else None


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
_BARE_NAME = re.compile(r"^(\\[A-Za-z]+\{\\?[A-Za-z]+\}|\\?[A-Za-z]+)(_(\{[A-Za-z0-9]*\}|[A-Za-z0-9]))?$")


def standard_operator(name: str) -> bool:
    return re.sub(r"[\\{}_ ]|mathrm|operatorname", "", name).lower() in STANDARD_OPERATORS


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


def substitute(expr: sp.Expr, mapping: dict) -> sp.Expr:
    """``expr`` with the free occurrences of the symbols of ``mapping`` replaced; a bound variable that would
    capture a symbol of a replacement is renamed first (∫ q(z|X) y z dz with z for y: ∫ q(z'|X) z z' dz')."""
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping or isinstance(expr, (sp.Number, sp.NumberSymbol)):
        return expr
    if isinstance(expr, sp.Symbol):
        return mapping.get(expr, expr)
    if not expr.args or not (set(mapping) & expr.free_symbols):
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


def unfolded(expr: sp.Expr) -> sp.Expr:
    """``vocab.unfold`` for the audit's own walkers: an expectation or a KL of vectors or matrices (the matrix
    engine's, mathcheck/matrices.py) stays folded, since its integral is no scalar a matrix product can hold
    (sympy's MatMul refuses noncommutative scalars); the scalar ones and the defined names are unfolded."""
    for _ in range(20):
        found = [node for node in expr.atoms(Defined, Expectation, KL) if not _mentions_matrices(node)]
        if not found:
            return expr
        try:
            expr = expr.xreplace({node: node.unfold() for node in found})
        except _MATH_ERRORS:
            return expr
    return expr


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
    """The numeric worlds of the document: ``numeric.sample_worlds``, drawn once per set of needs and
    shared by the steps that need them (and with every other checker run in the process)."""

    def __init__(self, seed: int, examples: int):
        self.seed, self.examples = seed, examples
        self.cache: dict = {}

    def strategy(self, expressions: list[sp.Expr], scope: Scope | None = None, examples: int | None = None):
        """(a strategy of ``examples`` drawn worlds (default: the audit's number), "") or (None, why none)."""
        needs = shared_needs(Needs.of(expressions, scope))
        count = examples or self.examples
        if (needs, count) not in self.cache:
            try:
                worlds = sample_worlds(needs, self.seed, count)
            except Unsupported as error:
                self.cache[needs, count] = (None, str(error))
            else:
                self.cache[needs, count] = (st.sampled_from(worlds), "")
        return self.cache[needs, count]


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
        self.values: dict[sp.Symbol, sp.Expr] = {}  # variable -> its first assignment's value, earlier ones put in
        self.random: set[sp.Symbol] = set()  # assigned variables with a declared law: z = μ + σ ε, a function of ε
        self.worlds = WorldCache(seed, self.examples)
        self.scope = document_scope(document, self.chains)
        self.density_variables = {v for chain in self.chains for item in chain if isinstance(item.expr, sp.Basic)
                                  for density in item.expr.atoms(Density) for v in density.variables + density.given}
        self.declared = declared_model_densities(document, self.scope)

    def run(self) -> list[StepResult]:
        problems = sorted(self.document.problems, key=lambda problem: problem.start)
        for formula in self.document.formulas:
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
            self.results.append(result)
            for named in ((chain[0], item) if position == 0 else (item,)):
                self.results.extend(self._named_parts(formula, named, result))
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
        if item.relation == ":=" and earlier is None and len(chain) == 2 and isinstance(previous.expr, sp.Symbol) \
                and written_as_name(previous) and not item.expr.has(previous.expr):
            return self._assignment(formula, previous, item, result)  # x := 1, z := μ + σ ε
        if item.relation == ":=" and earlier is None:
            result.verdict = UNPARSED
            result.reason = "`:=` defines a name: its left-hand side must be a name such as L(X, z)"
            if isinstance(previous.expr, NameRef) and not definable(previous.expr):
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
        if len(chain) == 2 and isinstance(previous.expr, sp.Symbol) and item.relation == "=" \
                and written_as_name(previous) and (previous.expr in (x, z, X) or self._random_variable(previous.expr)
                                                   or previous.expr in self.values
                                                   or declared_laws(formula.context, previous.expr)) \
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
        return self._claim(formula, last_readable.expr, relation, item, result, prefix)

    def _claim(self, formula: Formula, lhs: sp.Expr, relation: str, item: Item, result: StepResult,
               prefix: str = "") -> StepResult:
        """Check ``lhs relation item.expr`` with the document's names resolved."""
        notes: list[str] = []
        try:
            lhs = self.names.resolve(lhs, formula, notes, item.line)
            rhs = self.names.resolve(item.expr, formula, notes, item.line)
            for side, expr in (("left", lhs), ("right", rhs)):
                problem = _value_problem(expr) or self._captured_use(expr)
                if problem:
                    raise Unparsed(f"the {side}-hand side cannot be evaluated: {problem}", _shown(expr))
        except Unparsed as error:
            result.verdict, result.reason = UNPARSED, prefix + error.reason
            result.detail["fragment"] = error.fragment
            return result
        kinds, positive = _function_kinds([lhs, rhs], formula.context)
        points = _point_values([lhs, rhs], kinds)
        lhs, rhs = (_with_function_kinds(side, kinds).xreplace(points) for side in (lhs, rhs))
        verdict, detail = self._check(lhs, relation, rhs, item.line)
        ambiguous = self._ambiguous_densities(lhs, rhs) if verdict in (REFUTED, UNDECIDED) else []
        if ambiguous:
            verdict = UNDECIDED
            detail["reason"] = (f"{' and '.join(ambiguous)} and the same density without its label are both "
                                f"written, and the document does not say whether they are one density (the label "
                                f"only showing the parameters) or two (e.g. the data distribution, or any other "
                                f"density, and the model's): identified only by convention, so kept apart (state "
                                f"it, e.g. `$p_\\theta(x) = p(x)$`): {detail.get('reason', '')}")
        untied = _declared_against_model(lhs, rhs, formula.context) if verdict == REFUTED else []
        if untied and "counterexample" in detail and self._worlds_follow_declarations(lhs, rhs):
            untied = []  # the counterexample's world has the declared prior (numeric.declared_densities)
        if untied:
            verdict = UNDECIDED
            detail["reason"] = (f"the step uses the declared {'; '.join(untied)} together with the model's own "
                                f"densities of that letter, which the worlds do not tie to the declaration: a "
                                f"counterexample there is not one to the document ({detail.get('reason', '')})")
        undefined = _opaque(lhs, rhs, self.names) if verdict == REFUTED else []
        if undefined and _difference_depends_on(lhs, rhs, undefined):
            verdict = UNDECIDED
            detail["reason"] = (f"depends on {', '.join(undefined)}, which the document does not define "
                                f"(numerically: {detail.get('reason', '')})")
        result.verdict = verdict
        result.reason = prefix + detail.get("reason", "") + _notes(notes, lhs, rhs, kinds, positive, formula.context)
        result.detail = {k: v for k, v in detail.items() if k != "reason"}
        result.relation = relation
        return result

    def _ambiguous_densities(self, lhs: sp.Expr, rhs: sp.Expr) -> list[str]:
        """The densities of the step that the scope keeps apart from their bare letter only because both are
        written (``Scope.ambiguous``): a verdict that depends on that choice is not the document's."""
        written = {d for side in (lhs, rhs) for d in unfolded(side).atoms(Density)}
        plain = {d.family for d in written if not d.label or self.scope.identifies(d)}
        return sorted(sp.sstr(d) for d in written if d.label and signature(d) in self.scope.ambiguous
                      and d.family in plain)  # with no bare density of its letter here, identifying it changes nothing

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
            return "", set()

        def visit(node: sp.Expr, bound: frozenset) -> str:
            name, free = free_in_value(node)
            if name and not (isinstance(node, sp.Symbol) and node in bound):
                captured = sorted(map(sp.sstr, free & bound))
                if captured:
                    return (f"{name} is defined with {', '.join(captured)} free, and used here where "
                            f"{', '.join(captured)} is bound: ambiguous (is it the bound variable?)")
            inner = bound | set(_binds(node))
            for arg in node.args:
                found = visit(arg, inner) if isinstance(arg, sp.Basic) else ""
                if found:
                    return found
            return ""

        return visit(expr, frozenset())

    def _random_variable(self, symbol: sp.Symbol) -> bool:
        """A variable the document's densities are over or conditioned on (as the article's x, z, X are)."""
        return symbol in self.density_variables

    def _worlds_follow_declarations(self, lhs: sp.Expr, rhs: sp.Expr) -> bool:
        """Whether the step's model worlds take the document's declared prior as theirs (so that their
        p(x, z), p(z|x), p(x) follow from it)."""
        with labels_resolved(), declared_densities(self.declared):
            sides = [canonical_labels(data_densities(side, self.scope), self.scope) for side in (lhs, rhs)]
            needs = Needs.of(sides, self.scope)
        return needs.model is not None and needs.model.prior_law is not None

    def _check(self, lhs: sp.Expr, relation: str, rhs: sp.Expr, line: int) -> tuple[str, dict]:
        """The engine's verdict, with the labels as the document's scope resolves them (no other rule)."""
        with labels_resolved(), declared_densities(self.declared):  # cached: audit/cache.py
            return cached_step(("audit step", lhs, relation, rhs, self.scope, self.declared, self.seed, self.examples),
                               lambda: self._check_resolved(lhs, relation, rhs, line))

    def _check_resolved(self, lhs: sp.Expr, relation: str, rhs: sp.Expr, line: int) -> tuple[str, dict]:
        why = f"as written in {self.document.path} line {line}"
        lhs, rhs = (canonical_labels(data_densities(side, self.scope), self.scope) for side in (lhs, rhs))
        lhs, rhs = one_symbol_per_name(lhs, rhs)  # d of \sum_{j=1}^{d} and a d outside it: one positive integer

        def worlds(count: int):  # drawn only when the numeric check runs (a proved step needs few)
            try:
                return self.worlds.strategy([lhs, rhs], self.scope, count)
            except _MATH_ERRORS as error:  # a world the engine cannot build: the numeric side is skipped, not the step
                return None, f"no world: {type(error).__name__}: {error}"[:300]

        step = Step(relation, rhs, why, with_scope(None, self.scope))
        try:
            return check_step(lhs, step, seed=self.seed, examples=self.examples, worlds=worlds)
        except _MATH_ERRORS as error:  # the worlds give up on this step: sympy alone decides it, or nobody
            failed = f"the numeric checker failed: {type(error).__name__}: {error}"[:300]
        try:
            return decide(lhs, step, NumericResult("unsupported", detail={"reason": failed}))
        except _MATH_ERRORS as error:
            return UNDECIDED, {"reason": f"{failed}; the checker failed: {type(error).__name__}: {error}"[:300]}

    def _assignment(self, formula: Formula, previous: Item, item: Item, result: StepResult) -> StepResult:
        """``z = μ(X) + ε σ(X)``: an assignment of a variable; checked against the first assignment (pathwise)
        when the variable was assigned before, in law when the variable has a declared law, against the
        declared sign when the prose declares one (σ > 0)."""
        variable = previous.expr
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


def declared_laws(context: Context, variable: sp.Symbol) -> list[tuple[sp.Expr, sp.Expr]]:
    """The distinct laws (mean, variance) the declarations give ``variable``: ``z ~ N(μ, σ²)``, and a declared
    density of z alone, ``q(z) ~ N(m, v)``."""
    found = []
    if variable in context.laws:
        found.append(tuple(context.laws[variable]))
    for density, normal in context.densities.values():
        if tuple(getattr(density, "variables", ())) == (variable,) and isinstance(normal, Normal):
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


def _declared_against_model(lhs: sp.Expr, rhs: sp.Expr, context: Context) -> list[str]:
    """The declarations (``p(z) ~ N(0, 1)``, read as the Gaussian itself) of a step that also has an abstract
    density of the same letter which depends on the declared one: a joint, a marginal or a conditional not given
    all of its variables (p(x, z), p(x), p(z|x); not p(x|z)). The worlds draw that letter's model freely, so
    its p(x, z) is not the declared prior's: a refutation there may be an artefact."""
    opened = [unfolded(side) for side in (lhs, rhs)]
    normals = {n for side in opened for n in side.atoms(Normal)}
    abstract = {d for side in opened for d in side.atoms(Density)}
    found = []
    for (family, label), (density, normal) in context.densities.items():
        if normal not in normals or not isinstance(density, Density):
            continue
        declared = set(density.variables)
        if any(d.family == family and d.label == label and d != density and not declared <= set(d.given)
               and (declared & set(d.variables + d.given) or not d.given) for d in abstract):
            found.append(f"{sp.sstr(density)} ~ {sp.sstr(normal)}")
    return sorted(found)


def _undefined_names(expr: sp.Expr, names: Names) -> list[str]:
    return sorted({ref.name for ref in expr.atoms(NameRef) if ref.name not in names.definitions})


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
            declared = context.densities.get((key[1], key[2]))
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
    {(key, mean, std)}, mean and std None where they are no numbers; a density declared twice differently, once
    with None (its law is not one the worlds can take)."""
    laws: dict = {}
    for formula in document.formulas:
        for written, declared in getattr(formula.context, "densities", {}).values():
            if not isinstance(written, Density) or not isinstance(declared, Normal):
                continue
            with labels_resolved():
                key = density_key(canonical_labels(data_densities(written, scope), scope))  # p(x) the data: p_data
            numbers = tuple(float(v) if v.is_number and v.is_real else None for v in (declared.mean, declared.std))
            laws.setdefault(key, set()).add(numbers)
    return frozenset((key, *(found.pop() if len(found) == 1 else (None, None))) for key, found in laws.items())


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
_DATA_AFTER = re.compile(r"^[\s,]*(?:is|denotes|denote|be|for|:)?\s*(?:the|an?|our)?\s*[*_]*" + _DATA_KIND, re.I)
_DATA_BEFORE = re.compile(r"(?:(?:data|empirical|true|data[- ]generating)[*_]*\s+(?:distribution|density)[*_]*"
                          r"[\s,]*(?:is\s+|,\s*)?|\bdata(?:\s+points?)?\s+(?:are|is|were|be)\s+(?:(?:i\.i\.d\.|"
                          r"independently)\s+)?(?:drawn|sampled|generated)\s+(?:i\.i\.d\.\s+)?from\s*)$", re.I)
_MODEL_AFTER = re.compile(r"^\s*(?:denotes|is)\s+the\s+[*_]*model\b", re.I)
# "Let $q(z|x)$ be any distribution over $z$": another density than the model's q_φ(z|x)
_OTHER_AFTER = re.compile(r"^[\s,]*(?:is|denotes|denote|be)\s+(?:any|an\s+arbitrary|arbitrary|another|a\s+different|"
                          r"some\s+other|an\s+other|a\s+second)\b", re.I)
# "the parameters $\phi, \theta$ are written explicitly", "パラメータ$\phi,\theta$を明示的に表しています",
# "we drop the subscript $\theta$": the labels only show parameters; the labelled density is the bare one
_LABELS_ONLY = re.compile(r"\s*\\?[A-Za-z]+(?:\s*(?:,|\\,|and)\s*\\?[A-Za-z]+)*\s*")
_LABEL_WORD = re.compile(r"parameters?|subscripts?|labels?|パラメータ|添字", re.I)
_SHOWN_OR_DROPPED = re.compile(r"explicit|明示|omit|drop|suppress|省略", re.I)
_HEDGED = re.compile(r"\b(?:if|when|whenever|suppose|assume|assuming|whether|iff|unless|not|only)\W*$", re.I)
# an identification of a labelled with a bare density is read only from a plain declarative sentence of notation:
# a negation, a hedge or hypothesis, or a conclusion anywhere in the sentence makes it no declaration
_NOT_PLAIN = re.compile(r"\b(?:not|never|no|cannot|can't|can\s*not|isn't|aren't|don't|doesn't|fails?|false|wrong|"
                        r"incorrect|differs?|different|unlike|suppose|supposing|assume|assuming|if|iff|unless|"
                        r"whether|when|whenever|would|could|may|might|should|approximately|approximate|towards?|"
                        r"optimum|optimal|general|contradiction|claim|claims|hence|thus|therefore|so|follows|"
                        r"original|only|ideally|hope|expect)\b|ない|ません|ならば|なら|仮定", re.I)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]|\n\s*\n")
# "the parameters $\phi, \theta$ are written explicitly (in the notation)", "we omit the subscripts $\theta$",
# "パラメータ$\phi,\theta$を明示的に表しています": the exact notation pattern, nothing else
_LABELS_BEFORE = re.compile(r"(?:\b(?:parameters?|subscripts?|labels?)|パラメータ|添字)\s*$", re.I)
_LABELS_AFTER = re.compile(r"^\s*(?:(?:are|is)\s+(?:omitted|dropped|suppressed|(?:written|shown)\s+explicitly)"
                           r"(?:\s+(?:in|from)\s+the\s+notation)?\s*(?:[.;,]|$)"
                           r"|を(?:明示的に(?:表して|示して|書いて)います|省略(?:して|し)ます|省略しています))", re.I)
_LABELS_DROP_BEFORE = re.compile(r"\bwe\s+(?:omit|drop|suppress)\s+the\s+(?:parameters?|subscripts?|labels?)\s*$",
                                 re.I)


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every inline formula blanked out (same length), so that sentence marks and words inside
    the math do not count."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "M" * (end - start)
    return "".join(chars)


def _sentence(masked: str, start: int, end: int) -> str:
    """The sentence of ``masked`` around the formula at ``start:end``."""
    begin = max([m.end() for m in _SENTENCE_END.finditer(masked, 0, start)], default=0)
    stop = _SENTENCE_END.search(masked, end)
    return masked[begin:stop.start() if stop else len(masked)]


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
    masked = _masked(text, [(start, end) for start, end, _, _ in maths])
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
