"""Loading ``check-code`` TARGETs (mathcheck.code.targets) and argument roles (mathcheck.code.roles)."""
import textwrap

import pytest

from mathcheck.code.report import Shape
from mathcheck.code.roles import (UsageError, argument_roles, check_overrides_apply, parse_inputs, parse_shape,
                                  role_from_name, roles_from_names)
from mathcheck.code.targets import load_targets, source_location


def write(folder, name, source):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def load(*specs, **kwargs):
    return load_targets(list(specs), **kwargs)


def usage_error(*specs, **kwargs) -> str:
    with pytest.raises(UsageError) as caught:
        load(*specs, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


LOSSES = """
import math

def kl(mu, logvar):
    return 0.5 * (mu * mu + math.exp(logvar) - 1 - logvar)

def helper(a, b):
    return a + b

def log_normal_pdf(sample, mean, logvar):
    return 0.0

def loss(recon_x, x, mu, logvar):
    return kl(mu, logvar) + (recon_x - x) ** 2

class Model:
    def __init__(self, pixels, latent):
        self.latent = latent

    def encode(self, x):
        return x

    def reparameterize(self, mu, logvar):
        return mu + math.exp(0.5 * logvar)

    @staticmethod
    def static_kl(mu, std):
        return mu + std

    @classmethod
    def class_kl(cls, mu, sigma):
        return cls.__name__, mu + sigma
"""


@pytest.fixture
def losses(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, "losses.py", LOSSES)


# target forms

def test_file_target_names_the_function_and_keeps_the_spelling(losses):
    [target] = load("losses.py::kl")
    assert target.name == "losses.py::kl" and target.function(0.0, 0.0) == 0.0


def test_method_that_never_reads_self_is_callable_without_building_the_class(losses):
    [target] = load("losses.py::Model.reparameterize")
    assert target.function(1.0, 0.0) == 2.0


def test_method_that_reads_self_of_a_class_needing_arguments_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "scaled.py", """
        class Model:
            def __init__(self, pixels, latent):
                self.latent = latent
            def scaled(self, mu, log_sigma):
                return self.latent * mu
    """)
    message = usage_error("scaled.py::Model.scaled")
    assert "uses self" in message and "Model() failed" in message and "needs arguments" in message


def test_method_that_reads_self_is_bound_to_an_instance_built_without_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "weighted.py", """
        class Loss:
            def __init__(self, beta=3.0):
                self.beta = beta
            def kl(self, mu, logvar):
                return self.beta * mu
    """)
    [target] = load("weighted.py::Loss.kl")
    assert target.function(2.0, 0.0) == 6.0


def test_method_calling_zero_argument_super_counts_as_reading_self(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "inherit.py", """
        class Base:
            def kl(self, mu, logvar):
                return mu
        class Child(Base):
            def __init__(self, needed):
                pass
            def kl(self, mu, logvar):
                return super().kl(mu, logvar)
    """)
    assert "uses self" in usage_error("inherit.py::Child.kl")


def test_staticmethod_and_classmethod_targets_are_called_as_written(losses):
    static, classy = load("losses.py::Model.static_kl", "losses.py::Model.class_kl")
    assert static.function(1.0, 2.0) == 3.0 and classy.function(1.0, 2.0) == ("Model", 3.0)


def test_torch_module_needing_arguments_is_a_usage_error_that_says_so(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "net.py", """
        import torch
        from torch import nn
        class VAE(nn.Module):
            def __init__(self, latent):
                super().__init__()
                self.layer = nn.Linear(latent, latent)
            def loss(self, recon_x, x, mu, logvar):
                return self.layer(mu).sum()
    """)
    message = usage_error("net.py::VAE.loss")
    assert "torch nn.Module" in message and "VAE() failed" in message


def test_torch_module_class_target_is_checked_through_forward(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "lossmod.py", """
        from torch import nn
        class KL(nn.Module):
            def forward(self, mu, logvar):
                return mu + logvar
    """)
    [target] = load("lossmod.py::KL")
    assert list(roles_from_names(target.function)) == ["mu", "logvar"]


