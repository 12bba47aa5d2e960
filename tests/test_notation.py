"""Notation is data (issue 11): the names of a derivation's variables, which are latent and which are
conditions, and which labels name the model's densities come from a ``mathcheck.notation.Scope`` inferred
from usage, and the engine (symbolic.prove, the numeric worlds, the audit) works for any of them.

For several naming schemes, with and without a condition c, the seed article's identities are proved with
the inferred scope, and their false variants (a wrong sign, the conditioning turned round, a
marginalization over the wrong variable) are not proved, and are refuted in a world named after the step's
own variables.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from mathcheck.calc import Step
from mathcheck.checker import check_numeric, check_step
from mathcheck.notation import ARTICLE_SCOPE, Scope, infer_scope
from mathcheck.numeric import MODEL_DENSITIES, Needs, model_densities, world_strategy
from mathcheck.report import PROVED, REFUTED
from mathcheck.symbolic import factorize, normal_form, prove, with_scope
from mathcheck.vocab import KL, Density, Expectation, X, integral, p, q, ratio, times, z

SCHEMES = [("x", "z"), ("X", "z"), ("x", "h"), ("w", "u"), ("y", "u"), ("x_i", "z_i")]
CASES = [(o, l, conditioned) for o, l in SCHEMES for conditioned in (False, True)]
IDS = [f"{o}-{l}{'-c' if conditioned else ''}" for o, l, conditioned in CASES]


class Model:
    """The article's densities in one naming scheme: observed o, latent l, every density given C."""

    def __init__(self, observed: str, latent: str, conditioned: bool):
        self.o, self.l = sp.Symbol(observed, real=True), sp.Symbol(latent, real=True)
        self.C = (sp.Symbol("c", real=True),) if conditioned else ()

    def p(self, *variables, given=()) -> Density:
        return Density("p", variables, tuple(given) + self.C)

    @property
    def encoder(self) -> Density:
        return Density("q", (self.l,), (self.o,) + self.C)

    def claims(self) -> dict[str, tuple]:
        o, l, enc = self.o, self.l, self.encoder
        elbo = Expectation(enc, sp.log(self.p(o, l)) - sp.log(enc))
        evidence = self.p(o)
        posterior, likelihood, prior = self.p(l, given=(o,)), self.p(o, given=(l,)), self.p(l)
        return {
            "elbo is log evidence minus kl": (elbo, "=", sp.log(evidence) - KL(enc, posterior)),
            "kl decomposition": (KL(enc, posterior), "=",
                                 KL(enc, prior) - Expectation(enc, sp.log(likelihood)) + sp.log(evidence)),
            "bayes rule": (posterior, "=", likelihood * prior / evidence),
            "product rule": (self.p(o, l), "=", likelihood * prior),
            "marginalization": (integral(likelihood * prior, l), "=", evidence),
            "jensen": (sp.log(integral(times(enc, ratio(self.p(o, l), enc)), l)), ">=",
                       integral(times(enc, sp.log(ratio(self.p(o, l), enc))), l)),
        }

    def false_claims(self) -> dict[str, tuple]:
        o, l, enc = self.o, self.l, self.encoder
        elbo = Expectation(enc, sp.log(self.p(o, l)) - sp.log(enc))
        evidence = self.p(o)
        posterior, likelihood, prior = self.p(l, given=(o,)), self.p(o, given=(l,)), self.p(l)
        return {
            "kl with the wrong sign": (elbo, "=", sp.log(evidence) + KL(enc, posterior)),
            "bayes with the conditioning turned round": (likelihood, "=", likelihood * prior / evidence),
            "marginalization over the wrong variable": (integral(likelihood * prior, o), "=", evidence),
            "jensen reversed": (sp.log(integral(times(enc, ratio(self.p(o, l), enc)), l)), "<=",
                                integral(times(enc, sp.log(ratio(self.p(o, l), enc))), l)),
        }


TRUE = [(case, name) for case in CASES for name in Model(*case).claims()]
FALSE = [(case, name) for case in CASES for name in Model(*case).false_claims()]


def _scoped(lhs, rhs) -> Scope:
    return infer_scope([lhs, rhs])


# ---------------------------------------------------------------- the scope, from usage


