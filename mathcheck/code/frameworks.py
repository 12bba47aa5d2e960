"""Calling a user's function in its own framework on inputs given as numpy float64 arrays.

A backend turns numpy arrays into the framework's arrays (float64 where it allows), calls the function, and
brings whatever it returns (a number, an array, a tuple, a dict) back as numpy; it also takes gradients of
a weighted sum of one output with respect to chosen inputs, which is how pathwise gradients are checked.
"""
from __future__ import annotations

import contextlib
import importlib
import inspect
import sys
import types
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

FRAMEWORKS = ("torch", "jax", "tensorflow", "numpy")
Select = Callable[[Any], Any]  # picks one output (an array) out of a function's return value; no arithmetic


class FrameworkUnavailable(RuntimeError):
    """The function's framework is not installed here."""


@dataclass
class Backend:
    """One framework. ``rng_roles`` are the argument names that take a PRNG key (JAX), fresh per call."""

    name: str
    seed: int = 0

    def __post_init__(self) -> None:
        self._module = _import(self.name)
        self._calls = 0
        if self.name == "torch":
            self._module.manual_seed(self.seed)
        elif self.name == "numpy":
            np.random.seed(self.seed % 2**32)
        elif self.name == "jax":
            self._module.config.update("jax_enable_x64", True)
        elif self.name == "tensorflow":
            self._module.random.set_seed(self.seed)

    def asarray(self, values: Any) -> Any:
        array = np.asarray(values, dtype=np.float64)
        if self.name == "torch":
            return self._module.as_tensor(array.copy(), dtype=self._module.float64)
        if self.name == "jax":
            return self._module.numpy.asarray(array)
        if self.name == "tensorflow":
            return self._module.constant(array, dtype=self._module.float64)
        return array.copy() if array is values else array  # the user's function may change it in place

    def fresh_key(self) -> Any:
        """A new PRNG key on every call (JAX); an integer seed elsewhere."""
        self._calls += 1
        if self.name == "jax":
            return self._module.random.PRNGKey(self.seed * 100_003 + self._calls)
        return self.seed * 100_003 + self._calls

    def native_inputs(self, inputs: Mapping[str, Any], rng_names: Sequence[str] = ()) -> dict[str, Any]:
        native = {name: self.asarray(value) for name, value in inputs.items()}
        native.update({name: self.fresh_key() for name in rng_names})
        return native

    def call(self, function: Callable, inputs: Mapping[str, Any], rng_names: Sequence[str] = ()) -> Any:
        """``function(**inputs)`` with framework arrays; the result as numpy, its structure kept."""
        native = self.native_inputs(inputs, rng_names)
        if self.name == "torch":
            with self._module.no_grad():
                return to_numpy(function(**native))
        return to_numpy(function(**native))

    def modified_inputs(self, function: Callable, inputs: Mapping[str, Any], rng_names: Sequence[str] = ()) -> list[str]:
        """The arguments whose values ``function(**inputs)`` changes in place (``mu.add_(...)``); [] when the
        call raises (other checks report that)."""
        before = {name: np.array(value, dtype=np.float64) for name, value in inputs.items()}
        native = self.native_inputs({name: value.copy() for name, value in before.items()}, rng_names)
        try:
            if self.name == "torch":
                with self._module.no_grad():
                    function(**native)
            else:
                function(**native)
        except Exception:  # the user's code
            return []
        return [name for name, value in before.items()
                if not np.array_equal(np.asarray(to_numpy(native[name]), dtype=np.float64), value, equal_nan=True)]

    def gradient(self, function: Callable, inputs: Mapping[str, Any], wrt: Sequence[str], select: Select,
                 weights: np.ndarray, rng_names: Sequence[str] = ()) -> dict[str, np.ndarray | None]:
        """d/d(inputs[wrt]) of sum(weights * select(function(**inputs))); None where no gradient flows."""
        if self.name == "numpy":
            return {name: None for name in wrt}
        if self.name == "torch":
            return self._torch_gradient(function, inputs, wrt, select, weights, rng_names)
        if self.name == "jax":
            return self._jax_gradient(function, inputs, wrt, select, weights, rng_names)
        return self._tensorflow_gradient(function, inputs, wrt, select, weights, rng_names)

    def _torch_gradient(self, function, inputs, wrt, select, weights, rng_names):
        torch = self._module
        native = self.native_inputs(inputs, rng_names)
        sources = {name: native[name].requires_grad_(True) for name in wrt}
        # the function gets copies: in real training its inputs are an encoder's outputs, not leaves, and
        # in-place operations on them (logvar.clamp_) are allowed there
        output = torch.as_tensor(select(function(**{**native, **{n: s.clone() for n, s in sources.items()}})))
        if not output.requires_grad:
            return {name: None for name in wrt}
        total = (output.to(torch.float64) * torch.as_tensor(weights, dtype=torch.float64)).sum()
        grads = torch.autograd.grad(total, [sources[name] for name in wrt], allow_unused=True)
        return {name: None if grad is None else grad.detach().numpy() for name, grad in zip(wrt, grads)}

    def _jax_gradient(self, function, inputs, wrt, select, weights, rng_names):
        jax = self._module
        fixed = self.native_inputs({k: v for k, v in inputs.items() if k not in wrt}, rng_names)

        def weighted(*arrays):
            out = select(function(**fixed, **dict(zip(wrt, arrays))))
            return jax.numpy.sum(jax.numpy.asarray(out) * weights)

        grads = jax.grad(weighted, argnums=tuple(range(len(wrt))))(*[self.asarray(inputs[n]) for n in wrt])
        return {name: np.asarray(grad) for name, grad in zip(wrt, grads)}

    def _tensorflow_gradient(self, function, inputs, wrt, select, weights, rng_names):
        tf = self._module
        native = self.native_inputs(inputs, rng_names)
        variables = {name: tf.Variable(native[name]) for name in wrt}
        with tf.GradientTape() as tape:
            out = select(function(**{**native, **variables}))
            total = tf.reduce_sum(tf.cast(out, tf.float64) * weights)
        grads = tape.gradient(total, [variables[name] for name in wrt])
        return {name: None if grad is None else grad.numpy() for name, grad in zip(wrt, grads)}


