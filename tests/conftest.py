"""Hypothesis profiles: ``ci`` (derandomized, so CI is reproducible) and ``dev`` (random, more examples).

CI sets ``CI=true`` and gets ``ci``; choose explicitly with ``HYPOTHESIS_PROFILE=dev``.
Neither writes into the directory pytest runs from: ``ci`` keeps no example database, ``dev`` keeps its
failing examples in the user's cache, where hypothesis' other files go too (as for a command-line run:
``mathcheck.storage.hypothesis_directory``, or ``HYPOTHESIS_STORAGE_DIRECTORY``).
Each test has an empty cache of ``mathcheck audit`` runs of its own (``MATHCHECK_CACHE_DIR``), never the user's.
"""
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

from mathcheck.storage import hypothesis_directory

set_hypothesis_home_dir(hypothesis_directory())
settings.register_profile("ci", derandomize=True, database=None, deadline=None, max_examples=40, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", database=DirectoryBasedExampleDatabase(hypothesis_directory() / "examples"),
                          deadline=None, max_examples=60)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _audit_cache_in_tmp(tmp_path_factory, monkeypatch):
    """Every test gets an empty cache of audits of its own (``mathcheck.audit.cache``), never the user's."""
    monkeypatch.setenv("MATHCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("audit-cache")))


def pytest_configure(config):
    """pytest-xdist's workers must collect the same tests in the same order, and parameters taken from a set
    are ordered by string hashes: every worker (started after this hook, with this environment) gets one seed."""
    os.environ.setdefault("PYTHONHASHSEED", "0")
