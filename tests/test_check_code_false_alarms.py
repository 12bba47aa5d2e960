"""False alarms: 200 correct KLs and samplers, generated (parameterization, reduction, framework, argument
names, names that lie), each checked with its own seed, must give no ``bug`` (issue 14: the statistical
checks of 200 correct samplers over 200 seeds give no bug).

The variants are written as source into one module per framework, imported from a temporary folder, and
checked through ``mathcheck.code.check``; each one's own ground truth is checked against the reference math too.
"""
from __future__ import annotations

import importlib.util
import random
import sys
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pytest

from mathcheck.gaussian import kl_normal_std_logvar
from tests.code_catalogue.reference import logvar_of

COUNT = 200
FIRST_SEED = 1000  # variant i is checked with seed FIRST_SEED + i: 200 distinct seeds

NAMES = {
    "mu": ("mu", "mean", "z_mean", "loc"),
    "logvar": ("logvar", "log_var", "z_log_var"),
    "log_sigma": ("log_sigma", "log_std", "logstd"),
    "sigma": ("sigma", "std", "scale"),
    "var": ("var", "variance", "sigma2", "sigmasq"),
}
PARAMETERIZATIONS = ("logvar", "log_sigma", "sigma", "var")
REAL_LINE = ("logvar", "log_sigma")  # read from any real number; sigma and var need positive values

KL_TERMS = {  # elementwise 2 KL, written as users write it; {m} the mean, {s} the scale argument
    ("torch", "logvar"): ("-(1 + {s} - {m}.pow(2) - {s}.exp())", "(torch.exp({s}) + {m} ** 2 - 1.0 - {s})"),
    ("torch", "log_sigma"): ("(torch.exp(2 * {s}) + {m} ** 2 - 1 - 2 * {s})",
                             "({s}.mul(2).exp() + {m} * {m} - 1) - 2 * {s}"),
    ("torch", "sigma"): ("({s} ** 2 + {m} ** 2 - 1 - 2 * torch.log({s}))",
                         "({s} * {s} + {m}.pow(2) - 1 - torch.log({s} ** 2))"),
    ("torch", "var"): ("({s} + {m} ** 2 - 1 - torch.log({s}))", "-(1 + {s}.log() - {m}.pow(2) - {s})"),
    ("numpy", "logvar"): ("-(1 + {s} - np.square({m}) - np.exp({s}))", "(np.exp({s}) + {m} ** 2 - 1.0 - {s})"),
    ("numpy", "log_sigma"): ("(np.exp(2 * {s}) + {m} ** 2 - 1 - 2 * {s})",),
    ("numpy", "sigma"): ("({s} ** 2 + {m} ** 2 - 1 - 2 * np.log({s}))",),
    ("numpy", "var"): ("({s} + {m} ** 2 - 1 - np.log({s}))",),
}
REDUCTIONS = {  # over the latent dims (summed: the right KL), then the batch
    ("torch", "none"): "0.5 * torch.sum({t}, dim=-1)",
    ("torch", "sum"): "0.5 * torch.sum({t})",
    ("torch", "mean"): "0.5 * torch.sum({t}, dim=1).mean()",
    ("numpy", "none"): "0.5 * np.sum({t}, axis=-1)",
    ("numpy", "sum"): "0.5 * np.sum({t})",
    ("numpy", "mean"): "np.mean(0.5 * np.sum({t}, axis=1))",
}
STANDARD_DEVIATIONS = {
    ("torch", "logvar"): ("torch.exp(0.5 * {s})", "{s}.mul(0.5).exp()", "torch.exp({s} / 2)"),
    ("torch", "log_sigma"): ("torch.exp({s})", "{s}.exp()"),
    ("torch", "sigma"): ("{s}",),
    ("torch", "var"): ("torch.sqrt({s})", "{s} ** 0.5"),
    ("numpy", "logvar"): ("np.exp(0.5 * {s})",),
    ("numpy", "log_sigma"): ("np.exp({s})",),
    ("numpy", "sigma"): ("{s}",),
    ("numpy", "var"): ("np.sqrt({s})",),
}
NOISE = {
    "torch": ("torch.randn_like({m})", "torch.randn({m}.shape, dtype={m}.dtype)", "torch.empty_like({m}).normal_()"),
    "numpy": ("np.random.standard_normal({m}.shape)", "_rng.normal(size={m}.shape)"),
}
HEADER = {"torch": "import torch\n", "numpy": "import numpy as np\n\n_rng = np.random.default_rng(11)\n"}


