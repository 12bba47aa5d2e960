"""``mathcheck audit``: documents with planted errors, correct derivations, the source article, bad input.

Planted errors are marked in the test documents themselves (a LaTeX comment ``% planted``); the article's
mistakes are not listed anywhere: the tests check properties of the audit's findings and that it flags
mutations of the steps it passes.
"""
import json
import re
from pathlib import Path

import pytest

from mathcheck.audit import audit_file
from mathcheck.audit.check import DEFINITION, UNPARSED
from mathcheck.cli import main
from mathcheck.report import HOLDS, PROVED, REFUTED

DOCS = Path(__file__).parent / "docs"
ARTICLE = Path("/work/shared/seed/000_7c6babc3eea41398.txt")
PASSING = (PROVED, HOLDS, DEFINITION)
FLAGGED = (REFUTED, UNPARSED)

needs_article = pytest.mark.skipif(not ARTICLE.exists(), reason="the source article is not on this machine")


def planted_lines(path: Path) -> set[int]:
    return {n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "% planted" in line}


@pytest.fixture(scope="module")
def article_report():
    return audit_file(str(ARTICLE))


def test_every_planted_error_is_flagged_and_nothing_else():
    path = DOCS / "planted_errors.md"
    report = audit_file(str(path))
    planted = planted_lines(path)
    assert len(planted) >= 12
    flagged = {step.line for step in report.steps if step.verdict in FLAGGED}
    assert flagged == planted
    for step in report.steps:
        if step.line not in planted:
            assert step.verdict in PASSING, (step.line, step.verdict, step.reason)


def test_planted_refutations_carry_a_counterexample_with_both_sides():
    report = audit_file(str(DOCS / "planted_errors.md"))
    refuted = [step for step in report.steps if step.verdict == REFUTED]
    assert refuted
    for step in refuted:
        found = step.detail["counterexample"]
        assert found["lhs"] != found["rhs"] and "world" in found
        assert "counterexample" in step.reason


def test_every_correct_step_in_several_notations_passes():
    report = audit_file(str(DOCS / "correct_derivations.md"))
    assert report.ok
    assert len(report.steps) >= 20
    for step in report.steps:
        assert step.verdict in PASSING, (step.line, step.verdict, step.reason)


@needs_article
def test_article_audit_is_not_ok(article_report):
    assert not article_report.ok
    assert any(step.verdict in (PROVED, HOLDS) for step in article_report.steps)


@needs_article
def test_article_unparsed_fragments_are_quoted_from_their_line(article_report):
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    unparsed = [step for step in article_report.steps if step.verdict == UNPARSED]
    assert unparsed
    for step in unparsed:
        fragment = step.detail["fragment"]
        assert fragment and fragment in lines[step.line - 1] and step.reason


@needs_article
def test_article_every_display_relation_gets_a_step(article_report):
    text = ARTICLE.read_text(encoding="utf-8")
    blocks = re.findall(r"\$\$(.*?)\$\$", text, re.S)
    relations = sum(len(re.findall(r"(?<![<>:\\])=|\\geq|\\leq", block)) for block in blocks)
    assert len(article_report.steps) == relations


def _mutate(text: str, steps) -> str:
    """``rhs`` -> ``\\left(rhs\\right) + 1`` on each step's line: an equality that held must now fail."""
    lines = text.splitlines()
    for step in steps:
        line = lines[step.line - 1]
        assert step.rhs in line
        lines[step.line - 1] = line.replace(step.rhs, f"\\left({step.rhs}\\right)+1", 1)
    return "\n".join(lines) + "\n"


