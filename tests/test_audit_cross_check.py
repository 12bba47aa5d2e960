"""A symbolic proof is cross-checked numerically: the symbolic checker runs first, and a step it proves is
judged on the boundary worlds and a few drawn ones (``checker.CROSS_CHECK_EXAMPLES``) before it is
``proved``; a world that refutes the proof makes the step ``refuted`` with a request to report the mathcheck
bug. Unproved steps get the full number of worlds. The worlds of a proved step are judged in turn, drawn
without hypothesis (``numeric.DrawnWorlds.plain``); an unproved step's are hypothesis'. Nothing here is timed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp

import mathcheck.checker as checker
import mathcheck.numeric as numeric
from mathcheck.calc import Step
from mathcheck.checker import CROSS_CHECK_EXAMPLES, check_step
from mathcheck.cli import main
from mathcheck.numeric import DrawnWorlds, Needs, world_strategy
from mathcheck.report import PROVED, REFUTED
from mathcheck.symbolic import Proof
from mathcheck.vocab import Density

a, b = sp.symbols("a b", real=True)
x, X = sp.Symbol("x", real=True), sp.Symbol("X", real=True)
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


FALSE_DOCUMENTS = {
    "a square": "Let $a$ and $b$ be real numbers.\n\n$$\n(a + b)^2 = a^2 + b^2\n$$\n",
    "the bound as an equality": "$$\n\\log p(x) = \\mathbb{E}_{q(z|x)}[\\log p(x, z) - \\log q(z|x)]\n$$\n",
    "a KL that vanishes": "$$\nD_{KL}(q(z|x) \\| p(z)) = 0\n$$\n",
    "Jensen the wrong way": "$$\n\\log \\int p(x|z) p(z)\\, dz \\leq \\int \\log(p(x|z)) p(z)\\, dz\n$$\n",
}


@pytest.mark.parametrize("name", sorted(FALSE_DOCUMENTS))
def test_the_audit_refutes_a_false_proof_in_its_worlds(tmp_path: Path, false_proofs, capsys, name):
    path = tmp_path / "notes.md"
    path.write_text(FALSE_DOCUMENTS[name], encoding="utf-8")
    code = main(["audit", str(path), "--format", "json", "--no-cache"])
    [step] = json.loads(capsys.readouterr().out)["steps"]
    assert code == 1 and step["verdict"] == REFUTED and BUG_NOTE in step["reason"]


@pytest.mark.parametrize("name", sorted(FALSE_STEPS))
def test_the_drawn_worlds_alone_refute_a_false_proof(false_proofs, monkeypatch, name):
    """Without the boundary worlds, the worlds drawn for the cross-check (numeric.DrawnWorlds' plain ones)
    still refute it: they are judged, not only drawn."""
    monkeypatch.setattr(checker, "_cross_check_worlds_for", lambda expressions: ())
    lhs, relation, rhs = FALSE_STEPS[name]
    drawn = DrawnWorlds.of(Needs.of([lhs, rhs]), seed=0, count=10)
    verdict, detail = check_step(lhs, Step(relation, rhs, "claimed"), worlds=lambda count: (drawn, ""))
    assert verdict == REFUTED and BUG_NOTE in detail["reason"]


def test_a_proved_step_is_cross_checked_without_a_hypothesis_run(monkeypatch):
    def no_hypothesis(*args, **kwargs):
        raise AssertionError("a hypothesis run for a proved step")

    monkeypatch.setattr(checker, "check_numeric", no_hypothesis)
    monkeypatch.setattr(numeric, "sample_worlds", no_hypothesis)
    lhs, rhs = (a + b) ** 2, a**2 + 2 * a * b + b**2
    drawn = DrawnWorlds.of(Needs.of([lhs, rhs]), seed=0, count=CROSS_CHECK_EXAMPLES)
    verdict, detail = check_step(lhs, Step("=", rhs, "expanded"), worlds=lambda count: (drawn, ""))
    assert verdict == PROVED and detail["worlds"] >= CROSS_CHECK_EXAMPLES


def test_an_unproved_step_is_searched_on_the_worlds_hypothesis_draws(monkeypatch):
    drawn_by_hypothesis: list[int] = []
    sample = numeric.sample_worlds

    def recorded(needs, seed, examples):
        drawn_by_hypothesis.append(examples)
        return sample(needs, seed, examples)

    monkeypatch.setattr(numeric, "sample_worlds", recorded)
    lhs, rhs = a**2 + b**2, 2 * a * b
    drawn = DrawnWorlds.of(Needs.of([lhs, rhs]), seed=0, count=10)
    verdict, _ = check_step(lhs, Step(">=", rhs, "AM-GM"), examples=10, worlds=lambda count: (drawn, ""))
    assert verdict == "holds" and drawn_by_hypothesis == [10]


@pytest.mark.parametrize("needs", [Needs.of([(a + b) ** 2]), Needs.of([sp.log(Density("p", (X,), ()))]),
                                   Needs.of([Density("q", (x,), ())])], ids=["parameters", "model", "pair"])
def test_the_plain_worlds_of_a_seed_are_the_same_every_time(needs):
    first = [world.describe() for world in numeric.plain_worlds(needs, 0, 5)]
    numeric.plain_worlds.cache_clear()
    again = [world.describe() for world in numeric.plain_worlds(needs, 0, 5)]
    other = [world.describe() for world in numeric.plain_worlds(needs, 1, 5)]
    assert first == again and first != other


c = sp.Symbol("c", real=True)
n = sp.Symbol("n", integer=True, nonnegative=True)
u, v, w = sp.symbols("u v w", nonnegative=True)
EDGE_ONLY_FALSE_STEPS = {  # each fails only at some edge values of its symbols: at a negative x, at 0 ...
    "a square root of a square": (sp.sqrt(x**2), "=", x),
    "a modulus dropped among many symbols": (sp.Abs(x) + a * b * c, "=", x + a * b * c),
    "a power of zero": (sp.Integer(0) ** n, "=", 0),
    "a quotient at zero": (u * v * w / (u + 1), "=", u * v * w),
    "a modulus of a product": (sp.Abs(a * b) * c**2, "=", a * b * c**2),
}


@pytest.mark.parametrize("name", sorted(EDGE_ONLY_FALSE_STEPS))
def test_a_false_proof_failing_only_at_an_edge_is_refuted(false_proofs, name):
    """The cross-check's bounded subset of boundary worlds keeps every edge value of every free symbol."""
    lhs, relation, rhs = EDGE_ONLY_FALSE_STEPS[name]
    needs = Needs.of([lhs, rhs])
    drawn = DrawnWorlds.of(needs, seed=0, count=CROSS_CHECK_EXAMPLES)
    verdict, detail = check_step(lhs, Step(relation, rhs, "claimed"), worlds=lambda count: (drawn, ""))
    assert verdict == REFUTED and BUG_NOTE in detail["reason"]


@pytest.mark.parametrize("name", sorted(EDGE_ONLY_FALSE_STEPS))
def test_the_cross_check_worlds_alone_refute_an_edge_only_false_proof(name):
    """No drawn world at all: the bounded subset of boundary worlds finds the edge by itself."""
    lhs, relation, rhs = EDGE_ONLY_FALSE_STEPS[name]
    assert checker.cross_check(lhs, relation, rhs, (), 0).status == REFUTED


MANY_SYMBOLS = [Needs.of([a * b * c * x * X]), Needs.of([a + b + c + x + X + sigma + n + u + v + w]),
                Needs.of([sp.log(Density("p", (X,), ())) + a * b * c])]


@pytest.mark.parametrize("needs", MANY_SYMBOLS, ids=["five reals", "ten symbols", "model and reals"])
def test_the_cross_check_worlds_are_a_bounded_subset_of_the_boundary_worlds(needs):
    every = numeric.boundary_worlds(needs)
    kept = numeric.cross_check_worlds(needs)
    assert set(map(id, kept)) <= set(map(id, every)) and len(kept) < len(every)


@pytest.mark.parametrize("needs", MANY_SYMBOLS, ids=["five reals", "ten symbols", "model and reals"])
def test_the_cross_check_worlds_hold_every_edge_value_of_every_symbol(needs):
    kept = numeric.cross_check_worlds(needs)
    free = sorted(kept[0].free, key=str)  # the symbols the first family world leaves free
    assert free
    for symbol in free:
        assert set(numeric.edge_values(symbol)) <= {world.symbols[symbol] for world in kept}


@pytest.mark.parametrize("needs", MANY_SYMBOLS, ids=["five reals", "ten symbols", "model and reals"])
def test_the_cross_check_worlds_are_the_same_every_time(needs):
    assert numeric.cross_check_worlds(needs) == numeric.cross_check_worlds(needs)
