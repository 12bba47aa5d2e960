"""What ``mathcheck check-code`` finds, as data: the JSON contract of issue 14 and its text form.

    {"ok": bool, "seconds": float, "functions": [{"target", "role", "framework", "parameterization",
      "verdict": "correct"|"convention"|"bug"|"undecided",
      "findings": [{"code", "severity": "bug"|"convention"|"note", "message", "evidence"}]}]}
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

FINDING_CODES = (
    "kl-sign", "kl-constant", "kl-mean-over-latent", "kl-form",
    "reconstruction-sign", "reconstruction-form", "reduction-mismatch", "beta", "scale",
    "parameterization-mismatch", "encoder-cut-mismatch", "sampler-std", "sampler-deterministic", "sampler-no-gradient",
    "nonfinite-at-extremes",
)
SEVERITIES = ("bug", "convention", "note")
VERDICTS = ("correct", "convention", "bug", "undecided")
ROLES = ("loss", "kl", "reparameterize")
PARAMETERIZATIONS = ("logvar", "log_sigma", "sigma", "var")


@dataclass(frozen=True)
class Shape:
    """The shapes a function is called with: batch B, one data point's shape (D,) or (1, 28, 28), latent d."""

    batch: int
    data: tuple[int, ...]
    latent: int

    @property
    def pixels(self) -> int:
        return math.prod(self.data)


@dataclass(frozen=True)
class Finding:
    """One thing the behaviour of a function shows, with the inputs and both values as evidence."""

    code: str
    severity: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in FINDING_CODES:
            raise ValueError(f"unknown finding code {self.code!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "evidence": _plain(self.evidence)}


@dataclass
class FunctionReport:
    """The verdict on one user function: what role it plays and what it was found to compute."""

    target: str
    role: str | None
    framework: str | None
    parameterization: str | None
    verdict: str
    findings: list[Finding] = field(default_factory=list)
    reason: str = ""  # why the verdict is undecided, when it is
    identified: dict[str, Any] = field(default_factory=dict)  # what the behaviour showed: terms, reductions

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")

    def to_dict(self) -> dict[str, Any]:
        data = {"target": self.target, "role": self.role, "framework": self.framework,
                "parameterization": self.parameterization, "verdict": self.verdict,
                "findings": [finding.to_dict() for finding in self.findings]}
        if self.reason:
            data["reason"] = self.reason
        if self.identified:
            data["identified"] = _plain(self.identified)
        return data


def verdict_of(findings: list[Finding]) -> str:
    """bug if any finding is a bug, convention if any is a convention, correct otherwise."""
    severities = {finding.severity for finding in findings}
    if "bug" in severities:
        return "bug"
    return "convention" if "convention" in severities else "correct"


@dataclass
class CodeReport:
    """Every function checked together; ``ok`` when none is a bug or undecided."""

    functions: list[FunctionReport]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(report.verdict in ("correct", "convention") for report in self.functions)

    @property
    def findings(self) -> list[Finding]:
        return [finding for report in self.functions for finding in report.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "seconds": round(self.seconds, 3),
                "functions": [report.to_dict() for report in self.functions]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def to_text(self) -> str:
        lines = []
        for report in self.functions:
            described = ", ".join(part for part in (report.role, report.framework, report.parameterization) if part)
            condition = report.identified.get("condition") if report.verdict in ("correct", "convention") else None
            verdict = f"{report.verdict} if {condition}" if condition else report.verdict
            lines.append(f"{report.target}: {verdict}" + (f" ({described})" if described else ""))
            if report.reason:
                lines.append(f"  {report.reason}")
            lines += [f"  {line}" for line in _identified_lines(report.identified)]
            for finding in report.findings:
                lines.append(f"  [{finding.severity}] {finding.code}: {finding.message}")
        status = "ok" if self.ok else "NOT OK"
        skipped = sum(report.reason.startswith("not checked:") for report in self.functions)
        checked = len(self.functions) - skipped
        lines.append(f"{checked} function{'s' if checked != 1 else ''} checked"
                     + (f", {skipped} not checked" if skipped else "") + f" in {self.seconds:.2f} s: {status}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        from mathcheck.display import code_html

        return code_html(self)


def _identified_lines(identified: dict[str, Any]) -> list[str]:
    """One line per identified term: ``KL: ½(...) (logvar), summed over latent dims, mean over the batch``."""
    cut = identified.get("encoder output")
    lines = [f"encoder output: {cut}"] if isinstance(cut, str) else []
    for key, title in (("kl", "KL"), ("reconstruction", "reconstruction")):
        term = identified.get(key)
        if not isinstance(term, dict):
            continue
        what = term.get("formula") or term.get("family") or ""
        reductions = [f"one value per {axis[:-1]}" if reduction == "kept" else f"{reduction} over {axis}"
                      for axis in ("latent dims", "data dims", "batch") if isinstance(reduction := term.get(axis), str)]
        weight = term.get("weight")
        shown = f"weight {weight:.4g}" if isinstance(weight, float) and abs(weight - 1) > 1e-9 else ""
        lines.append(f"{title}: " + ", ".join(part for part in [what, *reductions, shown] if part))
    layouts = identified.get("layouts checked")
    if isinstance(layouts, dict) and ("on image batches" in identified or "on other layouts" in identified):
        # the verdict depends on the layout
        lines.append("data layouts checked: " + "; ".join(f"{name} ({shape})" for name, shape in layouts.items()))
    return lines


def _plain(value: Any) -> Any:
    """Evidence as JSON: numpy arrays and scalars to lists and floats; inf/nan spelled as strings."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


__all__ = ["Shape", "Finding", "FunctionReport", "CodeReport", "verdict_of", "FINDING_CODES", "SEVERITIES",
           "VERDICTS", "ROLES", "PARAMETERIZATIONS"]
