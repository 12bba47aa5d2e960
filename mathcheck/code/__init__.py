"""``mathcheck.code``: a VAE's loss, KL and sampler code checked against the derived math (issue 14).

    >>> from mathcheck.code import check
    >>> report = check(loss_function, reparameterize)       # doctest: +SKIP
    >>> report.ok, [f.code for f in report.findings]         # doctest: +SKIP

Each function is run on inputs chosen here and identified by its behaviour (:mod:`mathcheck.code.analysis`);
an argument holding the whole encoder output, which the code cuts into μ and the scale
(``mu, logvar = h.chunk(2, dim=-1)``), is given through its pieces (:mod:`mathcheck.code.encoder`);
functions given together are cross-checked: a sampler and a KL (or a loss holding one) must agree on what
the scale argument is (``parameterization-mismatch``) and, when both cut the encoder output, on where μ and
the scale lie in it (``encoder-cut-mismatch``).
"""
from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import sys
import time
from typing import Callable, Iterator, Mapping, Sequence, Union

from mathcheck.code.encoder import EncoderCut, cut_layout, with_encoder_output_cut
from mathcheck.code.frameworks import one_torch_thread
from mathcheck.code.guard import ProcessExit, is_users_interrupt, user_code_guarded
from mathcheck.code.report import CodeReport, Finding, FunctionReport, Shape, verdict_of, ROLES
from mathcheck.code.roles import (SCALE_ROLES, UsageError, argument_roles, arguments_sharing_a_role,
                                  check_overrides_apply, parse_inputs, parse_shape, unassigned_required)

Function = Union[Callable, tuple[str, Callable]]
_KL_ROLES = ("loss", "kl")
_MEANING = {"logvar": "log σ²", "log_sigma": "log σ", "sigma": "σ", "var": "σ²"}


def check(*functions: Function, roles: str | Sequence[str | None] | None = None, seed: int = 0,
          examples: int | None = None, shape: Shape | str | Sequence[int] | None = None,
          inputs: Mapping[str, str] | str | None = None) -> CodeReport:
    """Check loss / KL / sampler functions together: ``check(loss_function, reparameterize).ok``.

    ``functions`` are callables or ``(target_name, callable)`` pairs; ``roles`` is one role for all
    (``"loss"``, ``"kl"``, ``"reparameterize"``, ``"auto"``/None = inferred by behaviour) or one per
    function; ``inputs`` overrides argument roles (``{"s": "logvar"}`` or ``"s=logvar"``); ``shape`` sets
    batch, data shape and latent dim (``Shape``, ``"B,D,d"`` or ``"B,1,28,28,d"``). Raises
    :class:`UsageError` (a ``ValueError``) for a mistake in what was asked.
    """
    started = time.perf_counter()
    named = [_named(function) for function in functions]
    if not named:
        raise UsageError("nothing to check: give at least one function")
    function_roles = _roles_per_function(roles, len(named))
    overrides = parse_inputs(inputs)
    unchecked = [(index, target, getattr(function, "mathcheck_unchecked"))
                 for index, (target, function) in enumerate(named) if getattr(function, "mathcheck_unchecked", None)]
    skipped = {index for index, _, _ in unchecked}
    kept = [index for index in range(len(named)) if index not in skipped]
    named, function_roles = [named[index] for index in kept], [function_roles[index] for index in kept]
    named = [(target, with_encoder_output_cut(function, overrides)) for target, function in named]
    check_overrides_apply(overrides, named)
    shape = parse_shape(shape)
    arg_roles = [_callable_roles(target, function, overrides) for target, function in named]
    for (target, _), role, roles_of in zip(named, function_roles, arg_roles):
        _check_role_fits_arguments(target, role, roles_of)
    analysis = importlib.import_module("mathcheck.code.analysis")
    with one_torch_thread(), user_code_guarded(), _framework_state_restored() as restore:
        reports = []
        for (target, function), role, roles_of in zip(named, function_roles, arg_roles):
            restore()  # a function that turned grad mode off (or changed the default dtype) does not leak
            reports.append(_analysed(analysis, function, target=target, role=role, arg_roles=roles_of, seed=seed,
                                     examples=examples, shape=shape))
    owners = [_owner(function) for _, function in named]
    cross_check(reports, arg_roles, owners=owners)
    cross_check_cuts(reports, [getattr(function, "mathcheck_encoder_cut", None) for _, function in named], owners)
    for (_, function), report in zip(named, reports):
        cut = getattr(function, "mathcheck_encoder_cut", None)
        if cut is not None:
            report.identified["encoder output"] = cut.words()
    for index, target, reason in unchecked:  # in the file's order, undecided: not checked, never left out
        reports.insert(index, _ended(target, None, f"not checked: {reason}"))
    return CodeReport(functions=reports, seconds=time.perf_counter() - started)


