"""``mathcheck audit`` on adversarial input: false "definitions", constant differences, division by zero,
undecided steps, deep nesting and huge numbers. Each must end in a clear verdict and a non-zero exit,
never in a silent OK, a traceback or a hang."""
import re

import pytest
import sympy as sp

from mathcheck.audit.latex import MAX_NESTING, Unparsed, parse_expression
from mathcheck.cli import main
from mathcheck.report import PROVED, REFUTED, UNDECIDED
from mathcheck.symbolic import prove


def audit(tmp_path, capsys, text: str, *options: str) -> tuple[int, str]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    code = main(["audit", str(path), *options])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def verdicts(out: str) -> list[str]:
    """The verdict of each step, from the text report's lines ``FILE:LINE: verdict  step``."""
    return [match.group(1) for match in re.finditer(r"^\S+:\d+: (\S+)", out, flags=re.MULTILINE)]


def formulas(*sources: str) -> str:
    return "\n\n".join(f"$${source}$$" for source in sources) + "\n"


# ---------------------------------------------------------------- definitions that are claims


@pytest.mark.parametrize("source", ["x = x + 1", "z = z+1", "x = 2x", "L(X,z) = L(X,z) + 1"])
def test_a_name_written_on_both_sides_is_a_claim_and_refuted(tmp_path, capsys, source):
    code, out = audit(tmp_path, capsys, formulas(source))
    assert code == 1 and verdicts(out) == [REFUTED], out


@pytest.mark.parametrize("first, second", [("x = 1", "x = 2"), ("z = 1", "z = 3"), ("A := 1", "A := 2"),
                                           ("Loss = 1", "Loss = 2")])
def test_a_second_definition_that_contradicts_the_first_is_refuted(tmp_path, capsys, first, second):
    code, out = audit(tmp_path, capsys, formulas(first, second))
    assert code == 1 and verdicts(out) == ["definition", REFUTED], out
    assert "line 1" in out


@pytest.mark.parametrize("first, second", [("x = 1", "x = 2 - 1"), ("A := 1", "A := \\frac{2}{2}")])
def test_a_second_definition_that_agrees_with_the_first_is_proved(tmp_path, capsys, first, second):
    code, out = audit(tmp_path, capsys, formulas(first, second))
    assert code == 0 and verdicts(out) == ["definition", PROVED], out


# ---------------------------------------------------------------- constant differences


@pytest.mark.parametrize("lhs, rhs", [(sp.Integer(10) ** 400, sp.Integer(10) ** 400 + 1),
                                      (sp.Rational(1, 3), sp.Rational(1, 2)), (sp.pi, sp.Integer(3))])
def test_prove_refutes_sides_whose_normal_forms_differ_by_a_nonzero_number(lhs, rhs):
    proof = prove(lhs, "=", rhs)
    assert proof.disproved and not proof.proved and "nonzero number" in proof.reason


def test_prove_does_not_refute_a_float_rounding_difference():
    proof = prove(sp.Float(0.1) + sp.Float(0.2), "=", sp.Float(0.3))
    assert not proof.disproved


def test_prove_does_not_refute_a_number_sympy_cannot_show_nonzero():
    angle = sp.pi / 7
    lhs = sp.sin(angle) ** 2 + sp.cos(angle) ** 2  # equal to 1, but sympy's is_zero cannot tell
    proof = prove(lhs, "=", sp.Integer(1))
    assert (lhs - 1).is_zero is None
    assert not proof.disproved and "normal forms differ" in proof.reason


def test_big_numbers_that_differ_by_one_are_refuted_by_sympy(tmp_path, capsys):
    code, out = audit(tmp_path, capsys, formulas("10^{400} = 10^{400}+1"))
    assert code == 1 and verdicts(out) == [REFUTED] and "refuted by sympy" in out


# ---------------------------------------------------------------- division by zero


@pytest.mark.parametrize("source", [r"\frac{1}{0} = 1", r"\frac{2}{0} = 1", "1/0 = 1", r"\frac{0}{0} = 1",
                                    "0^{-1} = 1", r"\frac{1}{x - x} = 1"])
