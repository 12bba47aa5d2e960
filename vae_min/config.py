"""Every size and knob of vae_min in one place."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

DEVICES = ("auto", "cpu", "cuda")
DATASETS = ("digits", "mnist")


@dataclass(frozen=True)
class VAEConfig:
    hidden_dim: int = 400  # one hidden layer in the encoder and one in the decoder (pytorch/examples)
    latent_dim: int = 20
    lr: float = 1e-3  # Adam
    epochs: int = 100
    batch_size: int = 128
    seed: int = 0
    device: str = "auto"  # auto: cuda when available, else cpu
    dataset: str = "digits"  # digits: scikit-learn's bundled 8x8 digits; mnist: needs data_dir
    data_dir: str | None = None

    def __post_init__(self) -> None:
        for name in ("hidden_dim", "latent_dim", "epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr!r}")
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {self.dataset!r}")
        if self.dataset == "mnist" and not self.data_dir:
            raise ValueError("dataset mnist needs a data directory (--data-dir DIR)")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "VAEConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def resolve_device(requested: str) -> str:
    """``auto`` -> ``cuda`` if available else ``cpu``; ``cuda`` without CUDA raises ``ValueError`` (one line)."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda requested but CUDA is not available (torch "
                         f"{torch.__version__}, built {'with' if torch.version.cuda else 'without'} CUDA)")
    return requested
