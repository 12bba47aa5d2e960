"""Audits of small in-memory documents for the tests: a prose paragraph and display formulas, each step's
verdict with its reason."""
from __future__ import annotations

from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.report import PROVED, REFUTED


def document(prose: str, *formulas: str) -> str:
    return prose + "\n\n" + "\n".join(f"$$\n{formula}\n$$\n" for formula in formulas)


def verdicts(text: str) -> list[tuple[str, str]]:
    return [(step.verdict, step.reason) for step in audit_document(parse_document("doc.md", text)).steps]


def verdict(prose: str, formula: str) -> tuple[str, str]:
    """The one step of a formula after its prose."""
    found = verdicts(document(prose, formula))
    assert len(found) == 1, found
    return found[0]


def assert_proved(prose: str, formula: str) -> None:
    found = verdict(prose, formula)
    assert found[0] == PROVED, found


def assert_refuted(prose: str, formula: str) -> None:
    found = verdict(prose, formula)
    assert found[0] == REFUTED, found


def step_verdicts(text: str, path: str = "doc.md") -> list[str]:
    """The verdict of each step of a document (its relations: definitions included, prose lines not)."""
    return [step.verdict for step in audit_document(parse_document(path, text)).steps if step.relation]