@dataclass(frozen=True)
class Variant:
    index: int
    kind: str  # kl | reparameterize
    framework: str
    parameterization: str  # what the code does with its scale argument
    reduction: str  # KLs: none | sum | mean over the batch
    mu: str
    scale: str  # the scale argument's name: from another parameterization when the name lies
    source: str

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.index:03d}"


def make_variant(index: int, rng: random.Random) -> Variant:
    kind = rng.choice(("kl", "reparameterize"))
    framework = rng.choice(("torch", "torch", "numpy"))
    parameterization = rng.choice(PARAMETERIZATIONS)
    named_as = lying_name_role(parameterization, rng) if rng.random() < 0.25 else parameterization
    mu, scale = rng.choice(NAMES["mu"]), rng.choice(NAMES[named_as])
    reduction = rng.choice(("none", "sum", "mean"))
    if kind == "kl":
        term = rng.choice(KL_TERMS[framework, parameterization]).format(m=mu, s=scale)
        body = REDUCTIONS[framework, reduction].format(t=term)
    else:
        std = rng.choice(STANDARD_DEVIATIONS[framework, parameterization]).format(s=scale)
        body = f"{mu} + {std} * {rng.choice(NOISE[framework]).format(m=mu)}"
    name = f"{kind}_{index:03d}"
    source = f"def {name}({mu}, {scale}):\n    return {body}\n"
    return Variant(index, kind, framework, parameterization, reduction, mu, scale, source)


def lying_name_role(parameterization: str, rng: random.Random) -> str:
    """A name of another parameterization whose role draws values this code accepts (positives for sigma, var)."""
    others = PARAMETERIZATIONS if parameterization in REAL_LINE else ("sigma", "var")
    return rng.choice([p for p in others if p != parameterization])


VARIANTS = [make_variant(index, random.Random(f"false-alarm {index}")) for index in range(COUNT)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, object]:
    """The variants' modules, one per framework, imported from a temporary folder."""
    folder = tmp_path_factory.mktemp("generated_variants")
    modules = {}
    for framework in ("torch", "numpy"):
        path = folder / f"generated_{framework}_variants.py"
        sources = [variant.source for variant in VARIANTS if variant.framework == framework]
        path.write_text(HEADER[framework] + "\n\n" + "\n\n".join(sources))
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        modules[framework] = module
    yield modules
    for module in modules.values():
        sys.modules.pop(module.__name__, None)


def function_of(generated, variant: Variant):
    return getattr(generated[variant.framework], variant.name)


def test_variants_cover_every_parameterization_framework_and_kind():
    covered = {(v.kind, v.framework, v.parameterization) for v in VARIANTS}
    assert len(covered) == 2 * 2 * 4


def test_some_variant_names_lie():
    assert any(variant.scale not in NAMES[variant.parameterization] for variant in VARIANTS)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.kind == "kl"], ids=lambda v: v.name)
def test_generated_kl_equals_the_reference_kl(generated, variant):
    """Ground truth: the generated KL is the closed form in its parameterization and reduction."""
    rng = np.random.default_rng(variant.index)
    mu = rng.normal(size=(3, 4))
    s = rng.normal(size=(3, 4)) if variant.parameterization in REAL_LINE else np.exp(rng.normal(0, 0.5, (3, 4)))
    per_example = kl_normal_std_logvar(mu, logvar_of(variant.parameterization, s)).sum(-1)
    expected = {"none": per_example, "sum": per_example.sum(), "mean": per_example.mean()}[variant.reduction]
    arrays = (mu, s)
    if variant.framework == "torch":
        import torch

        arrays = tuple(torch.tensor(a, dtype=torch.float64) for a in arrays)
    got = function_of(generated, variant)(**dict(zip((variant.mu, variant.scale), arrays)))
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-12)


@pytest.fixture(scope="module")
def code():
    pytest.importorskip("mathcheck.code.analysis",
                        reason="the check-code checker (mathcheck.code.analysis, issue 14) does not import yet")
    import mathcheck.code

    return mathcheck.code


@lru_cache(maxsize=None)
def _checked(index: int, function):
    import mathcheck.code

    (report,) = mathcheck.code.check((VARIANTS[index].name, function), seed=FIRST_SEED + index).functions
    return report


def _report(code, generated, variant: Variant):
    return _checked(variant.index, function_of(generated, variant))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_correct_variant_gives_no_bug(code, generated, variant):
    report = _report(code, generated, variant)
    bugs = [f"{f.code}: {f.message}" for f in report.findings if f.severity == "bug"]
    assert not bugs and report.verdict != "undecided", f"{variant.source}{report.verdict} {bugs} {report.reason}"


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_correct_variant_fits_its_parameterization(code, generated, variant):
    report = _report(code, generated, variant)
    assert report.parameterization == variant.parameterization, variant.source
