"""``mathcheck audit``: the check layer must never let a false step pass. Kinds: reparameterizations checked
in law without the document's earlier assignments (pathwise dependence, a second assignment), a law given by a
density declaration ignored, a definition with a free variable used under a binder of that variable, an
assignment read from a left side that only simplifies to a name, a standard operator "defined" by ``=``, an
assignment against a declared sign. Every kind also has true members that must still pass."""
import json

import pytest

from mathcheck.audit.check import DEFINITION
from mathcheck.cli import main
from mathcheck.report import HOLDS, PROVED, REFUTED

PASSING = (PROVED, HOLDS, DEFINITION)
LAWS = "Let $\\epsilon\\sim N(0,1)$, $\\eta\\sim N(0,1)$ and $x\\sim N(0,2)$.\n\n"


def audit(tmp_path, capsys, text: str) -> tuple[int, list[dict]]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    code = main(["audit", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err and code in (0, 1), captured.err
    return code, json.loads(captured.out)["steps"]


def displays(*formulas: str) -> str:
    return "\n\n".join(f"$${formula}$$" for formula in formulas) + "\n"


def assert_flagged(code: int, steps: list[dict]) -> None:
    assert code == 1 and any(step["verdict"] not in PASSING for step in steps), steps


def assert_passes(code: int, steps: list[dict]) -> None:
    assert code == 0 and all(step["verdict"] in PASSING for step in steps), steps


# ---------------------------------------------------------------- reparameterization: earlier assignments


@pytest.mark.parametrize("text", [
    LAWS + displays("\\eta = -\\epsilon", "x = \\epsilon + \\eta"),  # x = 0, not N(0, 2)
    "Let $\\epsilon\\sim N(0,1)$ and $x\\sim N(0,2)$.\n\n" + displays("z = \\epsilon", "x = z + \\epsilon"),
    "Let $\\epsilon\\sim N(0,1)$ and $z\\sim N(0,1)$.\n\n" + displays("z = \\epsilon", "z = -\\epsilon"),
    LAWS + displays("\\eta = \\epsilon", "x = \\epsilon + \\eta"),  # 2ε ~ N(0, 4)
    "Let $\\epsilon\\sim N(0,1)$ and $z\\sim N(0,1)$.\n\n" + displays("z = \\epsilon", "z := -\\epsilon"),
])
def test_assignment_in_law_sees_earlier_assignments(tmp_path, capsys, text):
    assert_flagged(*audit(tmp_path, capsys, text))


def test_second_assignment_is_checked_pathwise_against_the_first(tmp_path, capsys):
    text = "Let $\\epsilon\\sim N(0,1)$ and $z\\sim N(0,1)$.\n\n" + displays("z = \\epsilon", "z = -\\epsilon")
    code, steps = audit(tmp_path, capsys, text)
    assert steps[-1]["verdict"] == REFUTED and "already assigned" in steps[-1]["reason"], steps


@pytest.mark.parametrize("rhs", ["\\epsilon + \\eta", "\\epsilon - \\eta", "-\\eta - \\epsilon"])
def test_independent_noises_combine_in_law(tmp_path, capsys, rhs):
    assert_passes(*audit(tmp_path, capsys, LAWS + displays(f"x = {rhs}")))


# ---------------------------------------------------------------- laws from density declarations


@pytest.mark.parametrize("rhs", ["\\mu + \\sigma^2\\epsilon", "\\mu + 2\\sigma\\epsilon", "\\sigma\\epsilon"])
def test_density_declaration_gives_the_law_of_its_variable(tmp_path, capsys, rhs):
    text = "Let $\\epsilon\\sim N(0,1)$ and $q(z)\\sim N(\\mu,\\sigma^2)$.\n\n" + displays(f"z = {rhs}")
    assert_flagged(*audit(tmp_path, capsys, text))


@pytest.mark.parametrize("declaration", ["$q(z)\\sim N(\\mu,\\sigma^2)$", "$z\\sim N(\\mu,\\sigma^2)$"])
def test_reparameterization_with_the_declared_law_passes(tmp_path, capsys, declaration):
    text = f"Let $\\epsilon\\sim N(0,1)$ and {declaration}.\n\n" + displays("z = \\mu + \\sigma\\epsilon")
    assert_passes(*audit(tmp_path, capsys, text))


# ---------------------------------------------------------------- free variables under a binder


@pytest.mark.parametrize("formulas", [
    ("m := z/2", "\\int N(z; m, 1)\\,dz = 1"),
    ("c := z", "\\int q(z\\mid X)\\,c\\,dz = c"),
    ("F := z^2", "\\int q(z\\mid X) F\\,dz = \\int q(z\\mid X) z^2 dz"),
    ("G(y) := y z", "\\int q(z\\mid X)\\,G(1)\\,dz = \\int q(z\\mid X)\\,z\\,dz"),
])
def test_definition_with_a_free_variable_under_its_binder_is_ambiguous(tmp_path, capsys, formulas):
    code, steps = audit(tmp_path, capsys, displays(*formulas))
    assert_flagged(code, steps)
    assert "ambiguous" in steps[-1]["reason"], steps


def test_definition_with_a_free_variable_outside_binders_passes(tmp_path, capsys):
    assert_passes(*audit(tmp_path, capsys, displays("F := z^2", "F + 1 = z^2 + 1")))


def test_definition_argument_under_its_binder_passes(tmp_path, capsys):
    text = displays("F(y) := y^2", "\\int q(z\\mid X) F(z)\\,dz = \\int q(z\\mid X) z^2 dz")
    assert_passes(*audit(tmp_path, capsys, text))


@pytest.mark.parametrize("value, passes", [("-1", False), ("0", False), ("2", True)])
def test_assignment_meets_the_declared_sign(tmp_path, capsys, value, passes):
    code, steps = audit(tmp_path, capsys, "Let $\\sigma > 0$.\n\n" + displays(f"\\sigma := {value}"))
    (assert_passes if passes else assert_flagged)(code, steps)


# ---------------------------------------------------------------- left sides written as a name


@pytest.mark.parametrize("formula", ["\\sqrt{x}^2 = -1", "\\log e^{x} = 1", "\\max(x) = 1", "((x)) = 1",
                                     "\\log e^{z} := 1"])
def test_assignment_needs_a_left_side_written_as_a_name(tmp_path, capsys, formula):
    code, steps = audit(tmp_path, capsys, displays(formula))
    assert_flagged(code, steps)
    assert "assigns the variable" not in steps[0]["reason"], steps


@pytest.mark.parametrize("formula", ["x = 1", "z_1 := 2"])
def test_assignment_of_a_name_is_a_definition(tmp_path, capsys, formula):
    code, steps = audit(tmp_path, capsys, displays(formula))
    assert steps[0]["verdict"] == DEFINITION, steps


# ---------------------------------------------------------------- standard operators


@pytest.mark.parametrize("formula", ["\\mathrm{Var}(x) = 0", "KL = -1", "ELBO = \\log p(X)+1", "H = -1",
                                     "\\mathrm{Cov}(x, z) = 2"])
def test_standard_operator_is_not_defined_by_equals(tmp_path, capsys, formula):
    code, steps = audit(tmp_path, capsys, displays(formula))
    assert_flagged(code, steps)


def test_standard_operator_is_defined_by_colon_equals(tmp_path, capsys):
    code, steps = audit(tmp_path, capsys, displays("ELBO := \\log p(X)"))
    assert steps[0]["verdict"] == DEFINITION, steps
