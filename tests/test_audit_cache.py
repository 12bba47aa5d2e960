"""The cache of ``mathcheck audit`` (mathcheck.audit.cache): a hit prints the report of a fresh run, any change
that can change a verdict misses, ``--no-cache`` neither reads nor writes, and a broken cache is never an error.

Every test has a cache folder of its own (conftest.py sets ``MATHCHECK_CACHE_DIR``); none is timed."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import mathcheck
import mathcheck.audit.check as audit_check
from mathcheck.audit import cache
from mathcheck.cli import main

DOCUMENT = r"""# Notes

Let $a$ and $b$ be real numbers.

$$
(a + b)^2 = a^2 + 2 a b + b^2
$$

$$
(a + b)^2 = a^2 + b^2
$$
"""

CHANGED_DOCUMENTS = {
    "a step": DOCUMENT.replace("a^2 + b^2\n", "a^2 + b^2 + 2 a b\n"),
    "a declaration": DOCUMENT.replace("Let $a$ and $b$ be real numbers.", "Let $a > 0$ and $b > 0$."),
    "a macro": r"\newcommand{\sq}[1]{#1^2}" + "\n" + DOCUMENT.replace("a^2 + b^2\n", r"\sq{a} + b^2" + "\n"),
    "the prose only": DOCUMENT.replace("# Notes", "# Other notes"),
}


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    return path


@pytest.fixture
def checks(monkeypatch) -> list:
    """The documents the engine checks (a hit checks none)."""
    checked: list = []
    original = audit_check.audit_document

    def counting(document, *args, **kwargs):
        checked.append(document.path)
        return original(document, *args, **kwargs)

    monkeypatch.setattr(audit_check, "audit_document", counting)
    return checked


def audit(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(["audit", *map(str, arguments)])
    out, err = capsys.readouterr()
    return code, out, err


def without_seconds(report: str) -> str:
    """A report with its timings blanked: they differ between any two fresh runs."""
    report = re.sub(r"in \d+\.\d+s", "in _s", report)
    return re.sub(r'"seconds": [0-9.]+', '"seconds": _', report)


def entries() -> list[Path]:
    return sorted(cache.cache_dir().glob("*.json"))


@pytest.mark.parametrize("format_name", ["text", "json"])
def test_a_hit_prints_the_report_of_the_fresh_run(document, checks, capsys, format_name):
    first = audit(capsys, document, "--format", format_name)
    second = audit(capsys, document, "--format", format_name)
    assert checks == [str(document)]
    assert second[:2] == first[:2]
    assert "earlier audit" not in first[2] and "earlier audit" in second[2]


def test_a_hit_has_the_verdicts_of_a_run_without_the_cache(document, capsys):
    audit(capsys, document, "--format", "json")
    cached = audit(capsys, document, "--format", "json")
    fresh = audit(capsys, document, "--format", "json", "--no-cache")
    assert cached[0] == fresh[0] == 1
    assert [s["verdict"] for s in json.loads(cached[1])["steps"]] == ["proved", "refuted"]
    assert without_seconds(cached[1]) == without_seconds(fresh[1])


@pytest.mark.parametrize("change", sorted(CHANGED_DOCUMENTS))
def test_a_changed_document_misses(document, checks, capsys, change):
    audit(capsys, document)
    document.write_text(CHANGED_DOCUMENTS[change], encoding="utf-8")
    code, out, err = audit(capsys, document)
    fresh = audit(capsys, document, "--no-cache")
    assert len(checks) == 3 and "earlier audit" not in err
    assert (code, without_seconds(out)) == (fresh[0], without_seconds(fresh[1]))


@pytest.mark.parametrize("options", [["--seed", "1"], ["--examples", "3"], ["--format", "markdown"]])
def test_changed_options_miss(document, checks, capsys, options):
    audit(capsys, document)
    audit(capsys, document, *options)
    assert len(checks) == 2


def test_a_changed_macro_file_misses(document, tmp_path, checks, capsys):
    macros = tmp_path / "macros.tex"
    macros.write_text(r"\newcommand{\R}{\mathbb{R}}", encoding="utf-8")
    audit(capsys, document, "--macros", macros)
    macros.write_text(r"\newcommand{\R}{\mathbb{R}}\newcommand{\E}{\mathbb{E}}", encoding="utf-8")
    audit(capsys, document, "--macros", macros)
    assert len(checks) == 2


def test_another_mathcheck_version_misses(document, checks, capsys, monkeypatch):
    audit(capsys, document)
    monkeypatch.setattr(mathcheck, "__version__", mathcheck.__version__ + ".post1")
    audit(capsys, document)
    assert len(checks) == 2


def test_an_edited_engine_source_misses(document, checks, capsys, monkeypatch):
    audit(capsys, document)
    monkeypatch.setattr(cache, "_SOURCES", "a development edit of a module")
    audit(capsys, document)
    assert len(checks) == 2


def test_the_engine_fingerprint_hashes_the_sources(monkeypatch):
    monkeypatch.setattr(cache, "_SOURCES", None)
    fingerprint = cache.engine_fingerprint()
    assert fingerprint.startswith(mathcheck.__version__ + "+") and len(fingerprint) > len(mathcheck.__version__) + 60


def test_no_cache_writes_nothing(document, capsys):
    audit(capsys, document, "--no-cache")
    assert not cache.cache_dir().exists() or not any(cache.cache_dir().iterdir())


def test_no_cache_reads_nothing(document, checks, capsys):
    audit(capsys, document)
    audit(capsys, document, "--no-cache")
    assert len(checks) == 2


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"layout": 1, "key": "other", "output": "x", "code": 0}',
                                     b"\xff\xfe\x00", b'["a list"]'])
def test_a_corrupt_entry_is_ignored_and_rewritten(document, checks, capsys, garbage):
    first = audit(capsys, document)
    [entry] = entries()
    entry.write_bytes(garbage)
    again = audit(capsys, document)
    assert len(checks) == 2 and again[0] == first[0] and "error" not in again[2]
    assert json.loads(entry.read_text(encoding="utf-8"))["code"] == first[0]


def test_an_unwritable_cache_folder_is_no_error(document, tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    code, out, err = audit(capsys, document)
    assert code == 1 and "refuted" in out and err == ""


def test_the_cache_folder_is_the_environment_variable(document, tmp_path, capsys, monkeypatch):
    chosen = tmp_path / "chosen"
    monkeypatch.setenv(cache.CACHE_ENV, str(chosen))
    audit(capsys, document)
    assert len(list(chosen.glob("*.json"))) == 1


def test_without_the_variable_the_cache_is_in_the_user_cache_directory(tmp_path, monkeypatch):
    from mathcheck.storage import user_cache_dir

    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == user_cache_dir() / "audit"
    if sys.platform.startswith("linux"):  # where XDG_CACHE_HOME is the convention (platformdirs' too)
        assert cache.cache_dir() == tmp_path / "xdg" / "mathcheck" / "audit"


def test_nothing_lands_in_the_working_directory(document, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    audit(capsys, document)
    audit(capsys, document)
    assert list(work.iterdir()) == []


def test_a_run_whose_time_limit_expired_is_not_stored(document, capsys, monkeypatch):
    from mathcheck.deadline import SymbolicTimeout

    original = audit_check.audit_document

    def expiring(document, *args, **kwargs):
        SymbolicTimeout("no decision within 0s")  # what an expired time limit raises, somewhere in the engine
        return original(document, *args, **kwargs)

    monkeypatch.setattr(audit_check, "audit_document", expiring)
    audit(capsys, document)
    assert entries() == []


def test_an_unreadable_document_is_a_usage_error_and_not_stored(tmp_path, capsys):
    code, out, err = audit(capsys, tmp_path / "missing.md")
    assert code == 2 and "error" in err and entries() == []


def test_several_documents_are_one_entry(document, tmp_path, checks, capsys):
    other = tmp_path / "other.md"
    other.write_text(DOCUMENT.replace("(a + b)^2 = a^2 + b^2", "a + b = b + a"), encoding="utf-8")
    first = audit(capsys, document, other)
    second = audit(capsys, document, other)
    assert second[:2] == first[:2] and checks == [str(document), str(other)] and len(entries()) == 1


# ---------------------------------------------------------------- the cache of step verdicts

THREE_STEPS = r"""# Notes