def test_callable_object_at_module_level_is_a_target(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "objects.py", """
        class Loss:
            def __call__(self, recon_x, x):
                return recon_x - x
        loss = Loss()
    """)
    [target] = load("objects.py::loss")
    assert target.function(3.0, 1.0) == 2.0


def test_file_with_a_single_colon_is_read_as_file_and_name(losses):
    [target] = load("losses.py:kl")
    assert target.function(0.0, 0.0) == 0.0


def test_torch_method_that_never_reads_self_keeps_the_class_for_framework_detection(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from mathcheck.code.frameworks import detect
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "sampler.py", """
        import torch
        from torch import nn
        class VAE(nn.Module):
            def __init__(self, latent):
                super().__init__()
            def reparameterize(self, mu, logvar):
                return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    """)
    [target] = load("sampler.py::VAE.reparameterize")
    assert type(target.function.__self__).__name__ == "VAE" and detect(target.function)[0] == "torch"


def test_module_colon_name_imports_from_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "mcpkg_a/__init__.py", "")
    write(tmp_path, "mcpkg_a/vae.py", "def kl(mu, logvar):\n    return mu\n")
    [target] = load("mcpkg_a.vae:kl")
    assert target.name == "mcpkg_a.vae:kl" and target.function(4.0, 0.0) == 4.0


def test_sibling_imports_work_while_a_file_is_imported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "proj/mc_sibling_terms.py", "def kl(mu, logvar):\n    return 2 * mu\n")
    write(tmp_path, "proj/train.py", "from mc_sibling_terms import kl\n\ndef loss(recon_x, x, mu, logvar):\n"
                                     "    return kl(mu, logvar)\n")
    [target] = load("proj/train.py::loss")
    assert target.function(0, 0, 5.0, 0) == 10.0


def test_relative_imports_work_for_a_file_inside_a_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "mcpkg_b/__init__.py", "")
    write(tmp_path, "mcpkg_b/terms.py", "def kl(mu, logvar):\n    return 3 * mu\n")
    write(tmp_path, "mcpkg_b/model.py", "from .terms import kl\n\ndef loss(recon_x, x, mu, logvar):\n"
                                        "    return kl(mu, logvar)\n")
    [target] = load("mcpkg_b/model.py::loss")
    assert target.function(0, 0, 1.0, 0) == 3.0


def test_a_file_named_by_two_targets_is_imported_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "imports.log"
    write(tmp_path, "counted.py", f"""
        with open({str(log)!r}, "a") as handle:
            handle.write("imported\\n")
        def kl(mu, logvar):
            return mu
        def sample(mu, logvar):
            return mu
    """)
    load("counted.py::kl", "counted.py::sample")
    assert log.read_text().count("imported") == 1


def test_the_users_import_time_prints_go_to_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "noisy.py", "print('hello from import')\ndef kl(mu, logvar):\n    return mu\n")
    load("noisy.py::kl")
    out, err = capsys.readouterr()
    assert out == "" and "hello from import" in err


# a whole file

def test_whole_file_takes_the_functions_and_methods_whose_roles_the_names_show(losses):
    names = [target.name for target in load("losses.py")]
    assert names == ["losses.py::kl", "losses.py::loss", "losses.py::Model.reparameterize",
                     "losses.py::Model.static_kl", "losses.py::Model.class_kl"]


def test_whole_file_warns_about_a_function_with_an_argument_without_a_role(losses):
    heard = []
    load("losses.py", warn=heard.append)
    assert any("log_normal_pdf" in message and "'sample'" in message for message in heard)


def test_whole_file_takes_a_function_once_inputs_name_its_argument(losses):
    names = [target.name for target in load("losses.py", overrides={"sample": "x"})]
    assert "losses.py::log_normal_pdf" in names


