"""The audit's cache: a re-audit of unchanged documents prints the report of the first audit, without
importing sympy or checking a step.

An entry is one run of ``mathcheck audit`` (its printed report and exit code), stored as a JSON file named
by the hash of everything that can change what the run prints (:func:`run_key`): the engine (mathcheck's
version, a hash of the source of every module of the ``mathcheck`` package, the versions of Python and of
the libraries that decide or evaluate a step), each document (its path as given, where it is, its bytes),
the macro file (path and bytes), the options (format, seed, examples), the working directory and the
environment that the report reads (``GITHUB_WORKSPACE``, ``MATHCHECK_*``). The key of a step is thus its
whole document: a changed step, declaration, macro or definition anywhere is a new key, so that a verdict
read from the cache is one the engine gave for the very same input. A run in which a time limit expired
(``SymbolicTimeout``: its verdicts depend on the machine's load) is not stored.

Where: ``$MATHCHECK_CACHE_DIR`` if set, else ``audit/`` in the user's cache directory
(:func:`mathcheck.storage.user_cache_dir`: ``$XDG_CACHE_HOME/mathcheck`` or ``~/.cache/mathcheck``).
A corrupt or unreadable entry is ignored (and rewritten); a cache that cannot be written is skipped
silently. ``mathcheck audit --no-cache`` neither reads nor writes it.

Below that, a cache of step verdicts (:class:`StepCache`, :func:`cached_step`): when a document changed, each
step the engine checks is looked up by the hash of everything its verdict depends on (:func:`step_key`: the
engine's fingerprint, the step's expressions as written out node by node with every symbol's assumptions and
every unknown function's kind, the relation, the document's notation scope, the seed and the number of worlds),
so that editing one line re-checks only the steps that line changes. Its entries are (verdict, detail) pairs
of plain JSON values (a detail that is not one is not stored), in one file per engine fingerprint (in
``steps/`` of the cache folder); a step whose time limit expired is not stored.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

CACHE_ENV = "MATHCHECK_CACHE_DIR"
FORMAT_VERSION = 1  # of the entries' layout
MAX_ENTRIES = 256  # the oldest entries beyond this many are removed when one is written
ENGINE_LIBRARIES = ("sympy", "mpmath", "numpy", "scipy", "hypothesis")


@dataclass(frozen=True)
class Entry:
    output: str
    code: int


def cache_dir() -> Path:
    """``$MATHCHECK_CACHE_DIR``, else ``audit/`` in mathcheck's user cache directory."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen:
        return Path(chosen)
    from mathcheck.storage import user_cache_dir

    return user_cache_dir() / "audit"


_SOURCES: str | None = None  # the hash of the sources and libraries: computed once a process


