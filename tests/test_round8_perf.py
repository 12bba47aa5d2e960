"""Round 8 of the cold audit's speed (issue 11, Performance), and the sentence rule of ``audit/check.py``.

- ``symbolic._cancelled``: sp.cancel with each closed integral (no free symbol) held as a placeholder, so that
  sympy does not try to evaluate it numerically while it orders terms; it must decide zero exactly as sp.cancel.
- ``symbolic._cancels_to_zero`` is answered from a cache for a difference met again.
- ``mathcheck audit`` runs numpy's BLAS on one thread (as verify does), unless the user set the thread counts.
- ``check._sentence`` / ``check._sentences``: one rule for where a sentence ends (. ! ? before a space, 。！？,
  a blank line), so the prose before a display is read sentence by sentence in English and Japanese alike.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sympy as sp

import mathcheck.symbolic as symbolic
from mathcheck.audit.check import DEFINITION, _masked_maths, _sentence, _sentences, audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import REFUTED
from mathcheck.symbolic import _cancelled, _cancels_to_zero, expand_logs
from mathcheck.vocab import Density

x, t = sp.symbols("x t", real=True)
a, b, c = sp.symbols("a b c", positive=True)
g, h = sp.Function("g"), sp.Function("h")
p_x, q_x = Density("p", [x]), Density("q", [x])


def closed(body: sp.Expr) -> sp.Integral:
    return sp.Integral(body, (x, -sp.oo, sp.oo))


I_gp, I_hp, I_gq = closed(g(x) * p_x), closed(h(x) * p_x), closed(g(x) * q_x)

DIFFERENCES = {
    "Jensen's two sides (the seed's step)": sp.log(I_gp) - closed(sp.log(g(x)) * p_x),
    "shares of a sum of closed integrals": I_gp / (I_gp + I_hp) + I_hp / (I_gp + I_hp) - 1,
    "a ratio of closed integrals cancelled": (I_gp**2 - I_hp**2) / (I_gp - I_hp) - I_gp - I_hp,
    "a false ratio of closed integrals": (I_gp**2 - I_hp**2) / (I_gp - I_hp) - I_gp + I_hp,
    "two densities' integrals differ": I_gp - I_gq,
    "a closed integral under a log, times one": sp.log(I_gp) * (a + b) / (a + b) - sp.log(I_gp),
    "a rational identity without integrals": a / (a + b) + b / (a + b) - 1,
    "a false rational identity": a / (a + b) + b / (a + c) - 1,
    "an integral with a free symbol": sp.Integral(g(x) * a, (x, 0, 1)) * (a + 1) / (a + 1) - sp.Integral(g(x) * a, (x, 0, 1)),
    "a closed integral inside a closed one": sp.Integral(t * I_gp, (t, 0, 1)) / I_gp - sp.Integral(t, (t, 0, 1)),
    "a closed integral inside an open one": sp.Integral(a * t * I_gp, (t, 0, 1)) / I_gp - a / 2,
}


def cancelled_by_sympy_is_zero(difference: sp.Expr) -> bool:
    """The reference: the pipeline of _difference_is_zero with sympy's own cancel."""
    return sp.expand(expand_logs(sp.cancel(sp.together(difference)))) == 0


@pytest.mark.parametrize("difference", list(DIFFERENCES.values()), ids=list(DIFFERENCES))
def test_placeholder_cancel_decides_zero_as_sympy_cancel(difference):
    _cancels_to_zero.cache_clear()
    assert _cancels_to_zero(difference) == cancelled_by_sympy_is_zero(difference)


@pytest.mark.parametrize("difference", list(DIFFERENCES.values()), ids=list(DIFFERENCES))
def test_placeholder_cancel_equals_its_input(difference):
    """What _cancelled returns is the input, rewritten: no placeholder is left in it, and it has the input's value
    at a numeric point (g = 1 + x², h = 2 + x², p = q the standard normal density with variance 1/2)."""
    rewritten = _cancelled(sp.together(difference))
    assert not any(isinstance(s, sp.Dummy) for s in rewritten.free_symbols)
    point = {a: sp.Rational(3, 2), b: sp.Rational(5, 7), c: sp.Rational(2, 3)}

    def value(expr: sp.Expr) -> complex:
        expr = expr.replace(lambda n: isinstance(n, Density), lambda n: sp.exp(-x**2) / sp.sqrt(sp.pi)).xreplace(point)
        expr = expr.replace(g, lambda u: 1 + u**2).replace(h, lambda u: 2 + u**2)
        return complex(sp.N(expr.doit(), 20))

    expected = value(difference)
    assert abs(value(rewritten) - expected) <= 1e-9 * (1 + abs(expected))


