"""Argument roles from argument names, ``--inputs name=role,...`` overrides, and ``--shape`` specs.

A name only says WHICH argument is the mean, the scale, the data, ...; what the scale argument means
(log σ², log σ, σ, σ²) and whether a decoder output is probabilities or logits is decided by behaviour.

Names are matched case-insensitively, with camelCase split (``logVar`` = ``log_var``) and underscores
ignored (``log_var`` = ``logvar``). A name not in the table is tried again without a latent prefix
(``z_``, ``q_``, ``posterior_``, ``enc_``, ...; ``z_logvar`` → logvar, ``zMean`` → mu) and without a
suffix naming the latent or a batch (``_z``, ``_q``, ``_batch``, ...; ``mu_z`` → mu, ``recon_batch`` → recon).
Decisions beyond the table of issue 14:
- ``input``/``inputs`` are the data, except next to an argument named ``target(s)``: then they are the
  prediction, the ``torch.nn.functional`` convention (``binary_cross_entropy(input, target)``);
- ``y_true``/``y`` are the data and ``y_pred``/``pred``/``output(s)``/``decoded`` the decoder output
  (Keras loss signatures);
- ``generator`` is not a role: a ``torch.Generator`` argument keeps its default;
- an optional argument (one with a default) gets a role only when it is a data argument (mean, scale,
  data, decoder output); an optional ``eps``/``noise`` or ``key``/``seed`` keeps its default, since that
  is how the code runs when its caller leaves it out (a default ``seed=0`` is fixed noise, and is found).
"""
from __future__ import annotations

import difflib
import inspect
import re
from typing import Callable, Iterable, Mapping

from mathcheck.cli import UsageError as _CliUsageError
from mathcheck.code.report import Shape

ARG_ROLES = ("mu", "logvar", "log_sigma", "sigma", "var", "recon_probs", "recon_logits", "x", "eps", "rng")
SCALE_ROLES = ("logvar", "log_sigma", "sigma", "var")
RECONSTRUCTION_ROLES = ("recon_probs", "recon_logits")
DATA_ROLES = ("mu", *SCALE_ROLES, *RECONSTRUCTION_ROLES, "x")  # roles an optional argument is given


class UsageError(_CliUsageError, ValueError):
    """A mistake in what was asked (a target, ``--inputs``, ``--shape``): one line, exit code 2."""


_NAMES: dict[str, tuple[str, ...]] = {
    "mu": ("mu", "mus", "mean", "means", "loc", "mu_q", "mean_q"),
    "logvar": ("logvar", "log_var", "log_variance", "logvariance", "log_sigma2", "log_sigma_sq",
               "log_sigmasq", "log_sigma_squared", "log_var_q", "logvars", "log_vars", "ln_var",
               "log_variances"),
    "log_sigma": ("log_sigma", "logsigma", "log_std", "logstd", "log_stddev", "log_scale", "logscale",
                  "log_sd", "log_stds", "log_sigmas", "log_scales"),
    "sigma": ("sigma", "std", "stddev", "std_dev", "scale", "sd", "sigma_q", "std_q", "sigmas", "stds", "scales"),
    "var": ("var", "variance", "sigma2", "sigmasq", "sigma_sq", "sigma_squared", "var_q", "vars", "variances"),
    "recon_probs": ("recon_x", "x_hat", "recon", "recons", "reconstruction", "reconstructions",
                    "reconstructed", "x_reconstructed", "recon_batch", "x_recon", "x_rec", "rec_x", "rec",
                    "x_tilde", "probs", "x_probs", "probabilities", "decoded", "x_decoded", "decoder_output",
                    "x_pred", "y_pred", "pred", "preds", "prediction", "predictions", "output", "outputs",
                    "recon_probs", "x_mean", "y_hat", "x_prime", "x_bar", "dec_out", "decoder_out", "reconstructed_x",
                    "x_decoded_mean"),
    "recon_logits": ("logits", "logit", "x_logits", "x_logit", "recon_logits", "recon_x_logits",
                     "decoder_logits", "output_logits", "logits_x", "x_hat_logits"),
    "x": ("x", "target", "targets", "data", "inputs", "input", "x_true", "y_true", "y", "images", "image",
          "imgs", "img", "x_batch", "observations", "observation", "obs", "original", "x_orig",
          "original_x", "ground_truth", "gt", "x_data", "tokens", "token_ids", "input_ids", "labels"),
    "eps": ("eps", "epsilon", "noise", "normal_noise", "standard_normal", "white_noise"),
    "rng": ("rng", "key", "seed", "prng_key", "rng_key", "prng", "random_key", "subkey", "prngkey"),
}
_PREFIXES = ("z", "q", "qz", "posterior", "post", "enc", "encoder", "latent", "approx", "variational")
_SUFFIXES = ("z", "q", "qz", "batch", "tensor", "t", "enc", "latent", "posterior", "post")


