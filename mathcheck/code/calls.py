"""Calling a user's loss or KL: the inputs drawn for each argument role, and the structure of what comes back.

Inputs are keyed by what they are, not by the argument's name: ``mu`` (B, d), ``scale`` (B, d; every scale
argument, whatever its name says), ``recon`` and ``x`` (B, *data), ``eps`` (B, d). The scale is drawn in
(0.2, 2), where all four parameterizations are defined (log σ², log σ, σ, σ²), so one set of calls is read
under each of them; for log σ² and log σ that range is σ > 1 only, so the reading found is confirmed over its
own range after (``mathcheck.code.loss``, ``kl.DOMAIN_LOGVAR``). Data are binary pixels (one-hot rows over
the last data axis or token ids, for categorical likelihoods; values in (0, 1), to test a Gaussian or L1
found on binary data), and decoder outputs lie in (0.02, 0.98), valid both as probabilities and as logits
(for token ids: K = 5 per position).
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from mathcheck.code.frameworks import Backend, to_numpy
from mathcheck.code.report import Shape

SCALE_ROLES = ("logvar", "log_sigma", "sigma", "var")
KEY_OF_ROLE = {"mu": "mu", **{role: "scale" for role in SCALE_ROLES}, "recon_probs": "recon", "recon_logits": "recon",
               "x": "x", "eps": "eps"}
SCALE_RANGE = {"all": (0.2, 2.0), "low": (0.2, 0.6), "high": (1.4, 2.0)}
RECON_RANGE = {"all": (0.02, 0.98), "low": (0.02, 0.3), "wide": (-4.0, 4.0)}


@dataclass
class Caller:
    """A user function called with inputs given by key; the result as numpy, its structure kept."""

    function: Callable
    backend: Backend
    keys: dict[str, str]  # argument name -> input key
    rng_names: tuple[str, ...] = ()
    dtype: str = "float64"  # the floating dtype the function computes in (its results')
    calls: int = field(default=0)

    def __call__(self, values: Mapping[str, np.ndarray]) -> Any:
        self.calls += 1
        inputs = {name: values[key] for name, key in self.keys.items()}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return self.backend.call(self.function, inputs, self.rng_names)

    def raw_dtype(self, values: Mapping[str, np.ndarray]) -> str:
        """The lowest floating precision among the leaves of the function's (framework) result."""
        inputs = {name: values[key] for name, key in self.keys.items()}
        native = self.backend.native_inputs(inputs, self.rng_names)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if self.backend.name == "torch":
                import torch

                with torch.no_grad():
                    result = self.function(**native)
            else:
                result = self.function(**native)
        return _lowest_precision(result)

    def has(self, key: str) -> bool:
        return key in self.keys.values()


def _lowest_precision(value: Any) -> str:
    names = set()
    _collect_dtypes(value, names)
    for name in ("float16", "bfloat16", "float32"):
        if name in names:
            return name
    return "float64"


def _collect_dtypes(value: Any, names: set[str]) -> None:
    if isinstance(value, Mapping):
        for item in value.values():
            _collect_dtypes(item, names)
    elif isinstance(value, (tuple, list)):
        for item in value:
            _collect_dtypes(item, names)
    elif hasattr(value, "dtype"):
        found = re.search(r"b?float\d+", str(value.dtype))
        if found:
            names.add(found.group(0))


