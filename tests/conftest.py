"""Hypothesis profiles: ``ci`` (derandomized, so CI is reproducible) and ``dev`` (random, more examples).

CI sets ``CI=true`` and gets ``ci``; choose explicitly with ``HYPOTHESIS_PROFILE=dev``.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, max_examples=40, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=60)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