def _compact(name: str) -> str:
    return name.replace("_", "")


_BY_NAME = {_compact(name): role for role, names in _NAMES.items() for name in names}


def _words(name: str) -> list[str]:
    """``zLogVar`` -> [z, log, var]; ``z_log_var`` -> [z, log, var]; ``x_hat2`` -> [x, hat2]."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [word for word in spaced.lower().split("_") if word]


def role_from_name(name: str) -> str | None:
    """The argument role a name suggests, or None; ``role_from_name("z_log_var") == "logvar"``."""
    words = _words(name)
    candidates = [words]
    if len(words) > 1 and words[0] in _PREFIXES:
        candidates.append(words[1:])
    if len(words) > 1 and words[-1] in _SUFFIXES:
        candidates.append(words[:-1])
    if len(words) > 2 and words[0] in _PREFIXES and words[-1] in _SUFFIXES:
        candidates.append(words[1:-1])
    for candidate in candidates:
        role = _BY_NAME.get("".join(candidate))
        if role is not None:
            return role
    joined = "".join(words)  # zmean, qlogvar: a one-letter latent prefix written without a separator
    if len(joined) > 2 and joined[0] in "zq":
        return _BY_NAME.get(joined[1:]) if joined[1:] not in ("", "x") else None
    return None


# decoder-output names that say the values are in data space, i.e. probabilities for binary data (the
# output of a final sigmoid, as in the PyTorch VAE example's recon_x); generic names (output, pred, decoded,
# y_pred) say nothing about a final sigmoid and are not listed
_PROBABILITY_NAMES = {_compact(name) for name in (
    "recon_x", "x_hat", "recon", "recons", "reconstruction", "reconstructions", "reconstructed", "x_reconstructed",
    "recon_batch", "x_recon", "x_rec", "rec_x", "rec", "x_tilde", "probs", "x_probs", "probabilities", "recon_probs",
    "x_mean", "x_decoded_mean", "reconstructed_x", "x_bar", "x_prime", "p_x", "px", "x_prob", "prob", "bernoulli_probs",
    "decoded", "x_decoded", "x_reconstruction")}


def name_says_probabilities(name: str) -> bool:
    """Whether a decoder-output name says probabilities (``recon_x``, ``x_hat``, ``probs``), not logits."""
    words = _words(name)
    forms = [words, words[1:] if len(words) > 1 and words[0] in _PREFIXES else words,
             words[:-1] if len(words) > 1 and words[-1] in _SUFFIXES else words]
    return any("".join(form) in _PROBABILITY_NAMES for form in forms)


def parameters(function: Callable) -> list[inspect.Parameter]:
    """The named parameters a caller can pass by keyword (no ``*args``/``**kwargs``, no positional-only)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters.values()
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]


def roles_from_names(function: Callable) -> dict[str, str]:
    """Argument name -> role for the arguments whose names say it (optional ones only for data roles)."""
    params = parameters(function)
    names = {p.name.lower() for p in params}
    roles: dict[str, str] = {}
    for param in params:
        role = role_from_name(param.name)
        if role == "x" and param.name.lower() in ("input", "inputs") and names & {"target", "targets"}:
            role = "recon_probs"
        if role is None or (param.default is not inspect.Parameter.empty and role not in DATA_ROLES):
            continue
        roles[param.name] = role
    return roles


