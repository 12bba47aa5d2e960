"""Round 6 of the cold audit's speed (issue 11, Performance): the objects of an audit are promoted past the
young generation uncollected, the pure expression builders (``vocab.unfold``, ``vocab.integral``,
``check.unfolded``, ``checker._real_pole``) answer repeated expressions from a cache, and ``Needs.of`` finds
its densities, integrals and functions in one walk, and the audit's module-level regular expressions are
compiled when first used (``lazy.LazyPattern``). None of it may change what is computed."""
from __future__ import annotations

import gc
import json
import re
import weakref

import pytest
import sympy as sp

from mathcheck.checker import _real_pole
from mathcheck.cli import main
from mathcheck.numeric import _atoms_of_kinds
from mathcheck.vocab import KL, Concave, Density, Expectation, cached_on_expressions, concave_function, define, \
    integral, unfold

x, y, z = sp.symbols("x y z", real=True)
f, g = sp.Function("f"), sp.Function("g")
DOCUMENT = """Let $q(z|x)$ be any density of $z$.

$$
(a + b)^2 = a^2 + 2ab + b^2
$$

$$
(a + b)^2 = a^2 + b^2
$$
"""


def test_an_audit_leaves_no_object_frozen_and_its_thresholds_back(tmp_path, capsys):
    document = tmp_path / "notes.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    before = gc.get_threshold()
    main(["audit", str(document), "--no-cache", "--format", "json"])
    verdicts = [step["verdict"] for step in json.loads(capsys.readouterr().out)["steps"]]
    assert verdicts == ["proved", "refuted"]
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_cyclic_garbage_left_by_an_audit_is_still_collected():
    from mathcheck.audit import _fewer_collections

    with _fewer_collections():
        cycle = _Cycle()
        alive = weakref.ref(cycle)
        del cycle
    assert alive() is not None  # promoted uncollected
    gc.collect()
    assert alive() is None


def test_objects_someone_froze_stay_frozen():
    from mathcheck.audit import _fewer_collections

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _fewer_collections():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


EXPRESSIONS = [
    sp.log(integral(g(x) * Density("p", (x,)), x)) - integral(sp.log(g(x)) * Density("p", (x,)), x),
    Expectation(Density("q", (z,), (x,)), sp.log(Density("p", (x, z)))) + KL(Density("q", (z,), (x,)), Density("p", (z,))),
    concave_function("f")(integral(y * Density("p", (y,)), y)) + f(x) * g(y) + x**2,
    define("L", (x,), integral(Density("q", (z,), (x,)) * sp.log(Density("p", (x, z))), z)) + 1,
]
KINDS = (Density, sp.Integral, (sp.core.function.AppliedUndef, Concave))


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=range(len(EXPRESSIONS)))
def test_atoms_of_kinds_are_atoms_of_each_kind_in_the_same_order(expr):
    expr = unfold(expr)
    found = _atoms_of_kinds(expr, KINDS)
    expected = [expr.atoms(*(kind if isinstance(kind, tuple) else (kind,))) for kind in KINDS]
    assert found == expected
    assert [list(s) for s in found] == [list(s) for s in expected]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=range(len(EXPRESSIONS)))
def test_unfold_from_the_cache_equals_unfold_computed_again(expr):
    first = unfold(expr)
    unfold.cache_clear()
    assert unfold(expr) == first and not first.atoms(KL, Expectation)


def test_an_integral_of_a_float_is_not_the_cached_integral_of_an_int():
    assert integral(1, x).function == sp.Integer(1)
    assert integral(1.0, x).function == sp.Float(1.0)
    assert integral(1.0, x).function.is_Float


def test_unhashable_arguments_are_computed_each_time():
    calls = []

    @cached_on_expressions(8)
    def entries(matrix):
        calls.append(1)
        return list(matrix)

    mutable = sp.Matrix([[x, y]])
    assert entries(mutable) == [x, y] and entries(mutable) == [x, y]
    assert len(calls) == 2
    frozen = sp.ImmutableMatrix([[x, y]])
    assert entries(frozen) == [x, y] and entries(frozen) == [x, y]
    assert len(calls) == 3


def test_unfold_of_a_mutable_matrix_still_unfolds():
    matrix = sp.Matrix([[KL(Density("q", (z,)), Density("p", (z,)))]])
    assert not unfold(matrix).atoms(KL)


