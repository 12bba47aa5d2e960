"""Everything ``verify-all`` runs: the article's derivations and the numeric / empirical check families.

A derivation is a module of ``mathcheck.derivations`` (the repository's ``derivations/``) exposing ``CHAIN``
(a :class:`mathcheck.calc.Chain`).
Other check families come from *providers*: modules with ``checks() -> list[Check]``.
"""
from __future__ import annotations

import importlib
import pkgutil
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


def run(selected: list[str], seed: int = 0, examples: int | None = None) -> Report:
    from mathcheck.checker import check_chain

    start = time.perf_counter()
    entries = []
    for name in selected:
        if name in derivation_modules():
            entries.append(check_chain(derivation_modules()[name].CHAIN, seed=seed, examples=examples))
        else:
            entries.append(provider_checks()[name].run(seed, examples))
    return Report(entries, time.perf_counter() - start)