def arguments_sharing_a_role(roles: Mapping[str, str]) -> tuple[str, list[str]] | None:
    """Two arguments that would get one input: the same role, or two scale roles (a decoder's log-scale
    beside the latent log-variance: only one of them is q's scale)."""
    by_role: dict[str, list[str]] = {}
    for name, role in roles.items():
        by_role.setdefault("scale" if role in SCALE_ROLES else role, []).append(name)
    return next(((role, names) for role, names in by_role.items() if len(names) > 1), None)


def unassigned_required(function: Callable, arg_roles: Mapping[str, str]) -> list[str]:
    """Required arguments with no role: the function cannot be called with them left out."""
    return [p.name for p in parameters(function)
            if p.default is inspect.Parameter.empty and p.name not in arg_roles]


def parse_inputs(text: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"mu=mu,s=logvar"`` -> {"mu": "mu", "s": "logvar"}; an unknown role is a :class:`UsageError`."""
    if text is None:
        return {}
    if isinstance(text, Mapping):
        pairs = list(text.items())
    else:
        pairs = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            name, equals, role = (piece.strip() for piece in item.partition("="))
            if not equals or not name or not role:
                raise UsageError(f"--inputs expects name=role pairs separated by commas, got {item!r}")
            pairs.append((name, role))
    overrides: dict[str, str] = {}
    for name, role in pairs:
        if role not in ARG_ROLES:
            raise UsageError(f"unknown role {role!r} for argument {name!r} in --inputs{_did_you_mean(role, ARG_ROLES)}"
                             f"; roles: {', '.join(ARG_ROLES)}")
        if name in overrides and overrides[name] != role:
            raise UsageError(f"--inputs gives argument {name!r} two roles: {overrides[name]} and {role}")
        overrides[name] = role
    return overrides


def check_overrides_apply(overrides: Mapping[str, str], functions: Iterable[tuple[str, Callable]]) -> None:
    """Every name in ``--inputs`` must be an argument of at least one of the functions checked."""
    functions = list(functions)
    known = {p.name for _, function in functions for p in parameters(function)}
    for name in overrides:
        if name not in known:
            described = (f"{functions[0][0]} has no argument {name!r} (its arguments: "
                         f"{', '.join(sorted(known)) or 'none'})" if len(functions) == 1 else
                         f"no function checked has an argument {name!r} (their arguments: "
                         f"{', '.join(sorted(known)) or 'none'})")
            raise UsageError(f"--inputs {name}={overrides[name]}: {described}{_did_you_mean(name, known)}")


def argument_roles(function: Callable, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Roles from names, then the overrides that name an argument of this function."""
    roles = roles_from_names(function)
    own = {p.name for p in parameters(function)}
    roles.update({name: role for name, role in (overrides or {}).items() if name in own})
    return roles


def parse_shape(text: str | Shape | tuple[int, ...] | list[int] | None) -> Shape | None:
    """``"B,D,d"`` or ``"B,1,28,28,d"`` (batch, one data point's shape, latent dim) as a :class:`Shape`."""
    if text is None or isinstance(text, Shape):
        return text
    if isinstance(text, str):
        parts = [part.strip() for part in text.replace("x", ",").split(",")]
        try:
            numbers = [int(part) for part in parts]
        except ValueError:
            raise UsageError(f"--shape expects positive integers B,D,d or B,C,H,W,d, got {text!r}") from None
    else:
        numbers = [int(part) for part in text]
    if len(numbers) < 3 or any(number < 1 for number in numbers):
        raise UsageError(f"--shape expects at least three positive integers B,D,d (batch, data shape, latent dim),"
                         f" got {text if isinstance(text, str) else ','.join(map(str, numbers))!r}")
    return Shape(batch=numbers[0], data=tuple(numbers[1:-1]), latent=numbers[-1])


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


__all__ = ["ARG_ROLES", "SCALE_ROLES", "RECONSTRUCTION_ROLES", "UsageError", "role_from_name", "roles_from_names",
           "name_says_probabilities", "argument_roles", "parse_inputs", "check_overrides_apply", "unassigned_required",
           "parse_shape", "parameters"]