Let $a$ and $b$ be real numbers.

$$
(a + b)^2 = a^2 + 2 a b + b^2
$$

$$
(a - b)^2 = a^2 - 2 a b + b^2
$$

$$
(a + b)(a - b) = a^2 - b^2
$$
"""

ONE_LINE_EDITS = {
    "made false": ("(a - b)^2 = a^2 - 2 a b + b^2", "(a - b)^2 = a^2 + b^2"),
    "another true step": ("(a - b)^2 = a^2 - 2 a b + b^2", "(a - b)^2 = (b - a)^2"),
    "a line inserted above": ("Let $a$", "Some words first.\n\nLet $a$"),
}


@pytest.fixture
def engine_calls(monkeypatch) -> list:
    """The steps the engine checks (``check_step`` as the audit calls it): a step from the cache is none."""
    calls: list = []
    original = audit_check.check_step

    def counting(lhs, step, *args, **kwargs):
        calls.append((lhs, step.relation, step.expr))
        return original(lhs, step, *args, **kwargs)

    monkeypatch.setattr(audit_check, "check_step", counting)
    return calls


def verdicts(output: str) -> list[tuple[int, str, str]]:
    return [(s["line"], s["rhs"], s["verdict"]) for s in json.loads(output)["steps"]]


@pytest.mark.parametrize("edit", sorted(ONE_LINE_EDITS))
def test_a_one_line_edit_re_checks_only_the_steps_of_that_line(tmp_path, engine_calls, capsys, edit):
    path = tmp_path / "notes.md"
    path.write_text(THREE_STEPS, encoding="utf-8")
    audit(capsys, path, "--format", "json")
    assert len(engine_calls) == 3
    old, new = ONE_LINE_EDITS[edit]
    path.write_text(THREE_STEPS.replace(old, new), encoding="utf-8")
    engine_calls.clear()
    audit(capsys, path, "--format", "json")
    assert len(engine_calls) == (0 if edit == "a line inserted above" else 1)


@pytest.mark.parametrize("edit", sorted(ONE_LINE_EDITS))
def test_verdicts_from_the_step_cache_are_those_of_a_fresh_run(tmp_path, capsys, edit):
    path = tmp_path / "notes.md"
    path.write_text(THREE_STEPS, encoding="utf-8")
    audit(capsys, path, "--format", "json")
    old, new = ONE_LINE_EDITS[edit]
    path.write_text(THREE_STEPS.replace(old, new), encoding="utf-8")
    cached = audit(capsys, path, "--format", "json")
    fresh = audit(capsys, path, "--format", "json", "--no-cache")
    assert cached[0] == fresh[0]
    assert without_seconds(cached[1]) == without_seconds(fresh[1])
    assert ("refuted" in {v for _, _, v in verdicts(cached[1])}) == (edit == "made false")


def test_no_cache_checks_every_step_after_an_edit(tmp_path, engine_calls, capsys):
    path = tmp_path / "notes.md"
    path.write_text(THREE_STEPS, encoding="utf-8")
    audit(capsys, path)
    path.write_text(THREE_STEPS.replace(*ONE_LINE_EDITS["made false"]), encoding="utf-8")
    engine_calls.clear()
    audit(capsys, path, "--no-cache")
    assert len(engine_calls) == 3


def test_a_step_whose_time_limit_expired_is_not_stored(tmp_path, capsys, monkeypatch):
    from mathcheck.deadline import SymbolicTimeout

    original = audit_check.check_step

    def expiring(lhs, step, *args, **kwargs):
        if step.relation == "=" and "b**2" in str(step.expr) and "a*b" not in str(step.expr):
            SymbolicTimeout("no decision within 0s")  # what an expired time limit raises, in this step only
        return original(lhs, step, *args, **kwargs)

    monkeypatch.setattr(audit_check, "check_step", expiring)
    path = tmp_path / "notes.md"
    path.write_text(THREE_STEPS, encoding="utf-8")
    audit(capsys, path)
    [steps_file] = (cache.cache_dir() / "steps").glob("steps-*.json")
    stored = json.loads(steps_file.read_text(encoding="utf-8"))["steps"]
    assert len(stored) == 2  # the two steps whose checks ran out of no time; the expired one is checked again


def test_another_engine_does_not_read_the_step_verdicts(tmp_path, engine_calls, capsys, monkeypatch):
    path = tmp_path / "notes.md"
    path.write_text(THREE_STEPS, encoding="utf-8")
    audit(capsys, path)
    monkeypatch.setattr(cache, "_SOURCES", "a development edit of a module")
    engine_calls.clear()
    audit(capsys, path)
    assert len(engine_calls) == 3


def test_a_corrupt_step_file_is_ignored(tmp_path, engine_calls, capsys):
    path = tmp_path / "notes.md"
    path.write_text(THREE_STEPS, encoding="utf-8")
    first = audit(capsys, path, "--format", "json")
    [steps_file] = (cache.cache_dir() / "steps").glob("steps-*.json")
    steps_file.write_bytes(b'{"layout": 1, "engine": "x", "steps": [')
    path.write_text(THREE_STEPS.replace("# Notes", "# Notes again"), encoding="utf-8")
    engine_calls.clear()
    again = audit(capsys, path, "--format", "json")
    assert len(engine_calls) == 3 and without_seconds(again[1]) == without_seconds(first[1])


def _symbols():
    import sympy as sp

    return sp.Symbol("a", real=True), sp.Symbol("a", positive=True), sp.Symbol("t", real=True)


def _key_pairs():
    """Pairs of step parts that print alike (``srepr``) or nearly so but may have different verdicts."""
    import sympy as sp

    from mathcheck.notation import ARTICLE_SCOPE, Scope
    from mathcheck.vocab import concave_function, convex_function, positive_function

    real, positive, t = _symbols()
    f = sp.Function("f")
    return {
        "assumptions of a symbol": (sp.sqrt(real**2), sp.sqrt(positive**2)),
        "a concave and a convex f": (concave_function("f")(t), convex_function("f")(t)),
        "a plain and a positive f": (f(t), positive_function("f")(t)),
        "the relation": (("=", real), (">=", real)),
        "the notation scope": (ARTICLE_SCOPE, Scope(latents=frozenset({"h"}))),
        "a number": (sp.Rational(1, 3), sp.Float(1 / 3)),
    }


@pytest.mark.parametrize("change", sorted(_key_pairs()))
def test_steps_that_differ_have_different_keys(change):
    first, second = _key_pairs()[change]
    assert cache.step_key(("audit step", first)) != cache.step_key(("audit step", second))


def test_a_step_key_is_the_same_for_an_equal_step_built_again():
    import sympy as sp

    from mathcheck.notation import ARTICLE_SCOPE

    def built():
        a, b = sp.symbols("a b", real=True)
        return ("audit step", (a + b) ** 2, "=", a**2 + 2 * a * b + b**2, ARTICLE_SCOPE, 0, 10)

    assert cache.step_key(built()) == cache.step_key(built())