def test_whole_file_leaves_out_functions_imported_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "mc_other_terms.py", "def kl(mu, logvar):\n    return mu\n")
    write(tmp_path, "uses.py", "from mc_other_terms import kl\n\ndef sampler(mu, log_std):\n    return mu\n")
    assert [target.name for target in load("uses.py")] == ["uses.py::sampler"]


def test_whole_file_without_any_candidate_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "plain.py", "def add(a, b):\n    return a + b\n")
    assert "no function whose role" in usage_error("plain.py")


def test_a_method_needing_self_of_an_unbuildable_class_in_a_whole_file_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "needs.py", """
        class VAE:
            def __init__(self, latent):
                self.beta = 1.0
            def loss(self, recon_x, x, mu, logvar):
                return self.beta * mu
    """)
    assert "VAE() failed" in usage_error("needs.py")


# errors

def test_missing_file_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert usage_error("nonexist.py") == "no such file: nonexist.py"


def test_missing_file_with_a_name_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert usage_error("nonexist.py::loss") == "no such file: nonexist.py"


def test_unknown_name_suggests_the_closest(losses):
    message = usage_error("losses.py::los")
    assert "has no 'los'" in message and "did you mean 'loss'?" in message


def test_unknown_method_suggests_the_closest(losses):
    assert "did you mean 'reparameterize'?" in usage_error("losses.py::Model.reparametrize")


def test_unknown_module_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert usage_error("no_such_mc_module.sub:kl") == "no module named 'no_such_mc_module.sub'"


def test_import_error_in_the_users_module_gives_its_first_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "broken.py", "import no_such_package_mc\ndef kl(mu, logvar):\n    return mu\n")
    assert usage_error("broken.py::kl") == (
        "error importing broken.py: ModuleNotFoundError: No module named 'no_such_package_mc'")


def test_exception_raised_while_importing_gives_its_first_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "raises.py", "raise RuntimeError('no GPU here\\nsecond line')\n")
    assert usage_error("raises.py") == "error importing raises.py: RuntimeError: no GPU here"


def test_syntax_error_gives_the_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "bad.py", "def kl(mu, logvar):\n    return mu +\n")
    message = usage_error("bad.py::kl")
    assert message.startswith("error importing bad.py: SyntaxError") and "line 2" in message


def test_script_that_exits_while_imported_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "script.py", "import sys\nsys.exit(3)\n")
    assert "exited" in usage_error("script.py") and "__main__" in usage_error("script.py")


def test_unrecognized_target_form_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert "expected FILE.py" in usage_error("justaword")


def test_source_location_is_the_definition_line_relative_to_the_working_directory(losses):
    [target] = load("losses.py::loss")
    assert source_location(target.function) == ("losses.py", LOSSES.splitlines().index(
        "def loss(recon_x, x, mu, logvar):") + 1)


# roles from names

@pytest.mark.parametrize("name, role", [
    ("mu", "mu"), ("mean", "mu"), ("loc", "mu"), ("z_mean", "mu"), ("zMean", "mu"), ("mu_z", "mu"),
    ("q_mu", "mu"), ("MU", "mu"),
    ("logvar", "logvar"), ("log_var", "logvar"), ("z_log_var", "logvar"), ("z_logvar", "logvar"),
    ("logVar", "logvar"), ("log_variance", "logvar"), ("log_sigma2", "logvar"), ("logvar_z", "logvar"),
    ("log_sigma", "log_sigma"), ("log_std", "log_sigma"), ("logstd", "log_sigma"), ("log_scale", "log_sigma"),
    ("sigma", "sigma"), ("std", "sigma"), ("scale", "sigma"), ("z_std", "sigma"), ("stddev", "sigma"),
    ("var", "var"), ("variance", "var"), ("sigma2", "var"), ("sigmasq", "var"), ("z_var", "var"),
    ("recon_x", "recon_probs"), ("x_hat", "recon_probs"), ("xHat", "recon_probs"), ("recon", "recon_probs"),
    ("probs", "recon_probs"), ("recon_batch", "recon_probs"), ("x_recon", "recon_probs"),
    ("reconstruction", "recon_probs"), ("y_pred", "recon_probs"),
    ("logits", "recon_logits"), ("x_logits", "recon_logits"),
    ("x", "x"), ("target", "x"), ("data", "x"), ("inputs", "x"), ("y_true", "x"), ("X", "x"),
    ("eps", "eps"), ("noise", "eps"), ("epsilon", "eps"),
    ("rng", "rng"), ("key", "rng"), ("seed", "rng"), ("prng_key", "rng"),
])
def test_role_from_name(name, role):
    assert role_from_name(name) == role


