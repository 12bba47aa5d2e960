"""``mathcheck audit`` on a corpus of derivations written in other authors' styles (issues 11 and 12).

Each document of ``tests/audit_corpus/`` is written the way a real author writes: a kramdown blog post, lecture
notes with a ``\\newcommand`` preamble, a wiki page, an old plain-TeX note, a notebook, a paper section with a
site macro file, a Japanese note, an IWAE post, a multivariate KL derivation, a β-VAE post, a CVAE Q&A answer and
a post on maximum likelihood as KL minimization (data distribution p(x), model p_θ(x)). Each has correct steps
and planted errors. ``expected.json`` gives every displayed step (one relation row) its mathematically
correct verdict, not what the audit says today:

- ``verified``: the step is true (under the side conditions its prose states): it must be proved or hold;
- ``refuted``: a planted error: it must be refuted (and must never be proved, hold or pass as a definition);
- ``definition``: the step names a quantity;
- ``not-checked``: an approximation (``\\approx``), reported as not checked.

Steps are located as the report locates them: by line, and in a notebook by cell and line in the cell.
Run this file as a script for the measurement table (steps read, correct steps verified, planted errors refuted).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from mathcheck.audit import audit_file
from mathcheck.audit.check import DEFINITION, UNPARSED
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED

CORPUS = Path(__file__).parent / "audit_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
NOT_CHECKED_VERDICTS = (UNDECIDED, "not-checked", "not_checked", "not checked", "unchecked")
ACCEPTED = {"verified": (PROVED, HOLDS), "refuted": (REFUTED,), "definition": (DEFINITION,),
            "not-checked": NOT_CHECKED_VERDICTS}
NEVER = {"refuted": (PROVED, HOLDS, DEFINITION),  # a planted error passed is a soundness failure
         "verified": (REFUTED,), "definition": (REFUTED,)}  # a correct step refuted is a false alarm


@dataclass(frozen=True)
class Expectation:
    document: str
    place: tuple  # (line,) or, in a notebook, (cell, line in the cell)
    ordinal: int  # the how-many-th step at that place (0 for the first)
    expect: str
    why: str

    @property
    def id(self) -> str:
        where = f"cell {self.place[0]}:{self.place[1]}" if len(self.place) == 2 else str(self.place[0])
        return f"{self.document}:{where}" + (f"#{self.ordinal + 1}" if self.ordinal else "")


def expectations() -> list[Expectation]:
    found = []
    for document, entries in EXPECTED["documents"].items():
        seen: Counter = Counter()
        for entry in entries:
            place = (entry["cell"], entry["line"]) if "cell" in entry else (entry["line"],)
            found.append(Expectation(document, place, seen[place], entry["expect"], entry["why"]))
            seen[place] += 1
    return found


ALL = expectations()


@lru_cache(maxsize=None)
def audited(document: str):
    """The report of ``document``, and its steps by place (line, or notebook cell and line), in order."""
    macros = EXPECTED.get("macros", {}).get(document)
    report = audit_file(str(CORPUS / document), macros=str(CORPUS / macros) if macros else None)
    source = getattr(report.document, "source", None)
    by_place: dict[tuple, list] = {}
    for step in report.steps:
        cell = source.cell_of(step.line) if source is not None else None
        place = (cell.cell, cell.line) if cell else (step.line,)
        by_place.setdefault(place, []).append(step)
    return report, by_place


def step_of(expectation: Expectation):
    _, by_place = audited(expectation.document)
    steps = by_place.get(expectation.place, [])
    assert expectation.ordinal < len(steps), \
        f"{expectation.id}: no step reported here (expected {expectation.expect}: {expectation.why})"
    return steps[expectation.ordinal]


def _shown(step) -> str:
    return f"{step.verdict}: {step.reason[:300]}"


# Steps the engine does not decide yet (each is undecided, never wrong): strict xfails, so that a fix shows
KNOWN_GAPS: dict[str, str] = {}


def _marked(expectations: list) -> list:
    return [pytest.param(e, id=e.id, marks=pytest.mark.xfail(reason=KNOWN_GAPS[e.id], strict=True))
            if e.id in KNOWN_GAPS else pytest.param(e, id=e.id) for e in expectations]


@pytest.mark.parametrize("expectation", _marked(ALL))
def test_every_step_gets_its_expected_verdict(expectation: Expectation):
    step = step_of(expectation)
    assert step.verdict in ACCEPTED[expectation.expect], \
        f"expected {expectation.expect} ({expectation.why}); got {_shown(step)}"


PLANTED = [e for e in ALL if e.expect == "refuted"]
CORRECT = [e for e in ALL if e.expect in ("verified", "definition")]


@pytest.mark.parametrize("expectation", PLANTED, ids=[e.id for e in PLANTED])
def test_no_planted_error_is_proved_holds_or_passes_as_a_definition(expectation: Expectation):
    step = step_of(expectation)
    assert step.verdict not in NEVER["refuted"], f"SOUNDNESS: planted error ({expectation.why}) got {_shown(step)}"


@pytest.mark.parametrize("expectation", CORRECT, ids=[e.id for e in CORRECT])
def test_no_correct_step_is_refuted(expectation: Expectation):
    step = step_of(expectation)
    assert step.verdict not in NEVER[expectation.expect], \
        f"false alarm: correct step ({expectation.why}) got {_shown(step)}"


@pytest.mark.parametrize("document", list(EXPECTED["documents"]))
def test_every_reported_step_is_a_displayed_step_of_the_corpus(document: str):
    """Nothing else is reported: inline math in prose (kramdown ``$$`` in a sentence) is not a step."""
    _, by_place = audited(document)
    expected = Counter(e.place for e in ALL if e.document == document)
    extra = {place: [_shown(s) for s in steps[expected[place]:]] for place, steps in by_place.items()
             if len(steps) > expected[place]}
    assert not extra, f"steps reported where none is displayed: {extra}"


@pytest.mark.parametrize("document", list(EXPECTED["documents"]))
def test_corpus_document_has_correct_steps_and_at_least_two_planted_errors(document: str):
    kinds = Counter(e.expect for e in ALL if e.document == document)
    assert kinds["refuted"] >= 2 and kinds["verified"] >= 4


# ---------------------------------------------------------------- measurement


def measurement() -> list[dict]:
    """Per document: steps, steps read (not unparsed), correct steps verified, planted errors refuted, and
    the expectations that fail with their verdict and reason."""
    rows = []
    for document in EXPECTED["documents"]:
        mine = [e for e in ALL if e.document == document]
        try:
            report, _ = audited(document)
        except Exception as error:  # a crash of the audit is a measurement too
            rows.append({"document": document, "crash": f"{type(error).__name__}: {error}", "steps": len(mine)})
            continue
        results = []
        for e in mine:
            try:
                results.append((e, step_of(e)))
            except AssertionError:
                results.append((e, None))
        correct = [(e, s) for e, s in results if e.expect == "verified"]
        planted = [(e, s) for e, s in results if e.expect == "refuted"]
        rows.append({
            "document": document, "steps": len(report.steps),
            "read": sum(s.verdict != UNPARSED for s in report.steps),
            "verified": sum(s is not None and s.verdict in (PROVED, HOLDS) for _, s in correct),
            "correct": len(correct),
            "refuted": sum(s is not None and s.verdict == REFUTED for _, s in planted), "planted": len(planted),
            "unsound": [e.id for e, s in planted if s is not None and s.verdict in NEVER["refuted"]],
            "false_alarms": [e.id for e, s in results if e.expect in ("verified", "definition")
                             and s is not None and s.verdict == REFUTED],
            "failures": [(e.id, e.expect, s.verdict if s else "missing", s.reason if s else "")
                         for e, s in results if s is None or s.verdict not in ACCEPTED[e.expect]],
        })
    return rows


def measurement_table(rows: list[dict]) -> str:
    lines = ["| document | steps | read | correct verified | planted refuted | unsound | false alarms |",
             "|---|---|---|---|---|---|---|"]
    total = Counter()
    for row in rows:
        if "crash" in row:
            lines.append(f"| {row['document']} | crash: {row['crash']} | | | | | |")
            continue
        lines.append(f"| {row['document']} | {row['steps']} | {row['read']} | {row['verified']}/{row['correct']} | "
                     f"{row['refuted']}/{row['planted']} | {', '.join(row['unsound']) or '-'} | "
                     f"{', '.join(row['false_alarms']) or '-'} |")
        total.update({k: row[k] for k in ("steps", "read", "verified", "correct", "refuted", "planted")})
    lines.append(f"| **total** | {total['steps']} | {total['read']} | {total['verified']}/{total['correct']} | "
                 f"{total['refuted']}/{total['planted']} | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    table_rows = measurement()
    print(measurement_table(table_rows))
    for row in table_rows:
        for place, expect, verdict, reason in row.get("failures", []):
            print(f"{place}\texpected {expect}\tgot {verdict}\t{' '.join(reason.split())[:220]}")