@contextlib.contextmanager
def _framework_state_restored() -> Iterator[Callable[[], None]]:
    """torch's global grad mode and default dtype as they were when the check began, put back by the
    callable this yields (before each function is checked) and on leaving: one user function's
    ``torch.set_grad_enabled(False)`` or ``torch.set_default_dtype`` changes neither the next function's
    check nor the caller's process."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield lambda: None
        return
    grad, dtype = torch.is_grad_enabled(), torch.get_default_dtype()

    def restore() -> None:
        try:
            torch.set_grad_enabled(grad)
            torch.set_default_dtype(dtype)
        except Exception:  # a torch the user's code replaced or broke: nothing to restore
            pass

    try:
        yield restore
    finally:
        restore()


def _analysed(analysis, function: Callable, *, target: str, role: str | None, **options) -> FunctionReport:
    """``analysis.analyse``, with a user function that exits the interpreter reported, not obeyed."""
    try:
        return analysis.analyse(function, target=target, role=role, **options)
    except SystemExit as error:
        called = str(error) if isinstance(error, ProcessExit) else f"sys.exit({error.code!r})"
        return _ended(target, role, f"the function called {called} when called; it cannot be checked")
    except KeyboardInterrupt as error:
        if not is_users_interrupt(error):
            raise  # Ctrl-C: mathcheck is interrupted
        return _ended(target, role, "the function raised KeyboardInterrupt when called (not a Ctrl-C); it cannot be "
                                    "checked")


def _ended(target: str, role: str | None, reason: str) -> FunctionReport:
    return FunctionReport(target=target, role=role, framework=None, parameterization=None, verdict="undecided",
                          reason=reason)


def cross_check(reports: Sequence[FunctionReport], arg_roles: Sequence[Mapping[str, str]],
                owners: Sequence[str] | None = None) -> None:
    """Add ``parameterization-mismatch`` to a sampler and a KL/loss that read the scale argument differently.

    A sampler and a KL are fed the same encoder output when they are the only pair given, or when they
    belong to one owner (the same class, or both module-level in one module) and name their scale argument
    alike; two unrelated models or helpers in one file (``sample_from_std`` beside ``kl_from_logvar``) are
    not compared."""
    scale_names = [_scale_argument(roles) for roles in arg_roles]
    owners = list(owners) if owners is not None else [""] * len(reports)
    samplers = [i for i, report in enumerate(reports)
                if report.role == "reparameterize" and report.parameterization in _MEANING]
    kls = [i for i, report in enumerate(reports) if report.role in _KL_ROLES and report.parameterization in _MEANING]
    only_pair = len(samplers) == 1 and len(kls) == 1
    for s in samplers:
        for k in kls:
            if reports[s].parameterization == reports[k].parameterization:
                continue
            if not only_pair and (owners[s] != owners[k] or scale_names[s] != scale_names[k]):
                continue
            finding = _mismatch(reports[s], scale_names[s], reports[k], scale_names[k])
            _drop_name_condition(reports[s])
            for index in (s, k):
                reports[index].findings.append(finding)
                _update_verdict(reports[index])


def cross_check_cuts(reports: Sequence[FunctionReport], cuts: Sequence[EncoderCut | None],
                     owners: Sequence[str]) -> None:
    """Add ``encoder-cut-mismatch`` to a sampler and a KL/loss that cut the encoder output (``h``) into μ and the
    scale in different layouts (``mu, logvar = h.chunk(2, dim=-1)`` beside ``logvar, mu = h.chunk(2, dim=-1)``):
    fed the same ``h``, one takes μ where the other reads the scale. They are paired as :func:`cross_check`
    pairs them, with the cut argument's name in place of the scale argument's."""
    samplers = [i for i, report in enumerate(reports) if report.role == "reparameterize" and cuts[i] is not None]
    kls = [i for i, report in enumerate(reports) if report.role in _KL_ROLES and cuts[i] is not None]
    only_pair = len(samplers) == 1 and len(kls) == 1
    for s in samplers:
        for k in kls:
            if not only_pair and (owners[s] != owners[k] or cuts[s].argument != cuts[k].argument):
                continue
            if cut_layout(cuts[s]) == cut_layout(cuts[k]):
                continue
            finding = _cut_mismatch(reports[s], cuts[s], reports[k], cuts[k])
            for index in (s, k):
                reports[index].findings.append(finding)
                _update_verdict(reports[index])


def _cut_mismatch(sampler: FunctionReport, sampler_cut: EncoderCut, kl: FunctionReport,
                  kl_cut: EncoderCut) -> Finding:
    what = "KL" if kl.role == "kl" else "loss"
    message = (f"the sampler {sampler.target} and the {what} {kl.target} cut the encoder output differently: "
               f"the sampler's {sampler_cut.words()}, the {what}'s {kl_cut.words()}; fed the same output, the {what} "
               "reads as μ or as the scale a piece the sampler reads otherwise")
    return Finding("encoder-cut-mismatch", "bug", message, {
        "sampler": sampler.target, "sampler_cut": sampler_cut.words(), what.lower(): kl.target,
        f"{what.lower()}_cut": kl_cut.words()})


def _drop_name_condition(sampler: FunctionReport) -> None:
    """The sampler's "correct if logvar holds log σ" and its note, which a mismatch with the KL settles."""
    named = sampler.identified.pop("scale named", None)
    if isinstance(named, dict) and sampler.identified.get("condition") == named.get("condition"):
        sampler.identified.pop("condition")
    sampler.findings[:] = [finding for finding in sampler.findings
                           if not (finding.severity == "note" and "name_says" in finding.evidence)]