@contextlib.contextmanager
def one_torch_thread() -> Iterator[None]:
    """torch on one intra-op thread while a check runs: its tensors are tiny, and on a loaded machine the
    thread pool makes each operation several times slower. The user's setting is restored after."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def to_numpy(value: Any) -> Any:
    """A framework's result as numpy float64 arrays, with tuples, lists, dicts and namedtuples kept."""
    if isinstance(value, Mapping):
        return {key: to_numpy(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(to_numpy(item) for item in value))
    if isinstance(value, (tuple, list)):
        return type(value)(to_numpy(item) for item in value)
    if hasattr(value, "detach"):  # torch
        return value.detach().cpu().to(dtype=_torch().float64).numpy()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tensorflow
        return np.asarray(value.numpy(), dtype=np.float64)
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value


def detect(function: Callable) -> list[str]:
    """The frameworks a function may use, most likely first: those its own code names (a numpy function in
    a module that also imports torch is numpy), then those its module and globals import."""
    own = _frameworks_in_code(function)
    seen = _frameworks_referenced(function)
    ordered = [name for name in FRAMEWORKS if name in own] + [name for name in FRAMEWORKS
                                                               if name in seen and name not in own]
    return ordered + [name for name in ("torch", "numpy") if name not in ordered and available(name)]


def _frameworks_in_code(function: Callable) -> set[str]:
    target = inspect.unwrap(getattr(function, "__func__", function))
    code, namespace = getattr(target, "__code__", None), getattr(target, "__globals__", {})
    if code is None:
        return set()
    names, stack = set(), [code]
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack.extend(const for const in current.co_consts if inspect.iscode(const))
    values = [namespace.get(name) for name in names]
    for cell in getattr(target, "__closure__", None) or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    # an instance of an extension type (a numpy Generator) has no __module__ of its own: its type's counts
    roots = {_root_module_name(value) or _root_module_name(type(value)) for value in values}
    return roots & set(FRAMEWORKS)


def available(name: str) -> bool:
    try:
        _import(name)
    except FrameworkUnavailable:
        return False
    return True


def _frameworks_referenced(function: Callable) -> set[str]:
    target = inspect.unwrap(getattr(function, "__func__", function))
    namespaces = [getattr(target, "__globals__", {})]
    module = inspect.getmodule(target)
    if module is not None:
        namespaces.append(vars(module))
    owner = getattr(function, "__self__", None)
    if owner is not None:
        namespaces.append({"owner": type(owner), **{str(i): base for i, base in enumerate(type(owner).__mro__)}})
    found: set[str] = set()
    for namespace in namespaces:
        for value in list(namespace.values()):
            root = _root_module_name(value)
            if root in FRAMEWORKS:
                found.add(root)
    return found


def _root_module_name(value: Any) -> str | None:
    if isinstance(value, types.ModuleType):
        name = value.__name__
    else:
        name = getattr(value, "__module__", None)
    if not isinstance(name, str):
        return None
    root = name.split(".")[0]
    return {"jaxlib": "jax", "keras": "tensorflow", "tf_keras": "tensorflow"}.get(root, root)


def _import(name: str) -> Any:
    module_name = {"tensorflow": "tensorflow", "jax": "jax"}.get(name, name)
    if module_name in sys.modules:
        module = sys.modules[module_name]
    else:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise FrameworkUnavailable(f"{name} is not installed ({error})") from None
    if name == "jax":
        importlib.import_module("jax.numpy")
    return module


def _torch() -> Any:
    return _import("torch")


__all__ = ["Backend", "FRAMEWORKS", "FrameworkUnavailable", "available", "detect", "one_torch_thread", "to_numpy"]
