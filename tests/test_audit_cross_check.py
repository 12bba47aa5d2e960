"""A symbolic proof is cross-checked numerically: the symbolic checker runs first, and a step it proves is
judged on the boundary worlds and a few drawn ones (``checker.CROSS_CHECK_EXAMPLES``) before it is
``proved``; a world that refutes the proof makes the step ``refuted`` with a request to report the mathcheck
bug. Unproved steps get the full number of worlds. Nothing here is timed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp

import mathcheck.checker as checker
from mathcheck.calc import Step
from mathcheck.checker import CROSS_CHECK_EXAMPLES, check_step
from mathcheck.cli import main
from mathcheck.numeric import Needs, world_strategy
from mathcheck.report import PROVED, REFUTED
from mathcheck.symbolic import Proof

a, b = sp.symbols("a b", real=True)
sigma = sp.Symbol("sigma", positive=True)
BUG_NOTE = "please report this mathcheck bug"

FALSE_STEPS = {
    "a square misremembered": ((a + b) ** 2, "=", a**2 + b**2),
    "a wrong bound": (sigma**2 - 1 - sp.log(sigma**2), ">=", 1),
    "a sign": (sp.exp(a), "<=", 0),
}


@pytest.fixture
def false_proofs(monkeypatch):
    """The symbolic checker, broken: it claims a proof of every step."""
    monkeypatch.setattr(checker, "prove", lambda *args, **kwargs: Proof(True, "normal forms agree (a broken engine)"))


@pytest.mark.parametrize("name", sorted(FALSE_STEPS))
def test_a_false_proof_is_refuted_as_a_mathcheck_bug(false_proofs, name):
    lhs, relation, rhs = FALSE_STEPS[name]
    verdict, detail = check_step(lhs, Step(relation, rhs, "claimed"), world_strategy(Needs.of([lhs, rhs])))
    assert verdict == REFUTED and BUG_NOTE in detail["reason"]


@pytest.mark.parametrize("name", sorted(FALSE_STEPS))
def test_a_false_proof_is_refuted_with_lazily_drawn_worlds(false_proofs, name):
    lhs, relation, rhs = FALSE_STEPS[name]
    asked: list[int] = []

    def worlds(count: int):
        asked.append(count)
        return world_strategy(Needs.of([lhs, rhs])), ""

    verdict, detail = check_step(lhs, Step(relation, rhs, "claimed"), examples=10, worlds=worlds)
    assert verdict == REFUTED and BUG_NOTE in detail["reason"] and asked == [CROSS_CHECK_EXAMPLES]


def test_a_proved_step_asks_for_few_worlds():
    asked: list[int] = []
    lhs, rhs = (a + b) ** 2, a**2 + 2 * a * b + b**2

    def worlds(count: int):
        asked.append(count)
        return world_strategy(Needs.of([lhs, rhs])), ""

    verdict, _ = check_step(lhs, Step("=", rhs, "expanded"), examples=10, worlds=worlds)
    assert verdict == PROVED and asked == [CROSS_CHECK_EXAMPLES]


def test_an_unproved_step_asks_for_every_world():
    asked: list[int] = []
    lhs, rhs = a**2 + b**2, 2 * a * b  # true (AM-GM) but beyond the lemmas: checked numerically

    def worlds(count: int):
        asked.append(count)
        return world_strategy(Needs.of([lhs, rhs])), ""

    verdict, _ = check_step(lhs, Step(">=", rhs, "AM-GM"), examples=10, worlds=worlds)
    assert asked == [10] and verdict == "holds"


def test_the_audit_reports_a_false_proof_as_a_mathcheck_bug(tmp_path: Path, false_proofs, capsys):
    path = tmp_path / "notes.md"
    path.write_text("Let $a$ and $b$ be real numbers.\n\n$$\n(a + b)^2 = a^2 + b^2\n$$\n", encoding="utf-8")
    code = main(["audit", str(path), "--format", "json", "--no-cache"])
    [step] = json.loads(capsys.readouterr().out)["steps"]
    assert code == 1 and step["verdict"] == REFUTED and BUG_NOTE in step["reason"]
