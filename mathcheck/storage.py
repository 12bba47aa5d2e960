"""Where mathcheck, and the hypothesis runs it starts, keep files: the user's cache, never the current directory.

Hypothesis writes ``.hypothesis/`` (a cache of the constants in the code it runs, a Unicode table and, with a
database, failing examples) into the directory it was imported from, even when the run keeps no example
database. :func:`hypothesis_files_in_cache` points it at :func:`hypothesis_directory` for a block, unless
whoever runs mathcheck chose a place (``HYPOTHESIS_STORAGE_DIRECTORY``, or
``hypothesis.configuration.set_hypothesis_home_dir``).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

# hypothesis.configuration's module globals: the home in use (None until first used) and its default,
# ``Path.cwd() / ".hypothesis"`` when hypothesis was imported. Hypothesis has no public getter for either.
_HOME, _DEFAULT_HOME = "__hypothesis_home_directory", "__hypothesis_home_directory_default"
_UNKNOWN = object()


def user_cache_dir() -> Path:
    """mathcheck's folder in the user's cache: platformdirs' choice where it is installed, else
    ``$XDG_CACHE_HOME/mathcheck`` or ``~/.cache/mathcheck``."""
    try:
        import platformdirs
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
        return Path(base) / "mathcheck"
    return Path(platformdirs.user_cache_dir("mathcheck", appauthor=False))


def hypothesis_directory() -> Path:
    """Where mathcheck lets hypothesis keep its files: ``HYPOTHESIS_STORAGE_DIRECTORY`` if set, else
    ``hypothesis/`` in the user's cache."""
    chosen = os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY", "").strip()
    return Path(chosen) if chosen else user_cache_dir() / "hypothesis"


@contextlib.contextmanager
def hypothesis_files_in_cache() -> Iterator[None]:
    """Within the block, hypothesis keeps its files in :func:`hypothesis_directory`, unless a home other than
    the working-directory default was chosen already (then that one is kept); the previous home is restored
    afterwards, so that the caller's own hypothesis tests keep their database where they had it."""
    from hypothesis import configuration

    previous = getattr(configuration, _HOME, _UNKNOWN)
    default = getattr(configuration, _DEFAULT_HOME, None)
    if previous is not None and previous is not _UNKNOWN and previous != default:
        yield  # someone chose where hypothesis keeps its files
        return
    configuration.set_hypothesis_home_dir(hypothesis_directory())
    try:
        yield
    finally:
        if previous is not _UNKNOWN:
            configuration.set_hypothesis_home_dir(previous)