@pytest.mark.parametrize("observed, latent, conditioned", CASES, ids=IDS)
def test_elbo_step_infers_its_latent_observed_and_condition(observed, latent, conditioned):
    model = Model(observed, latent, conditioned)
    lhs, _, rhs = model.claims()["elbo is log evidence minus kl"]
    scope = _scoped(lhs, rhs)
    assert scope.latents == {latent} and scope.observed == {observed}
    assert scope.conditioning == ({"c"} if conditioned else set())


def test_integration_variable_is_latent_even_with_a_name_the_article_never_uses():
    v, y = sp.Symbol("v", real=True), sp.Symbol("y", real=True)
    scope = infer_scope([integral(p(y, given=v) * p(v), v), p(y)])
    assert scope.latents == {"v"} and scope.observed == {"y"}


def test_encoder_condition_is_observed_not_latent_although_integrated_elsewhere():
    x, h = sp.Symbol("x", real=True), sp.Symbol("h", real=True)
    scope = infer_scope([Expectation(q(h, given=x), sp.log(p(x, given=h))), integral(p(x) * sp.log(p(x)), x)])
    assert scope.latents == {"h"} and "x" in scope.observed


def test_posterior_variable_is_latent_when_its_condition_is_observed_elsewhere():
    x, h, u = (sp.Symbol(n, real=True) for n in "xhu")
    scope = infer_scope([q(u, given=x), p(h, given=x), sp.log(p(x))])
    assert {"u", "h"} <= scope.latents and scope.observed == {"x"}


def test_declared_latent_is_kept_where_usage_says_nothing():
    a, b = sp.Symbol("a", real=True), sp.Symbol("b", real=True)
    scope = infer_scope([p(a, b)], declared=Scope(latents=frozenset({"b"})))
    assert scope.latents == {"b"} and scope.observed == {"a"}


def test_declared_observed_variable_is_never_made_latent_by_an_integral():
    x, h = sp.Symbol("x", real=True), sp.Symbol("h", real=True)
    scope = infer_scope([integral(p(x, h), x)], declared=Scope(observed=frozenset({"x"}), latents=frozenset({"h"})))
    assert scope.latents == {"h"}


def test_single_label_on_a_letter_names_its_model_density():
    x, h = sp.Symbol("x", real=True), sp.Symbol("h", real=True)
    scope = infer_scope([q(h, given=x, label="lambda"), p(x, h, label="theta")])
    assert scope.names_model_density("q", "lambda") and scope.names_model_density("p", "theta")


def test_two_labels_on_one_letter_name_two_densities():
    x = sp.Symbol("x", real=True)
    scope = infer_scope([p(x, label="theta"), p(x, label="psi")])
    assert not scope.names_model_density("p", "psi")
    assert not prove(p(x, label="theta"), "=", p(x, label="psi"), scope=scope).proved


def test_declared_label_names_the_model_density():
    x = sp.Symbol("x", real=True)
    declared = Scope(model_labels=frozenset({("p", "theta"), ("p", "psi")}))
    assert prove(p(x, label="theta"), "=", p(x, label="psi"), scope=infer_scope([p(x)], declared)).proved


def test_variational_label_declared_by_the_document_is_the_encoder():
    x, h = sp.Symbol("x", real=True), sp.Symbol("h", real=True)
    declared = Scope(model_labels=frozenset({("q", "lambda"), ("p", "theta")}))
    lhs, rhs = q(h, given=x, label="lambda"), q(h, given=x)
    assert prove(lhs, "=", rhs, scope=infer_scope([lhs, rhs], declared)).proved
    assert not prove(lhs, "=", rhs, scope=infer_scope([lhs, rhs])).proved


# ---------------------------------------------------------------- the default: today's behaviour


def test_default_scope_is_the_articles():
    assert ARTICLE_SCOPE.latents == {"z"} and not ARTICLE_SCOPE.conditioning
    assert ARTICLE_SCOPE.model_labels == {("p", "theta"), ("q", "phi")}


@pytest.mark.parametrize("density, expected", [
    (p(X, z), p(X, given=z) * p(z)),
    (p(z, given=X), p(X, given=z) * p(z) / p(X)),
    (p(X, given=z), p(X, given=z)),
    (p(X), p(X)),
    (p(z), p(z)),
    (q(z, given=X), q(z, given=X)),
    (p(X, z, label="psi"), p(X, z, label="psi")),
], ids=["joint", "posterior", "likelihood", "evidence", "prior", "encoder", "labelled"])
def test_default_factorization_is_the_articles(density, expected):
    assert factorize(density) == expected


