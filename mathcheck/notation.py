"""Notation as data: which names of a derivation are latent, observed or conditioning variables, which
density letters are the conditionals of one joint model, and which labels name the model's densities.

A :class:`Scope` flows from a document's declarations (or a derivation's own choice) to the engine: the
symbolic rewrites (``symbolic.factorize``, ``symbolic.strip_labels``, marginalization) and the numeric
worlds read their variable names from it instead of a fixed list. :func:`infer_scope` reads one from usage.

What a scope decides is only the *canonical basis* in which the product rule and Bayes' rule write a
joint family's densities: every rewrite is a valid identity whatever the names mean, so a wrong guess of
which variable is latent can cost a proof, never make a false step proved.

- ``latents``: the variables a generative model draws first (z in p(x|z) p(z));
- ``observed``: the data (x); any variable that is neither latent nor conditioning counts as observed;
- ``conditioning``: variables every density is conditioned on and none is over (c in a CVAE's
  p(x|z,c) p(z|c)); the rewrites keep them behind the bar;
- ``model_labels``: (letter, label) pairs that name the letter's model density: the article's θ on p and
  φ on q (p_θ(z|x) is p(z|x)); any other label names another density;
- ``joint_families``: letters whose densities are the conditionals and marginals of one joint (p);
- ``inference_families``: of those, the letters of an inference model (q(z|x) q(x)), whose canonical
  basis conditions the latents on the observed variables instead;
- ``density_letters``: the letters the document uses or declares as densities;
- ``distinct``: signatures (letter, label, variables, given) of labelled densities that name another density
  than the bare letter's although the label is a model label: a density written both bare and labelled
  (p(x) and p_θ(x); q(z|x) and q_φ(z|x)) and not declared one density, or declared another density;
- ``ambiguous``: of those, the ones kept apart only because both are written (no declaration says which);
- ``identified``: signatures the document declares equal to the bare letter's (``p_θ(x) = p(x)`` stated);
- ``data``: signatures of bare densities the document calls the data distribution (p(x)): another density
  than the model's, read as ``p_data(x)``, so that p_θ(x) is the model's p(x) again.

A model label is identified with the bare letter when the document writes only one of the two forms of a
signature (p_θ(x|z) alone is the model's p(x|z): a renaming, so sound), or, for a density with a latent,
writes the two only in separate displays (one notation per display). When it writes both over observed
variables only (p_θ(x) and p(x)), or both in one display (q_φ(z|x) and q(z|x)), the two stay apart
unless the document declares them one density ("p_θ(x) = p(x)" stated, "p denotes the model", "the
parameters φ, θ are written explicitly"; then ``identified``; or declares the label its model's, as
``model_labels`` beyond the article's θ on p and φ on q) or calls the bare one the data distribution
(``data``): a step that is true only if they are one density is then not proved (the audit reports it
undecided, "identified only by convention").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import sympy as sp

from mathcheck.vocab import Density, integral_variables, unfold

ARTICLE_MODEL_LABELS = frozenset({("p", "theta"), ("q", "phi")})


def name_of(variable) -> str:
    """The name a scope knows a variable by (a Symbol's name; any other expression as printed)."""
    return variable.name if isinstance(variable, sp.Symbol) else sp.sstr(variable)


def _names(variables) -> frozenset:
    return frozenset(v if isinstance(v, str) else name_of(v) for v in variables)


@dataclass(frozen=True)
class Scope:
    """The notation of a derivation (see the module docstring); variables are kept by name."""

    latents: frozenset = frozenset()
    observed: frozenset = frozenset()
    conditioning: frozenset = frozenset()
    model_labels: frozenset = ARTICLE_MODEL_LABELS
    joint_families: frozenset = frozenset({"p"})
    inference_families: frozenset = frozenset({"q"})
    density_letters: frozenset = frozenset({"p", "q"})
    distinct: frozenset = frozenset()
    ambiguous: frozenset = frozenset()
    identified: frozenset = frozenset()
    data: frozenset = frozenset()

    def __post_init__(self) -> None:  # variables are kept by name: z and z (real) are one variable
        for name in ("latents", "observed", "conditioning"):
            object.__setattr__(self, name, _names(getattr(self, name)))
        for name in ("joint_families", "inference_families", "density_letters"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        object.__setattr__(self, "model_labels", frozenset(tuple(pair) for pair in self.model_labels))
        for name in ("distinct", "ambiguous", "identified", "data"):
            object.__setattr__(self, name, frozenset(tuple(entry) for entry in getattr(self, name)))

    def is_latent(self, variable) -> bool:
        return name_of(variable) in self.latents

    def is_conditioning(self, variable) -> bool:
        return name_of(variable) in self.conditioning

    def is_observed(self, variable) -> bool:
        return not (self.is_latent(variable) or self.is_conditioning(variable))

    def names_model_density(self, family: str, label: str) -> bool:
        """Whether ``family_label`` is the model's density of that letter (so its label can be dropped)."""
        return (family, label) in self.model_labels

    def identifies(self, density: Density) -> bool:
        """Whether the labelled ``density`` is the bare letter's density (its label can be dropped)."""
        return bool(density.label) and self.names_model_density(density.family, density.label) \
            and signature(density) not in self.distinct

    def factorizes(self, family: str) -> bool:
        return family in self.joint_families

    def upstream(self, family: str, variable) -> bool:
        """Whether ``variable`` is drawn first in ``family``'s canonical basis: the latents of a generative
        family (p(x|z) p(z)), the observed variables of an inference family (q(z|x) q(x))."""
        if family in self.inference_families:
            return self.is_observed(variable)
        return self.is_latent(variable)



def canonical_labels(expr: sp.Expr, scope: Scope) -> sp.Expr:
    """``expr`` with every label that names its letter's model density (``scope.model_labels``) dropped."""
    def named_model_density(node) -> bool:
        return isinstance(node, Density) and scope.identifies(node)

    if not expr.has(Density):  # what the replace gives, without its walk
        return expr
    return expr.replace(named_model_density, lambda n: n.unlabelled())


def data_densities(expr: sp.Expr, scope: Scope) -> sp.Expr:
    """``expr`` as the document writes it, with every bare density the document calls the data distribution
    (``scope.data``) read as ``p_data``: to be applied once, before ``canonical_labels`` (which then makes the
    model's p_θ(x) the bare p(x))."""
    if not scope.data:
        return expr
    return expr.replace(lambda n: isinstance(n, Density) and not n.label and signature(n) in scope.data,
                        lambda n: Density(n.family, n.variables, n.given, DATA_LABEL))


DATA_LABEL = "data"  # the data distribution p(x), when the document calls a bare density so


def signature(density: Density) -> tuple:
    """(letter, label, variables, given) of a density, its variables by name."""
    return (density.family, density.label, tuple(sorted(_names(density.variables))),
            tuple(sorted(_names(density.given))))


ARTICLE_SCOPE = Scope(latents=frozenset({"z"}), observed=frozenset({"X"}))  # the seed article's p(X, z)
DEFAULT_SCOPE = ARTICLE_SCOPE


@dataclass
class _Usage:
    integrated: set = field(default_factory=set)
    before_bar: set = field(default_factory=set)  # variables some density is over
    behind_bar: set = field(default_factory=set)  # variables some density is conditioned on
    inferred_latent: set = field(default_factory=set)  # the variable of an encoder q(z|x)
    inferred_observed: set = field(default_factory=set)  # what an encoder conditions on
    labels: dict = field(default_factory=dict)  # family -> set of labels written ("" unlabelled)
    signatures: set = field(default_factory=set)  # (family, label, variables, given) of every density written
    joints: set = field(default_factory=set)  # families written with two or more variables before the bar
    posteriors: list = field(default_factory=list)  # (variables, given) of conditionals


def _integration_variables(expr: sp.Expr) -> set:
    try:
        unfolded = unfold(expr)
    except (TypeError, ValueError, AttributeError, RecursionError):
        unfolded = expr
    return {name_of(v) for node in unfolded.atoms(sp.Integral) for v in integral_variables(node)}


def _usage(expressions: Iterable, inference_families: frozenset) -> _Usage:
    usage = _Usage()
    for expr in expressions:
        if not isinstance(expr, sp.Basic):
            continue
        usage.integrated |= _integration_variables(expr)
        for density in expr.atoms(Density):
            variables, given = _names(density.variables), _names(density.given)
            usage.before_bar |= variables
            usage.behind_bar |= given
            usage.labels.setdefault(density.family, set()).add(density.label)
            usage.signatures.add(signature(density))
            if len(variables) > 1:
                usage.joints.add(density.family)
            if density.family in inference_families and given:
                usage.inferred_latent |= variables
                usage.inferred_observed |= given
            elif given:
                usage.posteriors.append((variables, given))
    return usage


def infer_scope(expressions: Iterable, declared: Scope | None = None, groups: Iterable | None = None) -> Scope:
    """The scope of ``expressions``: ``declared`` (what the document states) extended by usage.

    Latent: a variable integrated over (an integral's or an expectation's variable), the variable of an
    encoder q(z|x), or the variable before the bar of a posterior-like p(z|x) whose other argument is
    observed elsewhere; never a variable an encoder conditions on or the document declares observed. For a
    conditional none of these reaches, the variables behind its bar (p(x|z): z), so that the product rule
    has a basis there too. Conditioning: a variable that some density is conditioned on, none is over and
    nothing integrates (c in p(x|z,c) p(z|c)). A letter written with one label only, never without it,
    names that letter's model density (q_λ throughout is the q: a renaming, so sound). ``groups``: the
    expressions of each display (all of ``expressions`` one group when not given), see ``_written_both_ways``."""
    base = declared if declared is not None else Scope(model_labels=ARTICLE_MODEL_LABELS)
    expressions = [e for e in expressions if isinstance(e, sp.Basic)]
    together = [_usage([e for e in group if isinstance(e, sp.Basic)], base.inference_families).signatures
                for group in (groups if groups is not None else [expressions])]
    usage = _usage(expressions, base.inference_families)
    unplaced = usage.behind_bar - usage.before_bar - usage.integrated - set(base.latents) - set(base.observed)
    observed = set(base.observed) | (usage.inferred_observed - set(base.latents) - unplaced)
    latents = set(base.latents) | ((usage.integrated | usage.inferred_latent) - observed)
    for variables, given in usage.posteriors:  # p(z|x) with x observed: z is latent
        if given & observed and not variables & observed:
            latents |= variables
    drawn_on = sorted(((variables, given - unplaced - observed) for variables, given in usage.posteriors
                       if given - unplaced - observed), key=lambda pair: (sorted(pair[0]), sorted(pair[1])))
    for variables, given in drawn_on:  # a conditional that no latent reaches: what it is given is drawn first
        if not (variables | given) & latents:
            latents |= given
    conditioning = set(base.conditioning)
    if latents:  # with something drawn first, what is only ever given is a condition of the whole model
        conditioning |= unplaced - latents - observed
    observed |= (usage.before_bar | usage.behind_bar) - latents - conditioning
    joint_families = set(base.joint_families) | usage.joints
    model_labels = _model_labels(base, usage)
    data_like = {(family, label, variables, given) for family, _, variables, given in base.data
                 for label in usage.labels.get(family, ())}
    conventional = model_labels - (base.model_labels - ARTICLE_MODEL_LABELS)  # a label the document declares is its
    ambiguous = _written_both_ways(usage, conventional, latents, together) - base.distinct - base.identified \
        - data_like
    return Scope(latents=frozenset(latents), observed=frozenset(observed - latents - conditioning),
                 conditioning=frozenset(conditioning), model_labels=model_labels,
                 joint_families=frozenset(joint_families), inference_families=base.inference_families,
                 density_letters=base.density_letters | frozenset(usage.labels),
                 distinct=(base.distinct - base.identified) | ambiguous, ambiguous=ambiguous,
                 identified=base.identified, data=base.data)


def _written_both_ways(usage: _Usage, model_labels: frozenset, latents: set, together: list) -> frozenset:
    """The labelled densities whose letter's model label would identify them with a bare density of the
    same signature (same variables, same givens) the document also writes: p_θ(x) and p(x) (the data
    distribution or the model's marginal?), q_φ(z|x) and q(z|x) (the encoder or any other distribution?).
    Written both ways, the label may mark another density or only show the parameters; which one is for the
    document to say (``Scope.identified``, ``Scope.data``), never for a step's truth to decide. Over observed
    variables only (no latent of a latent-variable model before or behind the bar: p(x)), both forms written
    anywhere keep them apart: the data distribution is always a candidate. With a latent (p(x|z), q(z|x),
    p(x, z)) there is no data distribution of that signature, and a document that writes the two forms in
    separate displays (a derivation repeated "with the parameters shown") uses one notation per display; one
    display that writes both (KL(q(z|x) ‖ q_φ(z|x)), log p_θ(x|z) − log p(x|z)) contrasts them: apart. A
    latent here is one of a latent-variable model: written in a density with another variable (z of p(x|z)),
    not only integrated (x of ∫ p(x) log p(x) dx). Only the signatures written count, never a step's truth."""
    modelled = {v for _, _, variables, given in usage.signatures if len(variables + given) > 1
                for v in variables + given} & set(latents)
    found = set()
    for family, label, variables, given in usage.signatures:
        if not label or (family, label) not in model_labels:
            continue
        bare, labelled = (family, "", variables, given), (family, label, variables, given)
        if set(variables + given) & modelled:
            if any(bare in group and labelled in group for group in together):
                found.add(labelled)
        elif bare in usage.signatures:
            found.add(labelled)
    return frozenset(found)


def _model_labels(base: Scope, usage: _Usage) -> frozenset:
    labels = set(base.model_labels)
    declared = {family for family, _ in base.model_labels - ARTICLE_MODEL_LABELS}
    for family, written in usage.labels.items():
        if family not in declared and "" not in written and len(written) == 1:
            labels.add((family, next(iter(written))))
    return frozenset(labels)
