"""Every derivation of the article verifies, and each corrupted step is refuted."""
import pytest
import sympy as sp

from mathcheck import registry
from mathcheck.calc import Step
from mathcheck.checker import check_chain, check_step, strategy_for
from mathcheck.numeric import Needs, world_strategy
from mathcheck.report import PROVED, REFUTED
from mathcheck.symbolic import prove
from tests.mutation import mutants

DERIVATIONS = registry.derivation_modules()
STEPS = [(name, index) for name, module in DERIVATIONS.items() for index in range(len(module.CHAIN.steps))]


@pytest.mark.parametrize("name", sorted(DERIVATIONS))
def test_derivation_is_proved_step_by_step(name):
    report = check_chain(DERIVATIONS[name].CHAIN, examples=10)
    assert [s.verdict for s in report.steps] == [PROVED] * len(report.steps), [s.detail for s in report.steps]


@pytest.mark.parametrize("name", sorted(DERIVATIONS))
def test_derivation_module_documents_what_it_proves_and_where(name):
    module = DERIVATIONS[name]
    assert module.__doc__ and "line" in module.__doc__
    assert module.CHAIN.name == name == module.__name__.rsplit(".", 1)[1]
    assert all(step.why.strip() for step in module.CHAIN.steps)


@pytest.mark.parametrize("name, index", STEPS)
def test_corrupted_step_is_refuted(name, index):
    chain = DERIVATIONS[name].CHAIN
    lhs, step = list(chain.pairs())[index]
    checked = 0
    for description, mutant in mutants(step.expr):
        if prove(step.expr, "=", mutant, model=chain.model).proved:
            continue  # an equivalent mutant (e.g. q/q cancels): not a corruption
        strategy = world_strategy(Needs.of(chain.expressions + [mutant]))
        verdict, detail = check_step(lhs, Step(step.relation, mutant, step.why, step.rules), strategy,
                                     examples=15, model=chain.model)
        if verdict == PROVED and detail.get("worlds"):
            continue  # still true (e.g. Jensen at q = p(z|X)): both checkers agree, not a corruption
        assert verdict == REFUTED, (description, str(mutant), verdict, detail.get("reason"))
        checked += 1
    assert checked > 0 or step.expr == 0


@pytest.mark.parametrize("name, index", [(n, i) for n, i in STEPS if DERIVATIONS[n].CHAIN.steps[i].relation != "="])
def test_reversed_inequality_is_refuted(name, index):
    chain = DERIVATIONS[name].CHAIN
    lhs, step = list(chain.pairs())[index]
    flipped = {">=": "<", ">": "<=", "<=": ">", "<": ">="}[step.relation]
    verdict, detail = check_step(lhs, Step(flipped, step.expr, step.why), strategy_for(chain)[0], examples=15,
                                 model=chain.model)
    assert verdict == REFUTED, detail


def test_a_step_without_justification_is_never_passed():
    chain = DERIVATIONS["elbo_le_log_evidence"].CHAIN
    lhs, step = next(iter(chain.pairs()))
    verdict, detail = check_step(lhs, Step(step.relation, step.expr, ""), strategy_for(chain)[0], examples=5)
    assert verdict == "undecided" and "no justification" in detail["reason"]


def test_the_articles_always_positive_claim_is_refuted_at_sigma_1_mu_0():
    chain = DERIVATIONS["gaussian_kl_nonnegative"].CHAIN
    verdict, detail = check_step(chain.start, Step(">", 0, "the article, line 34: 必ず正"), strategy_for(chain)[0],
                                 examples=5)
    assert verdict == REFUTED and "mu = 0, sigma = 1" in detail["reason"]


def test_a_strict_inequality_between_equal_sides_is_not_confirmed_numerically():
    from mathcheck.checker import check_numeric
    from mathcheck.vocab import X, p, z

    lhs = sp.log(p(X))
    result = check_numeric(lhs, ">", sp.log(p(X, z)) - sp.log(p(z, given=X)), strategy_for(
        DERIVATIONS["bayes_rule"].CHAIN)[0], examples=5)
    assert result.status == "unsupported" and "strict inequality cannot be confirmed" in result.detail["reason"]


def test_worlds_where_a_side_is_nan_leave_the_step_undecided_not_held():
    from mathcheck.calc import calc
    from mathcheck.vocab import mu

    report = check_chain(calc((mu**3) ** sp.Rational(1, 3), ("=", mu, "cube root"), name="c", title="", source=""))
    assert report.steps[0].verdict == "undecided" and "NaN" in report.steps[0].detail["reason"]


def test_a_derivative_off_by_a_small_constant_is_refuted():
    from mathcheck.calc import calc
    from mathcheck.vocab import mu

    chain = calc(sp.Derivative(mu**3, mu), ("=", 3 * mu**2 + sp.Rational(1, 10000), "power rule, wrongly"),
                 name="d", title="", source="")
    assert check_chain(chain).steps[0].verdict == REFUTED
