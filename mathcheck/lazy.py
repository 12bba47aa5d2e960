"""Modules imported on first use: ``optimize = lazy_module("scipy.optimize")`` binds a stand-in at once and
runs the import the first time one of its attributes is read, so that a run that never needs the module
does not pay for it (``mathcheck audit`` of a document whose steps all prove: no search, no scipy). After
the first use each attribute read is the module's own.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from functools import lru_cache
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


_PATTERN_METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")


class LazyPattern:
    """``_WORD = LazyPattern(r"\\bword\\b", re.I)``: a regular expression compiled the first time one of its
    methods is used (``_WORD.search(text)``), so that a run whose documents never need it does not pay for it
    (the audit's modules hold some hundreds: a twentieth of a second of each cold audit). ``pattern`` and
    ``flags`` are the arguments as given; pass the object to its own methods, not to ``re.search(...)``."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        compiled = re.compile(self.pattern, self.flags)
        for method in _PATTERN_METHODS:  # from now on read from the instance, as fast as the pattern's own
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, attribute)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"


def stand_in_until_used(name: str, placeholders: tuple[str, ...]) -> bool:
    """Put off importing module ``name`` that a library imports on every call only to ask ``isinstance(x,
    C)`` for its classes ``placeholders`` (sympy's ``Add`` imports sympy.tensor.tensor, and with it
    sympy.combinatorics, at its first sum: a twentieth of a second). Until the module is imported, those
    names are empty classes: nothing can be an instance of a class of a module not imported yet, so every
    such test answers as it would. Reading any other of its attributes imports the module, which then
    takes the stand-in's place (in ``sys.modules`` and in the stand-in, for whoever holds it). Whether the
    stand-in was put in place (not if the module is imported already)."""
    if name in sys.modules:
        return False
    stand_in = sys.modules[name] = _StandInModule(name, placeholders)
    parent, _, child = name.rpartition(".")
    if parent in sys.modules and not hasattr(sys.modules[parent], child):  # ``import a.b.c; a.b.c.f`` works
        setattr(sys.modules[parent], child, stand_in)
    return True


class _StandInModule(ModuleType):
    """A module not imported yet, with empty placeholder classes (see :func:`stand_in_until_used`)."""

    def __init__(self, name: str, placeholders: tuple[str, ...]):
        super().__init__(name)
        for placeholder in placeholders:
            setattr(self, placeholder, type(placeholder, (), {"__module__": name}))

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
            module = importlib.import_module(self.__name__)
            self.__dict__.update({key: value for key, value in vars(module).items() if not key.startswith("__")})
        return getattr(sys.modules[self.__name__], attribute)

    def __repr__(self) -> str:
        return f"<module {self.__name__!r}, a stand-in until first used>"


def installed_version(distribution: str) -> str | None:
    """The version of the installed ``distribution`` (None if none is installed), as
    ``importlib.metadata.version`` gives it, read from the name of its ``NAME-VERSION.dist-info`` folder
    on ``sys.path`` (the first, as importlib.metadata takes the first), which is what pip and editable
    installs write: importlib.metadata costs about 0.02 s to import (email, zipfile, csv: an eighth of a
    re-audit answered from the cache). Anything else (an .egg-info, no version in the name, a distribution
    not found) is asked of importlib.metadata."""
    wanted = _normalized(distribution)
    for entry in sys.path:
        for name in _dist_info_folders(entry or "."):
            project, _, version = name[:-len(".dist-info")].partition("-")
            if _normalized(project) == wanted:
                return version or _metadata_version(distribution)
    return _metadata_version(distribution)


def _normalized(project: str) -> str:
    return re.sub(r"[-_.]+", "-", project).lower()


@lru_cache(maxsize=None)
def _dist_info_folders(entry: str) -> tuple[str, ...]:
    try:
        return tuple(sorted(name for name in os.listdir(entry) if name.endswith(".dist-info")))
    except OSError:  # not a folder (a zip file, a missing path)
        return ()


def _metadata_version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


__all__ = ["LazyAttribute", "LazyFunctions", "LazyPattern", "installed_version", "lazy_module", "stand_in_until_used"]
