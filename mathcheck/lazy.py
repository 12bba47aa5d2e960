"""Modules imported on first use: ``optimize = lazy_module("scipy.optimize")`` binds a stand-in at once and
runs the import the first time one of its attributes is read, so that a run that never needs the module
does not pay for it (``mathcheck audit`` of a document whose steps all prove: no search, no scipy). After
the first use each attribute read is the module's own.
"""
from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, imported when first used; the module itself if it is imported already. Nothing
    is imported before that, not even its package (finding ``scipy.optimize`` imports ``scipy``)."""
    if name in sys.modules:
        return sys.modules[name]
    return _DeferredModule(name)


class _DeferredModule(ModuleType):
    """Stands for a module not imported yet: reading an attribute imports it (``importlib.import_module``)
    and gives the module's attribute."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self.__name__), attribute)

    def __repr__(self) -> str:
        return f"<module {self.__name__!r}, imported when first used>"


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