def keys_of(arg_roles: Mapping[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """(argument name -> input key, the PRNG-key argument names) from the argument roles."""
    keys = {name: KEY_OF_ROLE[role] for name, role in arg_roles.items() if role in KEY_OF_ROLE}
    return keys, tuple(name for name, role in arg_roles.items() if role == "rng")


def draw_scale(rng: np.random.Generator, shape: Shape, region: str = "all") -> np.ndarray:
    low, high = SCALE_RANGE[region]
    return rng.uniform(low, high, (shape.batch, shape.latent))


def draw_mu(rng: np.random.Generator, shape: Shape, spread: float = 1.0) -> np.ndarray:
    return spread * rng.standard_normal((shape.batch, shape.latent))


IDS_CATEGORIES = 5  # K, the categories of token-id data: decoder logits (B, *data, K) for ids x (B, *data)


def draw_x(rng: np.random.Generator, shape: Shape, mode: str = "binary") -> np.ndarray:
    """Data: binary pixels (each example has both values), one-hot rows over the last axis, token ids, or
    values in (0, 1) ("continuous")."""
    full = (shape.batch, *shape.data)
    mode = mode.removeprefix("wide-")
    if mode == "onehot":
        categories = shape.data[-1]
        return np.eye(categories)[rng.integers(0, categories, full[:-1])]
    if mode == "ids":
        return rng.integers(0, IDS_CATEGORIES, full).astype(np.float64)
    if mode == "continuous":
        return rng.uniform(0.05, 0.95, full)
    x = (rng.random(full) < 0.5).astype(np.float64)
    flat = x.reshape(shape.batch, -1)
    flat[:, 0], flat[:, -1] = 1.0, 0.0
    return x


def draw_recon(rng: np.random.Generator, shape: Shape, mode: str = "binary", region: str = "all") -> np.ndarray:
    """Decoder outputs in (0.02, 0.98) (or its low part): probabilities and logits alike; for one-hot data
    and token ids (one row of K per position) normalized over the last axis, so that they are probabilities."""
    low, high = RECON_RANGE["wide" if mode.startswith("wide") else region]
    extra = (IDS_CATEGORIES,) if mode in ("ids", "wide-ids") else ()
    recon = rng.uniform(low, high, (shape.batch, *shape.data, *extra))
    return recon / recon.sum(axis=-1, keepdims=True) if mode in ("onehot", "ids") else recon


def leaves(value: Any, label: str = "") -> list[tuple[str, np.ndarray]]:
    """The numeric arrays in a result, each with its place: ``"loss"``, ``"[1]"``, ``""`` for a bare array."""
    return placed(value, _numeric_leaf, label)


def placed(value: Any, leaf: Callable[[str, Any], list], label: str = "") -> list:
    """What ``leaf(place, item)`` makes of each item of a nested result (mappings, named tuples, tuples,
    lists), its place written ``"loss"``, ``"stats.kl"``, ``"[1]"``, ``""`` for a bare item."""
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in placed(item, leaf, _join(label, str(key)))]
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return [found for key, item in zip(value._fields, value) for found in placed(item, leaf, _join(label, key))]
    if isinstance(value, (tuple, list)):
        return [found for index, item in enumerate(value) for found in placed(item, leaf, f"{label}[{index}]")]
    return leaf(label, value)


def _numeric_leaf(label: str, value: Any) -> list[tuple[str, np.ndarray]]:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return [(label, value)]
    array = to_numpy(value)
    if isinstance(array, np.ndarray) and array.dtype.kind in "fiu":
        return [(label, np.asarray(array, dtype=np.float64))]
    return []


def _join(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key


def leaf_kind(array: np.ndarray, shape: Shape) -> str | None:
    """How a result is laid out: one number, one per example, one per latent or data entry, or one per latent
    (data) dim summed over the batch."""
    if array.size == 1:
        return "scalar"
    if array.shape in ((shape.batch,), (shape.batch, 1)):
        return "example"
    if array.shape == (shape.batch, shape.latent):
        return "latent"
    if array.shape == (shape.batch, *shape.data):
        return "data"
    if array.shape == (shape.latent,):
        return "latent-dims"
    if array.shape == shape.data:
        return "data-dims"
    return None


BATCH_REDUCED = ("scalar", "latent-dims", "data-dims")  # layouts in which the batch is reduced


def rows(elementwise: np.ndarray, kind: str, shape: Shape) -> np.ndarray | None:
    """An elementwise term summed the way a result of ``kind`` is laid out; None where it cannot be."""
    if kind == "scalar":
        return np.array([elementwise.sum()])
    if kind == "example":
        return elementwise.reshape(shape.batch, -1).sum(axis=1)
    if (kind, elementwise.shape) in (("latent-dims", (shape.batch, shape.latent)),
                                     ("data-dims", (shape.batch, *shape.data))):
        return elementwise.sum(axis=0).reshape(-1)
    if elementwise.shape[0] == shape.batch and (
            (kind == "latent" and elementwise.shape == (shape.batch, shape.latent))
            or (kind == "data" and elementwise.shape == (shape.batch, *shape.data))):
        return elementwise.reshape(-1)
    return None


def entries_per_row(elementwise_shape: tuple[int, ...], kind: str) -> int:
    """How many entries of an elementwise term one result row sums."""
    total = int(np.prod(elementwise_shape))
    return {"scalar": total, "example": total // elementwise_shape[0], "latent-dims": elementwise_shape[0],
            "data-dims": elementwise_shape[0]}.get(kind, 1)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def small(array: np.ndarray, limit: int = 24) -> Any:
    """An input for evidence: the values rounded to 6 digits, or its shape and first values when large."""
    array = np.asarray(array, dtype=np.float64)
    rounded = np.vectorize(lambda v: float(f"{v:.6g}"))(array) if array.size else array
    if array.size <= limit:
        return rounded.tolist()
    return {"shape": list(array.shape), "first": rounded.reshape(-1)[:6].tolist()}


__all__ = ["Caller", "BATCH_REDUCED", "KEY_OF_ROLE", "SCALE_ROLES", "IDS_CATEGORIES", "keys_of", "draw_mu", "draw_scale",
           "draw_x", "draw_recon", "leaves", "placed", "leaf_kind", "rows", "entries_per_row", "first_line", "small"]
