"""Everything ``verify-all`` runs: the article's derivations and the numeric / empirical check families.

A derivation is a module of ``mathcheck.derivations`` (the repository's ``derivations/``) exposing ``CHAIN``
(a :class:`mathcheck.calc.Chain`).
Other check families come from *providers*: modules with ``checks() -> list[Check]``.

:func:`run` checks the entries in order, or with ``jobs`` > 1 in worker processes forked once the libraries that
every worker needs are imported (so that no worker imports them again); torch is not one of them: the entries
that use it run in one worker, which imports it while the others prove. The report lists the entries in the
order asked for, and each entry's verdicts are those of a serial run: every entry draws its worlds from its own seed.
"""
from __future__ import annotations

import dataclasses
import importlib
import os
import pkgutil
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from mathcheck.report import EntryReport, Report

# vae first: its elementwise check sees torch's first calls
PROVIDERS = ("mathcheck.vae_min.confirm", "mathcheck.numeric_checks")


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    source: str
    run: Callable[[int, "int | None"], EntryReport]  # (seed, examples) -> report
    empirical: bool = False  # slow (trains a model): skipped by ``verify-all --quick``
    group: str | None = None  # entries that share a per-process cache (a trained model) run in one worker
    uses_torch: bool = False  # imports torch (~2 s): every such entry runs in one worker, the only one that imports it


@lru_cache(maxsize=None)
def derivation_modules() -> dict[str, object]:
    from mathcheck import derivations

    found = {}
    for info in sorted(pkgutil.iter_modules(derivations.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"mathcheck.derivations.{info.name}")
        if hasattr(module, "CHAIN"):
            found[module.CHAIN.name] = module
    return found


@lru_cache(maxsize=None)
def provider_checks() -> dict[str, Check]:
    found = {}
    for module_name in PROVIDERS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue
            raise
        for check in module.checks():
            found[check.name] = check
    return found


def names(include_empirical: bool = True) -> list[str]:
    checks = [c.name for c in provider_checks().values() if include_empirical or not c.empirical]
    return list(derivation_modules()) + checks


def close_names(name: str, known: list[str] | None = None, limit: int = 3) -> list[str]:
    """The known names that ``name`` most likely misspells, closest first; ``[]`` when none is close.

    Case and ``-`` / ``_`` are ignored (``ELBO-le-log-evidence`` finds ``elbo_le_log_evidence``); when no
    whole name is close, the names that start with ``name`` are offered. A name much farther than the closest
    is left out (``elbo_le_log_evidnce`` gets ``elbo_le_log_evidence`` alone)."""
    import difflib

    known = names(include_empirical=True) if known is None else known
    by_key: dict[str, str] = {}
    for candidate in known:
        by_key.setdefault(_spelling_key(candidate), candidate)
    typed = _spelling_key(name)
    keys = difflib.get_close_matches(typed, list(by_key), n=limit, cutoff=0.6)
    score = {key: difflib.SequenceMatcher(None, typed, key).ratio() for key in keys}
    keys = [key for key in keys if score[key] >= max(score.values()) - 0.15]  # not a far second to a near miss
    if not keys and typed:  # a short prefix (``vae``) is far from every whole name, but starts some
        keys = [key for key in by_key if key.startswith(typed)][:limit]
    return [by_key[key] for key in keys]


def _spelling_key(name: str) -> str:
    return name.casefold().replace("-", "_")


def catalogue() -> list[tuple[str, str]]:
    items = [(name, module.CHAIN.title) for name, module in derivation_modules().items()]
    return items + [(c.name, c.title) for c in provider_checks().values()]


def show(name: str, latex: bool = False) -> str:
    module = derivation_modules().get(name)
    if module is None:
        check = provider_checks()[name]
        return f"{check.name}: {check.title}\nsource: {check.source}\n(a numeric/empirical check family, not a chain)"
    return module.CHAIN.render(latex=latex)


def default_jobs() -> int:
    """Worker processes of ``verify`` / ``verify-all``: two, or one on a single core."""
    return max(1, min(2, os.cpu_count() or 1))


def run(selected: list[str], seed: int = 0, examples: int | None = None, jobs: int = 1) -> Report:
    """Every entry of ``selected`` checked, in that order; with ``jobs`` > 1 (and ``fork``) in worker processes."""
    start = time.perf_counter()
    if jobs > 1 and len(selected) > 1 and _can_fork():
        entries = _run_in_workers(selected, seed, examples, jobs)
    else:
        entries = [run_entry(name, seed, examples) for name in selected]
    return Report(entries, time.perf_counter() - start)


def run_entry(name: str, seed: int = 0, examples: int | None = None) -> EntryReport:
    if name in derivation_modules():
        from mathcheck.checker import check_chain

        return check_chain(derivation_modules()[name].CHAIN, seed=seed, examples=examples)
    return provider_checks()[name].run(seed, examples)


class WorkerError(RuntimeError):
    """A worker process of a parallel run died (killed, out of memory, a crash in a C library)."""


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _tasks(selected: list[str]) -> list[list[str]]:
    """The units of work, longest first so that the last ones to finish are short: every entry that uses torch
    in one task (the groups' entries in their order, a training, then the check families), so that only the
    worker that runs it imports torch; then the entries of each other group together; then every other check
    family alone (a second or two of quadrature and Monte Carlo each); then the derivations in order (a symbolic
    proof and a few worlds)."""
    grouped: dict[str, list[str]] = {}
    families: list[list[str]] = []
    derivations: list[list[str]] = []
    checks = provider_checks()
    for name in dict.fromkeys(selected):
        check = checks.get(name)
        if check is None:
            derivations.append([name])
        elif check.group is not None:
            grouped.setdefault(check.group, []).append(name)
        else:
            families.append([name])
    torch_groups = [group for group in grouped.values() if any(checks[name].uses_torch for name in group)]
    torch_task = [name for group in torch_groups for name in group] + [
        family[0] for family in families if checks[family[0]].uses_torch]
    others = [group for group in grouped.values() if group not in torch_groups] + [
        family for family in families if not checks[family[0]].uses_torch]
    return ([torch_task] if torch_task else []) + others + derivations


def _run_in_workers(selected: list[str], seed: int, examples: int | None, jobs: int) -> list[EntryReport]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import gc

    _import_before_fork(selected)
    gc.collect()
    gc.freeze()  # what the workers inherit is never traversed by their collections (hypothesis runs gc.collect)
    tasks = _tasks(selected)
    done: dict[str, EntryReport] = {}
    executor = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_started)
    futures: dict = {}
    finished = False
    try:
        futures = {executor.submit(_run_task, task, seed, examples): task for task in tasks}
        for future, task in futures.items():
            try:
                reports = future.result()
            except BrokenProcessPool:
                unfinished = [name for other, names in futures.items() if not _succeeded(other) for name in names]
                raise WorkerError(f"a worker process died while checking one of {', '.join(unfinished)} "
                                  "(rerun with --jobs 1 to check the entries in this process)") from None
            done.update(zip(task, map(_with_chain, reports)))
        finished = True
    finally:
        if not finished:  # an entry's error, a dead worker or Ctrl-C: no worker is left running
            for future in futures:
                future.cancel()
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
    return [done[name] for name in selected]


