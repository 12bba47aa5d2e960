"""One-line checks of a VAE's loss and sampler for a project's own test suite (pytest or any runner).

    from mathcheck.testing import assert_vae_loss, assert_reparameterization

    def test_loss_is_the_negative_elbo():
        assert_vae_loss(loss_function)

    def test_sampler_draws_from_q():
        assert_reparameterization(reparameterize)

Each raises ``AssertionError`` listing the findings (code, message, evidence) when the function is a bug
or cannot be checked, and returns the :class:`~mathcheck.code.CodeReport` otherwise.
"""
from __future__ import annotations

import warnings
from typing import Callable, Mapping, Sequence

from mathcheck.code import CodeReport, FunctionReport, Shape, check, describe_finding


def assert_vae_loss(fn: Callable, *, inputs: Mapping[str, str] | str | None = None, seed: int = 0,
                    examples: int | None = None, shape: Shape | str | Sequence[int] | None = None,
                    allow_conventions: bool = True) -> CodeReport:
    """Assert that ``fn`` (a VAE loss, or a KL term alone) computes the derived math, in value and in gradient
    (a detached KL or reconstruction fails), over the range each input covers (log σ² of both signs).

    Usage: ``assert_vae_loss(loss_function)``; ``inputs={"s": "logvar"}`` names argument roles the names do
    not show. Conventions (a stated β, one scale on both terms, a batch mean) pass unless
    ``allow_conventions=False``. A verdict that holds only under a condition the check cannot see ("correct if
    recon_x holds logits": a double sigmoid otherwise; "if logvar holds log σ"; "if the data is flat (B, D)":
    a per-pixel mean on image batches) passes with a :class:`ConditionalVerdictWarning` by default and fails
    with ``allow_conventions=False``; state the condition (``inputs={"recon_x": "recon_logits"}``,
    ``shape=(B, D, d)``) to make it unconditional.
    """
    report = check(fn, roles=None, seed=seed, examples=examples, shape=shape, inputs=inputs)
    role = report.functions[0].role
    if role == "reparameterize":
        raise AssertionError(f"{report.functions[0].target} behaves as a sampler, not a loss: "
                             "check it with assert_reparameterization")
    _assert_report(report, allow_conventions)
    return report


def assert_reparameterization(fn: Callable, *, inputs: Mapping[str, str] | str | None = None, seed: int = 0,
                              examples: int | None = None, shape: Shape | str | Sequence[int] | None = None,
                              allow_conventions: bool = True) -> CodeReport:
    """Assert that ``fn`` samples z = μ + σ·ε pathwise with fresh, independent standard normal ε.

    Usage: ``assert_reparameterization(reparameterize)``; ``inputs={"key": "rng"}`` for a JAX key argument.
    """
    report = check(fn, roles="reparameterize", seed=seed, examples=examples, shape=shape, inputs=inputs)
    _assert_report(report, allow_conventions)
    return report


class ConditionalVerdictWarning(UserWarning):
    """A function passed whose verdict holds only under a condition the check cannot see."""


def _assert_report(report: CodeReport, allow_conventions: bool) -> None:
    accepted = ("correct", "convention") if allow_conventions else ("correct",)
    failing = [function for function in report.functions
               if function.verdict not in accepted or (not allow_conventions and _condition(function))]
    for function in report.functions:
        if function not in failing and _condition(function):
            warnings.warn(f"{function.target}: {function.verdict} only if {_condition(function)}; state it "
                          "(inputs={name: role} for what an argument holds, shape=(B, D, d) for flat data) to "
                          "check without the condition", ConditionalVerdictWarning, stacklevel=3)
    if not failing:
        return
    lines = []
    for function in failing:
        verdict = f"{function.verdict} if {_condition(function)}" if _condition(function) else function.verdict
        lines.append(f"{function.target}: {verdict}" + (f" ({function.reason})" if function.reason else ""))
        lines.extend(f"  [{finding.severity}] {describe_finding(finding)}" for finding in function.findings)
    wanted = "correct" if not allow_conventions else "correct or a convention"
    unconditional = " with no condition" if not allow_conventions else ""
    raise AssertionError(f"mathcheck check-code: expected {wanted}{unconditional}, found:\n" + "\n".join(lines))


def _condition(function: FunctionReport) -> str:
    """The condition a correct (or convention) verdict holds under, or "": the report's own ("recon_x holds
    logits", "the data is flat (B, D)") and a scale argument read against its name ("logvar holds log σ")."""
    if function.verdict not in ("correct", "convention"):
        return ""
    named = function.identified.get("scale named")
    conditions = [function.identified.get("condition"), named.get("condition") if isinstance(named, dict) else None]
    return " and ".join(dict.fromkeys(condition for condition in conditions if isinstance(condition, str) and condition))


__all__ = ["assert_vae_loss", "assert_reparameterization", "ConditionalVerdictWarning"]
