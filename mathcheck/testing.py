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

from typing import Callable, Mapping, Sequence

from mathcheck.code import CodeReport, Shape, check, describe_finding


def assert_vae_loss(fn: Callable, *, inputs: Mapping[str, str] | str | None = None, seed: int = 0,
                    examples: int | None = None, shape: Shape | str | Sequence[int] | None = None,
                    allow_conventions: bool = True) -> CodeReport:
    """Assert that ``fn`` (a VAE loss, or a KL term alone) computes the derived math, in value and in gradient
    (a detached KL or reconstruction fails), over the range each input covers (log σ² of both signs).

    Usage: ``assert_vae_loss(loss_function)``; ``inputs={"s": "logvar"}`` names argument roles the names do
    not show. Conventions (a stated β, one scale on both terms, a batch mean) pass unless
    ``allow_conventions=False``.
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


def _assert_report(report: CodeReport, allow_conventions: bool) -> None:
    accepted = ("correct", "convention") if allow_conventions else ("correct",)
    failing = [function for function in report.functions if function.verdict not in accepted]
    if not failing:
        return
    lines = []
    for function in failing:
        lines.append(f"{function.target}: {function.verdict}" + (f" ({function.reason})" if function.reason else ""))
        lines.extend(f"  [{finding.severity}] {describe_finding(finding)}" for finding in function.findings)
    wanted = "correct" if not allow_conventions else "correct or a convention"
    raise AssertionError(f"mathcheck check-code: expected {wanted}, found:\n" + "\n".join(lines))


__all__ = ["assert_vae_loss", "assert_reparameterization"]
