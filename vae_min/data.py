"""Binary images as in-memory tensors: scikit-learn's bundled 8x8 digits (no download) or MNIST.

The loss uses BCE as -log p(x|z) with p(x|z) a product of Bernoullis; that is a likelihood only for
x in {0, 1}, so pixels are binarized (threshold at half the maximum intensity), not scaled to [0, 1].
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported only when tensors are made
    import torch

DIGITS_TEST_FRACTION = 0.2
SPLIT_SEED = 0  # the train/test split is fixed: it does not move with the training seed


@dataclass(frozen=True)
class Dataset:
    name: str
    train: torch.Tensor  # (n_train, pixels), float32 in {0, 1}
    test: torch.Tensor
    image_shape: tuple[int, int]

    @property
    def pixels(self) -> int:
        return self.train.shape[1]


def load(name: str = "digits", data_dir: str | None = None, device: str = "cpu") -> Dataset:
    if name == "digits":
        return load_digits(device)
    if name == "mnist":
        return load_mnist(data_dir, device)
    raise ValueError(f"unknown dataset {name!r}: expected digits or mnist")


def load_digits(device: str = "cpu") -> Dataset:
    """The 1,797 bundled 8x8 digits (intensities 0..16), binarized at 8; a fixed 80/20 random split."""
    images = _bundled_digits()
    binary = (images >= 8).astype(np.float32)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(binary))
    n_test = round(DIGITS_TEST_FRACTION * len(binary))
    return _to_dataset("digits", binary[order[n_test:]], binary[order[:n_test]], (8, 8), device)


def _bundled_digits() -> np.ndarray:
    """scikit-learn's ``digits.csv.gz`` (64 pixels then the label per row), read without importing
    scikit-learn, whose import alone costs ~0.7 s; ``sklearn.datasets.load_digits`` if the file moved."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise ValueError("the digits dataset needs scikit-learn (pip install scikit-learn)")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    if path.is_file():
        return np.loadtxt(path, delimiter=",")[:, :64]
    from sklearn.datasets import load_digits as sklearn_load_digits

    return sklearn_load_digits().data


def load_mnist(data_dir: str | None, device: str = "cpu") -> Dataset:
    """MNIST from ``data_dir`` (torchvision's layout; never downloads), binarized at 128/255."""
    if not data_dir or not Path(data_dir).is_dir():
        raise ValueError(f"MNIST data directory not found: {data_dir!r}")
    try:
        from torchvision.datasets import MNIST
    except ImportError:
        raise ValueError("--dataset mnist needs torchvision (pip install torchvision)") from None
    try:
        splits = [MNIST(data_dir, train=train, download=False).data.numpy() for train in (True, False)]
    except RuntimeError as error:  # torchvision: "Dataset not found. You can use download=True ..."
        raise ValueError(f"MNIST not found under {data_dir!r}: {error}".splitlines()[0]) from None
    train, test = ((images.reshape(len(images), -1) >= 128).astype(np.float32) for images in splits)
    return _to_dataset("mnist", train, test, (28, 28), device)


def _to_dataset(name: str, train: np.ndarray, test: np.ndarray, shape: tuple[int, int], device: str) -> Dataset:
    import torch

    return Dataset(name, torch.from_numpy(train).to(device), torch.from_numpy(test).to(device), shape)
