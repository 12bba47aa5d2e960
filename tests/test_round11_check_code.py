"""Round 11 of check-code: a cut of the encoder output written with any binding form (an annotated assignment,
a walrus, a for loop, a comprehension, reversed(), map(), a lambda or a helper function of the same file) is
named "not checked" when it is not read, never left out of the report."""
from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("torch")

from mathcheck.code import check  # noqa: E402
from mathcheck.code.targets import load_targets  # noqa: E402

SAMPLER = """
import torch

def reparameterize(h):
    mu, logvar = h.chunk(2, dim=-1)
    std = torch.exp(0.5 * logvar)
    return mu + std * torch.randn_like(std)
"""
KL = "    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())\n"


def _file_report(tmp_path, body):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(SAMPLER) + textwrap.dedent(body))
    targets = load_targets([str(path)])
    return check(*[(target.name, target.function) for target in targets])


@pytest.mark.parametrize("cut", [
    "    mu: torch.Tensor = h.flip(-1)[..., :h.shape[-1] // 2]\n    logvar: torch.Tensor = h.flip(-1)[..., h.shape[-1] // 2:]\n",
    "    if (mu := h.flip(-1).chunk(2, dim=-1)[0]) is not None:\n        logvar = h.flip(-1).chunk(2, dim=-1)[1]\n",
    "    for mu, logvar in [h.flip(-1).chunk(2, dim=-1)]:\n        pass\n",
    "    mu, logvar = reversed(h.chunk(2, dim=-1))\n",
    "    mu, logvar = [h.flip(-1).chunk(2, dim=-1)[i] for i in range(2)]\n",
    "    mu, logvar = map(lambda t: t, h.flip(-1).chunk(2, dim=-1))\n",
    "    split = lambda t: t.flip(-1).chunk(2, dim=-1)\n    mu, logvar = split(h)\n",
    "    mu, logvar = _halves(h)\n",
], ids=["annotated", "walrus", "for-target", "reversed", "comprehension", "map", "lambda", "helper"])
def test_an_unread_cut_in_any_binding_form_is_named_not_checked(tmp_path, cut):
    helper = "\ndef _halves(t):\n    return t.flip(-1).chunk(2, dim=-1)\n"
    report = _file_report(tmp_path, helper + "\ndef kl(h):\n" + cut + KL)
    kl = next(f for f in report.functions if f.target.endswith("::kl"))
    assert kl.reason.startswith("not checked"), kl.reason
    assert not report.ok


def test_a_plain_readable_cut_stays_ok(tmp_path):
    report = _file_report(tmp_path, "\ndef kl(h):\n    mu, logvar = h.chunk(2, dim=-1)\n" + KL)
    assert report.ok and "not checked" not in report.to_text()


def test_a_model_method_call_is_still_no_cut_of_the_argument(tmp_path):
    report = _file_report(tmp_path, "\nmodel = None\n\ndef step(batch):\n    mu, logvar = model.encode(batch)\n"
                                    "    return mu\n")
    assert report.ok and all("not checked" not in f.reason for f in report.functions)


@pytest.mark.parametrize("cut", [
    "    match h.flip(-1).chunk(2, dim=-1):\n        case (mu, logvar):\n            pass\n",
    "    mu, logvar = operator.itemgetter(1, 0)(h.chunk(2, dim=-1))\n",
    "    mu, logvar = (lambda: h.flip(-1).chunk(2, dim=-1))()\n",
    "    mu, logvar = h.T.chunk(2, dim=-1)\n",
    "    mu, logvar = (-h).chunk(2, dim=-1)\n",
    "    mu, logvar = getattr(h, 'flip')(-1).chunk(2, dim=-1)\n",
    "    mu, logvar = functools.partial(torch.chunk, h.flip(-1), 2)()\n",
], ids=["match", "itemgetter", "called-lambda", "transposed", "negated", "getattr", "partial"])
def test_more_unread_cut_forms_are_named_not_checked(tmp_path, cut):
    report = _file_report(tmp_path, "\nimport functools\nimport operator\n\ndef kl(h):\n" + cut + KL)
    kl = next(f for f in report.functions if f.target.endswith("::kl"))
    assert kl.reason.startswith("not checked"), kl.reason


def test_a_default_argument_lambda_cut_is_named_not_checked(tmp_path):
    report = _file_report(tmp_path, "\ndef kl(h, split=lambda t: t.flip(-1).chunk(2, dim=-1)):\n"
                                    "    mu, logvar = split(h)\n" + KL)
    assert not report.ok and "not checked" in report.to_text()


def test_an_annotated_readable_cut_is_checked(tmp_path):
    report = _file_report(tmp_path, "\ndef kl(h):\n    d = h.shape[-1] // 2\n    mu: torch.Tensor = h[..., :d]\n"
                                    "    logvar: torch.Tensor = h[..., d:]\n" + KL)
    assert report.ok and "not checked" not in report.to_text()


def test_a_method_of_the_same_class_that_cuts_its_argument_is_named_not_checked(tmp_path):
    report = _file_report(tmp_path, "\nclass Encoder:\n    def _split(self, t):\n        return t.flip(-1).chunk(2, dim=-1)\n\n"
                                    "    def kl(self, h):\n        mu, logvar = self._split(h)\n"
                                    "        return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())\n")
    assert not report.ok and "not checked" in report.to_text()


def test_a_method_that_runs_layers_is_no_cut_of_the_argument(tmp_path):
    report = _file_report(tmp_path, "\nclass Model:\n    def encode(self, x):\n        return self.fc1(x), self.fc2(x)\n\n"
                                    "    def step(self, x):\n        mu, logvar = self.encode(x)\n        return mu\n")
    assert report.ok and "not checked" not in report.to_text()


def test_a_model_passed_as_an_argument_is_no_cut_of_it(tmp_path):
    report = _file_report(tmp_path, "\ndef log_weights(model, x):\n    mu, logvar = model.encode(x)\n    return mu\n")
    assert report.ok and "not checked" not in report.to_text()
