"""Modules imported on first use: ``stats = lazy_module("scipy.stats")`` binds a module object at once and
runs the import the first time one of its attributes is read (:class:`importlib.util.LazyLoader`), so that a
run that never evaluates a numeric world does not pay for scipy (``mathcheck audit`` of a document without
formulas, a re-audit answered from the cache). After the first use it is the ordinary module.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, imported when first used; the module itself if it is imported already."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # as the import system does: the package's attribute, so that scipy.stats finds it too
        setattr(sys.modules[parent], child, module)
    return module


class LazyAttribute:
    """``norm = LazyAttribute("scipy.stats", "norm")``: ``norm.logpdf(...)`` imports scipy.stats on first use
    and forwards to ``scipy.stats.norm``."""

    def __init__(self, module: str, name: str):
        self._module, self._name, self._target = module, name, None

    def resolve(self) -> Any:
        if self._target is None:
            self._target = getattr(importlib.import_module(self._module), self._name)
        return self._target

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self.resolve(), attribute)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<lazy {self._module}.{self._name}>"


class LazyFunctions:
    """``special = LazyFunctions("scipy.special")``: ``special.erf`` is scipy.special.erf once scipy.special
    is imported, and until then a :class:`LazyAttribute` that imports it when first called; for a module's
    functions named in tables at import time (``{sp.erf: special.erf}``)."""

    def __init__(self, module: str):
        self._module = module

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        module = sys.modules.get(self._module)
        if module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False):
            return getattr(module, attribute)
        return LazyAttribute(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy functions of {self._module}>"


__all__ = ["LazyAttribute", "LazyFunctions", "lazy_module"]