@pytest.mark.parametrize("difference", [DIFFERENCES["Jensen's two sides (the seed's step)"],
                                        DIFFERENCES["two densities' integrals differ"],
                                        sp.log(I_gp + I_hp) - I_gp],
                         ids=["Jensen's two sides", "two densities' integrals", "log of a sum of integrals"])
def test_placeholder_cancel_runs_no_quadrature(difference, monkeypatch):
    """The mechanism: with closed integrals held as placeholders, cancel evaluates none of them numerically
    (sympy's own cancel, ordering the terms, tries mpmath quadrature on each abstract integrand)."""
    from sympy.core import evalf
    calls = []
    original = evalf.do_integral
    monkeypatch.setattr(evalf, "do_integral", lambda *args, **kw: calls.append(1) or original(*args, **kw))
    sp.core.cache.clear_cache()
    _cancelled(sp.together(difference))
    assert calls == []


def test_cancel_result_is_cached_for_a_difference_met_again(monkeypatch):
    difference = DIFFERENCES["a rational identity without integrals"] + sp.Symbol("fresh_r8")
    _cancels_to_zero.cache_clear()
    calls = []
    original = symbolic._cancelled
    monkeypatch.setattr(symbolic, "_cancelled", lambda expr: calls.append(expr) or original(expr))
    first, second = _cancels_to_zero(difference), _cancels_to_zero(difference)
    assert first == second == cancelled_by_sympy_is_zero(difference) and len(calls) == 1


# ---------------------------------------------------------------- verdicts: the old cancel as the reference

DOCUMENTS = {
    "Jensen for log": "$\\log$ is concave.\n\n$$\\log\\int p(x)g(x)dx\\geq\\int p(x)\\log g(x)dx$$\n",
    "a rational identity": "$$\\frac{a}{a+b} + \\frac{b}{a+b} = 1$$\n",
    "a false rational identity": "$$\\frac{a}{a+b} + \\frac{b}{a+c} = 1$$\n",
    "shares of integrals": ("$$\\frac{\\int f(x) p(x) dx}{\\int f(x) p(x) dx + \\int h(x) p(x) dx} + "
                            "\\frac{\\int h(x) p(x) dx}{\\int f(x) p(x) dx + \\int h(x) p(x) dx} = 1$$\n"),
}


def _verdicts(text: str) -> list[tuple[str, str]]:
    return [(step.relation, step.verdict) for step in audit_document(parse_document("doc.md", text)).steps]


@pytest.mark.parametrize("text", list(DOCUMENTS.values()), ids=list(DOCUMENTS))
def test_audit_verdicts_equal_those_with_sympy_cancel(text, monkeypatch):
    symbolic._cancels_to_zero.cache_clear()
    now = _verdicts(text)
    monkeypatch.setattr(symbolic, "_cancelled", sp.cancel)
    symbolic._cancels_to_zero.cache_clear()
    symbolic.normal_form.cache_clear()
    assert now == _verdicts(text)


# ---------------------------------------------------------------- one BLAS thread for the audit

THREADS = ("import os, sys, mathcheck.cli as cli\n"
           "cli._main(['audit', sys.argv[1], '--no-cache'])\n"
           "print(os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules)")


