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
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

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
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


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


__all__ = ["CACHE_ENV", "Entry", "cache_dir", "engine_fingerprint", "expiries_counted", "load", "run_key", "store"]
