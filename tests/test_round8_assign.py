"""Round 8, assign: an assigned value (a display ``x = 2``, ``c := 2``, ``K = 1``) is not put into a step
about any value of the name: (a) a later domain or generality re-declaration withdraws it ("Now let $x \\in
\\mathbb{R}$", "let $x$ be a real number", "take any $x$", "In general:", "Let $x$ vary.", 任意の, 一般の); (b) a step
whose own text quantifies the name (``\\text{for all } x``, ``\\forall x``, 任意の) never gets the value; (c) a value
after an example's lead-in ("at one point", "with a single sample", "例えば") is a local instance, no assignment.

The reference of each check is sympy: the claim is false for a general value of the name (its residual is a
nonzero polynomial) yet true at the assigned value, so a passing verdict can only come from the value put in."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import HOLDS, PROVED

PASSING = (PROVED, HOLDS)
t = sp.Symbol("t")

# claim (LaTeX in the name), the residual lhs - rhs as a polynomial in t, the assigned value
CLAIMS = {
    "x": (r"(x+1)^2 = x^2 + 5", (t + 1) ** 2 - t ** 2 - 5, 2),
    "c": (r"c^2 = 4", t ** 2 - 4, 2),
    "K": (r"K^2 = K", t ** 2 - t, 1),
}


def last_verdict(text: str, path: str = "doc.md") -> str:
    return [step.verdict for step in audit_document(parse_document(path, text)).steps if step.relation][-1]


def false_in_general(name: str) -> bool:
    _, residual, value = CLAIMS[name]
    return sp.expand(residual) != 0 and residual.subs(t, value) == 0


def document(before: str, assignment: str, between: str, claim: str) -> str:
    return f"# E\n\n{before}\n\n$${assignment}$$\n\n{between}\n\n$${claim}$$\n"


# ---------------------------------------------------------------- (a) a re-declaration withdraws the value

WITHDRAWALS = {
    "in-reals": ("x = 2", "x", r"Now let $x \in \mathbb{R}$."),
    "in-reals-c": ("c := 2", "c", r"Let $c \in \mathbb{R}$ from here on."),
    "be-a-real-number": ("x = 2", "x", "Now let $x$ be a real number."),
    "take-any": ("x = 2", "x", "Now take any $x$."),
    "general-x": ("x = 2", "x", "Next, for a general $x$:"),
    "in-general-alone": ("x = 2", "x", "In general:"),
    "vary": ("c := 2", "c", "Let $c$ vary."),
    "free-variable-again": ("x = 2", "x", "Now $x$ is a free variable again."),
    "any-positive-integer": ("K = 1", "K", "Now let $K$ be any positive integer."),
    "ja-arbitrary-real": ("x = 2", "x", "次に $x$ を任意の実数とする。"),
    "ja-general": ("x = 2", "x", "一般の $x$ について:"),
    "ja-arbitrary-c": ("c := 2", "c", "以下 $c$ は任意とする。"),
    "in-general-alone-K": ("K = 1", "K", "In general:"),
    "ja-in-general-alone": ("c := 2", "c", "一般には、"),
    "range-over": ("x = 2", "x", r"Let $x$ range over $\mathbb{R}$."),
    "no-longer-fixed": ("c := 2", "c", "Now $c$ is no longer fixed."),
    "denote-a-real-variable": ("c := 2", "c", "Let $c$ denote a real variable."),
    "be-real": ("x = 2", "x", "Now let $x$ be real."),
    "consider-in-naturals": ("K = 1", "K", r"Consider $K \in \mathbb{N}$."),
    "ja-real-number": ("x = 2", "x", "次に $x$ を実数とする。"),
    "ja-all": ("c := 2", "c", "すべての $c$ について"),
}


@pytest.mark.parametrize("assignment, name, withdrawal", WITHDRAWALS.values(), ids=WITHDRAWALS.keys())
def test_a_redeclared_name_is_not_given_its_assigned_value(assignment, name, withdrawal):
    assert false_in_general(name)
    verdict = last_verdict(document("Consider", assignment, withdrawal, CLAIMS[name][0]))
    assert verdict not in PASSING, verdict


KEPT = {
    "x-then": ("x = 2", "x", "Then:"),
    "c-so": ("c := 2", "c", "So we get"),
    "K-hence": ("K = 1", "K", "Hence"),
    "ja-then": ("x = 2", "x", "すると"),
    "where-in-naturals": ("K = 1", "K", r"where $K \in \mathbb{N}$. Then"),
    "with-in-reals": ("c := 2", "c", r"with $c \in \mathbb{R}$, so"),
    "ja-tadashi": ("x = 2", "x", r"ただし $x \in \mathbb{R}$ とする。"),
}


@pytest.mark.parametrize("assignment, name, between", KEPT.values(), ids=KEPT.keys())
def test_an_assigned_value_still_holds_without_a_redeclaration(assignment, name, between):
    assert sp.expand(CLAIMS[name][1].subs(t, CLAIMS[name][2])) == 0
    assert last_verdict(document("Consider", assignment, between, CLAIMS[name][0])) == PROVED


# ---------------------------------------------------------------- (b) the step's own quantifier

QUANTIFIED = {
    "text-for-all": ("x = 2", "x", r"(x+1)^2 = x^2 + 5 \quad \text{for all } x"),
    "text-for-every-c": ("c := 2", "c", r"c^2 = 4 \quad \text{for every } c"),
    "forall": ("x = 2", "x", r"(x+1)^2 = x^2 + 5 \quad \forall x"),
    "text-for-all-inline": ("c := 2", "c", r"c^2 = 4 \qquad \text{for all $c$}"),
    "ja-arbitrary": ("x = 2", "x", r"(x+1)^2 = x^2 + 5 \quad \text{任意の } x"),
    "ja-all": ("c := 2", "c", r"c^2 = 4 \quad \text{すべての } c"),
    "domain-in-formula": ("x = 2", "x", r"(x+1)^2 = x^2 + 5, \quad x \in \mathbb{R}"),
    "for-all-defined-name": ("K = 1", "K", r"K^2 = K \quad \text{for all } K"),
    "for-each-defined-name-domain": ("K = 1", "K", r"K^2 = K \quad \text{for each } K \in \mathbb{N}"),
}


@pytest.mark.parametrize("assignment, name, claim", QUANTIFIED.values(), ids=QUANTIFIED.keys())
def test_a_step_quantifying_a_name_is_not_given_its_assigned_value(assignment, name, claim):
    assert false_in_general(name)
    assert last_verdict(document("Consider", assignment, "Then", claim)) not in PASSING


# ---------------------------------------------------------------- (c) an example's value is no assignment

EXAMPLES = {
    "at-one-point": ("Sanity check at one point:", "x = 2", "x"),
    "single-sample": ("With a single sample,", "K = 1,", "K"),
    "for-example": ("For example, with", "c := 2", "c"),
    "special-case": ("In the special case", "x = 2", "x"),
    "ja-example": ("例えば", "x = 2", "x"),
    "ja-one-point": ("一点で確かめると", "c := 2", "c"),
}


@pytest.mark.parametrize("lead, assignment, name", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_a_value_after_an_example_lead_is_not_put_into_later_steps(lead, assignment, name):
    assert false_in_general(name)
    assert last_verdict(document(lead, assignment, "Also", CLAIMS[name][0])) not in PASSING


def test_the_reported_iwae_document_does_not_prove_log_k_zero():
    text = ("# I\n\nWith a single sample,\n\n$$K = 1,$$\n\nit is the ordinary ELBO. Now let $K$ be any positive "
            "integer.\n\n$$\\log K = 0$$\n")
    assert sp.log(sp.Symbol("K", positive=True, integer=True)) != 0
    assert last_verdict(text) not in PASSING


PROSE_VALUES = {
    "let-c-in-reals": ("Let $c := 2$.", "c", r"Now let $c \in \mathbb{R}$."),
    "let-K-any": ("Let $K = 1$.", "K", "Now let $K$ be any positive integer."),
    "let-c-general": ("Let $c := 2$.", "c", "Next, for a general $c$:"),
    "ja-c-arbitrary": ("$c := 2$ とする。", "c", "以下 $c$ は任意の実数とする。"),
}


@pytest.mark.parametrize("given, name, withdrawal", PROSE_VALUES.values(), ids=PROSE_VALUES.keys())
def test_a_value_given_in_prose_is_withdrawn_by_a_redeclaration(given, name, withdrawal):
    assert false_in_general(name)
    claim = CLAIMS[name][0]
    assert last_verdict(f"# E\n\n{given}\n\n$${claim}$$\n\n{withdrawal}\n\n$${claim}$$\n") not in PASSING