@pytest.mark.parametrize("given, expected", [(None, "1"), ("4", "4"), ("2", "2")], ids=["unset", "four", "two"])
def test_audit_runs_blas_on_one_thread_unless_the_user_set_it(given, expected, tmp_path):
    document = tmp_path / "empty.md"
    document.write_text("$$a + a = 2 a$$\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run([sys.executable, "-c", THREADS, str(document)], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert done.stdout.split()[-2:] == [expected, "True"], done.stderr[-500:]


# ---------------------------------------------------------------- the sentence rule

SENTENCES = {
    "English, a space after the period": ("A first remark. Let $h(x) := x$ be the map. Then more.",
                                          "Let $h(x) := x$ be the map."),
    "English, a line break after the period": ("This is not a constant.\nTake $k(u) = u$ here.\nMore.",
                                               "Take $k(u) = u$ here."),
    "Japanese, no space after 。": ("これは定数ではない。$w(t) = t^2$ とおく。次に進む。", "$w(t) = t^2$ とおく。"),
    "a question keeps its mark": ("Fine. Is $g(y) = 2y$ true? Yes.", "Is $g(y) = 2y$ true?"),
    "a blank line ends a sentence": ("Heading without a period\n\nLet $m(s) = s$ hold", "Let $m(s) = s$ hold"),
    "a decimal inside the formula": ("First. Let $h(x) = 0.5 x$ be half. Next.", "Let $h(x) = 0.5 x$ be half."),
}


@pytest.mark.parametrize("text, expected", list(SENTENCES.values()), ids=list(SENTENCES))
def test_sentence_around_a_formula_is_the_written_sentence(text, expected):
    start = text.index("$")
    end = text.index("$", start + 1) + 1
    masked = _masked_maths(text)
    found = _sentence(masked, start, end)
    begin = masked.index(found)
    assert text[begin:begin + len(found)].strip() == expected


@pytest.mark.parametrize("text", [t for t, _ in SENTENCES.values()], ids=list(SENTENCES))
def test_sentences_split_where_the_sentence_around_ends(text):
    """Every sentence _sentences cuts is the sentence _sentence finds around any place inside it."""
    position = 0
    for piece in _sentences(text):
        position = text.index(piece, position)
        if piece.strip():
            middle = position + len(piece) // 2
            assert _sentence(text, middle, middle).strip() == piece.strip()
        position += len(piece)


# A prose definition whose sentence ends with a line break, after a negated sentence: the display must be checked
# against it (before, the negation of the sentence before counted, and the display became an unchecked definition).
PROSE_THEN_DISPLAY = {
    "after a negated sentence, line break": "This is not a constant.\nLet $h(x) = x^2$.\n\n$$h(x) = x^3$$\n",
    "after a negated sentence, tab": "We never use it.\tTake $h(u) = u + 1$.\n\n$$h(u) = u$$\n",
    "after an exclamation, line break": "No way!\nLet $h(y) = 2y$.\n\n$$h(y) = 3y$$\n",
    "Japanese, after a question": "これは定数ですか?\n$h(x) = x^2$ とする。\n\n$$h(x) = x^3$$\n",
}


@pytest.mark.parametrize("text", list(PROSE_THEN_DISPLAY.values()), ids=list(PROSE_THEN_DISPLAY))
def test_display_contradicting_a_prose_definition_is_refuted(text):
    steps = [step for step in audit_document(parse_document("doc.md", text)).steps if step.relation]
    assert [step.verdict for step in steps] == [REFUTED]


def test_a_negated_prose_equation_defines_nothing():
    text = "We do not set $h(x) = x^2$.\n\n$$h(x) = x^3$$\n"
    steps = [step for step in audit_document(parse_document("doc.md", text)).steps if step.relation]
    assert [step.verdict for step in steps] == [DEFINITION]


def test_report_is_json_for_the_seed_like_jensen_document(tmp_path, capsys):
    """The CLI path end to end (threads set, placeholders used): the Jensen step proves."""
    from mathcheck.cli import main
    document = tmp_path / "jensen.md"
    document.write_text(DOCUMENTS["Jensen for log"], encoding="utf-8")
    main(["audit", str(document), "--no-cache", "--format", "json"])
    verdicts = [step["verdict"] for step in json.loads(capsys.readouterr().out)["steps"]]
    assert verdicts == ["proved"]


# ---------------------------------------------------------------- what an audit that reads its cache imports

IMPORTS = ("import json, os, sys, mathcheck.cli as cli\n"
           "code = cli.main(['audit', sys.argv[1], '--format', sys.argv[2]])\n"
           "print(json.dumps(sorted(m for m in ('xml.sax.saxutils', 'urllib.request', 'http.client', 'ssl')"
           " if m in sys.modules)))")


@pytest.mark.parametrize("format_name", ["text", "json", "markdown", "github"])
def test_an_audit_without_junit_imports_no_xml_or_network_module(format_name, tmp_path):
    """The cache key reads display_path (mathcheck.annotations), which once imported xml.sax.saxutils and with
    it urllib, http and ssl: ~25 ms of every cold and warm audit."""
    document = tmp_path / "notes.md"
    document.write_text("$$a + a = 2 a$$\n", encoding="utf-8")
    env = {**os.environ, "MATHCHECK_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # cold, then answered from the cache
        done = subprocess.run([sys.executable, "-c", IMPORTS, str(document), format_name], capture_output=True,
                              text=True, env=env, timeout=600, check=False)
        assert json.loads(done.stdout.strip().splitlines()[-1]) == [], done.stderr[-500:]


def test_junit_report_still_escapes_its_text(tmp_path, capsys):
    import xml.etree.ElementTree as ElementTree
    from mathcheck.cli import main
    document = tmp_path / "notes & <more>.md"
    document.write_text("$$a + a = 2 a$$\n\n$$a < a$$\n", encoding="utf-8")
    main(["audit", str(document), "--no-cache", "--format", "junit"])
    root = ElementTree.fromstring(capsys.readouterr().out)
    cases = root.findall(".//testcase")
    assert len(cases) == 2 and len(root.findall(".//failure")) == 1
