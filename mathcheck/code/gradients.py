"""A loss or KL must equal the derived math in its gradient as well as its value.

Code can return the right number through a graph that trains something else: ``bce + kld.detach()`` is
−ELBO in value while the encoder never feels the KL, ``recon_x.detach()`` leaves the decoder untrained,
``mu.detach()`` inside the KL stops it regularizing μ. So once the value fit has found what an output is,
y = c_r · Σ NLL(r, x) + c_k · Σ KL(μ, s) + const (the weights and the layout that fit found), the code's
gradient of Σ w·y (random weights w, one per output entry) with respect to μ, the scale argument and the
decoder output is compared with the gradient of that model, taken by torch autograd through independent
references: ``torch.distributions.kl_divergence`` of Normal(μ, σ) against Normal(0, 1), σ from s under the
fitted parameterization, and the family's NLL from ``torch.distributions`` (Bernoulli, Normal, Laplace,
Categorical) or ``log_softmax``. Never the user's code.

An input whose gradient is 0 where the reference's is not, or differs from it beyond ``RELATIVE`` of each
entry (guards such as log(p + 1e-7) change a gradient by far less), is a bug named after that input: a KL
input (μ, s) as ``kl-form``, the decoder output as ``reconstruction-form``. For probabilities over categories
only the part of the gradient that stays on the simplex counts (the mean over the categories removed): a
code's −log p_k and the reference's normalized log-probability differ only along it.

An output with no gradient at all is told apart: a torch loss that carries none cannot be trained at all
(``backward`` fails loudly), which is a note; a KL function returning a detached framework array, or a JAX or
TensorFlow loss whose gradient is None or 0 everywhere, is a bug (training goes on silently without it);
plain numbers (``.item()``, numpy) are for reporting, a note. numpy code carries no gradients by design and
is not checked.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from mathcheck.code.calls import Caller, first_line, leaves, placed, small
from mathcheck.code.report import Finding, Shape

RELATIVE = 0.02  # per entry, beyond FLOOR of the largest entry of that gradient
FLOOR = 1e-3
SUM = " + "  # a loss returned as its terms: the label of their sum (as in mathcheck.code.loss)
INPUTS = {"kl": ("mu", "scale"), "recon": ("recon",)}
SIMPLEX_FAMILIES = ("categorical-probs", "categorical-ids-probs")
FRAMEWORK_ROOTS = ("torch", "jax", "jaxlib", "tensorflow", "keras")


@dataclass(frozen=True)
class Term:
    """One identified term of an output: its kind ("kl" or "recon"), fitted weight and reading."""

    kind: str
    weight: float
    reading: str  # the KL's parameterization, or the reconstruction family's name
    description: str  # "the KL", "the Bernoulli NLL from probabilities"


def adjoint(weights: np.ndarray, kind: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """The weight each entry of an elementwise term of ``shape`` gets in Σ w·rows(term): the transpose of
    ``calls.rows`` for an output laid out as ``kind``; None where rows cannot lay it out."""
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    batch, size = shape[0], int(np.prod(shape))
    if kind == "scalar" and w.size == 1:
        return np.full(shape, w[0])
    if kind == "example" and w.size == batch:
        return np.broadcast_to(w.reshape((batch,) + (1,) * (len(shape) - 1)), shape).copy()
    if kind in ("latent-dims", "data-dims") and w.size * batch == size:
        return np.broadcast_to(w.reshape((1,) + shape[1:]), shape).copy()
    if kind in ("latent", "data") and w.size == size:
        return w.reshape(shape)
    return None


def _std(torch: Any, scale: Any, parameterization: str) -> Any:
    return {"logvar": lambda: torch.exp(0.5 * scale), "log_sigma": lambda: torch.exp(scale),
            "sigma": lambda: scale, "var": lambda: torch.sqrt(scale)}[parameterization]()


def _nll(torch: Any, family: str, recon: Any, x: Any) -> Any:
    d = torch.distributions
    options = {"validate_args": False}
    if family == "bernoulli-probs":
        return -d.Bernoulli(probs=recon, **options).log_prob(x)
    if family == "bernoulli-logits":
        return -d.Bernoulli(logits=recon, **options).log_prob(x)
    if family in ("continuous-bernoulli-probs", "continuous-bernoulli-logits"):
        given = {"logits" if family.endswith("logits") else "probs": recon}
        return -d.ContinuousBernoulli(**given, **options).log_prob(x)
    if family in ("gaussian", "gaussian-sigmoid"):
        mean = torch.sigmoid(recon) if family == "gaussian-sigmoid" else recon
        return -d.Normal(mean, torch.ones_like(mean), **options).log_prob(x)
    if family in ("laplace", "laplace-sigmoid"):
        mean = torch.sigmoid(recon) if family == "laplace-sigmoid" else recon
        return -d.Laplace(mean, torch.ones_like(mean), **options).log_prob(x)
    if family == "categorical-logits":
        return -(x * torch.log_softmax(recon, dim=-1)).sum(dim=-1)
    if family == "categorical-probs":
        return -torch.xlogy(x, recon).sum(dim=-1)
    if family == "categorical-ids-logits":
        return -d.Categorical(logits=recon, **options).log_prob(x.long())
    if family == "categorical-ids-probs":
        return -d.Categorical(probs=recon, **options).log_prob(x.long())
    raise ValueError(f"no gradient reference for the family {family!r}")


def reference_gradients(values: Mapping[str, np.ndarray], term: Term, weights: np.ndarray,
                        kind: str) -> dict[str, np.ndarray] | None:
    """d/d(inputs) of Σ w · term.weight · rows(term), by torch autograd through the references."""
    import torch

    d = torch.distributions
    if term.kind == "kl":
        mu = torch.tensor(values["mu"], dtype=torch.float64, requires_grad=True)
        scale = torch.tensor(values["scale"], dtype=torch.float64, requires_grad=True)
        elementwise = d.kl_divergence(d.Normal(mu, _std(torch, scale, term.reading), validate_args=False),
                                      d.Normal(torch.zeros_like(mu), torch.ones_like(mu), validate_args=False))
        sources = {"mu": mu, "scale": scale}
    else:
        recon = torch.tensor(values["recon"], dtype=torch.float64, requires_grad=True)
        elementwise = _nll(torch, term.reading, recon, torch.tensor(values["x"], dtype=torch.float64))
        sources = {"recon": recon}
    spread = adjoint(weights, kind, tuple(elementwise.shape))
    if spread is None:
        return None
    total = term.weight * (torch.as_tensor(spread) * elementwise).sum()
    grads = torch.autograd.grad(total, list(sources.values()), allow_unused=True)
    found = {}
    for key, grad in zip(sources, grads):
        found[key] = np.zeros(values[key].shape) if grad is None else grad.detach().numpy()
    return found


def native_leaf(output: Any, label: str) -> Any:
    """One output of a function's native result by its place (as ``calls.leaves`` labels it); ``"a + b"`` is
    the sum of two; None where the result has no such place."""
    found = dict(placed(output, _native_leaf))
    parts = [label] if label in found or SUM not in label else label.split(SUM)
    if any(part not in found for part in parts):
        return None
    total = found[parts[0]]
    for part in parts[1:]:
        total = total + found[part]
    return total


def _native_leaf(label: str, value: Any) -> list[tuple[str, Any]]:
    return [(label, value)] if _is_framework_array(value) or leaves(value) else []  # a traced value is no numpy


def _is_framework_array(value: Any) -> bool:
    module = getattr(type(value), "__module__", "") or ""
    return module.split(".")[0] in FRAMEWORK_ROOTS


def _carries_gradient(value: Any) -> bool | None:
    """Whether a native output is part of an autodiff graph: torch's requires_grad; None where not known."""
    flag = getattr(value, "requires_grad", None)
    return bool(flag) if isinstance(flag, bool) else None


