"""The catalogue's ground truth, checked against the reference math without the checker.

Each variant is loaded, called in its own framework on inputs drawn here, and compared with what its
``truth`` says it computes: KLs against ``mathcheck.gaussian.kl_normal_std_logvar``, reconstructions against
torch.distributions log-densities, samplers by their sample moments, their noise across calls and rows, and
their gradients. ``check_truth(target)`` raises AssertionError where a variant does not do what the table says.
"""
from __future__ import annotations

import importlib
import inspect
import math
from typing import Any, Callable

import numpy as np

from mathcheck.gaussian import kl_normal_std_logvar
from tests.code_catalogue.expected import EXPECTED, Expected, KLTruth, LossTruth, SamplerTruth

PARAMETERIZATIONS = ("logvar", "log_sigma", "sigma", "var")

# argument name -> role, as issue 14 lists them (written here independently of mathcheck.code.roles)
ROLE_BY_NAME = {
    **dict.fromkeys(("mu", "mean", "loc", "z_mean"), "mu"),
    **dict.fromkeys(("logvar", "log_var", "z_log_var"), "logvar"),
    **dict.fromkeys(("log_sigma", "log_std", "logstd"), "log_sigma"),
    **dict.fromkeys(("sigma", "std", "scale"), "sigma"),
    **dict.fromkeys(("var", "variance", "sigma2", "sigmasq", "z_var"), "var"),  # z_var: issue 14's lying name
    **dict.fromkeys(("recon_x", "x_hat", "recon", "probs"), "recon_probs"),
    "logits": "recon_logits",
    **dict.fromkeys(("x", "target", "data"), "x"),
    **dict.fromkeys(("eps", "noise"), "eps"),
    **dict.fromkeys(("rng", "key", "seed"), "rng"),
}
SCALE_ROLES = ("logvar", "log_sigma", "sigma", "var")
RTOL = {"float64": 1e-10, "float32": 1e-5}


# --- loading and calling -----------------------------------------------------------------------------------

def module_name(path: str) -> str:
    name = path[:-3].replace("/", ".")
    return "mathcheck." + name if name.startswith("vae_min.") else name


def load(target: str) -> Callable:
    """The callable a target names; a method is bound to an instance built without arguments."""
    path, _, qualname = target.partition("::")
    owner: Any = importlib.import_module(module_name(path))
    parts = qualname.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part)
    if len(parts) > 1:
        owner = owner()
    return getattr(owner, parts[-1])