def _mismatch(sampler: FunctionReport, sampler_scale: str, kl: FunctionReport, kl_scale: str) -> Finding:
    sampler_std = _standard_deviation(sampler.parameterization, sampler_scale)
    kl_std = _standard_deviation(kl.parameterization, kl_scale)
    what = "KL" if kl.role == "kl" else "loss"
    message = (f"the sampler {sampler.target} uses {sampler_std} as the standard deviation "
               f"(so {sampler_scale} acts as {_MEANING[sampler.parameterization]}) while the {what} {kl.target} treats "
               f"{kl_scale} as {_MEANING[kl.parameterization]} (standard deviation {kl_std})")
    evidence = {"sampler": sampler.target, "sampler_parameterization": sampler.parameterization,
                "sampler_standard_deviation": sampler_std, what.lower(): kl.target,
                f"{what.lower()}_parameterization": kl.parameterization,
                f"{what.lower()}_standard_deviation": kl_std}
    return Finding("parameterization-mismatch", "bug", message, evidence)


def describe_finding(finding: Finding, evidence_limit: int = 240) -> str:
    """``code: message; evidence: {...}`` on one line, the evidence cut at ``evidence_limit`` characters."""
    text = f"{finding.code}: {finding.message}"
    evidence = finding.to_dict()["evidence"]
    if evidence:
        summary = ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in evidence.items())
        text += f"; evidence: {summary if len(summary) <= evidence_limit else summary[:evidence_limit - 1] + '…'}"
    return text