@pytest.mark.parametrize("name", ["beta", "generator", "z", "model", "hidden", "kl_weight", "reduction",
                                  "self", "a", "sample", "batch_size", "zeta"])
def test_names_that_are_not_roles(name):
    assert role_from_name(name) is None


def test_input_next_to_target_is_the_prediction():
    def loss(input, target):
        return input
    assert roles_from_names(loss) == {"input": "recon_probs", "target": "x"}


def test_optional_noise_and_key_keep_their_defaults():
    def reparameterize(mu, logvar, eps=None, key=None, beta=1.0):
        return mu
    assert roles_from_names(reparameterize) == {"mu": "mu", "logvar": "logvar"}


def test_optional_data_arguments_get_their_roles():
    def loss(recon_x, x, mu=None, logvar=None):
        return x
    assert roles_from_names(loss) == {"recon_x": "recon_probs", "x": "x", "mu": "mu", "logvar": "logvar"}


def test_required_noise_gets_its_role():
    def reparameterize(mu, logvar, eps):
        return mu
    assert roles_from_names(reparameterize)["eps"] == "eps"


# --inputs

def test_inputs_override_the_roles_from_names():
    def kl(mu, z_var):
        return mu
    assert argument_roles(kl, parse_inputs("z_var=logvar")) == {"mu": "mu", "z_var": "logvar"}


def test_inputs_parse_several_pairs_with_spaces():
    assert parse_inputs(" a=mu , b=log_sigma,") == {"a": "mu", "b": "log_sigma"}


def test_inputs_with_an_unknown_role_is_a_usage_error_with_a_suggestion():
    with pytest.raises(UsageError, match="unknown role 'logsigma'.*did you mean 'log_sigma'"):
        parse_inputs("s=logsigma")


@pytest.mark.parametrize("text", ["s", "=mu", "s=", "s:mu"])
def test_inputs_without_name_equals_role_is_a_usage_error(text):
    with pytest.raises(UsageError, match="name=role"):
        parse_inputs(text)


def test_inputs_naming_an_argument_the_function_lacks_is_a_usage_error():
    def kl(mu, logvar):
        return mu
    with pytest.raises(UsageError, match="has no argument 'logvr'.*did you mean 'logvar'"):
        check_overrides_apply({"logvr": "logvar"}, [("kl", kl)])


# --shape

@pytest.mark.parametrize("text, shape", [
    ("64,784,20", Shape(64, (784,), 20)),
    ("8,1,28,28,2", Shape(8, (1, 28, 28), 2)),
    (" 4 , 10 , 3 ", Shape(4, (10,), 3)),
    ("16x784x8", Shape(16, (784,), 8)),
])
def test_shape_parses_batch_data_shape_and_latent_dim(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["64,784", "a,b,c", "0,784,20", "64,-1,2", "", "64,,20"])
def test_bad_shape_is_a_usage_error(text):
    with pytest.raises(UsageError, match="--shape"):
        parse_shape(text)


def test_importing_a_target_writes_no_bytecode_beside_it(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "user_kl.py").write_text(
        "import numpy as np\n\ndef kl(mu, logvar):\n"
        "    return 0.5 * np.sum(mu**2 + np.exp(logvar) - 1 - logvar, axis=-1)\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "mathcheck", "check-code", "user_kl.py::kl"], cwd=tmp_path, env=env,
                   capture_output=True, timeout=300, check=False, stdin=subprocess.DEVNULL)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["user_kl.py"]