def argument_roles(function: Callable, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Role of each argument without a default, from its name (or ``overrides``)."""
    roles = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.default is not inspect.Parameter.empty:
            continue
        role = (overrides or {}).get(name) or ROLE_BY_NAME.get(name)
        if role is None:
            raise AssertionError(f"no role for argument {name!r}")
        roles[name] = role
    return roles


class Framework:
    """Arrays in and out of one framework, float64."""

    def __init__(self, name: str):
        self.name = name
        if name == "jax":
            import jax

            jax.config.update("jax_enable_x64", True)
            self.jax = jax
        elif name == "tensorflow":
            import tensorflow

            self.tf = tensorflow
        import torch

        self.torch = torch

    def native(self, value: np.ndarray, requires_grad: bool = False) -> Any:
        if self.name == "torch":
            return self.torch.tensor(value, dtype=self.torch.float64, requires_grad=requires_grad)
        if self.name == "jax":
            return self.jax.numpy.asarray(value)
        if self.name == "tensorflow":
            return self.tf.constant(value, dtype=self.tf.float64)
        return np.array(value, dtype=np.float64)

    def key(self, index: int) -> Any:
        return self.jax.random.PRNGKey(index) if self.name == "jax" else index

    def call(self, function: Callable, inputs: dict[str, np.ndarray], roles: dict[str, str], call_index: int = 0):
        native = {name: self.key(call_index) if roles[name] == "rng" else self.native(value)
                  for name, value in inputs.items()}
        return as_numpy(function(**native))


def as_numpy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: as_numpy(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(as_numpy(item) for item in value)
    if hasattr(value, "detach"):
        return value.detach().double().numpy()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        return np.asarray(value.numpy(), dtype=np.float64)
    return np.asarray(value, dtype=np.float64)


# --- the reference math ------------------------------------------------------------------------------------

def softplus(s: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, s)


def logvar_of(parameterization: str, s: np.ndarray) -> np.ndarray:
    """log sigma^2 for a scale argument s read in the given parameterization."""
    return {"logvar": lambda: s, "log_sigma": lambda: 2.0 * s, "sigma": lambda: np.log(s ** 2),
            "var": lambda: np.log(s)}[parameterization]()


def draw_scale(rng: np.random.Generator, parameterization: str | None, shape) -> np.ndarray:
    if parameterization == "logvar":
        return rng.normal(0.0, 1.0, shape)
    if parameterization == "log_sigma":
        return rng.normal(0.0, 0.5, shape)
    return np.exp(rng.normal(0.0, 0.5, shape))  # sigma, var, and positive values any reading accepts


def reduce_batch(per_example: np.ndarray, how: str) -> np.ndarray:
    return {"sum": per_example.sum, "mean": per_example.mean, "none": lambda: per_example}[how]()


def reference_kl(truth: KLTruth, mu: np.ndarray, s: np.ndarray, parameterization: str | None = None,
                 latent: str | None = None, batch: str | None = None) -> np.ndarray:
    """What a KL of this truth computes (the parameterization and reductions may be overridden)."""
    parameterization = parameterization or truth.parameterization
    scale = softplus(s) if truth.transform == "softplus" else s
    elementwise = truth.factor * (kl_normal_std_logvar(mu, logvar_of(parameterization, scale)) + truth.offset)
    per_example = elementwise.sum(-1) if (latent or truth.latent) == "sum" else elementwise.mean(-1)
    return reduce_batch(per_example, batch or truth.batch)


def reconstruction_nll(kind: str, recon: np.ndarray, x: np.ndarray, variance: float) -> np.ndarray:
    """-log p(x | decoder output) per data value (categorical: per row or token), from torch.distributions."""
    import torch
    from torch import distributions as D

    r, t = torch.as_tensor(recon, dtype=torch.float64), torch.as_tensor(x, dtype=torch.float64)
    if kind == "bernoulli-probs":  # unvalidated: data in (0, 1) give the cross-entropy
        log_p = D.Bernoulli(probs=r, validate_args=False).log_prob(t)
    elif kind == "bernoulli-logits":
        log_p = D.Bernoulli(logits=r, validate_args=False).log_prob(t)
    elif kind == "gaussian":
        log_p = D.Normal(r, math.sqrt(variance)).log_prob(t)
    elif kind == "laplace":
        log_p = D.Laplace(r, variance).log_prob(t)
    elif kind == "categorical-onehot":
        log_p = D.OneHotCategorical(logits=r).log_prob(t)
    elif kind == "categorical-ids":
        log_p = D.Categorical(logits=r).log_prob(t.long())
    else:
        raise ValueError(kind)
    return -log_p.numpy()


# --- drawing inputs ----------------------------------------------------------------------------------------

def loss_world(rng: np.random.Generator, truth: LossTruth, roles: dict[str, str], batch: int = 3,
               latent: int = 4) -> dict[str, np.ndarray]:
    """Inputs for a loss: decoder output and data of the truth's kind, mu and the scale."""
    kind = truth.recon
    if kind == "form" and truth.data == "onehot":
        kind = "categorical-onehot"
    data_shape = truth.data_shape or {"categorical-onehot": (5,), "categorical-ids": (4,)}.get(kind, (6,))
    recon_shape = (batch, *data_shape, 7) if kind == "categorical-ids" else (batch, *data_shape)
    inputs = {}
    for name, role in roles.items():
        if role in ("recon_probs", "recon_logits"):
            probabilities = kind == "bernoulli-probs" or (truth.recon == "form" and role == "recon_probs")
            inputs[name] = (rng.uniform(0.05, 0.95, recon_shape) if probabilities
                            else rng.normal(0.0, 2.0 if role == "recon_logits" else 1.0, recon_shape))
        elif role == "x":
            if truth.data == "unit":
                inputs[name] = rng.uniform(0.05, 0.95, (batch, *data_shape))
            elif kind in ("gaussian", "laplace"):
                inputs[name] = rng.normal(0.0, 1.0, (batch, *data_shape))
            elif kind == "categorical-onehot":
                inputs[name] = np.eye(data_shape[-1])[rng.integers(0, data_shape[-1], batch)]
            elif kind == "categorical-ids":
                inputs[name] = rng.integers(0, 7, (batch, *data_shape)).astype(np.float64)
            else:
                inputs[name] = (rng.random((batch, *data_shape)) < 0.5).astype(np.float64)
        elif role == "mu":
            inputs[name] = rng.normal(0.0, 1.0, (batch, latent))
        elif role in SCALE_ROLES:
            inputs[name] = draw_scale(rng, truth.kl.parameterization, (batch, latent))
        else:
            raise AssertionError(f"a loss argument with role {role!r}")
    return inputs


def _named(roles: dict[str, str], *wanted: str) -> str:
    return next(name for name, role in roles.items() if role in wanted)


# --- the checks --------------------------------------------------------------------------------------------

def check_truth(target: str) -> None:
    expected = EXPECTED[target]
    function = load(target)
    roles = argument_roles(function, expected.inputs)
    framework = Framework(expected.framework)
    check = {KLTruth: check_kl, LossTruth: check_loss, SamplerTruth: check_sampler}[type(expected.truth)]
    check(expected, function, roles, framework)


def check_kl(expected: Expected, function: Callable, roles: dict[str, str], framework: Framework) -> None:
    truth = expected.truth
    rng = np.random.default_rng(1)
    mu_name, s_name = _named(roles, "mu"), _named(roles, *SCALE_ROLES)
    draws = []
    for _ in range(6):
        mu = rng.normal(0.0, 1.0, (3, 4))
        s = draw_scale(rng, truth.fits, (3, 4))
        out = framework.call(function, {mu_name: mu, s_name: s}, roles)
        draws.append((mu, s, out[..., 0] if out.shape == (3, 1) else out))  # a keepdim column is per example
    if truth.parameterization is not None:
        for mu, s, out in draws:
            np.testing.assert_allclose(out, reference_kl(truth, mu, s), rtol=RTOL[expected.precision], atol=1e-12)
    if truth.fits is None:
        assert_no_affine_kl(draws)


def assert_no_affine_kl(draws) -> None:
    """kl-form: under no parameterization and reduction is the output a * KL + c."""
    outputs = np.concatenate([np.ravel(out) for _, _, out in draws])
    for parameterization in PARAMETERIZATIONS:
        for latent in ("sum", "mean"):
            for batch in ("sum", "mean", "none"):
                refs = [reference_kl(KLTruth(parameterization), mu, s, latent=latent, batch=batch)
                        for mu, s, _ in draws]
                if np.shape(refs[0]) != np.shape(draws[0][2]):
                    continue
                residual = affine_residual(np.concatenate([np.ravel(r) for r in refs]), outputs)
                assert residual > 1e-6, f"an affine function of the {parameterization} KL ({latent}, {batch})"


def affine_residual(reference: np.ndarray, output: np.ndarray) -> float:
    """Relative residual of the least-squares fit output = a * reference + c."""
    design = np.stack([reference, np.ones_like(reference)], axis=1)
    coefficients, *_ = np.linalg.lstsq(design, output, rcond=None)
    spread = np.linalg.norm(output - output.mean()) or 1.0
    return float(np.linalg.norm(output - design @ coefficients) / spread)


def select(output: Any, which: int | str | None) -> np.ndarray:
    if which == "terms":
        return sum(np.asarray(term) for term in output)
    return np.asarray(output if which is None else output[which])


def reference_loss(truth: LossTruth, inputs: dict[str, np.ndarray], roles: dict[str, str]) -> float:
    recon = inputs[_named(roles, "recon_probs", "recon_logits")]
    x = inputs[_named(roles, "x")]
    nll = reconstruction_nll(truth.recon, recon, x, truth.variance)
    per_example = nll.reshape(len(x), -1).sum(-1)
    values_per_example = math.prod(x.shape[1:])
    if truth.recon_data == "mean":
        per_example = per_example / values_per_example
    reconstruction = reduce_batch(per_example, truth.recon_batch)
    kl = reference_kl(truth.kl, inputs[_named(roles, "mu")], inputs[_named(roles, *SCALE_ROLES)])
    scale = 1.0 / (len(x) * values_per_example) if truth.scale == "per-element" else truth.scale
    return scale * (truth.recon_sign * reconstruction + truth.beta * kl)


def check_loss(expected: Expected, function: Callable, roles: dict[str, str], framework: Framework) -> None:
    truth = expected.truth
    rng = np.random.default_rng(2)
    worlds = [loss_world(rng, truth, roles) for _ in range(6)]
    outputs = [framework.call(function, world, roles) for world in worlds]
    losses = np.array([select(output, truth.select) for output in outputs])
    if truth.reported_kl is not None:
        which, kl_truth = truth.reported_kl
        for world, output in zip(worlds, outputs):
            reference = reference_kl(kl_truth, world[_named(roles, "mu")], world[_named(roles, *SCALE_ROLES)])
            np.testing.assert_allclose(output[which], reference, rtol=1e-10)
    if truth.recon == "form":
        assert_no_reconstruction_family(truth, worlds, losses, roles)
    elif truth.kl.parameterization is None:  # the reconstruction alone: worlds that share mu and the scale
        latent = {name: worlds[0][name] for name, role in roles.items() if role == "mu" or role in SCALE_ROLES}
        shared = [{**world, **latent} for world in worlds]
        losses = np.array([select(framework.call(function, w, roles), truth.select) for w in shared])
        without_kl = LossTruth(truth.recon, KLTruth("logvar"), truth.recon_data, truth.recon_batch, truth.recon_sign,
                               beta=0.0, scale=truth.scale, variance=truth.variance)
        assert_equal_up_to_constant(losses, [reference_loss(without_kl, w, roles) for w in shared], expected.precision)
    else:
        assert_equal_up_to_constant(losses, [reference_loss(truth, world, roles) for world in worlds],
                                    expected.precision)
    if truth.kl.fits is None:  # the KL alone: worlds that share the decoder output and the data
        data = {name: worlds[0][name] for name, role in roles.items() if role in ("recon_probs", "recon_logits", "x")}
        mu_name, s_name = _named(roles, "mu"), _named(roles, *SCALE_ROLES)
        draws = []
        for _ in range(6):
            mu, s = rng.normal(0.0, 1.0, (3, 4)), draw_scale(rng, None, (3, 4))
            output = framework.call(function, {**data, mu_name: mu, s_name: s}, roles)
            draws.append((mu, s, select(output, truth.select)))
        assert_no_affine_kl(draws)


def assert_equal_up_to_constant(losses: np.ndarray, references, precision: str) -> None:
    """Differences between worlds of the same shapes: the constants of the densities cancel."""
    references = np.asarray(references)
    assert losses.shape == references.shape, f"shape {losses.shape[1:]}, expected {references.shape[1:]}"
    rtol = max(RTOL[precision], 1e-7)  # 1e-7: the guards (log(p + 1e-10), clamps) inside right code
    np.testing.assert_allclose(losses - losses[0], references - references[0], rtol=rtol,
                               atol=rtol * np.max(np.abs(references)))


def assert_no_reconstruction_family(truth: LossTruth, worlds, losses, roles) -> None:
    """reconstruction-form: loss - KL is no multiple of a Bernoulli, Gaussian or Laplace NLL (+ a constant)."""
    kls = np.array([reference_kl(truth.kl, w[_named(roles, "mu")], w[_named(roles, *SCALE_ROLES)]) for w in worlds])
    rest = losses - kls
    x = worlds[0][_named(roles, "x")]
    one_hot = bool(np.all(np.isin(x, (0.0, 1.0))) and np.all(x.sum(-1) == 1))
    for kind in ("bernoulli-probs", "bernoulli-logits", "gaussian", "laplace") + (("categorical-onehot",) * one_hot):
        for data in ("sum", "mean"):
            for batch in ("sum", "mean"):
                candidate = LossTruth(kind, truth.kl, recon_data=data, recon_batch=batch, beta=0.0)
                try:
                    references = np.array([reference_loss(candidate, w, roles) for w in worlds])
                except ValueError:  # probabilities outside (0, 1) for a probabilities family
                    continue
                assert affine_residual(references, rest) > 1e-6, f"a multiple of the {kind} NLL ({data}, {batch})"


def sample_variance_of(truth: SamplerTruth, s: np.ndarray) -> np.ndarray:
    scale = softplus(s) if truth.transform == "softplus" else s
    return np.exp(logvar_of(truth.parameterization, scale)) * truth.noise_std ** 2


def check_sampler(expected: Expected, function: Callable, roles: dict[str, str], framework: Framework) -> None:
    truth = expected.truth
    rng = np.random.default_rng(3)
    framework.torch.manual_seed(3)
    np.random.seed(3)
    shape = truth.shape or (4, 3)
    mu = rng.normal(0.0, 1.0, shape)
    s = draw_scale(rng, truth.parameterization, shape)
    mu_name, s_name = _named(roles, "mu"), _named(roles, *SCALE_ROLES)

    def draw(index: int) -> np.ndarray:
        inputs = {mu_name: mu, s_name: s}
        inputs.update({name: rng.standard_normal(shape) for name, role in roles.items() if role == "eps"})
        inputs.update({name: np.zeros(()) for name, role in roles.items() if role == "rng"})
        return framework.call(function, inputs, roles, call_index=index)

    first, second = draw(1), draw(2)
    if truth.noise_std == 0.0:
        np.testing.assert_array_equal(first, mu)
    elif not truth.fresh:
        np.testing.assert_array_equal(first, second)
    else:
        assert not np.array_equal(first, second), "the same noise twice"
        count = 1000 if framework.name == "jax" else 4000  # a jax call costs about 2 ms
        samples = np.stack([draw(index) for index in range(3, 3 + count)])
        check_moments(truth, samples, mu, s)
    if truth.noise_std:
        noise = (first - mu) / np.sqrt(sample_variance_of(truth, s))
        shared = np.allclose(noise, np.broadcast_to(noise[0], noise.shape), rtol=1e-12)
        assert shared == (not truth.independent_batch), "one noise for every row" if shared else "rows differ"
    if framework.name in ("torch", "jax"):
        assert pathwise_gradient(framework, function, roles, mu, s) == truth.gradient, "gradient"


NOISE_MOMENTS = {"gaussian": (0.0, 1.0), "uniform": (0.5, 1.0 / 12.0)}


def check_moments(truth: SamplerTruth, samples: np.ndarray, mu: np.ndarray, s: np.ndarray) -> None:
    """The noise's mean and variance as the truth names them, each element within 6 standard errors; the fit."""
    count = len(samples)
    noise_mean, noise_variance = NOISE_MOMENTS[truth.noise]
    noise = (samples - mu) / np.sqrt(sample_variance_of(truth, s))
    assert np.all(np.abs(noise.mean(0) - noise_mean) < 6 * math.sqrt(noise_variance / count)), "mean"
    if truth.independent_batch:
        assert np.all(np.abs(noise.var(0) / noise_variance - 1.0) < 6 * math.sqrt(2 / count)), "variance"
    empirical = samples.var(0)
    with np.errstate(invalid="ignore"):  # log of a negative s: that reading does not fit
        fits = [p for p in PARAMETERIZATIONS
                if np.all(np.abs(empirical / np.exp(logvar_of(p, s)) - 1.0) < 6 * math.sqrt(2 / count))]
    assert fits == ([truth.fits] if truth.fits else []), f"variance fits {fits}"


def pathwise_gradient(framework: Framework, function: Callable, roles: dict[str, str], mu: np.ndarray,
                      s: np.ndarray) -> bool:
    """Whether d(sum z)/d mu and d(sum z)/d s are both non-zero."""
    mu_name, s_name = _named(roles, "mu"), _named(roles, *SCALE_ROLES)
    rng = np.random.default_rng(4)
    extra = {name: rng.standard_normal(mu.shape) for name, role in roles.items() if role == "eps"}
    if framework.name == "torch":
        torch = framework.torch
        leaves = {mu_name: framework.native(mu, True), s_name: framework.native(s, True)}
        z = function(**leaves, **{name: framework.native(value) for name, value in extra.items()})
        if not getattr(z, "requires_grad", False):
            return False
        grads = torch.autograd.grad(z.sum(), [leaves[mu_name], leaves[s_name]], allow_unused=True)
        return all(grad is not None and bool(torch.any(grad != 0)) for grad in grads)
    jax = framework.jax
    keys = {name: jax.random.PRNGKey(7) for name, role in roles.items() if role == "rng"}

    def total(m, scale):
        return jax.numpy.sum(function(**{mu_name: m, s_name: scale}, **keys,
                                      **{name: jax.numpy.asarray(v) for name, v in extra.items()}))

    grads = jax.grad(total, argnums=(0, 1))(jax.numpy.asarray(mu), jax.numpy.asarray(s))
    return all(bool(np.any(np.asarray(grad) != 0)) for grad in grads)
