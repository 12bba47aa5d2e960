"""The ``vae-*`` entries of ``verify-all``: a short training (once per process), then each confirmation.

Importing this module does not import torch; ``checks()`` only describes the entries.
"""
from __future__ import annotations

import time
from functools import lru_cache

from mathcheck.registry import Check
from mathcheck.report import EntryReport, StepReport

SHORT_EPOCHS = 10
SHORT_IMAGES = 32  # test images per confirmation (``--examples`` overrides)
SHORT_DRAWS = 50
SHORT_GRADIENT_SAMPLES = 20_000


@lru_cache(maxsize=4)
def short_training(seed: int):
    """A few epochs on the digits, on the CPU: shared by every ``vae-*`` entry of one process."""
    from .config import VAEConfig
    from .train import train

    return train(VAEConfig(epochs=SHORT_EPOCHS, seed=seed, device="cpu"))


def _on_trained(function_name: str, **kwargs):
    def run(seed: int, examples: int | None):
        from . import confirmations

        result = short_training(seed)
        images = result.dataset.test[: examples or SHORT_IMAGES]
        return getattr(confirmations, function_name)(result.model, images, seed=seed, **kwargs)
    return run


def _elementwise(seed: int, examples: int | None):
    from . import confirmations

    return confirmations.elementwise_precision(seed=seed)


def _gradients(seed: int, examples: int | None):
    from . import confirmations

    samples = SHORT_GRADIENT_SAMPLES if examples is None else SHORT_GRADIENT_SAMPLES * examples // SHORT_IMAGES
    return confirmations.reparameterization_gradients(samples=min(max(samples, 2_000), 500_000), seed=seed)


ENTRIES = (  # name, title, source, run(seed, examples) -> Confirmation; elementwise first: it must see first calls
    ("vae-elementwise", "torch float32 elementwise functions within 4 ulps of float64", "mathcheck.vae_min.precision",
     _elementwise),
    ("vae-loss-is-neg-elbo", "the training loss BCE + KL is -ELBO (trained VAE)", "article lines 156-176",
     _on_trained("loss_is_negative_elbo", draws=SHORT_DRAWS)),
    ("vae-kl-closed-form", "the loss's KL equals torch.distributions and Monte Carlo", "article lines 170-172",
     _on_trained("kl_term")),
    ("vae-elbo-bound", "ELBO <= log p(x); IWAE bound non-decreasing in K", "article lines 40-74",
     _on_trained("elbo_bound", draws=SHORT_DRAWS)),
    ("vae-gap-is-posterior-kl", "log p(x) - ELBO = KL(q(z|x) || p(z|x))", "article lines 75-155",
     _on_trained("gap_is_posterior_kl", draws=SHORT_DRAWS)),
    ("vae-reparam-gradients", "reparameterization gradients unbiased; variance vs score function",
     "article lines 177-190", _gradients),
)


def checks() -> list[Check]:
    return [Check(name, title, source, _entry(name, title, source, run), empirical=True, group="vae", uses_torch=True)
            for name, title, source, run in ENTRIES]  # one group: one training, elementwise first


def _entry(name: str, title: str, source: str, confirm):
    def run(seed: int, examples: int | None) -> EntryReport:
        start = time.perf_counter()
        try:
            import torch  # noqa: F401  (one_torch_thread acts on torch once it is imported)

            from mathcheck.code.frameworks import one_torch_thread

            with one_torch_thread():  # tiny tensors: a second thread costs more than it gains
                confirmation = confirm(seed, examples)
        except ImportError as error:  # torch or scikit-learn missing: nothing could be confirmed
            step = StepReport(1, "", "", title, "", "undecided", {"reason": f"cannot run: {error}"})
            return EntryReport(name, title, source, title, [step], time.perf_counter() - start)
        return to_entry_report(confirmation, time.perf_counter() - start)
    return run


def to_entry_report(confirmation, seconds: float = 0.0) -> EntryReport:
    steps = [
        StepReport(index=i, relation="", lhs="", rhs=finding.claim,
                   why=f"empirical; tolerance {finding.tolerance}; precision {finding.precision}",
                   verdict=finding.verdict,
                   detail={**finding.numbers, "tolerance": finding.tolerance, "precision": finding.precision})
        for i, finding in enumerate(confirmation.findings, start=1)
    ]
    return EntryReport(confirmation.name, confirmation.title, confirmation.source, confirmation.title, steps, seconds)
