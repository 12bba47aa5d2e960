"""False-alarm rate of the sampler checks: 200 correct samplers over 200 distinct seeds give no bug.

The samplers are written here from templates: every parameterization (log σ², log σ, σ, σ²), torch and
numpy, several argument names (some of them lying about the parameterization), several ways to draw the
noise and combine it, and several batch conventions (any batch, a latent size or batch size fixed inside the
function, several samples per row, an optional or a required eps, a seed argument), returning z, a tuple or
a dict. Each statistical check has a false-alarm rate ≤ 1e-6, so 200 samplers × the handful of checks each
runs should raise nothing; the fitted parameterization must also be the one the sampler implements.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mathcheck.code.sampler import check_sampler  # noqa: E402

SAMPLERS = 200
FIRST_SEED = 7_000
LATENT = 16  # the latent size a "fixed-latent" sampler hard-codes
BATCH = 32  # the batch size a "fixed-batch" sampler hard-codes
SAMPLES_PER_ROW = 3

STD = {
    ("torch", "logvar"): ["torch.exp(0.5 * {s})", "{s}.mul(0.5).exp()", "torch.sqrt(torch.exp({s}))",
                          "torch.exp({s} / 2)"],
    ("torch", "log_sigma"): ["torch.exp({s})", "{s}.exp()", "torch.exp(2 * {s}) ** 0.5"],
    ("torch", "sigma"): ["{s}", "{s} * 1.0", "torch.abs({s})"],
    ("torch", "var"): ["torch.sqrt({s})", "{s}.sqrt()", "{s} ** 0.5"],
    ("numpy", "logvar"): ["np.exp(0.5 * {s})", "np.sqrt(np.exp({s}))", "np.exp({s} / 2.0)"],
    ("numpy", "log_sigma"): ["np.exp({s})", "np.sqrt(np.exp(2 * {s}))"],
    ("numpy", "sigma"): ["{s}", "np.abs({s})"],
    ("numpy", "var"): ["np.sqrt({s})", "{s} ** 0.5"],
}
NOISE = {  # noise shaped like mu
    "torch": ["torch.randn_like(std)", "torch.randn({mu}.shape, dtype={mu}.dtype)",
              "{mu}.new_empty({mu}.shape).normal_()", "torch.empty_like({mu}).normal_(0.0, 1.0)",
              "torch.randn({mu}.size(0), {mu}.size(1), dtype=torch.float64)",
              "torch.distributions.Normal(torch.zeros_like({mu}), torch.ones_like({mu})).sample()"],
    "numpy": ["np.random.randn(*{mu}.shape)", "np.random.normal(size={mu}.shape)",
              "RNG.standard_normal({mu}.shape)", "np.random.standard_normal({mu}.shape)"],
}
COMBINE = {"torch": ["{mu} + std * eps", "eps * std + {mu}", "torch.addcmul({mu}, std, eps)"],
           "numpy": ["{mu} + std * eps", "eps * std + {mu}"]}
# (name of μ, name of the scale argument, the role its name says)
NAMES = {
    "logvar": [("mu", "logvar", "logvar"), ("mean", "log_var", "logvar"), ("z_mean", "z_log_var", "logvar"),
               ("loc", "logvar", "logvar")],
    "log_sigma": [("mu", "log_sigma", "log_sigma"), ("mean", "log_std", "log_sigma"),
                  ("mu", "logstd", "log_sigma"), ("mu", "logvar", "logvar")],  # the last name lies
    "sigma": [("mu", "sigma", "sigma"), ("loc", "scale", "sigma"), ("mean", "std", "sigma")],
    "var": [("mu", "var", "var"), ("mean", "variance", "var"), ("mu", "sigma2", "var"), ("mu", "z_var", "logvar")],
}
CONVENTIONS = ["any-batch", "fixed-latent", "fixed-batch", "samples-per-row", "optional-eps", "required-eps",
               "seed-argument"]
OUTPUTS = ["z", "(z, {mu}, {s})", '{{"z": z, "mu": {mu}}}']


def _noise(framework: str, convention: str, choice: random.Random) -> str:
    if convention == "fixed-latent":
        return ("torch.randn({mu}.shape[0], LATENT, dtype={mu}.dtype)" if framework == "torch"
                else "np.random.randn({mu}.shape[0], LATENT)")
    if convention == "fixed-batch":
        return ("torch.randn(BATCH, {mu}.shape[1], dtype={mu}.dtype)" if framework == "torch"
                else "np.random.standard_normal((BATCH, {mu}.shape[1]))")
    if convention == "seed-argument":
        return ("torch.randn({mu}.shape, generator=torch.Generator().manual_seed(int(seed)), dtype={mu}.dtype)"
                if framework == "torch" else "np.random.default_rng(int(seed)).standard_normal({mu}.shape)")
    return choice.choice(NOISE[framework])


def _source(index: int) -> tuple[str, dict[str, str], str]:
    """The source of correct sampler number ``index``, its argument roles and its parameterization."""
    choice = random.Random(index)
    parameterization = ("logvar", "log_sigma", "sigma", "var")[index % 4]
    framework = ("torch", "numpy")[(index // 4) % 2]
    convention = CONVENTIONS[(index // 8) % len(CONVENTIONS)]
    mu, s, role = choice.choice(NAMES[parameterization])
    std = choice.choice(STD[framework, parameterization]).format(s=s)
    output = choice.choice(OUTPUTS).format(mu=mu, s=s)
    roles = {mu: "mu", s: role}
    parameters = f"{mu}, {s}"
    lines = [f"std = {std}"]
    if convention == "samples-per-row":
        shape = f"({mu}.shape[0], {SAMPLES_PER_ROW}, {mu}.shape[1])"
        draw = (f"torch.randn({shape}, dtype={mu}.dtype)" if framework == "torch"
                else f"np.random.standard_normal({shape})")
        lines += [f"eps = {draw}", f"z = {mu}[:, None, :] + std[:, None, :] * eps"]
    elif framework == "torch" and choice.random() < 0.15 and convention == "any-batch":
        lines += [f"z = torch.distributions.Normal({mu}, std).rsample()"]
    else:
        noise = _noise(framework, convention, choice).format(mu=mu)
        if convention in ("optional-eps", "required-eps"):
            parameters += ", eps=None" if convention == "optional-eps" else ", eps"
            roles["eps"] = "eps"
            if convention == "optional-eps":
                lines += ["if eps is None:", f"    eps = {noise}"]
        else:
            lines += [f"eps = {noise}"]
        if convention == "seed-argument":
            parameters += ", seed"
            roles["seed"] = "rng"
        lines += [f"z = {choice.choice(COMBINE[framework]).format(mu=mu)}"]
    lines += [f"return {output}"]
    body = "\n".join("    " + line for line in lines)
    return f"def sampler_{index}({parameters}):\n{body}\n", roles, parameterization


def _sampler(index: int):
    source, roles, parameterization = _source(index)
    namespace = {"__name__": __name__, "torch": torch, "np": np, "LATENT": LATENT, "BATCH": BATCH,
                 "RNG": np.random.default_rng(index)}
    exec(compile(source, f"<correct sampler {index}>", "exec"), namespace)
    return namespace[f"sampler_{index}"], roles, parameterization, source


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tensors of 10^5 elements gain nothing from intra-op threads; on a shared 2-core machine they cost."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_the_samplers_are_distinct():
    sources = [_source(index)[0] for index in range(SAMPLERS)]
    assert len(set(sources)) == SAMPLERS


@pytest.mark.parametrize("index", range(SAMPLERS))
def test_correct_sampler_gives_no_bug_and_its_parameterization(index):
    function, roles, parameterization, source = _sampler(index)
    report = check_sampler(function, target=f"sampler_{index}", arg_roles=roles, seed=FIRST_SEED + index)
    bugs = [f"{finding.code}: {finding.message}" for finding in report.findings if finding.severity == "bug"]
    assert report.verdict == "correct", (source, report.verdict, report.reason, bugs)
    assert report.parameterization == parameterization, source
