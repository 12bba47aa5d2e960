"""The symbolic checker: normal forms under named rules, and lemmas for inequalities.

An equality step is *proved* when both sides reach the same normal form. The normal form applies, each
only if the step allows its rule:

- ``definition``: unfold named quantities (L := ...), E_q[f] = ∫ q f, KL[a‖b] = ∫ a log(a/b);
- ``labels``: the labels θ on p and φ on q name the networks that compute the model's p and the encoder's
  q, not other densities (p_θ(z|X) is p(z|X), q_φ is q); any other label names another density;
- ``bayes``: the product rule p(X, z) = p(X|z) p(z) and Bayes' rule p(z|X) = p(X|z) p(z) / p(X);
- ``log``: log algebra for positive quantities (sympy's ``expand_log`` with positivity);
- ``linearity``: ∫ (a + b) = ∫ a + ∫ b, and factors free of the variable move out of ∫;
- ``normalization``: ∫ q(z|X) dz = 1 for every density over the integrated variable;
- ``marginalization``: ∫ p(X|z) p(z) dz = p(X);
- ``gaussian``: N(v; m, s²) written out, integrals of explicit integrands done by ``sympy.integrate``;
- ``derivative``: derivatives carried out, under ∫ too (differentiation under the integral sign);
- a change of variables ``Eq(z, μ + σ ε)`` given among the rules: every ∫ dz becomes an ∫ dε.

An inequality step is proved by a lemma whose side conditions sympy checks: Jensen (concavity from the
sign of f''), Gibbs (KL ≥ 0), or calculus (the global minimum of lhs − rhs over the symbols' domains).
Every attempt runs under a time bound; a step that cannot be decided in time is not proved.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy.calculus.util import continuous_domain
from sympy.simplify.simplify import signsimp

from mathcheck.calculus import Undecidable, exact_sign, infimum
from mathcheck.deadline import SymbolicTimeout, time_limit
from mathcheck.notation import DEFAULT_SCOPE, Scope, canonical_labels
from mathcheck.vocab import (
    Concave, Convex, Density, DensityLike, KL, Normal, Regular, cached_on_expressions, integral,
    integral_variables, over_real_line, to_text, unfold,
)

RULES = ("definition", "labels", "bayes", "log", "linearity", "normalization", "marginalization", "gaussian",
         "derivative")
DEFAULT_SECONDS = 5.0


@dataclass(frozen=True)
class Proof:
    proved: bool
    reason: str
    disproved: bool = False  # sympy showed the claim false (e.g. a strict inequality at its equality point)


# ---------------------------------------------------------------- rewrites


@cached_on_expressions(4096)  # (the same subexpressions recur across the steps of a chain)
def reevaluate(expr: sp.Expr) -> sp.Expr:
    """Rebuild every node so that products kept as written (``times``) are evaluated."""
    if not expr.args or isinstance(expr, (Density, sp.Symbol)):
        return expr
    return expr.func(*[reevaluate(arg) for arg in expr.args])


def strip_labels(expr: sp.Expr, scope: Scope = DEFAULT_SCOPE) -> sp.Expr:
    """Labels that name a letter's model density (the scope's ``model_labels``: θ on p, φ on q) dropped;
    any other label names another density and stays."""
    return canonical_labels(expr, scope)


def factorize(density: Density, scope: Scope = DEFAULT_SCOPE) -> sp.Expr:
    """A joint family's density in the scope's canonical basis, by the product rule and Bayes' rule:
    f(D | U, C), f(U | C) and f(D | C), with U the variables drawn first (the latents of p, the observed
    variables of an inference family q), D the others and C the conditioning variables. Any f(A | B) is
    f(A, B' | C_B) / f(B' | C_B) (B' = B less C) and a joint f(S | C) = f(S∩D | S∩U, C) f(S∩U | C): valid for
    any densities, so the only choice is the basis, fixed by the scope for the whole step. Applies to a
    density over a latent and one more variable (the article's p(X, z), p(z|X)); a labelled density is
    not the model's (unless the scope's labels said so and ``strip_labels`` dropped the label)."""
    family = density.family
    if not scope.factorizes(family) or density.label:
        return density
    variables, given = density.variables, density.given
    if any(scope.is_conditioning(v) for v in variables):
        return density  # a density over a condition: the basis does not say where it goes
    conditions = tuple(v for v in given if scope.is_conditioning(v))
    behind = tuple(v for v in given if not scope.is_conditioning(v))
    joint = variables + behind
    if len(joint) < 2 or not any(scope.is_latent(v) for v in joint):
        return density
    if _in_basis(family, variables, behind, scope):
        return density
    return _joint(family, joint, conditions, scope) / _joint(family, behind, conditions, scope)


def _in_basis(family: str, variables: tuple, behind: tuple, scope: Scope) -> bool:
    if all(scope.upstream(family, v) for v in variables):
        return not behind  # f(U | C)
    return not any(scope.upstream(family, v) for v in variables) and all(scope.upstream(family, v) for v in behind)


def _joint(family: str, variables: tuple, conditions: tuple, scope: Scope) -> sp.Expr:
    """f(S | C) in the basis: f(S∩D | S∩U, C) f(S∩U | C), or f(S | C) itself when S is all one kind."""
    if not variables:
        return sp.S.One
    first = tuple(v for v in variables if scope.upstream(family, v))
    then = tuple(v for v in variables if not scope.upstream(family, v))
    if not first or not then:
        return Density(family, variables, conditions)
    return Density(family, then, first + conditions) * Density(family, first, conditions)


@cached_on_expressions(2048)
def expand_logs(expr: sp.Expr) -> sp.Expr:
    return _logs_of_exponentials(sp.expand_log(expr, force=False))


def _logs_of_exponentials(expr: sp.Expr) -> sp.Expr:
    """log(e^a · R) = a + log R for every factor e^a with a real (multiplying by e^a > 0 leaves the argument of
    R as it was): what ``expand_log`` leaves where a has an abstract function, whose reality sympy does not
    know (log of N(x; f(z), 1) expanded: log(e^{x f(z)} e^{−f(z)²/2})). mathcheck's abstract functions of real
    arguments are real-valued (every world's are)."""
    def split(node: sp.log) -> sp.Expr:
        factors = sp.Mul.make_args(node.args[0])
        real = [f for f in factors if isinstance(f, sp.exp) and _real_valued(f.args[0])]
        if not real:
            return node
        rest = sp.Mul(*(f for f in factors if not (isinstance(f, sp.exp) and _real_valued(f.args[0]))))
        return sp.Add(*(f.args[0] for f in real)) + (sp.log(rest) if rest != 1 else sp.S.Zero)

    return expr.replace(lambda n: isinstance(n, sp.log) and n.args[0].has(sp.exp), split)


def _real_valued(expr: sp.Expr) -> bool:
    """Whether ``expr`` is real: by sympy, or built of real parts by sums, products, integer powers and e^·,
    abstract functions of real arguments counting as real (``_logs_of_exponentials``)."""
    if expr.is_real:
        return True
    if isinstance(expr, (sp.core.function.AppliedUndef, sp.Add, sp.Mul, sp.exp)):
        return all(_real_valued(arg) for arg in expr.args)
    if isinstance(expr, sp.Pow):
        return expr.exp.is_integer is True and _real_valued(expr.base)
    return False


def is_density(expr: sp.Expr) -> bool:
    """A normalized density of its own variables: an abstract density whose conditioning does not involve
    them, or N(v; m, s²) with s > 0 and m, s free of v (N(z; 3z, 1) has mass 1/2: it is no density)."""
    if isinstance(expr, Normal):
        return expr.std.is_positive is True and not (expr.mean.has(expr.variable) or expr.std.has(expr.variable))
    if isinstance(expr, Density):
        return not any(given.has(v) for given in expr.given for v in expr.variables)
    return False


def _is_normalized_density_of(expr: sp.Expr, variable: sp.Symbol) -> bool:
    return is_density(expr) and tuple(expr.variables) == (variable,)


def _marginalize(dependent: sp.Expr, variable: sp.Symbol, scope: Scope = DEFAULT_SCOPE) -> sp.Expr | None:
    """∫ f(A | v, G) f(v | G) dv = f(A | G) for a joint family f (p): the product is the joint f(A, v | G)
    (chain rule) and v is integrated out of it; more generally ∫ f(S | G) dv = f(S less v | G) for v in S,
    also where the joint is written as f(A | B) f(D | G) with B = D ∪ G. The result is put back in the
    scope's basis by the caller."""
    joint = _as_joint(sp.Mul.make_args(dependent), scope)
    if joint is None:
        return None
    family, variables, given = joint
    if variable not in variables or variable in given or len(variables) < 2:
        return None
    return Density(family, tuple(v for v in variables if v != variable), given)


def _as_joint(factors: tuple, scope: Scope) -> tuple | None:
    """(family, variables, given) of the joint density that ``factors`` (one or two densities of one joint
    family, unlabelled) multiply to, or None."""
    if not 1 <= len(factors) <= 2 or not all(isinstance(f, Density) and scope.factorizes(f.family)
                                             and not f.label for f in factors):
        return None
    if len(factors) == 1:
        (only,) = factors
        return None if set(only.variables) & set(only.given) else (only.family, only.variables, only.given)
    if factors[0].family != factors[1].family:
        return None
    for conditional, marginal in (factors, factors[::-1]):
        drawn = set(marginal.variables) | set(marginal.given)
        if set(conditional.given) == drawn and not set(conditional.variables) & drawn \
                and not set(marginal.variables) & set(marginal.given):
            return conditional.family, conditional.variables + marginal.variables, marginal.given
    return None


def _integrate_term(dependent: sp.Expr, variable: sp.Symbol, rules: frozenset,
                    scope: Scope = DEFAULT_SCOPE) -> sp.Expr:
    if "normalization" in rules and _is_normalized_density_of(dependent, variable):
        return sp.S.One
    if "marginalization" in rules:
        marginal = _marginalize(dependent, variable, scope)
        if marginal is not None:
            return factorize(marginal, scope) if "bayes" in rules else marginal
    if "gaussian" in rules and not dependent.atoms(Density, sp.Integral, sp.core.function.AppliedUndef):
        explicit = _integrate_over_real_line(dependent, variable)
        if not explicit.has(sp.Integral) and explicit.is_finite is not False:
            return expand_logs(explicit)
    return integral(dependent, variable)


_INTEGRATION_VARIABLE = sp.Symbol("t_integration", real=True)


def fresh_symbol(name: str, expr: sp.Expr) -> sp.Symbol:
    """A real symbol called ``name`` (with underscores added) that no symbol of ``expr`` is called."""
    taken = {s.name for s in expr.atoms(sp.Symbol)}
    while name in taken:
        name += "_"
    return sp.Symbol(name, real=True)


def _integrate_over_real_line(integrand: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """``sympy.integrate`` over the real line; the same moments recur across steps and derivations,
    so the integrand is cached under one name for its variable (when no other symbol has that name)."""
    if any(s.name == _INTEGRATION_VARIABLE.name for s in integrand.atoms(sp.Symbol)):
        return _integrate(integrand, variable)
    return _integrate_cached(integrand.xreplace({variable: _INTEGRATION_VARIABLE}))


@lru_cache(maxsize=1024)
def _integrate_cached(integrand: sp.Expr) -> sp.Expr:
    return _integrate(integrand, _INTEGRATION_VARIABLE)


def _integrate(integrand: sp.Expr, variable: sp.Symbol) -> sp.Expr:
    """The integral over ℝ, or the unevaluated Integral where sympy needs a condition for it to converge or
    its absolute convergence is not established (sympy gives ∫ cos(σz) dz = 0)."""
    moment = standard_gaussian_moment(integrand, variable)
    if moment is not None:  # the moments of the standardized Gaussian: what sympy gives, without its search
        return moment
    if integrand.has(sp.Piecewise):  # cases (a ReLU): each piece on its own interval
        pieces = _integrated_by_pieces(integrand, variable)
        return pieces if pieces is not None else integral(integrand, variable)
    result = sp.integrate(integrand, (variable, -sp.oo, sp.oo), conds="piecewise")
    if result.has(sp.Piecewise, sp.Integral) or not absolutely_integrable(integrand, variable):
        return integral(integrand, variable)
    return result


def _integrated_by_pieces(integrand: sp.Expr, variable: sp.Symbol) -> sp.Expr | None:
    """∫ over ℝ of an integrand with cases in ``variable`` alone: the sum over its pieces (each taking the values
    no piece before takes) of the integral over each interval, every one absolutely convergent; None when a
    piece is no union of intervals, the pieces leave a value undefined, or a part does not evaluate."""
    folded = sp.piecewise_fold(integrand)
    if not isinstance(folded, sp.Piecewise):
        return None
    total, taken = sp.S.Zero, sp.S.EmptySet
    for value, condition in folded.args:
        if condition.free_symbols - {variable}:
            return None
        where = sp.Complement((sp.S.Reals if condition is sp.true else condition.as_set()).intersect(sp.S.Reals),
                              taken)
        taken = sp.Union(taken, where)
        for part in (where.args if isinstance(where, sp.Union) else (where,)):
            if isinstance(part, sp.FiniteSet) or part is sp.S.EmptySet:
                continue  # points: no length
            if not isinstance(part, sp.Interval) or not _absolutely_integrable_on(value, variable, part):
                return None
            integrated = sp.integrate(value, (variable, part.start, part.end))
            if integrated.has(sp.Integral, sp.Piecewise) or integrated.is_finite is not True:
                return None
            total += integrated
    return total if taken == sp.S.Reals else None


def _absolutely_integrable_on(value: sp.Expr, variable: sp.Symbol, interval: sp.Interval) -> bool:
    """A sufficient condition for ∫ |f| < ∞ over ``interval``: f continuous inside it, with a finite limit at
    each finite end and |v|^(3/2) f(v) → 0 at each infinite one."""
    try:
        inside = sp.Interval.open(interval.start, interval.end)
        if not inside.is_subset(continuous_domain(value, variable, inside)):
            return False
        for end, direction in ((interval.start, "+"), (interval.end, "-")):
            if end.is_infinite:
                if sp.limit(sp.Abs(variable) ** sp.Rational(3, 2) * value, variable, end) != 0:
                    return False
            elif not sp.limit(value, variable, end, direction).is_finite:
                return False
        return True
    except (NotImplementedError, ValueError, TypeError):
        return False


def standard_gaussian_moment(integrand: sp.Expr, variable: sp.Symbol) -> sp.Expr | None:
    """∫ vⁿ exp(−v²/2) dv over ℝ for a natural number n: √(2π) (n − 1)!! for an even n, 0 for an odd one
    (absolutely convergent); None for any other integrand."""
    power, gaussian = 0, 0
    for factor in sp.Mul.make_args(integrand):
        if factor == variable:
            power += 1
        elif isinstance(factor, sp.Pow) and factor.base == variable and factor.exp.is_Integer and factor.exp >= 0:
            power += int(factor.exp)
        elif isinstance(factor, sp.exp) and sp.expand(factor.args[0] + variable**2 / 2) == 0:
            gaussian += 1
        else:
            return None
    if gaussian != 1:
        return None
    return sp.S.Zero if power % 2 else sp.sqrt(2) * sp.sqrt(sp.pi) * sp.factorial2(power - 1)


def absolutely_integrable(integrand: sp.Expr, variable: sp.Symbol) -> bool:
    """A sufficient condition for ∫ |f| dv < ∞ over ℝ: f continuous on ℝ and |v|^(3/2) f(v) → 0 at ±∞."""
    try:
        if continuous_domain(integrand, variable, sp.S.Reals) != sp.S.Reals:
            return False
        tail = sp.Abs(variable) ** sp.Rational(3, 2) * integrand
        return all(sp.limit(tail, variable, end) == 0 for end in (sp.oo, -sp.oo))
    except (NotImplementedError, ValueError, TypeError):
        return False


def reduce_integral(body: sp.Expr, variable: sp.Symbol, rules: frozenset, scope: Scope = DEFAULT_SCOPE) -> sp.Expr:
    body = sp.expand(expand_logs(body)) if "log" in rules else sp.expand(body)
    terms = sp.Add.make_args(body) if "linearity" in rules else (body,)
    total = sp.S.Zero
    for term in terms:
        if "linearity" in rules:
            constant, dependent = term.as_independent(variable, as_Add=False)
        else:
            constant, dependent = sp.S.One, term
        total += constant * _integrate_term(dependent, variable, rules, scope)
    return total


@cached_on_expressions(4096)
def _reduce_integrals(expr: sp.Expr, rules: frozenset, scope: Scope = DEFAULT_SCOPE) -> sp.Expr:
    if not expr.args or isinstance(expr, DensityLike):
        return expr
    if isinstance(expr, sp.Integral) and not over_real_line(expr):  # the rules are for ∫ over ℝ
        return expr.func(*[_reduce_integrals(arg, rules, scope) for arg in expr.args])
    if isinstance(expr, sp.Integral):
        body = _reduce_integrals(expr.function, rules, scope)
        for variable in integral_variables(expr):
            body = reduce_integral(body, variable, rules, scope)
        return body
    return expr.func(*[_reduce_integrals(arg, rules, scope) for arg in expr.args])


@lru_cache(maxsize=2048)
def normal_form(expr: sp.Expr, rules=RULES, model: tuple = (), scope: Scope | None = None) -> sp.Expr:
    """The canonical form of ``expr``; ``model`` holds equations (lhs, rhs) that define the model; the
    notation's ``scope`` (which variables are latent, which labels name the model: ``mathcheck.notation``)
    is ``scope`` or a :class:`Scope` among the rules, else the article's."""
    substitutions = [rule for rule in rules if isinstance(rule, sp.Eq)]
    scope = scope_of(rules, scope)
    rules = frozenset(rule for rule in rules if isinstance(rule, str))
    expr = reevaluate(sp.sympify(expr))
    if "definition" in rules:
        expr = unfold(expr)
    if "labels" in rules:
        expr = strip_labels(expr, scope)
    if "bayes" in rules:
        expr = _replaced_where(Density, expr, lambda n: isinstance(n, Density), lambda n: factorize(n, scope))
    for substitution in substitutions:
        expr = change_variables(expr, substitution)
    if "gaussian" in rules:  # a Gaussian weight is a Normal factor
        expr = _replaced_where(Normal, expr, _has_gaussian_weight, standardize)
        expr = _replaced_where(Normal, expr, lambda n: isinstance(n, Normal), lambda n: n.rewrite(sp.exp))
    if "derivative" in rules:
        expr = _replaced_where(sp.Derivative, expr, lambda n: isinstance(n, sp.Derivative), differentiate)
    if "log" in rules:
        expr = expand_logs(expr)
    if model:
        expr = expand_logs(expr.xreplace(dict(model)))
    expr = _reduce_integrals(expr, rules, scope)
    if "log" in rules:
        expr = expand_logs(expr)
    if "linearity" in rules:  # sums, products, expectations over samples (mathcheck.sums)
        from mathcheck.sums import normalize
        expr = normalize(expr, rules, model)
    return sp.expand(expr)


def _replaced_where(kind: type, expr: sp.Expr, query, value) -> sp.Expr:
    """``expr.replace(query, value)`` for a ``query`` that matches only nodes holding a ``kind``: ``expr`` itself
    where it holds none (what ``replace`` would give, after a slower walk that rebuilds nothing)."""
    return expr.replace(query, value) if expr.has(kind) else expr


def scope_of(rules, scope: Scope | None = None) -> Scope:
    """The scope a step's rules carry (a :class:`Scope` among them), ``scope`` if given, else the article's."""
    if scope is not None:
        return scope
    return next((rule for rule in (rules or ()) if isinstance(rule, Scope)), DEFAULT_SCOPE)


def with_scope(rules, scope: Scope | None) -> tuple:
    """``rules`` (None: all of them) carrying ``scope`` in place of any scope they had."""
    rules = RULES if rules is None else tuple(rules)
    if scope is None:
        return rules
    return tuple(rule for rule in rules if not isinstance(rule, Scope)) + (scope,)


def _gaussian_weights(integral_expr) -> list:
    """The non-standard Gaussian factors N(v; m, s²) of an integrand, one per integrated variable v."""
    if not isinstance(integral_expr, sp.Integral):
        return []
    variables = integral_variables(integral_expr)
    weights = {}
    for factor in sp.Mul.make_args(reevaluate(integral_expr.function)):
        if isinstance(factor, Normal) and factor.variable in variables and (factor.mean, factor.std) != (0, 1) \
                and factor.std.is_positive \
                and not any(factor.mean.has(v) or factor.std.has(v) for v in variables):
            weights.setdefault(factor.variable, factor)
    return list(weights.values())


def _has_gaussian_weight(node) -> bool:
    return bool(_gaussian_weights(node))


def standardize(integral_expr: sp.Integral) -> sp.Integral:
    """∫ N(v; m, s²) f(v) dv = ∫ N(m + s u; m, s²) f(m + s u) s du: Gaussian integrals in standard form."""
    for weight in _gaussian_weights(integral_expr):
        variable = weight.variable
        standard = fresh_symbol(f"u_{variable.name}", integral_expr)
        integral_expr = substitute_affine(integral_expr, variable, weight.mean + weight.std * standard, standard)
    return integral_expr


def change_variables(expr: sp.Expr, substitution: sp.Eq) -> sp.Expr:
    """Every ∫ d(old) over ℝ in ``expr`` rewritten with old = a + b·new, an affine bijection of ℝ: the
    slope b must have a known sign, and the Jacobian is |b|."""
    old, new = substitution.lhs, substitution.rhs

    def over_old(node) -> bool:
        return isinstance(node, sp.Integral) and old in integral_variables(node)

    def transform(node: sp.Integral) -> sp.Integral:
        fresh = [s for s in new.free_symbols if not node.has(s)]
        if len(fresh) != 1:
            raise ValueError(f"the change of variables {substitution} must introduce exactly one new variable")
        return substitute_affine(node, old, new, fresh[0])

    return expr.replace(over_old, transform)


def substitute_affine(node: sp.Integral, old: sp.Symbol, new: sp.Expr, variable: sp.Symbol) -> sp.Integral:
    """∫ f(old) d(old) over ℝ = ∫ f(new) |b| d(variable) for new = a + b·variable with b ≠ 0 of known sign."""
    if not over_real_line(node) or not new.is_polynomial(variable) or sp.degree(new, variable) != 1:
        raise ValueError(f"{old} = {new} is not an affine change of variables of an integral over ℝ")
    slope = sp.diff(new, variable)
    if not (slope.is_positive or slope.is_negative):
        raise ValueError(f"the sign of the Jacobian {slope} of {old} = {new} is unknown (it may be 0)")
    limits = [(variable, -sp.oo, sp.oo) if limit[0] == old else limit for limit in node.limits]
    return sp.Integral(node.function.subs(old, new) * sp.Abs(slope), *limits)  # subs: inner ∫ d(old) stay bound


def differentiate(node: sp.Derivative) -> sp.Expr:
    """Carry out the derivative where it is valid without integrating: outside integrals, and under ∫ only
    where dominated convergence holds (see :func:`leibniz_applies`); otherwise it stays unevaluated (an
    explicit integral is done first, then its value differentiated)."""
    parameters = [variable for variable, _ in node.variable_count]
    if _hidden_dependence(node.expr, parameters):
        return node
    inner = node.expr.atoms(sp.Integral)
    if any(i.has(p) and not leibniz_applies(i, p) for i in inner for p in parameters):
        return node
    return sp.Derivative(node.expr, *node.variable_count, evaluate=True)


def _hidden_dependence(expr: sp.Expr, parameters: list) -> bool:
    """Whether an abstract density in ``expr`` may depend on a parameter that sympy cannot see: the model's
    p depends on θ and the encoder's q on φ although neither is among their arguments (sympy would call
    ∂p(X)/∂θ zero), and any density may have parameters of its own."""
    return any(not density.has(p) for density in expr.atoms(Density) for p in parameters)


def leibniz_applies(integral_expr: sp.Integral, parameter: sp.Symbol) -> bool:
    """d/dθ ∫ w(v) g(v, θ) dv = ∫ w ∂g/∂θ dv under a sufficient condition for dominated convergence: the
    factor w free of θ is continuous and decays faster than every power of v, and g depends on θ only
    through functions declared regular (smooth, bounded with their derivatives by polynomials) of
    polynomial arguments, times polynomials."""
    if len(integral_expr.limits) != 1 or not over_real_line(integral_expr):
        return False
    (variable,) = integral_variables(integral_expr)
    body = integral_expr.function.replace(lambda n: isinstance(n, Normal), lambda n: n.rewrite(sp.exp))
    weight, dependent = body.as_independent(parameter, as_Add=False)
    return _polynomially_bounded(dependent, variable, parameter) and _decays_superpolynomially(weight, variable)


def _polynomially_bounded(expr: sp.Expr, variable: sp.Symbol, parameter: sp.Symbol) -> bool:
    symbols = {variable, parameter}
    if isinstance(expr, Regular):
        return all(arg.is_polynomial(*symbols) for arg in expr.args)
    if isinstance(expr, (sp.Mul, sp.Add)):
        return all(_polynomially_bounded(arg, variable, parameter) for arg in expr.args)
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp >= 0:
        return _polynomially_bounded(expr.base, variable, parameter)
    return not expr.has(Regular, sp.Integral, Density, sp.core.function.AppliedUndef) and expr.is_polynomial(*symbols)


def _decays_superpolynomially(weight: sp.Expr, variable: sp.Symbol) -> bool:
    if weight.has(Density, sp.Integral, sp.core.function.AppliedUndef):
        return False
    power = sp.Symbol("n_power", positive=True, integer=True)
    return absolutely_integrable(weight, variable) and all(
        sp.limit(variable**power * weight, variable, end) == 0 for end in (sp.oo, -sp.oo))


def _difference_is_zero(lhs: sp.Expr, rhs: sp.Expr, rules, model: tuple = ()) -> bool:
    rules = tuple(rules)
    difference = sp.expand(normal_form(lhs, rules, model) - normal_form(rhs, rules, model))
    return difference == 0 or _cancels_to_zero(difference)


@cached_on_expressions(1024)  # the steps of a chain meet the same difference again (the same two normal forms)
def _cancels_to_zero(difference: sp.Expr) -> bool:
    """Whether ``difference`` is 0 as a rational function of its parts, logs expanded after."""
    return sp.expand(expand_logs(_cancelled(sp.together(difference)))) == 0


def _cancelled(expr: sp.Expr) -> sp.Expr:
    """``sp.cancel(expr)``, each closed integral (one with no free symbol) held as a placeholder symbol meanwhile:
    sympy takes a closed integral for a number and, to order the terms of a sum, tries to evaluate it
    numerically (mpmath quadrature of an abstract integrand: a thirtieth of a second for nothing). A placeholder
    is an independent variable, so a cancellation found with it holds for the integral put back; each integral
    is first given the rewrites cancel makes inside it (``signsimp``, ``factor_terms``), and integrals equal after
    them share one placeholder, as cancel would see them equal."""
    placeholders: dict[sp.Expr, sp.Dummy] = {}
    hidden: dict[sp.Integral, sp.Dummy] = {}
    for node in expr.atoms(sp.Integral):
        if not node.free_symbols:
            rewritten = sp.factor_terms(signsimp(node), radical=True)
            hidden[node] = placeholders.setdefault(rewritten, sp.Dummy("closed_integral"))
    if not hidden:
        return sp.cancel(expr)
    restored = {placeholder: rewritten for rewritten, placeholder in placeholders.items()}
    return sp.cancel(expr.xreplace(hidden)).xreplace(restored)


# ---------------------------------------------------------------- lemmas


def _jensen(big: sp.Expr, small: sp.Expr, rules) -> Proof | None:
    """big = f(∫ w h dv) ≥ ∫ w f(h) dv = small for concave f and a density w of v (or reversed for convex)."""
    for concave_side, integral_side, wanted in ((big, small, Concave), (small, big, Convex)):
        integral_expr = reevaluate(unfold(integral_side))
        if not isinstance(integral_expr, sp.Integral) or len(integral_expr.limits) != 1:
            continue
        variable = integral_variables(integral_expr)[0]
        weight, rest = _split_weight(integral_expr.function, variable)
        if weight is None or len(rest.args) != 1:
            continue
        shape = _curvature(rest.func)
        if shape is None or (shape[0] == "concave") != (wanted is Concave):
            continue
        if rest.func in (sp.log, sp.sqrt) and rest.args[0].is_positive is not True:
            continue  # log and sqrt are concave on (0, ∞) only
        candidate = rest.func(integral(weight * rest.args[0], variable))
        if _difference_is_zero(concave_side, candidate, rules):
            kind, why = shape
            return Proof(True, f"Jensen: {to_text(rest.func(sp.Symbol('t')))} is {kind} ({why}), "
                               f"{to_text(weight)} is a density of {variable}")
    return None


def _split_weight(body: sp.Expr, variable: sp.Symbol):
    factors = sp.Mul.make_args(body)
    if len(factors) != 2:
        return None, None
    for weight, rest in (factors, factors[::-1]):
        if _is_normalized_density_of(weight, variable):
            return weight, rest
    return None, None


def _curvature(func) -> tuple[str, str] | None:
    if isinstance(func, type) and issubclass(func, Concave):
        return "concave", "by hypothesis"
    if isinstance(func, type) and issubclass(func, Convex):
        return "convex", "by hypothesis"
    if func in (sp.log, sp.exp, sp.sqrt):
        t = sp.Symbol("t", positive=True)
        second = sp.diff(func(t), t, 2)
        if second.is_negative:
            return "concave", f"f''(t) = {to_text(second)} < 0 for t > 0"
        if second.is_positive:
            return "convex", f"f''(t) = {to_text(second)} > 0 for t > 0"
    return None


def _gibbs(big: sp.Expr, small: sp.Expr, rules) -> Proof | None:
    """big − small is KL[a ‖ b] for densities a, b of the same variables: Gibbs' inequality KL ≥ 0.

    The candidates are the KLs written in the step and every pair of its densities of the same variables
    (a KL may be written out as ∫ a log(a/b))."""
    densities = sorted(unfold(big - small).atoms(*DensityLike), key=sp.default_sort_key)
    candidates = list(big.atoms(KL) | small.atoms(KL)) + [
        KL(a, b) for a in densities for b in densities if a != b and tuple(a.variables) == tuple(b.variables)]
    for divergence in candidates:
        a, b = divergence.args
        if not (is_density(a) and is_density(b)) or tuple(a.variables) != tuple(b.variables):
            continue
        if _difference_is_zero(big - small, divergence, rules):
            return Proof(True, f"Gibbs' inequality: {to_text(divergence)} ≥ 0")
    return None


def _domain(symbol: sp.Symbol) -> sp.Interval | None:
    """The interval the symbol's assumptions give it; None where they give no interval (nonzero: two pieces)."""
    if symbol.is_positive:
        return sp.Interval.open(0, sp.oo)
    if symbol.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if symbol.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    if symbol.is_nonpositive:
        return sp.Interval(-sp.oo, 0)
    if symbol.is_real and symbol.is_zero is None and symbol.is_nonzero is not True:
        return sp.S.Reals
    if symbol.is_real:
        return None
    raise ValueError(f"{symbol} has no real domain")


@dataclass(frozen=True)
class Minimum:
    value: sp.Expr  # the infimum of lhs − rhs
    attained: bool  # at the points in ``where`` (critical points); else only approached
    where: str


def _calculus(big: sp.Expr, small: sp.Expr) -> Minimum | None:
    """The global minimum of big − small, group by group of terms sharing one symbol."""
    difference = reevaluate(unfold(big - small))
    difference = sp.expand(expand_logs(difference.replace(lambda n: isinstance(n, Normal), lambda n: n.rewrite(sp.exp))))
    if difference.atoms(Density, sp.Integral, sp.core.function.AppliedUndef, sp.Derivative, sp.Subs, sp.Sum):
        return None
    if any(symbol.is_integer for symbol in difference.free_symbols):
        return None  # a minimum over the reals says nothing exact about integers (it could refute a true claim)
    groups: dict[sp.Symbol, sp.Expr] = {}
    constant = sp.S.Zero
    for term in sp.Add.make_args(difference):
        symbols = term.free_symbols
        if not symbols:
            constant += term
        elif len(symbols) == 1:
            (symbol,) = symbols
            groups[symbol] = groups.get(symbol, sp.S.Zero) + term
        else:
            return None
    total, where, attained_everywhere = constant, [], True
    for symbol, group in groups.items():
        domain = _domain(symbol)
        if domain is None:
            return None
        found = infimum(group, symbol, domain)  # over the interval the symbol's own sign gives it
        if found is None:
            return None
        total += found.value
        attained_everywhere &= bool(found.points)
        where.append(f"{symbol} = {' or '.join(map(readable, found.points))}" if found.points
                     else f"{symbol}: not attained")
    if not total.is_extended_real:
        return None
    return Minimum(total, attained_everywhere, ", ".join(where) or "every point (a constant)")


def readable(value: sp.Expr) -> str:
    """An exact number as text, or its 8-digit value where the exact form is a root object or too long."""
    text = to_text(value)
    if value.is_number and (value.has(sp.CRootOf) or len(text) > 60):
        try:
            return f"≈ {sp.N(value, 8)}"
        except (ArithmeticError, ValueError):  # an exponent beyond what the printer formats
            return text[:57] + "..."
    return text


def prove_inequality(lhs: sp.Expr, relation: str, rhs: sp.Expr, rules) -> Proof:
    big, small = (lhs, rhs) if relation in (">=", ">") else (rhs, lhs)
    strict = relation in ("<", ">")
    if not strict:
        from mathcheck.lemmas import divergence_gap  # the bound's forms (lemmas.py builds on this module)
        from mathcheck.sums import lemmas as sum_lemmas  # Σ, Π, E over samples, data points
        for lemma in (_jensen, divergence_gap, _gibbs, sum_lemmas):  # divergence_gap: the cheaper search first
            proof = lemma(big, small, rules)
            if proof is not None:
                return proof
    minimum = _calculus(big, small)
    if minimum is None:
        return Proof(False, "no lemma applies (Jensen, Gibbs, calculus minimum)")
    value, place = readable(minimum.value), (f"attained exactly at {minimum.where}" if minimum.attained
                                            else f"approached ({minimum.where})")
    sign = exact_sign(minimum.value)
    gap = "lhs − rhs" if big is lhs else "rhs − lhs"  # the side that must be the larger one, minus the other
    if sign < 0:
        return Proof(False, f"calculus: {gap} has minimum {value} < 0, {place}", disproved=True)
    if strict and sign == 0 and minimum.attained:
        return Proof(False, f"calculus: {gap} = 0 at {minimum.where}, so the strict inequality fails there",
                     disproved=True)
    return Proof(True, f"calculus: min of {gap} over the domain is {value}, {place}")


def prove(lhs: sp.Expr, relation: str, rhs: sp.Expr, rules=None, seconds: float = DEFAULT_SECONDS,
          model: tuple = (), scope: Scope | None = None) -> Proof:
    """Try to prove ``lhs relation rhs``; never raises, never runs past ``seconds``. ``scope``: the
    notation (``mathcheck.notation.Scope``; default: the one the rules carry, else the article's)."""
    rules = with_scope(rules, scope)
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    from mathcheck.matrices import involves_matrices, prove_matrix  # vectors, matrices, N(x; μ, Σ)
    if involves_matrices(lhs) or involves_matrices(rhs):
        return prove_matrix(lhs, relation, rhs, seconds)
    try:
        with time_limit(seconds):
            if _difference_is_zero(lhs, rhs, rules, model):
                if relation in ("<", ">"):
                    return Proof(False, "the two sides are equal, so the strict inequality is false", disproved=True)
                return Proof(True, "normal forms agree" + _rules_note(rules))
            if relation == "=":
                difference = sp.expand(normal_form(lhs, rules, model) - normal_form(rhs, rules, model))
                if _nonzero_number(difference):
                    return Proof(False, f"the normal forms differ by the nonzero number {to_text(difference)}",
                                 disproved=True)
                if _zero_on_every_piece(difference):
                    return Proof(True, "normal forms agree on every piece of the cases" + _rules_note(rules))
                from mathcheck.lemmas import prove_equality  # score function, LOTUS (lemmas.py builds on this module)
                lemma = prove_equality(lhs, rhs, rules)
                if lemma is not None:
                    return lemma
                return Proof(False, "normal forms differ: " + to_text(difference) + " ≠ 0")
            return prove_inequality(lhs, relation, rhs, rules)
    except SymbolicTimeout as error:
        return Proof(False, str(error))
    except Undecidable as error:
        return Proof(False, f"calculus: {error}")
    except (NotImplementedError, ValueError, TypeError, RecursionError, ArithmeticError, AttributeError) as error:
        return Proof(False, f"sympy could not decide: {type(error).__name__}: {error}"[:300])


def _zero_on_every_piece(difference: sp.Expr) -> bool:
    """Whether a difference that holds cases (a Piecewise; |x| and max written as theirs) is 0 on each of its
    pieces once they are folded into one Piecewise: then it is 0 wherever it is defined."""
    if not difference.has(sp.Piecewise):
        return False
    folded = sp.piecewise_fold(difference.rewrite(sp.Piecewise))
    pieces = folded.args if isinstance(folded, sp.Piecewise) else ((folded, sp.true),)
    return all(sp.expand(value) == 0 for value, _ in pieces)


def _nonzero_number(expr: sp.Expr) -> bool:
    """An exact finite number sympy knows is not 0 (a rational, or a closed form such as π − 3); floats
    (rounding) and unevaluated ∫ or ∂ (whether they vanish is the question) are not taken as such."""
    if expr.is_Rational:
        return expr != 0
    return bool(expr.is_number and not expr.has(sp.Float, sp.Integral, sp.Derivative, sp.Limit, sp.Sum)
                and expr.is_finite and expr.is_zero is False)


def _rules_note(rules) -> str:
    named = tuple(rule for rule in rules if not isinstance(rule, Scope))  # the scope is notation, not a rule
    return "" if named == RULES else f" (rules: {', '.join(map(str, named))})"