def _close(got: np.ndarray, expected: np.ndarray) -> bool:
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    scale = float(np.max(np.abs(expected), initial=0.0))
    return bool(np.all(np.abs(got - expected) <= RELATIVE * np.abs(expected) + FLOOR * scale + 1e-300))


def _on_simplex(gradient: np.ndarray) -> np.ndarray:
    return gradient - gradient.mean(axis=-1, keepdims=True)


@dataclass
class GradientCheck:
    """The gradient of one output of a user function at one input, against its identified terms."""

    caller: Caller
    values: dict[str, np.ndarray]  # inputs by key
    label: str
    kind: str
    shape: Shape
    terms: Sequence[Term]
    role: str  # "loss" or "kl"
    output_shape: tuple[int, ...]  # the shape of that output at these input shapes
    seed: int = 0

    def findings(self) -> list[Finding]:
        backend = self.caller.backend
        if backend.name == "numpy":
            return []
        names = {key: name for name, key in self.caller.keys.items()}
        keys = [key for term in self.terms for key in INPUTS[term.kind] if key in names]
        if not keys:
            return []
        inputs = {name: self.values[key] for name, key in self.caller.keys.items()}
        weights = self._weights()
        captured: dict[str, Any] = {}

        def select(output: Any) -> Any:
            captured["leaf"] = native_leaf(output, self.label)
            return captured["leaf"]

        try:
            grads = backend.gradient(self.caller.function, inputs, [names[key] for key in keys], select, weights,
                                     self.caller.rng_names)
        except Exception as error:  # the user's code: differentiating it may raise anything
            return [self._no_gradient_note(f"differentiating Σ w·output raised {first_line(error)}", inputs)]
        got = {key: grads.get(names[key]) for key in keys}
        if all(value is None for value in got.values()) or _carries_gradient(captured.get("leaf")) is False:
            return [self._whole_output_detached(captured.get("leaf"), inputs)]
        expected: dict[str, np.ndarray] = {}
        for term in self.terms:
            reference = reference_gradients(self.values, term, weights, self.kind)
            if reference is None:
                return []
            for key, gradient in reference.items():
                if key in names:
                    expected[key] = expected.get(key, 0.0) + gradient
        return self._compare(got, expected, names, inputs)

    def _weights(self) -> np.ndarray:
        rng = np.random.default_rng([self.seed, 14, 9])
        shape = tuple(self.output_shape)
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)

    def _compare(self, got: dict[str, Any], expected: dict[str, np.ndarray], names: dict[str, str],
                 inputs: Mapping[str, np.ndarray]) -> list[Finding]:
        zero, wrong = [], []
        for key, reference in expected.items():
            gradient = got.get(key)
            family = next((term.reading for term in self.terms if term.kind == "recon"), None)
            if key == "recon" and family in SIMPLEX_FAMILIES:
                reference = _on_simplex(reference)
                gradient = None if gradient is None else _on_simplex(np.asarray(gradient, dtype=np.float64))
            if not np.any(np.abs(reference) > 0):
                continue
            if gradient is None or not np.any(np.asarray(gradient) != 0):
                zero.append((key, reference))
            elif not _close(gradient, reference):
                wrong.append((key, np.asarray(gradient, dtype=np.float64), reference))
        findings = []
        for kind in ("kl", "recon"):
            term = next((t for t in self.terms if t.kind == kind), None)
            if term is None:
                continue
            mine_zero = [(k, r) for k, r in zero if k in INPUTS[kind]]
            mine_wrong = [(k, g, r) for k, g, r in wrong if k in INPUTS[kind]]
            if mine_zero:
                findings.append(self._zero_finding(term, mine_zero, names, inputs))
            if mine_wrong:
                findings.append(self._wrong_finding(term, mine_wrong, names, inputs))
        return findings

    def _evidence(self, inputs: Mapping[str, np.ndarray]) -> dict:
        return {"inputs": {name: small(value) for name, value in inputs.items()},
                "weights": "Σ w·output, w = ±(0.5 to 1.5) per output entry",
                "terms": [{"term": t.description, "weight": t.weight, "reading": t.reading} for t in self.terms]}

    def _zero_finding(self, term: Term, zero: list, names: dict[str, str], inputs: Mapping[str, np.ndarray]
                      ) -> Finding:
        listed = " and ".join(names[key] for key, _ in zero)
        plural = len(zero) > 1
        if term.kind == "kl":
            what = ("the KL term is detached" if {k for k, _ in zero} == {"mu", "scale"} and "scale" in names
                    else f"{listed} {'are' if plural else 'is'} detached inside the KL")
            effect = "training does not pull q(z|x) towards the prior through " + listed
        else:
            what = "the reconstruction term is detached"
            effect = "training never moves the decoder through the reconstruction"
        gradients = "the gradients" if plural else "the gradient"
        message = (f"{gradients} with respect to {listed} {'are' if plural else 'is'} 0: {what} (.detach(), .data, "
                   f".item(), a numpy round trip or no_grad). Its value equals {term.description}, whose "
                   f"{gradients[4:]} with respect to {listed} {'are' if plural else 'is'} not 0, so {effect}")
        evidence = {**self._evidence(inputs), "derived_gradient": {names[k]: small(r) for k, r in zero},
                    "code_gradient": {names[k]: 0.0 for k, _ in zero}}
        return Finding("kl-form" if term.kind == "kl" else "reconstruction-form", "bug", message, evidence)

    def _wrong_finding(self, term: Term, wrong: list, names: dict[str, str], inputs: Mapping[str, np.ndarray]
                       ) -> Finding:
        key, gradient, reference = max(wrong, key=lambda item: float(np.max(np.abs(item[1] - item[2]))))
        index = np.unravel_index(int(np.argmax(np.abs(gradient - reference))), reference.shape)
        listed = " and ".join(names[k] for k, _, _ in wrong)
        message = (f"{'the gradients' if len(wrong) > 1 else 'the gradient'} with respect to {listed} "
                   f"{'are not those' if len(wrong) > 1 else 'is not that'} of the value it computes: the value equals "
                   f"{term.description} (weight {term.weight:.6g}), but at entry {list(map(int, index))} of "
                   f"{names[key]} the code's d(Σ w·output)/d{names[key]} is {float(gradient[index]):.6g} where "
                   f"{term.description} gives {float(reference[index]):.6g} (a term detached in part, a "
                   "straight-through estimator or a custom gradient)")
        evidence = {**self._evidence(inputs), "derived_gradient": {names[k]: small(r) for k, _, r in wrong},
                    "code_gradient": {names[k]: small(g) for k, g, _ in wrong}}
        return Finding("kl-form" if term.kind == "kl" else "reconstruction-form", "bug", message, evidence)

    def _whole_output_detached(self, leaf: Any, inputs: Mapping[str, np.ndarray]) -> Finding:
        names = ", ".join(name for name, key in self.caller.keys.items()
                          if key in {k for t in self.terms for k in INPUTS[t.kind]})
        term = self.terms[0]
        code = "kl-form" if any(t.kind == "kl" for t in self.terms) else "reconstruction-form"
        loud = self.role != "kl" and self.caller.backend.name == "torch"  # loss.backward() raises on it
        if _is_framework_array(leaf) and not loud:
            what = "the KL is" if self.role == "kl" else "its value is"
            return Finding(code, "bug", f"{what} returned detached: no gradient flows from it to {names}. A loss "
                           "made of it trains without it (its value is right, its gradient is 0)",
                           self._evidence(inputs))
        what = "plain numbers (.item(), numpy)" if not _is_framework_array(leaf) else "an array with no gradient"
        return self._no_gradient_note(f"its value is {what}: no gradient flows to {names} ({term.description} "
                                      "is right in value; as a training objective it cannot be differentiated)",
                                      inputs, code)

    def _no_gradient_note(self, text: str, inputs: Mapping[str, np.ndarray], code: str | None = None) -> Finding:
        code = code or ("kl-form" if any(t.kind == "kl" for t in self.terms) else "reconstruction-form")
        return Finding(code, "note", text, self._evidence(inputs))


__all__ = ["Term", "GradientCheck", "adjoint", "reference_gradients", "native_leaf", "RELATIVE"]