def test_article_model_worlds_are_named_as_before():
    names = Needs.of([sp.log(p(X)) - KL(q(z, given=X), p(z, given=X))]).model
    assert model_densities(names) == frozenset(MODEL_DENSITIES)


# ---------------------------------------------------------------- the rules for any names


def test_conditional_product_rule():
    x, zz, c = (sp.Symbol(n, real=True) for n in "xzc")
    lhs, rhs = p(x, zz, given=c), p(x, given=(zz, c)) * p(zz, given=c)
    assert prove(lhs, "=", rhs, scope=_scoped(lhs, rhs)).proved


def test_conditional_bayes_rule():
    x, zz, c = (sp.Symbol(n, real=True) for n in "xzc")
    lhs, rhs = p(zz, given=(x, c)), p(x, given=(zz, c)) * p(zz, given=c) / p(x, given=c)
    assert prove(lhs, "=", rhs, scope=_scoped(lhs, rhs)).proved


def test_conditional_marginalization():
    x, zz, c = (sp.Symbol(n, real=True) for n in "xzc")
    lhs, rhs = integral(p(x, given=(zz, c)) * p(zz, given=c), zz), p(x, given=c)
    assert prove(lhs, "=", rhs, scope=_scoped(lhs, rhs)).proved


def test_marginalization_keeps_the_condition():
    x, zz, c = (sp.Symbol(n, real=True) for n in "xzc")
    lhs, rhs = integral(p(x, given=(zz, c)) * p(zz, given=c), zz), p(x)
    assert not prove(lhs, "=", rhs, scope=_scoped(lhs, rhs)).proved


Z1, Z2, XX = sp.Symbol("z1", real=True), sp.Symbol("z2", real=True), sp.Symbol("x", real=True)


def test_chain_rule_with_two_latents():
    lhs, rhs = p(XX, Z1, Z2), p(XX, given=(Z1, Z2)) * p(Z1, given=Z2) * p(Z2)
    assert prove(lhs, "=", rhs, scope=_scoped(integral(lhs, Z1, Z2), rhs)).proved


def test_marginalization_over_two_latents():
    lhs, rhs = integral(p(XX, given=(Z1, Z2)) * p(Z1, Z2), Z1, Z2), p(XX)
    assert prove(lhs, "=", rhs, scope=_scoped(lhs, rhs)).proved


def test_a_markov_chain_is_not_derived_from_the_joint():
    """p(x|z1) p(z1|z2) p(z2) is a joint only under the hierarchical model's independence assumption."""
    lhs, rhs = p(XX, Z1, Z2), p(XX, given=Z1) * p(Z1, given=Z2) * p(Z2)
    assert not prove(lhs, "=", rhs, scope=_scoped(integral(lhs, Z1, Z2), rhs)).proved


def test_evidence_lower_bound_with_two_latents_is_log_evidence_minus_kl():
    enc = q(Z1, Z2, given=XX)
    elbo = Expectation(enc, sp.log(p(XX, Z1, Z2)) - sp.log(enc))
    rhs = sp.log(p(XX)) - KL(enc, p(Z1, Z2, given=XX))
    assert prove(elbo, "=", rhs, scope=_scoped(elbo, rhs)).proved


def test_basis_is_one_per_step_whatever_the_latent():
    """Bayes' rule is proved whichever of its two variables the scope calls latent (both bases are valid)."""
    a, b = sp.Symbol("a", real=True), sp.Symbol("b", real=True)
    lhs, rhs = p(a, given=b), p(b, given=a) * p(a) / p(b)
    for latent in ("a", "b"):
        scope = Scope(latents=frozenset({latent}))
        assert prove(lhs, "=", rhs, scope=scope).proved


A, B, C = (sp.Symbol(n, real=True) for n in "abc")
SOME_DENSITIES = [p(A, B), p(A, given=B), p(B, given=A), p(A, B, given=C), p(A, given=(B, C)), p(B, given=(A, C)),
                  p(A, B, C), p(A, given=(B,)) * p(B, given=C)]
