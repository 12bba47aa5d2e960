"""Lemmas for the common forms of the evidence bound and its friends.

:func:`mathcheck.symbolic.prove` tries them where the normal forms alone do not decide a step. Each applies
only when its side conditions are checked, and its proof reason names the lemma and those conditions:

- :func:`divergence_gap` (inequalities): big − small = Σ cᵢ KL[aᵢ ‖ bᵢ] + r, with every cᵢ ≥ 0 and r ≥ 0,
  shown by normal forms, then Gibbs' inequality KL ≥ 0. The KLs tried are those written in the step and
  those between its densities and the model's densities of the same variables (the posterior p(z|X) among
  them), so ``E_q[log p(X|z)] − KL[q ‖ p(z)] ≤ log p(X)`` is proved by ``log p(X) − rhs = KL[q ‖ p(z|X)]``.
- :func:`score_function` (equalities): ∂/∂φ ∫ q(z) f(z) dz = ∫ f(z) ∂q/∂φ dz = E_q[f ∂/∂φ log q], where q is
  a density of z, f does not involve φ, and differentiation under ∫ is valid (checked for a Gaussian q,
  a declared hypothesis :data:`LEIBNIZ_HYPOTHESIS` for an abstract one).
- :func:`unconscious_statistician` (equalities): E_{q(z)}[f(z)] = E_{p(ε)}[f(g(ε))] where q is the law of
  z = g(ε), ε ~ p(ε): declared by a :class:`Reparametrization` rule (checked where both densities are explicit),
  and for Gaussian expectations in standard form, normal forms that agree up to the integration variable's name.
- :func:`pathwise_gradient` (equalities): ∂/∂φ E_{p(ε)}[f(g_φ(ε))] = E_{p(ε)}[∂/∂φ f(g_φ(ε))] where the law p of
  the noise does not depend on φ and differentiation under ∫ is valid (checked for a Gaussian p and a
  polynomially bounded integrand, the declared :data:`LEIBNIZ_HYPOTHESIS` otherwise); never for a law that
  moves with φ (E_{q_φ}: there the score term is missing).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Callable

import sympy as sp
from sympy.calculus.util import continuous_domain

from mathcheck.calculus import Undecidable, exact_sign
from mathcheck.symbolic import (
    Proof, _calculus, _difference_is_zero, _polynomially_bounded, is_density, normal_form, reevaluate, scope_of,
)
from mathcheck.vocab import (
    KL, Density, DensityLike, Normal, integral, integral_variables, over_real_line, to_text, unfold,
)

LEIBNIZ_HYPOTHESIS = "differentiation under the integral sign"  # a rule: the step assumes it for abstract densities
MAX_PAIRS = 16  # candidate KLs beyond which pairs of them are not tried (the time bound is shared)


# ---------------------------------------------------------------- divergence gap (Gibbs)


def divergence_gap(big: sp.Expr, small: sp.Expr, rules) -> Proof | None:
    """big ≥ small because big − small = Σ cᵢ KL[aᵢ ‖ bᵢ] + r with cᵢ ≥ 0, r ≥ 0 (Gibbs: each KL ≥ 0)."""
    rules = tuple(rules)
    difference = big - small
    if not unfold(difference).has(Density):
        return None  # no abstract density: the calculus lemma decides it
    candidates = candidate_divergences(difference, rules)
    target = _terms(normal_form(difference, rules))
    forms = [(divergence, _terms(normal_form(divergence, rules))) for divergence in candidates]
    fitting = [(d, form) for d, form in forms if set(form) - {sp.S.One} <= set(target)]  # no atom to cancel
    attempts = [(form,) for form in fitting] + [tuple(fitting)] * (len(fitting) > 1)
    if len(fitting) <= MAX_PAIRS:
        attempts += list(combinations(fitting, 2))
    for chosen in attempts:
        proof = _combination_proof(difference, target, chosen, rules)
        if proof is not None:
            return proof
    return None


def candidate_divergences(difference: sp.Expr, rules=()) -> list[sp.Expr]:
    """KLs written in ``difference``, and KL[a ‖ b] for every density a it integrates against (the measure
    of an expectation or a KL) and every b of the same variables among its densities and the model's
    densities f(V), f(V | a's conditions), f(V | the other variables), f a joint letter of the notation
    (the posterior p(z|X) for a = q(z|X) or q(z))."""
    written = sorted(difference.atoms(KL), key=sp.default_sort_key)
    unfolded = reevaluate(unfold(difference))
    densities = sorted(unfolded.atoms(*DensityLike), key=sp.default_sort_key)
    abstract = [d for d in densities if isinstance(d, Density)]
    named = set().union(*(set(d.variables) | set(d.given) for d in abstract))
    families = sorted(scope_of(tuple(rules)).joint_families)
    seconds = set(densities)
    for density in _integration_weights(unfolded):
        variables = set(density.variables)
        for given in (getattr(density, "given", ()), tuple(named - variables), ()):
            if not variables & set(given):
                seconds.update(Density(family, variables, given) for family in families)
    weights = _integration_weights(unfolded)
    built = [KL(a, b) for a in weights for b in sorted(seconds, key=sp.default_sort_key)
             if a != b and tuple(a.variables) == tuple(b.variables)]
    divergences = [d for d in dict.fromkeys(written + built) if _is_divergence_of_densities(d)]
    return divergences + _averaged(divergences, weights)


def _averaged(divergences: list[KL], weights: list) -> list[sp.Integral]:
    """E_w[KL[a ‖ b]] = ∫ w KL dv for a density w of variables v on which the KL depends (through the
    conditions of a and b): the bound averaged over the data, ≥ 0 as w ≥ 0 and KL ≥ 0."""
    return [integral(w * d, *w.variables) for w in weights if is_density(w) for d in divergences
            if set(w.variables) <= d.free_symbols and not set(w.variables) & set(d.first.variables)]


def _integration_weights(expr: sp.Expr) -> list:
    """The densities that integrals of ``expr`` integrate against: a factor that is a density of exactly
    the integral's variables."""
    weights = set()
    for node in expr.atoms(sp.Integral):
        variables = set(integral_variables(node))
        for factor in sp.Mul.make_args(node.function):
            if isinstance(factor, DensityLike) and set(factor.variables) == variables:
                weights.add(factor)
    return sorted(weights, key=sp.default_sort_key)


def _is_divergence_of_densities(divergence: KL) -> bool:
    a, b = divergence.args
    return is_density(a) and is_density(b) and tuple(a.variables) == tuple(b.variables)


def _terms(expr: sp.Expr) -> dict[sp.Expr, sp.Expr]:
    """``expr`` as {atom: coefficient}: each atom a product holding a density or an integral, its coefficient
    the factors free of both; the terms free of both are gathered under the atom 1."""
    terms: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        coefficient, atom = term.as_independent(Density, Normal, sp.Integral, as_Add=False)
        if not atom.has(Density, Normal, sp.Integral):
            coefficient, atom = term, sp.S.One
        terms[atom] = terms.get(atom, sp.S.Zero) + coefficient
    return terms


def _combination_proof(difference: sp.Expr, target: dict, chosen, rules: tuple) -> Proof | None:
    coefficients = _solve_coefficients(target, [form for _, form in chosen])
    if coefficients is None or not all(c.is_nonnegative is True for c in coefficients) \
            or all(c.is_zero for c in coefficients):
        return None
    residual = sp.expand(target.get(sp.S.One, sp.S.Zero)
                         - sum(c * form.get(sp.S.One, sp.S.Zero) for c, (_, form) in zip(coefficients, chosen)))
    kept = [(c, chosen_form) for c, chosen_form in zip(coefficients, chosen) if not c.is_zero]
    coefficients, chosen = [c for c, _ in kept], [f for _, f in kept]
    combination = sp.Add(*[c * divergence for c, (divergence, _) in zip(coefficients, chosen)])
    if not _difference_is_zero(difference, combination + residual, rules):
        return None  # the normal forms, not the coefficient search, are what proves the equality
    residual_note = _nonnegative_note(residual)
    if residual_note is None:
        return None
    divergences = ", ".join(to_text(d) for _, (d, _) in zip(coefficients, chosen))
    averaged = " (or its average over a density)" * any(isinstance(d, sp.Integral) for _, (d, _) in kept)
    return Proof(True, f"Gibbs' inequality (divergence gap): the larger side minus the smaller is "
                       f"{to_text(combination)}{residual_note} by normal forms; every coefficient is ≥ 0 and "
                       f"{divergences} ≥ 0, each a KL between normalized densities of the same variables{averaged}")


def _solve_coefficients(target: dict, forms: list[dict]) -> list[sp.Expr] | None:
    """The cᵢ with target = Σ cᵢ formᵢ on every atom holding a density or an integral (free cᵢ set to 0)."""
    unknowns = [sp.Dummy(f"c{index}") for index in range(len(forms))]
    atoms = (set(target) | set().union(*forms)) - {sp.S.One}
    equations = [target.get(atom, sp.S.Zero) - sum(c * form.get(atom, sp.S.Zero) for c, form in zip(unknowns, forms))
                 for atom in atoms]
    solutions = sp.linsolve(equations, unknowns)
    if not isinstance(solutions, sp.FiniteSet) or len(solutions) != 1:
        return None
    (solution,) = solutions
    free = {c: 0 for c in unknowns}
    return [sp.simplify(value.xreplace(free)) for value in solution]


def _nonnegative_note(residual: sp.Expr) -> str | None:
    """'' for r = 0, ' + r (r ≥ 0 ...)' where r ≥ 0 is shown, None otherwise."""
    if residual == 0:
        return ""
    if residual.has(Density, Normal, sp.Integral):
        return None
    try:
        if residual.is_nonnegative is True or (residual.is_number and exact_sign(residual) >= 0):
            return f" + {to_text(residual)} (≥ 0)"
        minimum = _calculus(residual, sp.S.Zero)
        if minimum is not None and exact_sign(minimum.value) >= 0:
            return f" + {to_text(residual)} (its minimum is {to_text(minimum.value)} ≥ 0)"
    except (Undecidable, NotImplementedError, ValueError, TypeError):
        return None
    return None


# ---------------------------------------------------------------- score function


def score_function(lhs: sp.Expr, rhs: sp.Expr, rules) -> Proof | None:
    """∂/∂φ ∫ q f dz moved under ∫ as ∫ f ∂q/∂φ dz, and ∂/∂φ log D written ∂D/∂φ / D (D > 0); proved when
    the two sides then have the same normal form."""
    rules = tuple(rules)
    moves: list[str] = []
    sides = [_log_derivatives(_move_derivatives(reevaluate(unfold(side)), rules, moves, _score_move))
             for side in (lhs, rhs)]
    if not moves or not _difference_is_zero(sides[0], sides[1], rules):
        return None
    return Proof(True, "score-function identity ∂/∂φ E_q[f] = E_q[f ∂/∂φ log q]: " + "; ".join(dict.fromkeys(moves)))


def _move_derivatives(expr: sp.Expr, rules: tuple, moves: list[str],
                      how: Callable[[sp.Derivative, tuple], tuple[sp.Expr, str] | None]) -> sp.Expr:
    """Each derivative in ``expr`` that ``how`` moves under its integral, moved; why (the conditions checked)
    noted in ``moves``."""
    def movable(node) -> bool:
        return isinstance(node, sp.Derivative) and how(node, rules) is not None

    def move(node: sp.Derivative) -> sp.Expr:
        moved, why = how(node, rules)
        moves.append(why)
        return moved

    return expr.replace(movable, move)


def _derivative_of_integral(node: sp.Derivative) -> tuple[sp.Symbol, sp.Integral, sp.Symbol, list] | None:
    """(φ, the integral, its variable z, (w, the rest of the integrand) for each factor w that is a density of z)
    for node = ∂/∂φ ∫ ... dz, once in one parameter, over the real line; None for any other derivative."""
    if len(node.variable_count) != 1 or node.variable_count[0][1] != 1:
        return None
    inner = node.expr
    if not isinstance(inner, sp.Integral) or len(inner.limits) != 1 or not over_real_line(inner):
        return None
    (variable,) = integral_variables(inner)
    factors = list(sp.Mul.make_args(sp.factor_terms(inner.function)))
    weighted = [(weight, sp.Mul(*(factors[:index] + factors[index + 1:]))) for index, weight in enumerate(factors)
                if is_density(weight) and tuple(weight.variables) == (variable,)]
    return node.variable_count[0][0], inner, variable, weighted


def _score_move(node: sp.Derivative, rules: tuple):
    """(∫ f ∂q/∂φ dz, the conditions checked) for node = ∂/∂φ ∫ q f dz, or None where a condition fails."""
    found = _derivative_of_integral(node)
    if found is None:
        return None
    parameter, inner, variable, weighted = found
    model_labels = scope_of(rules).model_labels  # which parameter computes which letter's density
    for weight, rest in weighted:
        independence = _free_of_parameter(rest, parameter, weight, model_labels)
        regularity = _leibniz_condition(weight, rest, variable, parameter, rules)
        if independence is None or regularity is None:
            continue
        moved = sp.Integral(rest * sp.Derivative(weight, parameter), *inner.limits)
        return moved, (f"{to_text(weight)} is a density of {variable}; f = {to_text(rest)} {independence}; "
                       f"differentiation under ∫ d{variable}: {regularity}")
    return None


def _owner(density: Density, model_labels) -> str | None:
    """The parameter that computes an abstract density: its label, or the notation's rule for its letter
    (the article's: θ computes p, φ computes q); None where neither says."""
    if density.label:
        return density.label
    owners = [label for family, label in model_labels if family == density.family]
    return owners[0] if len(owners) == 1 else None


def _free_of_parameter(f: sp.Expr, parameter: sp.Symbol, weight: sp.Expr, model_labels) -> str | None:
    """Why f does not depend on the parameter, or None where it may: f must not contain it, and each
    abstract density in f must be computed by another parameter and be of another letter than q."""
    if f.has(parameter):
        return None
    densities = sorted(f.atoms(Density), key=sp.default_sort_key)
    for density in densities:
        owner = _owner(density, model_labels)
        if owner is None or owner == parameter.name:
            return None
        if isinstance(weight, Density) and density.family == weight.family:
            return None
    if not densities:
        return f"does not involve {parameter}"
    owned = ", ".join(f"{to_text(d)} by {_owner(d, model_labels)}" for d in densities)
    return f"does not involve {parameter} (its densities are computed by other parameters: {owned})"


def _leibniz_condition(weight: sp.Expr, f: sp.Expr, variable: sp.Symbol, parameter: sp.Symbol,
                       rules: tuple) -> str | None:
    """A sufficient condition for d/dφ ∫ q f = ∫ f ∂q/∂φ: checked for q = N(v; m, s²) with m, s polynomials in φ,
    s > 0, and f bounded by a polynomial; a declared hypothesis for an abstract q."""
    if isinstance(weight, Normal):
        mean, std = weight.mean, weight.std
        if std.is_positive is True and mean.is_polynomial(parameter) and std.is_polynomial(parameter) \
                and _polynomially_bounded(f, variable, parameter):
            return (f"N({variable}; m, s²) with m = {to_text(mean)}, s = {to_text(std)} polynomials in {parameter}, "
                    f"s > 0, and f bounded by a polynomial (dominated convergence)")
        return None
    if isinstance(weight, Density) and LEIBNIZ_HYPOTHESIS in rules and not f.has(sp.Derivative):
        return "by the hypothesis the step states (regularity of q and f)"
    return None


def _log_derivatives(expr: sp.Expr) -> sp.Expr:
    """∂/∂φ log D = (∂D/∂φ) / D for a density D (positive, so log D is differentiable where D is)."""
    def is_log_derivative(node) -> bool:
        return (isinstance(node, sp.Derivative) and isinstance(node.expr, sp.log)
                and isinstance(node.expr.args[0], DensityLike) and len(node.variable_count) == 1
                and node.variable_count[0][1] == 1)

    def chain_rule(node: sp.Derivative) -> sp.Expr:
        density = node.expr.args[0]
        return sp.Derivative(density, *node.variable_count) / density

    return expr.replace(is_log_derivative, chain_rule)


# ---------------------------------------------------------------- the law of the unconscious statistician


@dataclass(frozen=True)
class Reparametrization:
    """A rule: z = g(ε) with ε ~ ``noise``, and ``law`` is the density of z (a declaration for an abstract
    ``law`` or ``noise``; checked where both are explicit)."""

    variable: sp.Symbol
    transform: sp.Expr
    noise: sp.Expr
    law: sp.Expr

    @property
    def noise_variable(self) -> sp.Symbol:
        return self.noise.variables[0]

    def __str__(self) -> str:
        return (f"{self.variable} = {to_text(self.transform)}, {self.noise_variable} ~ {to_text(self.noise)}, "
                f"{self.variable} ~ {to_text(self.law)}")


def unconscious_statistician(lhs: sp.Expr, rhs: sp.Expr, rules) -> Proof | None:
    """E_{law}[f(z)] = E_{noise}[f(g(ε))] under a declared (or checked) reparametrization, or normal forms that
    agree up to the names of the integration variables (Gaussian integrals are in standard form)."""
    rules = tuple(rules)
    for declared in (r for r in rules if isinstance(r, Reparametrization)):
        why = _reparametrization_condition(declared)
        if why is None:
            continue
        unfolded = [reevaluate(unfold(side)) for side in (lhs, rhs)]
        sides = [_pushed_forward(side, declared) for side in unfolded]
        if sides == unfolded:
            continue
        if _difference_is_zero(sides[0], sides[1], rules) or _agree_up_to_bound_names(sides[0], sides[1], rules):
            return Proof(True, f"law of the unconscious statistician: E_{to_text(declared.law)}[f({declared.variable})]"
                               f" = E_{to_text(declared.noise)}[f({to_text(declared.transform)})]; {why}")
    if _agree_up_to_bound_names(lhs, rhs, rules):
        return Proof(True, "change of variables (law of the unconscious statistician): the normal forms agree up "
                           "to the names of the integration variables (Gaussian integrals in standard form)")
    return None


def _reparametrization_condition(r: Reparametrization) -> str | None:
    """Why ``law`` is the density of g(ε), or None: the declaration must be well formed, and where both
    densities are explicit, g must be a C¹ bijection of ℝ with law(g(ε)) |g'(ε)| = noise(ε)."""
    if not (isinstance(r.noise, DensityLike) and is_density(r.noise) and len(r.noise.variables) == 1):
        return None
    if not (isinstance(r.law, DensityLike) and is_density(r.law) and tuple(r.law.variables) == (r.variable,)):
        return None
    epsilon = r.noise_variable
    if not r.transform.has(epsilon) or r.transform.has(r.variable) or r.law.has(epsilon) or r.noise.has(r.variable):
        return None
    if isinstance(r.law, Density) or isinstance(r.noise, Density):
        return f"declared: {r} ({to_text(r.law)} is the law of {to_text(r.transform)})"
    return _explicit_pushforward(r)


def _explicit_pushforward(r: Reparametrization) -> str | None:
    epsilon = r.noise_variable
    slope = sp.diff(r.transform, epsilon)
    try:
        if continuous_domain(slope, epsilon, sp.S.Reals) != sp.S.Reals:
            return None
        increasing = slope.is_positive is True
        if not (increasing or slope.is_negative is True):
            return None
        ends = [sp.limit(r.transform, epsilon, end) for end in (-sp.oo, sp.oo)]
        if ends != ([-sp.oo, sp.oo] if increasing else [sp.oo, -sp.oo]):
            return None
        law = r.law.rewrite(sp.exp).xreplace({r.variable: r.transform})
        gap = sp.simplify(law * sp.Abs(slope) - r.noise.rewrite(sp.exp))
    except (NotImplementedError, ValueError, TypeError):
        return None
    if gap != 0:
        return None
    return (f"{r.variable} = {to_text(r.transform)} is a C¹ bijection of ℝ (slope {to_text(slope)} "
            f"{'> 0' if increasing else '< 0'}) and {to_text(r.law)} · |slope| = {to_text(r.noise)}")


def _pushed_forward(expr: sp.Expr, r: Reparametrization) -> sp.Expr:
    """Every ∫ law(z) h(z) dz over ℝ (z its innermost variable) written ∫ noise(ε) h(g(ε)) dε."""
    epsilon = r.noise_variable

    def over_law(node) -> bool:
        if not (isinstance(node, sp.Integral) and over_real_line(node) and node.limits[0][0] == r.variable):
            return False
        factors = sp.Mul.make_args(sp.factor_terms(node.function))
        return factors.count(r.law) == 1 and not node.function.has(epsilon)

    def push(node: sp.Integral) -> sp.Integral:
        factors = list(sp.Mul.make_args(sp.factor_terms(node.function)))
        factors.remove(r.law)
        rest = sp.Mul(*factors).subs(r.variable, r.transform)  # subs: an inner ∫ d(variable) stays bound
        return sp.Integral(r.noise * rest, (epsilon, -sp.oo, sp.oo), *node.limits[1:])

    return expr.replace(over_law, push)


def _agree_up_to_bound_names(lhs: sp.Expr, rhs: sp.Expr, rules: tuple) -> bool:
    """Whether the normal forms agree once every integration variable is renamed by its depth and place."""
    left, right = normal_form(lhs, rules), normal_form(rhs, rules)
    if left == right or not (left.has(sp.Integral) and right.has(sp.Integral)):
        return False
    taken = {s.name for s in (left.free_symbols | right.free_symbols)}
    if any(name.startswith("bound_variable") for name in taken) or not all(
            _plain_real(v) for side in (left, right) for i in side.atoms(sp.Integral) for v in integral_variables(i)):
        return False  # a bound variable with more assumptions than real may have simplified its side
    renamed = sp.expand(_rename_bound(left) - _rename_bound(right))
    return renamed == 0


def _plain_real(variable: sp.Symbol) -> bool:
    return isinstance(variable, sp.Symbol) and variable.assumptions0 == sp.Symbol(variable.name, real=True).assumptions0


def _rename_bound(expr: sp.Expr, depth: int = 0) -> sp.Expr:
    if not expr.has(sp.Integral):
        return expr
    if isinstance(expr, sp.Integral) and over_real_line(expr):
        body = _rename_bound(expr.function, depth + 1)
        names = [sp.Symbol(f"bound_variable_{depth}_{k}", real=True) for k in range(len(expr.limits))]
        body = body.xreplace(dict(zip(integral_variables(expr), names)))
        return sp.Integral(body, *[(name, -sp.oo, sp.oo) for name in names])
    return expr.func(*[_rename_bound(arg, depth) for arg in expr.args])


# ---------------------------------------------------------------- the pathwise (reparametrization) gradient


def pathwise_gradient(lhs: sp.Expr, rhs: sp.Expr, rules) -> Proof | None:
    """∂/∂φ ∫ w(ε) h(ε, φ) dε = ∫ w(ε) ∂h/∂φ dε, where the density w of ε does not depend on φ (the law of the
    noise of z = g_φ(ε), not of z itself) and differentiation under ∫ is valid: checked for a Gaussian w and
    h bounded by polynomials, the declared hypothesis :data:`LEIBNIZ_HYPOTHESIS` (the reparametrization trick)
    otherwise. Then, and after LOTUS (a declared :class:`Reparametrization`), proved when the normal forms agree."""
    rules = tuple(rules)
    moves: list[str] = []
    sides = [reevaluate(unfold(side)) for side in (lhs, rhs)]
    for declared in (r for r in rules if isinstance(r, Reparametrization)):
        if _reparametrization_condition(declared) is not None:
            pushed = [_pushed_forward(side, declared) for side in sides]
            if pushed != sides:
                moves.append(f"z = {to_text(declared.transform)}: {_reparametrization_condition(declared)}")
                sides = pushed
    moved = [_move_derivatives(side, rules, moves, _pathwise_move) for side in sides]
    if not any("under ∫" in move for move in moves) or not (
            _difference_is_zero(moved[0], moved[1], rules) or _agree_up_to_bound_names(moved[0], moved[1], rules)):
        return None
    return Proof(True, "pathwise (reparametrization) gradient ∇_φ E_p(ε)[f(g_φ(ε))] = E_p(ε)[∇_φ f(g_φ(ε))]: "
                       + "; ".join(dict.fromkeys(moves)))


def _pathwise_move(node: sp.Derivative, rules: tuple):
    """(∫ w ∂h/∂φ dε, the conditions checked) for node = ∂/∂φ ∫ w(ε) h dε with w a density of ε free of φ,
    or None where a condition fails."""
    found = _derivative_of_integral(node)
    if found is None:
        return None
    parameter, inner, variable, weighted = found
    model_labels = scope_of(rules).model_labels
    for weight, rest in weighted:
        if weight.has(parameter) or (isinstance(weight, Density) and _owner(weight, model_labels) in
                                     (None, parameter.name)):
            continue  # the law itself moves with φ: the gradient does not simply go under E (the score term)
        if not rest.has(parameter) and not _function_of(rest, parameter):
            continue
        if isinstance(weight, Normal) and weight.std.is_positive is True and \
                _polynomially_bounded(rest, variable, parameter):
            regularity = (f"N({variable}; {to_text(weight.mean)}, {to_text(weight.std)}²) and the integrand bounded "
                          f"by a polynomial (dominated convergence)")
        elif LEIBNIZ_HYPOTHESIS in rules:
            regularity = "by the hypothesis the document states (the reparametrization trick: regular enough to " \
                         "differentiate under the integral sign)"
        else:
            continue
        moved = sp.Integral(weight * sp.Derivative(rest, parameter), *inner.limits)
        owner = "free of " + parameter.name
        return moved, (f"{to_text(weight)} is a density of {variable}, {owner}; differentiation under ∫ "
                       f"d{variable}: {regularity}")
    return None


def _function_of(expr: sp.Expr, parameter: sp.Symbol) -> bool:
    """Whether ``expr`` writes a function labelled by ``parameter`` (g_φ(ε)): it depends on φ through it."""
    return any(call.func.__name__.endswith(f"_{parameter.name}") for call in expr.atoms(sp.core.function.AppliedUndef))


def prove_equality(lhs: sp.Expr, rhs: sp.Expr, rules) -> Proof | None:
    """The equality lemmas, in turn, for a step whose normal forms differ."""
    for lemma in (score_function, unconscious_statistician, pathwise_gradient):
        proof = lemma(lhs, rhs, rules)
        if proof is not None:
            return proof
    return None