def _succeeded(future) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _import_before_fork(selected: list[str]) -> None:
    """What every worker needs, imported once here so that a forked worker shares it: sympy, numpy, scipy,
    hypothesis, the entries' modules and the engine. Not torch (~2 s): only the worker that runs the torch task
    (see :func:`_tasks`) imports it, while the others prove."""
    provider_checks()
    import mathcheck.checker  # noqa: F401
    if any(name in derivation_modules() for name in selected):  # their numeric worlds (the engine imports it lazily)
        import hypothesis.strategies  # noqa: F401


def _worker_started() -> None:
    """In a worker: Ctrl-C is the parent's to handle (it ends the workers); tensors on one thread each."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def _run_task(names: list[str], seed: int, examples: int | None) -> list[EntryReport]:
    return [_picklable(run_entry(name, seed, examples)) for name in names]


def _picklable(report: EntryReport) -> EntryReport:
    """The report without its chain (the parent has the same one), and with details that pickle."""
    import pickle

    report = dataclasses.replace(report, chain=None)
    try:
        pickle.dumps(report.steps)
    except Exception:  # a detail that does not pickle: its printed form, as every formatter shows it
        import json

        steps = [dataclasses.replace(step, detail=json.loads(json.dumps(step.detail, default=str)))
                 for step in report.steps]
        report = dataclasses.replace(report, steps=steps)
    return report


def _with_chain(report: EntryReport) -> EntryReport:
    module = derivation_modules().get(report.name)
    return dataclasses.replace(report, chain=module.CHAIN) if module is not None else report