def engine_fingerprint() -> str:
    """mathcheck's version, a hash of the source files of the ``mathcheck`` package (a development edit of
    any module changes it) and the versions of Python and of the engine's libraries."""
    import mathcheck

    global _SOURCES
    if _SOURCES is None:
        digest = hashlib.sha256()
        digest.update(f"{sys.version}\0{sys.platform}\0".encode())
        for library in ENGINE_LIBRARIES:
            digest.update(f"{library}={_library_version(library)}\0".encode())
        for path in _source_files(Path(mathcheck.__file__).resolve().parent):
            digest.update(path.name.encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        _SOURCES = digest.hexdigest()
    return f"{mathcheck.__version__}+{_SOURCES}"


def _library_version(name: str) -> str:
    from mathcheck.lazy import installed_version  # importlib.metadata's version, without importing it

    return installed_version(name) or "absent"


def _source_files(package: Path) -> list[Path]:
    """The package's Python sources (its installed subpackages included), in a fixed order."""
    files = sorted(package.rglob("*.py"))
    try:  # subpackages installed from elsewhere in the tree (mathcheck.derivations, mathcheck.vae_min)
        import importlib.util

        for name in ("mathcheck.derivations", "mathcheck.vae_min"):
            spec = importlib.util.find_spec(name)
            for location in (spec.submodule_search_locations or []) if spec else []:
                if not Path(location).resolve().is_relative_to(package):
                    files += sorted(Path(location).rglob("*.py"))
    except (ImportError, ValueError):
        pass
    return files


def run_key(files: Sequence[str], macros: str | None, format_name: str, seed: int, examples: int | None) -> str | None:
    """The hash of everything that can change what ``mathcheck audit`` prints for these arguments; None when
    a file cannot be read (the run then reports it, and nothing is cached)."""
    from mathcheck.annotations import display_path

    environment = {name: value for name, value in os.environ.items()
                   if (name.startswith("MATHCHECK_") and name != CACHE_ENV) or name == "GITHUB_WORKSPACE"}
    try:
        documents = [[path, os.path.abspath(path), display_path(path), _file_hash(path)] for path in files]
        macro_file = [macros, os.path.abspath(macros), _file_hash(macros)] if macros else None
        cwd = os.getcwd()
    except (OSError, ValueError):
        return None
    payload = {"layout": FORMAT_VERSION, "engine": engine_fingerprint(), "documents": documents,
               "macros": macro_file, "format": format_name, "seed": seed, "examples": examples, "cwd": cwd,
               "environment": sorted(environment.items())}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def _file_hash(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _entry_path(key: str) -> Path:
    return cache_dir() / f"{key}.json"


def load(key: str) -> Entry | None:
    """The entry stored under ``key``; None when there is none or it cannot be read or used."""
    try:
        data = json.loads(_entry_path(key).read_text(encoding="utf-8"))
        if data.get("key") != key or data.get("layout") != FORMAT_VERSION:
            return None
        output, code = data["output"], data["code"]
        if not isinstance(output, str) or code not in (0, 1):
            return None
        return Entry(output, code)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def store(key: str, entry: Entry) -> None:
    """Write the entry (atomically: a reader never sees half of one); silently nothing when the cache
    directory cannot be written."""
    folder = cache_dir()
    text = json.dumps({"layout": FORMAT_VERSION, "key": key, "output": entry.output, "code": entry.code},
                      ensure_ascii=False)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, _entry_path(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime)
    for path in entries[:-MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            path.unlink()


@contextlib.contextmanager
def expiries_counted() -> Iterator[list]:
    """Within the block, every :class:`mathcheck.deadline.SymbolicTimeout` created is counted in the list
    yielded: a run whose time limits expired depends on the machine's load and is not stored."""
    from mathcheck import deadline

    expired: list = []
    cls = deadline.SymbolicTimeout
    had_own = "__init__" in cls.__dict__
    original = cls.__init__

    def counting(self, *args, **kwargs) -> None:
        expired.append(args)
        original(self, *args, **kwargs)

    cls.__init__ = counting
    try:
        yield expired
    finally:
        if had_own:
            cls.__init__ = original
        else:
            del cls.__init__


# ---------------------------------------------------------------- step verdicts

STEP_LAYOUT = 1  # of the step entries' layout and of the key's parts
MAX_STEPS = 4096  # the least recently used step entries beyond this many are dropped when the file is written
STEP_FILES_KEPT = 4  # step files of other engine fingerprints (older sources) kept besides the current one


class Uncacheable(Exception):
    """A part of a step's key that cannot be written out faithfully: the step is checked, not looked up."""


def step_key(parts: Any) -> str:
    """The hash of the engine's fingerprint and ``parts`` (expressions, scopes, options), written out so that
    two parts with the same text are the same input (:func:`canonical`); raises :class:`Uncacheable`."""
    payload = [STEP_LAYOUT, engine_fingerprint(), canonical(parts)]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()).hexdigest()


def canonical(value: Any) -> Any:
    """``value`` as JSON data that determines it: a sympy expression node by node (:func:`_expression`), a
    dataclass (a notation Scope) field by field, a set sorted; anything else raises :class:`Uncacheable`."""
    import sympy as sp

    if isinstance(value, sp.Basic):
        return _expression(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [f"{type(value).__module__}.{type(value).__qualname__}",
                [[f.name, canonical(getattr(value, f.name))] for f in dataclasses.fields(value)]]
    if isinstance(value, (set, frozenset)):
        return ["set", sorted(json.dumps(canonical(item), ensure_ascii=True) for item in value)]
    if isinstance(value, (tuple, list)):
        return ["seq", [canonical(item) for item in value]]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise Uncacheable(f"no faithful key for a {type(value).__name__}")


def _expression(expr) -> Any:
    """A sympy expression as nested lists: every node's class (for an unknown function: its name, its classes
    (concave, convex, ...), its keywords and its assumptions, which ``srepr`` does not show), then its
    arguments; a leaf as ``srepr`` writes it (a symbol with its assumptions, an exact number)."""
    from sympy.core.function import AppliedUndef

    kind = type(expr)
    if not expr.args and not isinstance(expr, AppliedUndef):
        return _srepr(expr)
    head: Any = f"{kind.__module__}.{kind.__qualname__}"
    if isinstance(expr, AppliedUndef):
        head = ["function", kind.__name__, [f"{c.__module__}.{c.__qualname__}" for c in kind.__mro__],
                sorted((str(k), repr(v)) for k, v in (getattr(kind, "_kwargs", None) or {}).items()),
                sorted((str(k), repr(v)) for k, v in dict(kind.default_assumptions).items())]
    return [head, [_expression(arg) if hasattr(arg, "args") else canonical(arg) for arg in expr.args]]


def _srepr(expr) -> str:
    import sympy as sp

    return sp.srepr(expr)


def _plain(value: Any) -> bool:
    """Whether ``value`` is JSON data that reads back as the same Python value (no tuple, no numpy number)."""
    if value is None or type(value) in (str, bool, int):
        return True
    if type(value) is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if type(value) is list:
        return all(_plain(item) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    return False


class StepCache:
    """The step verdicts of one engine fingerprint: read from its file on first use, written back (merged
    with what another run wrote meanwhile) by :meth:`save`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._entries: dict[str, list] | None = None
        self._added: dict[str, list] = {}
        self.hits = self.misses = 0

    def path(self) -> Path:
        return self.folder / f"steps-{hashlib.sha256(engine_fingerprint().encode()).hexdigest()[:24]}.json"

    def _read(self) -> dict[str, list]:
        try:
            data = json.loads(self.path().read_text(encoding="utf-8"))
            if data.get("layout") != STEP_LAYOUT or data.get("engine") != engine_fingerprint():
                return {}
            return {k: v for k, v in data["steps"].items() if _valid_step(v)}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}

    def get(self, key: str) -> tuple[str, dict] | None:
        if self._entries is None:
            self._entries = self._read()
        found = self._added.get(key) or self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._added[key] = found  # used again: kept when the file is pruned
        verdict, detail = json.loads(json.dumps(found))  # a fresh copy: the caller may change the detail
        return verdict, detail

    def put(self, key: str, verdict: str, detail: dict) -> None:
        if isinstance(verdict, str) and _plain(detail):
            self._added[key] = [verdict, json.loads(json.dumps(detail))]

    def save(self) -> None:
        """Write the entries added or used (atomically); silently nothing when the folder cannot be written."""
        if not self._added:
            return
        merged = {k: v for k, v in self._read().items() if k not in self._added}
        merged.update(self._added)
        kept = dict(list(merged.items())[-MAX_STEPS:])
        text = json.dumps({"layout": STEP_LAYOUT, "engine": engine_fingerprint(), "steps": kept}, ensure_ascii=False)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.folder, self.path(), text)
            older = sorted((p for p in self.folder.glob("steps-*.json") if p != self.path()),
                           key=lambda p: p.stat().st_mtime)
            for stale in older[:-STEP_FILES_KEPT] if STEP_FILES_KEPT else older:
                with contextlib.suppress(OSError):
                    stale.unlink()
        except OSError:
            pass


def _valid_step(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], dict)


def _write_atomically(folder: Path, path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


_ACTIVE: list[StepCache] = []  # the step cache of the audit running now (none: every step is checked)


@contextlib.contextmanager
def steps_cached() -> Iterator[StepCache]:
    """Within the block, :func:`cached_step` looks steps up in (and adds them to) the step cache of
    :func:`cache_dir`, written back when the block ends."""
    store = StepCache(cache_dir() / "steps")  # beside the run entries, which are pruned on their own
    _ACTIVE.append(store)
    try:
        yield store
    finally:
        _ACTIVE.remove(store)
        store.save()


def cached_step(parts: Any, check: Callable[[], tuple[str, dict]]) -> tuple[str, dict]:
    """``check()``'s (verdict, detail), from the active step cache when ``parts`` (everything the verdict
    depends on besides the engine) were checked before; a check in which a time limit expired is not stored."""
    if not _ACTIVE:
        return check()
    store = _ACTIVE[-1]
    try:
        key = step_key(parts)
    except (Uncacheable, TypeError, ValueError, RecursionError):
        return check()
    found = store.get(key)
    if found is not None:
        return found
    with expiries_counted() as expired:
        verdict, detail = check()
    if not expired:
        store.put(key, verdict, detail)
    return verdict, detail


__all__ = ["CACHE_ENV", "Entry", "StepCache", "cache_dir", "cached_step", "canonical", "engine_fingerprint",
           "expiries_counted", "load", "run_key", "step_key", "steps_cached", "store"]