SOME_SCOPES = [Scope(latents=frozenset({"a"})), Scope(latents=frozenset({"b"})),
               Scope(latents=frozenset({"b"}), conditioning=frozenset({"c"})),
               Scope(latents=frozenset({"a", "c"})), Scope(latents=frozenset({"a", "b", "c"}))]


MARGINALS = Scope(latents=frozenset({"a", "b", "c"}))  # every density a ratio of marginals of the joint


@pytest.mark.parametrize("density", SOME_DENSITIES, ids=map(str, SOME_DENSITIES))
@pytest.mark.parametrize("scope", range(len(SOME_SCOPES)))
def test_factorization_in_any_basis_is_an_identity_of_the_joint(density, scope):
    """factorize rewrites by the product rule and Bayes' rule only: its result and the density itself, both
    written as ratios of marginals of the one joint (where two expressions agree only if they agree by the
    product rule), are the same (no basis can make two different densities equal)."""
    written = density.replace(lambda n: isinstance(n, Density), lambda n: factorize(n, SOME_SCOPES[scope]))
    rules = with_scope(None, MARGINALS)
    assert sp.simplify(normal_form(written, rules) - normal_form(density, rules)) == 0


def test_the_marginals_basis_tells_different_densities_apart():
    rules = with_scope(None, MARGINALS)
    assert sp.simplify(normal_form(p(A, given=B), rules) - normal_form(p(B, given=A), rules)) != 0


def test_scope_in_the_rules_reaches_the_normal_form():
    x, h = sp.Symbol("x", real=True), sp.Symbol("h", real=True)
    scope = Scope(latents=frozenset({"h"}))
    assert normal_form(p(x, h), with_scope(None, scope)) == normal_form(p(x, given=h) * p(h), with_scope(None, scope))


# ---------------------------------------------------------------- identities and their false variants


@pytest.mark.parametrize("case, name", TRUE, ids=[f"{'-'.join(map(str, c))}-{n}" for c, n in TRUE])
def test_article_identity_is_proved_in_any_naming(case, name):
    lhs, relation, rhs = Model(*case).claims()[name]
    proof = prove(lhs, relation, rhs, scope=_scoped(lhs, rhs))
    assert proof.proved, proof.reason


@pytest.mark.parametrize("case, name", FALSE, ids=[f"{'-'.join(map(str, c))}-{n}" for c, n in FALSE])
def test_false_variant_is_not_proved_in_any_naming(case, name):
    lhs, relation, rhs = Model(*case).false_claims()[name]
    assert not prove(lhs, relation, rhs, scope=_scoped(lhs, rhs)).proved


NUMERIC_FALSE = [(case, name) for case, name in FALSE if case[0] in ("x", "x_i") and case[1] in ("h", "z_i", "z")]


@pytest.mark.parametrize("case, name", NUMERIC_FALSE, ids=[f"{'-'.join(map(str, c))}-{n}" for c, n in NUMERIC_FALSE])
def test_false_variant_is_refuted_in_a_world_of_its_own_names(case, name):
    lhs, relation, rhs = Model(*case).false_claims()[name]
    scope = _scoped(lhs, rhs)
    result = check_numeric(lhs, relation, rhs, world_strategy(Needs.of([lhs, rhs], scope)), examples=10)
    assert result.status == "refuted", result.detail


@pytest.mark.parametrize("case", [c for c in CASES if c[0] == "x" and c[1] == "h"], ids=["x-h", "x-h-c"])
def test_elbo_identity_holds_and_is_proved_by_the_whole_engine(case):
    lhs, relation, rhs = Model(*case).claims()["elbo is log evidence minus kl"]
    scope = _scoped(lhs, rhs)
    verdict, detail = check_step(lhs, Step(relation, rhs, "the claim", with_scope(None, scope)),
                                 world_strategy(Needs.of([lhs, rhs], scope)))
    assert verdict == PROVED, detail


def test_world_is_built_for_the_steps_own_names():
    model = Model("x", "h", True)
    lhs, _, rhs = model.claims()["kl decomposition"]
    names = Needs.of([lhs, rhs]).model
    assert (str(names.observed), str(names.latent), str(names.condition)) == ("x", "h", "c")