def _standard_deviation(parameterization: str, name: str) -> str:
    return {"logvar": f"exp({name} / 2)", "log_sigma": f"exp({name})", "sigma": name,
            "var": f"sqrt({name})"}[parameterization]


def _update_verdict(report: FunctionReport) -> None:
    verdict = verdict_of(report.findings)
    if report.verdict != "undecided" or verdict == "bug":
        report.verdict = verdict


def _scale_argument(roles: Mapping[str, str]) -> str:
    return next((name for name, role in roles.items() if role in SCALE_ROLES), "the scale argument")


def _owner(function: Callable) -> str:
    """``module:Class`` for a method, ``module`` for a module-level function."""
    inner = inspect.unwrap(getattr(function, "__func__", function))
    qualname = getattr(inner, "__qualname__", None) or type(function).__qualname__
    module = getattr(inner, "__module__", None) or type(function).__module__ or ""
    return f"{module}:{qualname.rpartition('.')[0]}" if "." in qualname else module


def _named(function: Function) -> tuple[str, Callable]:
    if isinstance(function, tuple):
        if len(function) != 2 or not isinstance(function[0], str) or not callable(function[1]):
            raise UsageError("a function to check is a callable or a (target_name, callable) pair")
        return function[0], _plain_callable(function[1])
    if not callable(function):
        raise UsageError(f"not a function: {function!r}")
    return _target_name(function), _plain_callable(function)


def _plain_callable(function: Callable) -> Callable:
    """A torch ``nn.Module`` instance is checked through its ``forward`` (its ``__call__`` takes ``*args``)."""
    from mathcheck.code.targets import _is_torch_module

    return function.forward if _is_torch_module(type(function)) and hasattr(function, "forward") else function


def _target_name(function: Callable) -> str:
    inner = getattr(function, "__func__", function)
    qualname = getattr(inner, "__qualname__", None) or type(function).__qualname__
    module = getattr(inner, "__module__", None) or type(function).__module__
    return f"{module}:{qualname}" if module else qualname


def _roles_per_function(roles: str | Sequence[str | None] | None, count: int) -> list[str | None]:
    given = [roles] * count if roles is None or isinstance(roles, str) else list(roles)
    if len(given) != count:
        raise UsageError(f"{len(given)} roles given for {count} functions")
    chosen = []
    for role in given:
        if role is not None and role != "auto" and role not in ROLES:
            raise UsageError(f"unknown role {role!r}; roles: auto, {', '.join(ROLES)}")
        chosen.append(None if role == "auto" else role)
    return chosen


def _callable_roles(target: str, function: Callable, overrides: Mapping[str, str]) -> dict[str, str]:
    roles = argument_roles(function, overrides)
    missing = unassigned_required(function, roles)
    if missing:
        raise UsageError(f"{target}: cannot tell what argument {missing[0]!r} is from its name; give its role "
                         f"with --inputs {missing[0]}=ROLE (inputs={{{missing[0]!r}: ROLE}}), or fix it with "
                         "functools.partial if it is a setting such as a KL weight")
    shared = arguments_sharing_a_role(roles)
    if shared:
        role, names = shared
        raise UsageError(f"{target}: arguments {' and '.join(map(repr, names))} would both be given the {role} "
                         f"input; say which is which with --inputs (e.g. --inputs {names[1]}=ROLE)")
    return roles


def _check_role_fits_arguments(target: str, role: str | None, roles: Mapping[str, str]) -> None:
    """A function given data and a decoder output is a loss: ``--role kl`` would check only a part of it."""
    data = sorted(name for name, given in roles.items() if given in ("x", "recon_probs", "recon_logits"))
    if role in ("kl", "reparameterize") and data:
        raise UsageError(f"{target}: --role {role} does not fit a function of data arguments "
                         f"({', '.join(data)}): it is a loss; use --role loss or auto")


__all__ = ["check", "cross_check", "cross_check_cuts", "describe_finding", "CodeReport", "FunctionReport", "Finding", "Shape", "UsageError"]
