"""What a run of ``mathcheck audit`` imports (the cost of its start; benchmarks/audit.py measures the seconds):
an empty document needs no scipy, and a re-audit answered from the cache needs neither sympy nor numpy nor
hypothesis. Each case is a fresh interpreter, as a user runs it; nothing here is timed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import importlib.util, json, sys
from mathcheck.cli import main
code = main(sys.argv[1:])
loaded = sorted(name for name, module in list(sys.modules.items())
                if module is not None and not isinstance(module, importlib.util._LazyModule))
print(json.dumps({"code": code, "loaded": loaded}))
"""

DOCUMENT = "$$\n(a + b)^2 = a^2 + 2 a b + b^2\n$$\n"


def loaded_by(arguments: list[str], cache: Path) -> tuple[int, set[str]]:
    """(exit code, the modules really imported) of ``mathcheck ARGUMENTS`` in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, check=True,
                          env={**os.environ, "MATHCHECK_CACHE_DIR": str(cache)}, timeout=600)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], set(result["loaded"])


@pytest.mark.parametrize("module", ["scipy.stats", "scipy.optimize", "scipy.special", "scipy.linalg", "torch"])
def test_an_empty_document_imports_no_heavy_numeric_module(tmp_path, module):
    empty = tmp_path / "empty.md"
    empty.write_text("", encoding="utf-8")
    code, loaded = loaded_by(["audit", str(empty), "--no-cache"], tmp_path / "cache")
    assert code == 0 and module not in loaded


def test_a_re_audit_from_the_cache_imports_no_engine(tmp_path):
    document = tmp_path / "notes.md"
    document.write_text(DOCUMENT, encoding="utf-8")
    first, checking = loaded_by(["audit", str(document)], tmp_path / "cache")
    again, answering = loaded_by(["audit", str(document)], tmp_path / "cache")
    assert first == again == 0 and "sympy" in checking
    assert not answering & {"sympy", "numpy", "scipy", "hypothesis", "mpmath"}


PROVED_DOCUMENT = """Let $q(z|x)$ be any density of $z$.

$$
\\log p(x) = \\log \\int p(x, z)\\, dz
$$

$$
D_{KL}(q(z|x) \\| p(z|x)) = \\mathbb{E}_{q(z|x)}[\\log q(z|x) - \\log p(z|x)]
$$

$$
\\mathbb{E}_{q(z|x)}[\\log q(z|x) - \\log p(z|x)] = \\mathbb{E}_{q(z|x)}[\\log q(z|x) - \\log p(x|z) - \\log p(z)] + \\log p(x)
$$

$$
(a + b)^2 = a^2 + 2ab + b^2
$$
"""


@pytest.mark.parametrize("module", ["scipy.stats", "scipy.integrate", "scipy.special", "scipy.optimize",
                                    "hypothesis"])
def test_an_audit_whose_steps_all_prove_imports_no_scipy_stats_integrate_or_hypothesis(tmp_path, module):
    """Its steps are cross-checked in model, pair and parameter worlds all the same: the worlds' densities
    are mathcheck.laws', and the worlds of a proved step are drawn without hypothesis."""
    document = tmp_path / "derivation.md"
    document.write_text(PROVED_DOCUMENT, encoding="utf-8")
    code, loaded = loaded_by(["audit", str(document), "--no-cache"], tmp_path / "cache")
    assert code == 0 and "numpy" in loaded and module not in loaded