def test_world_for_a_marginalization_over_the_observed_variable_takes_it_as_its_latent():
    model = Model("x", "h", False)
    lhs, _, rhs = model.false_claims()["marginalization over the wrong variable"]
    assert str(Needs.of([lhs, rhs]).model.latent) == "x"


def test_densities_of_one_variable_of_any_name_get_a_world():
    w = sp.Symbol("w", real=True)
    result = check_numeric(KL(p(w), q(w)), ">=", 1, world_strategy(Needs.of([KL(p(w), q(w))])), examples=10)
    assert result.status == "refuted"


# ---------------------------------------------------------------- the audit, on documents


ROOT = Path(__file__).resolve().parent.parent

MIXED_NAMES = {
    "x-z evidence decomposition": (r"\log p(x) = \mathbb{E}_{q(z|x)}[\log p(x,z) - \log q(z|x)] + "
                                   r"\mathrm{KL}(q(z|x) \| p(z|x))", PROVED),
    "x-h evidence decomposition": (r"\log p(x) = \mathbb{E}_{q(h|x)}[\log p(x,h) - \log q(h|x)] + "
                                   r"\mathrm{KL}(q(h|x) \| p(h|x))", PROVED),
    "w-u evidence decomposition, wrong sign": (r"\log p(w) = \mathbb{E}_{q(u|w)}[\log p(w,u) - \log q(u|w)] - "
                                               r"\mathrm{KL}(q(u|w) \| p(u|w))", REFUTED),
    "x-h bayes": (r"p(h|x) = \frac{p(x|h) p(h)}{p(x)}", PROVED),
    "x-h bayes turned round": (r"p(x|h) = \frac{p(x|h) p(h)}{p(x)}", REFUTED),
    "X-z marginalization": (r"p(X) = \int p(X|z) p(z) \, dz", PROVED),
    "cvae bound": (r"\log p(x|c) \geq \mathbb{E}_{q(z|x,c)}[\log p(x|z,c)] - \mathrm{KL}(q(z|x,c) \| p(z|c))",
                   PROVED),
    "cvae bound reversed": (r"\log p(x|c) \leq \mathbb{E}_{q(z|x,c)}[\log p(x|z,c)] - "
                            r"\mathrm{KL}(q(z|x,c) \| p(z|c))", REFUTED),
}
ONE_LABEL_ON_Q = {  # q_λ throughout: the variational distribution, so the model worlds' q
    "q-lambda evidence decomposition": (r"\log p_\theta(x) = \mathbb{E}_{q_\lambda(z|x)}[\log p_\theta(x,z) - "
                                        r"\log q_\lambda(z|x)] + \mathrm{KL}(q_\lambda(z|x) \| p_\theta(z|x))",
                                        PROVED),
    "q-lambda bound reversed": (r"\log p_\theta(x) \leq \mathbb{E}_{q_\lambda(z|x)}[\log p_\theta(x|z)] - "
                                r"\mathrm{KL}(q_\lambda(z|x) \| p(z))", REFUTED),
    "indexed bayes beside x, z": (r"p_{\theta}(z_i|x_i) = \frac{p_{\theta}(x_i|z_i) p(z_i)}{p_\theta(x_i)}", PROVED),
}
DOCUMENTS = {"mixed-names": MIXED_NAMES, "one-label-on-q": ONE_LABEL_ON_Q}
AUDITED = [(document, name) for document, cases in DOCUMENTS.items() for name in cases]


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> dict[tuple[str, str], str]:
    import json

    verdicts = {}
    for document, cases in DOCUMENTS.items():
        path = tmp_path_factory.mktemp("notation") / f"{document}.md"
        lines = [f"# {document}\n"]
        for formula, _ in cases.values():
            lines += [f"$${formula}$$", ""]
        path.write_text("\n".join(lines), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "mathcheck", "audit", str(path), "--format", "json"],
                              capture_output=True, text=True, cwd=ROOT, timeout=600)
        report = json.loads(done.stdout)
        steps = report["steps"] if isinstance(report, dict) else report[0]["steps"]
        verdicts.update({(document, name): step["verdict"] for name, step in zip(cases, steps)})
    return verdicts


@pytest.mark.parametrize("document, name", AUDITED, ids=[f"{d}: {n}" for d, n in AUDITED])
def test_audit_verdict_in_any_naming(audited, document, name):
    assert audited[(document, name)] == DOCUMENTS[document][name][1]