def test_division_by_zero_is_flagged_as_such(tmp_path, capsys, source):
    code, out = audit(tmp_path, capsys, formulas(source))
    assert code == 1 and verdicts(out) == ["unparsed"] and "division by zero" in out, out


def test_division_by_a_name_defined_as_zero_is_flagged(tmp_path, capsys):
    code, out = audit(tmp_path, capsys, formulas("C := 0", r"\frac{1}{C} = 1"))
    assert code == 1 and verdicts(out) == ["definition", "unparsed"] and "division by zero" in out, out


def test_the_reader_refuses_a_zero_denominator():
    with pytest.raises(Unparsed, match="division by zero"):
        parse_expression(r"\frac{x}{0}")


# ---------------------------------------------------------------- undecided steps


def test_an_undecided_step_makes_the_audit_exit_one(tmp_path, capsys):
    code, out = audit(tmp_path, capsys, formulas(r"2 \mathrm{Foo} = \mathrm{Foo} + \mathrm{Bar}"))
    assert verdicts(out) == [UNDECIDED] and code == 1


def test_the_summary_counts_the_steps_not_verified(tmp_path, capsys):
    code, out = audit(tmp_path, capsys, formulas(r"2 \mathrm{Foo} = \mathrm{Foo} + \mathrm{Bar}", "x = x", "y = y + 1"))
    summary = out.splitlines()[-1]
    assert "NOT OK (2 of 3 steps not verified" in summary and not summary.endswith(": OK")


def test_the_json_report_is_not_ok_with_an_undecided_step(tmp_path, capsys):
    import json

    code, out = audit(tmp_path, capsys, formulas(r"2 \mathrm{Foo} = \mathrm{Foo} + \mathrm{Bar}"), "--format", "json")
    assert code == 1 and json.loads(out)["ok"] is False


# ---------------------------------------------------------------- nesting and huge numbers


NESTED = {
    "braces": lambda n: "{" * n + "x" + "}" * n,
    "parentheses": lambda n: "(" * n + "x" + ")" * n,
    "left-right": lambda n: r"\left(" * n + "x" + r"\right)" * n,
    "fractions": lambda n: r"\frac{1}{" * n + "x" + "}" * n,
}


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_nesting_deeper_than_the_limit_is_unparsed_in_one_line(tmp_path, capsys, kind):
    code, out = audit(tmp_path, capsys, formulas(NESTED[kind](2 * MAX_NESTING) + " = x"))
    assert code == 1 and verdicts(out) == ["unparsed"]
    assert f"nesting deeper than {MAX_NESTING} levels" in out


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_nesting_at_the_limit_is_read_and_checked(tmp_path, capsys, kind):
    assert MAX_NESTING % 2 == 0  # an even number of 1/(...) is x itself
    code, out = audit(tmp_path, capsys, formulas(NESTED[kind](MAX_NESTING) + " = x"))
    assert code == 0 and verdicts(out) == [PROVED], out


@pytest.mark.parametrize("source", [r"-" * 300 + "x", r"\log " * 300 + "x", "x^{" * 300 + "x" + "}" * 300,
                                    r"\sqrt{" * 300 + "x" + "}" * 300])
def test_every_kind_of_deep_nesting_is_refused_by_the_reader(source):
    with pytest.raises(Unparsed, match="nesting deeper than"):
        parse_expression(source)


def test_an_exponent_tower_is_refused_as_too_large(tmp_path, capsys):
    code, out = audit(tmp_path, capsys, formulas("10^{10^{10^{10}}} = 1"))
    assert code == 1 and verdicts(out) == ["unparsed"] and "number too large" in out


def test_a_huge_exponent_through_a_definition_is_refused(tmp_path, capsys):
    code, out = audit(tmp_path, capsys, formulas("B := 10^{10}", "10^{B} = 1"))
    assert code == 1 and verdicts(out) == ["definition", "unparsed"] and "number too large" in out


def test_a_defined_name_in_an_exponent_is_read(tmp_path, capsys):
    code, out = audit(tmp_path, capsys, formulas("B := 2", "10^{B} = 100"))
    assert code == 0 and verdicts(out) == ["definition", PROVED], out
