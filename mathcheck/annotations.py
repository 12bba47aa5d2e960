"""CI annotations: GitHub's workflow commands and JUnit XML, shared by ``verify``, ``audit`` and ``check-code``.

A GitHub Actions log line ``::error file=F,line=L,title=T::message`` is shown on line L of file F in the
pull request. Messages escape ``%``, CR and LF; properties also escape ``:`` and ``,``
(the escaping GitHub's own toolkit, actions/toolkit ``command.ts``, applies).
"""
from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from types import ModuleType

LEVELS = ("error", "warning", "notice")


_CONTROL = {code: None for code in range(32) if chr(code) not in "\t\n\r"} | {0x7F: None}


def printable(text: str) -> str:
    """The text without control characters other than tab and line breaks (XML 1.0 forbids them, and a
    terminal would act on them)."""
    return text.translate(_CONTROL)


def escape_data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(level: str, message: str, *, file: str | None = None, line: int | None = None,
                title: str | None = None) -> str:
    """One workflow command: ``::level file=...,line=...,title=...::message``."""
    if level not in LEVELS:
        raise ValueError(f"unknown annotation level {level!r}; expected one of {', '.join(LEVELS)}")
    properties = []
    if file:
        properties.append(f"file={escape_property(display_path(file))}")
    if line:
        properties.append(f"line={int(line)}")
    if title:
        properties.append(f"title={escape_property(title)}")
    head = f"::{level}" + (" " + ",".join(properties) if properties else "")
    return f"{head}::{escape_data(message)}"


def display_path(path: str) -> str:
    """A path relative to the repository's root (``$GITHUB_WORKSPACE`` in GitHub Actions, else the nearest
    folder above the file that holds ``.git``, else the working directory): what GitHub matches against."""
    absolute = os.path.abspath(path)
    root = os.environ.get("GITHUB_WORKSPACE") or _repository_root(os.path.dirname(absolute)) or os.getcwd()
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return absolute
    return absolute if relative.startswith(os.pardir) else relative.replace(os.sep, "/")


def _repository_root(folder: str) -> str | None:
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def chain_step_lines(module: ModuleType) -> list[int]:
    """The source line of each step of the module's ``calc(start, (rel, expr, why), ...)`` call."""
    path = getattr(module, "__file__", None)
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "calc":
            return [arg.lineno for arg in node.args[1:]]
    return []


@dataclass(frozen=True)
class Case:
    """One JUnit test case: ``outcome`` is passed, failure (a refutation) or error (not decided)."""

    name: str
    outcome: str
    message: str = ""
    text: str = ""
    seconds: float = 0.0
    classname: str = "mathcheck"


def junit_suite(name: str, cases: list[Case], seconds: float) -> str:
    from xml.sax.saxutils import escape, quoteattr  # imported here: xml.sax imports urllib, http and ssl (~25 ms),
    # which a run that writes no JUnit would pay (each ``mathcheck audit`` reads display_path for its cache key)

    failures = sum(case.outcome == "failure" for case in cases)
    errors = sum(case.outcome == "error" for case in cases)
    out = [f"  <testsuite name={quoteattr(printable(name))} tests=\"{len(cases)}\" failures=\"{failures}\" "
           f"errors=\"{errors}\" time=\"{seconds:.3f}\">"]
    for case in cases:
        out.append(f"    <testcase classname={quoteattr(printable(case.classname))} name={quoteattr(printable(case.name))} "
                   f"time=\"{case.seconds:.3f}\">")
        if case.outcome in ("failure", "error"):
            out.append(f"      <{case.outcome} message={quoteattr(printable(case.message))}>"
                       f"{escape(printable(case.text))}</{case.outcome}>")
        elif case.text:
            out.append(f"      <system-out>{escape(printable(case.text))}</system-out>")
        out.append("    </testcase>")
    out.append("  </testsuite>")
    return "\n".join(out)


def junit_document(suites: list[str]) -> str:
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>', "<testsuites>", *suites, "</testsuites>"])


__all__ = ["Case", "chain_step_lines", "display_path", "escape_data", "escape_property", "github_line",
           "junit_document", "junit_suite", "printable"]