@pytest.mark.parametrize("body, pole", [(1 / z, 0), (1 / (z - 2) + z, 2), (z**2 + 1, None), (1 / (z**2 + 1), None)])
def test_real_pole_from_the_cache_is_the_pole(body, pole):
    _real_pole.cache_clear()
    first = _real_pole(body, z)
    assert first == pole and _real_pole(body, z) == first


def test_keyword_arguments_are_cached_and_unhashable_ones_computed_each_time():
    calls = []

    @cached_on_expressions(8)
    def scaled(expr, factor=1):
        calls.append(1)
        return expr * (factor if not isinstance(factor, list) else len(factor))

    assert scaled(x, factor=2) == 2 * x and scaled(x, factor=2) == 2 * x
    assert len(calls) == 1
    assert scaled(x, factor=[1, 2]) == 2 * x and scaled(x, factor=[1, 2]) == 2 * x
    assert len(calls) == 3


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=range(len(EXPRESSIONS)))
def test_normal_forms_from_the_caches_equal_normal_forms_computed_again(expr):
    from mathcheck.symbolic import _reduce_integrals, expand_logs, normal_form, reevaluate

    first = normal_form(expr)
    for cached in (normal_form, _reduce_integrals, expand_logs, reevaluate, unfold, integral):
        cached.cache_clear()
    assert normal_form(expr) == first


def test_a_density_from_the_cache_is_the_density_built_again():
    import pickle

    first = Density("p", (z,), (x,), "theta")
    assert Density("p", [z], [x], "theta") == first  # unhashable lists: built each time, the same density
    assert Density("p", (z,), (x,)) != first and Density("p", (z,), (x,)).label == ""
    assert Density("q", (z, x)).variables == tuple(sorted((z, x), key=sp.default_sort_key))
    assert pickle.loads(pickle.dumps(first)) == first


def test_normal_forms_skip_no_rewrite_that_applies():
    from mathcheck.symbolic import normal_form
    from mathcheck.vocab import Normal

    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    written = integral(Normal(x, mu, s) * x, x)
    assert normal_form(written) == mu
    assert normal_form(sp.Derivative(x**2 * y, y)) == x**2
    assert normal_form(x**2 + y) == x**2 + y


# ---------------------------------------------------------------- regular expressions compiled on first use

LAZY_CASES = [(r"\bab(?P<tail>c+)", 0, "x abcc abc ab"), (r"ab(c)", re.I, "ABC abc aBd"),
              (r"^\s*(\w+)\s*=", re.M, "a = 1\n  bb= 2\nc 3")]


@pytest.mark.parametrize("pattern, flags, text", LAZY_CASES)
def test_a_lazy_pattern_finds_what_the_compiled_pattern_finds(pattern, flags, text):
    from mathcheck.lazy import LazyPattern

    lazy, compiled = LazyPattern(pattern, flags), re.compile(pattern, flags)
    spans = lambda matches: [(m.span(), m.groups()) for m in matches]
    assert spans(lazy.finditer(text)) == spans(compiled.finditer(text))
    assert lazy.findall(text) == compiled.findall(text) and lazy.split(text) == compiled.split(text)
    assert lazy.sub("-", text) == compiled.sub("-", text) and lazy.subn("-", text) == compiled.subn("-", text)
    assert [bool(m(text, 1)) for m in (lazy.search, lazy.match, lazy.fullmatch)] == \
        [bool(m(text, 1)) for m in (compiled.search, compiled.match, compiled.fullmatch)]
    assert lazy.groups == compiled.groups and lazy.groupindex == compiled.groupindex


def test_a_lazy_pattern_is_compiled_only_when_first_used():
    from mathcheck.lazy import LazyPattern

    lazy = LazyPattern(r"(unclosed")  # an invalid pattern: compiling it raises
    assert lazy.pattern == r"(unclosed" and lazy.flags == 0 and "search" not in vars(lazy)
    with pytest.raises(Exception, match="missing \\)"):
        lazy.search("text")


def test_importing_the_audit_compiles_none_of_its_lazy_patterns():
    import subprocess
    import sys

    probe = ("import gc, mathcheck.audit.check\nfrom mathcheck.lazy import LazyPattern\n"
             "held = [o for o in gc.get_objects() if isinstance(o, LazyPattern)]\n"
             "print(len(held), sum('search' in vars(o) for o in held))")
    held, compiled = map(int, subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                             check=True).stdout.split())
    assert held > 100 and compiled == 0