@needs_article
def test_article_steps_that_pass_are_flagged_once_mutated(article_report, tmp_path):
    chosen, blocks = [], set()
    for step in article_report.steps:
        if step.verdict in (PROVED, HOLDS) and step.relation == "=" and step.block not in blocks:
            chosen.append(step)
            blocks.add(step.block)
    assert len(chosen) >= 5
    mutant = tmp_path / "mutant.md"
    mutant.write_text(_mutate(ARTICLE.read_text(encoding="utf-8"), chosen), encoding="utf-8")
    report = audit_file(str(mutant))
    verdicts = {(s.line, s.block): s.verdict for s in report.steps if s.relation == "="}
    for step in chosen:
        assert verdicts[(step.line, step.block)] == REFUTED, step


@needs_article
def test_article_audit_is_reproducible_for_a_seed(article_report):
    again = audit_file(str(ARTICLE))
    assert [(s.line, s.verdict) for s in again.steps] == [(s.line, s.verdict) for s in article_report.steps]


# ---------------------------------------------------------------- the command line


def test_cli_json_has_the_documented_fields(capsys):
    code = main(["audit", str(DOCS / "planted_errors.md"), "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1 and payload["ok"] is False and payload["file"].endswith("planted_errors.md")
    for step in payload["steps"]:
        assert {"line", "block", "relation", "lhs", "rhs", "verdict", "reason"} <= set(step)


def test_cli_exit_code_zero_for_a_correct_document(capsys):
    assert main(["audit", str(DOCS / "correct_derivations.md")]) == 0
    assert "OK" in capsys.readouterr().out


def test_cli_markdown_marks_each_step(capsys):
    code = main(["audit", str(DOCS / "planted_errors.md"), "--format", "markdown"])
    out = capsys.readouterr().out
    assert code == 1 and "✘ refuted" in out and "✔ proved" in out and "⚠ unparsed" in out


@pytest.mark.parametrize("content, expected", [
    (b"", "nothing to check"),
    (b"# Title\n\nOnly prose and $x$ inline.\n", "nothing to check"),
])
def test_documents_without_display_math_say_so_and_pass(tmp_path, capsys, content, expected):
    path = tmp_path / "doc.md"
    path.write_bytes(content)
    assert main(["audit", str(path)]) == 0
    assert expected in capsys.readouterr().out


@pytest.mark.parametrize("content, words", [
    (b"$$\\log p(X) = \\log \\int p(X,z) dz$$\n\n$$\\log p(X) \\geq 0\n", "unbalanced $$"),
    (b"$$\\foo p(X) = 1$$\n", "unknown command"),
    (b"$$\\begin{cases} a \\end{cases}$$\n", "a row of cases is read as `value & condition`"),
    (b"$$\\begin{pmatrix} a \\end{pmatrix}$$\n", "unknown environment"),
])
def test_ill_formed_documents_are_unparsed_with_a_clear_reason(tmp_path, capsys, content, words):
    path = tmp_path / "doc.md"
    path.write_bytes(content)
    assert main(["audit", str(path)]) == 1
    captured = capsys.readouterr()
    assert words in captured.out and "Traceback" not in captured.out + captured.err


def test_an_approximation_is_reported_as_not_checked(tmp_path, capsys):
    path = tmp_path / "doc.md"
    path.write_bytes(b"$$a \\approx b$$\n")
    assert main(["audit", str(path), "--format", "json"]) == 1
    (step,) = json.loads(capsys.readouterr().out)["steps"]
    assert step["verdict"] == "undecided" and step["reason"].startswith("not checked: ≈")


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(bytes(range(256)) * 4), "binary"),
    (lambda p: p.write_bytes(b"\xff\xfe\xfa not utf-8"), "not UTF-8"),
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "directory"),
])
def test_unreadable_files_exit_two_with_one_line(tmp_path, capsys, make, words):
    path = tmp_path / "doc.md"
    make(path)
    assert main(["audit", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("mathcheck: error:") and words in captured.err
    assert captured.err.count("\n") == 1 and not captured.out


def test_the_cli_offers_exactly_the_report_formats_the_audit_has():
    from mathcheck.audit import FORMAT_NAMES
    from mathcheck.audit.output import FORMATS

    assert sorted(FORMAT_NAMES) == sorted(FORMATS)
