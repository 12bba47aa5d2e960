"""The command line's habits (issue 13): suggestions for misspelt names, no litter in the working directory,
results on stdout and the rest on stderr, plurals, and the exit codes the README lists."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import configuration

from mathcheck import registry
from mathcheck.cli import main
from mathcheck.report import count
from mathcheck.storage import hypothesis_directory, hypothesis_files_in_cache

REPO = Path(__file__).resolve().parent.parent
ONE_STEP = "$$ a + b = b + a $$\n"  # audited symbolically and on hypothesis-drawn worlds
VAE_FAST = ["vae", "--epochs", "2", "--hidden-dim", "32", "--latent-dim", "4", "--images", "16", "--device", "cpu"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- did you mean

@pytest.mark.parametrize("argv, meant", [
    (["verify", "elbo_le_log_evidnce"], "elbo_le_log_evidence"),
    (["verify", "gausian_kl_std"], "gaussian_kl_std"),
    (["verify", "ELBO-LE-LOG-EVIDENCE"], "elbo_le_log_evidence"),
    (["verify", "jensen_gap"], "jensen-gap"),
    (["show", "kl_decompositon"], "kl_decomposition"),
    (["show", "bayes_rul", "--latex"], "bayes_rule"),
])
def test_a_misspelt_name_is_one_line_suggesting_the_close_name(capsys, argv, meant):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"mathcheck: error: unknown name {argv[1]!r}; did you mean {meant!r}")


def test_a_misspelt_name_does_not_list_the_whole_catalogue(capsys):
    _, _, err = run(capsys, "verify", "elbo_le_log_evidnce")
    listed = [name for name in registry.names() if repr(name) in err]
    assert listed == ["elbo_le_log_evidence"]


def test_an_ambiguous_prefix_suggests_several_names(capsys):
    _, _, err = run(capsys, "show", "gaussian_kl")
    suggested = re.findall(r"'([^']+)'", err.split("did you mean", 1)[1])
    assert len(suggested) >= 2 and all(name.replace("-", "_").startswith("gaussian_kl") for name in suggested)


def test_a_name_close_to_nothing_points_to_mathcheck_list(capsys):
    code, _, err = run(capsys, "verify", "zzzz_qqqq")
    assert code == 2 and "`mathcheck list`" in err and "did you mean" not in err
    assert not any(repr(name) in err for name in registry.names())


def test_every_unknown_name_of_a_verify_is_reported_in_one_line(capsys):
    code, _, err = run(capsys, "verify", "gaussian_kl_std", "bayes_rul", "zzzz_qqqq")
    assert code == 2 and err.count("\n") == 1
    assert "unknown name 'bayes_rul'; did you mean 'bayes_rule'?" in err and "'zzzz_qqqq'" in err


@pytest.mark.parametrize("command, meant", [
    ("verfy", "verify"), ("aduit", "audit"), ("polt", "plot"), ("chek-code", "check-code"), ("lsit", "list"),
])
def test_a_misspelt_command_suggests_the_close_command(capsys, command, meant):
    code, out, err = run(capsys, command)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.strip() == f"mathcheck: error: unknown command {command!r}; did you mean {meant!r}?"


def test_an_unknown_command_close_to_nothing_lists_the_commands(capsys):
    _, _, err = run(capsys, "frobnicate")
    assert "unknown command 'frobnicate'" in err and all(c in err for c in ("verify-all", "audit", "plot", "vae"))


@pytest.mark.parametrize("argv, meant", [
    (["verify-all", "--format", "jsn"], "json"),
    (["audit", "x.md", "--format", "markdwn"], "markdown"),
    (["plot", "kl-surfce", "--out", "kl.png"], "kl-surface"),
])
def test_a_misspelt_choice_suggests_the_close_choice(capsys, argv, meant):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "invalid choice" in err and f"did you mean {meant!r}?" in err


@pytest.mark.parametrize("typed, expected", [
    ("elbo_le_log_evidnce", ["elbo_le_log_evidence"]),  # a far second ('elbo_is_log_evidence_minus_kl') is left out
    ("kl_decompositon", ["kl_decomposition"]),
    ("Gaussian-KL-Std", ["gaussian_kl_std"]),
    ("qwertyuiop", []),
])
def test_close_names_are_the_likely_misspellings_closest_first(typed, expected):
    assert registry.close_names(typed) == expected


def test_a_prefix_close_to_no_whole_name_offers_the_names_it_starts(capsys):
    close = registry.close_names("vae")
    assert close and all(name.startswith("vae-") for name in close)


# ---------------------------------------------------------------- no .hypothesis/ in the working directory

@pytest.fixture
def hypothesis_home_defaults_to(monkeypatch, tmp_path):
    """Hypothesis as a user has it: imported in the directory they work in, so that its home is
    ``.hypothesis/`` there (the test suite's conftest moved it to the cache)."""
    if not hasattr(configuration, "__hypothesis_home_directory_default"):
        pytest.skip("this hypothesis keeps its default home elsewhere")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(configuration, "__hypothesis_home_directory_default", tmp_path / ".hypothesis")
    monkeypatch.setattr(configuration, "__hypothesis_home_directory", None)
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def _storage() -> Path:
    found = configuration.storage_directory("constants")
    return Path(getattr(found, "path", found))


def _spy(monkeypatch, module, name: str, seen: list[Path]) -> None:
    real = getattr(module, name)

    def spied(*args, **kwargs):
        seen.append(_storage())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spied)


def test_verify_in_process_keeps_hypothesis_out_of_the_working_directory(hypothesis_home_defaults_to, monkeypatch,
                                                                         capsys):
    seen: list[Path] = []
    _spy(monkeypatch, registry, "run", seen)
    assert main(["verify", "gaussian_kl_std", "--examples", "5"]) == 0
    assert seen and hypothesis_home_defaults_to / ".hypothesis" not in seen[0].parents
    assert not (hypothesis_home_defaults_to / ".hypothesis").exists()


AN_UNPROVED_STEP = "Let $a$ and $b$ be real numbers.\n\n$$ a^2 + b^2 \\geq 2 a b $$\n"  # a hypothesis run


def test_audit_in_process_keeps_hypothesis_out_of_the_working_directory(hypothesis_home_defaults_to, monkeypatch,
                                                                        capsys):
    """The audit points hypothesis at the cache around each of its hypothesis runs (``numeric.hypothesis_run``,
    inside which ``without_local_constants`` is entered)."""
    from mathcheck import numeric

    (hypothesis_home_defaults_to / "notes.md").write_text(AN_UNPROVED_STEP)
    seen: list[Path] = []
    _spy(monkeypatch, numeric, "without_local_constants", seen)
    assert main(["audit", "notes.md", "--no-cache"]) == 0
    assert seen and hypothesis_home_defaults_to / ".hypothesis" not in seen[0].parents
    assert not (hypothesis_home_defaults_to / ".hypothesis").exists()


def test_a_run_restores_the_hypothesis_home_of_its_caller(hypothesis_home_defaults_to):
    before = _storage()
    with hypothesis_files_in_cache():
        inside = _storage()
    assert inside.parent == hypothesis_directory() and _storage() == before


def test_a_hypothesis_home_chosen_by_the_caller_is_kept(hypothesis_home_defaults_to):
    chosen = hypothesis_home_defaults_to / "chosen"
    configuration.set_hypothesis_home_dir(chosen)
    with hypothesis_files_in_cache():
        assert _storage().parent == chosen


def _subprocess_env(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env["XDG_CACHE_HOME"] = str(cache)
    return env


SUBPROCESS_RUNS = [  # (argv, files the command is asked to write, runs hypothesis)
    (["verify", "gaussian_kl_std", "--examples", "5"], set(), True),
    (["audit", "notes.md"], set(), True),
    (["verify-all", "--quick", "--examples", "3"], set(), True),
    (["plot", "kl-nonneg", "--out", "curve.svg", "--resolution", "41"], {"curve.svg"}, False),
    (["check-code", "kl.py"], set(), False),
]  # vae: in process, below (a subprocess would import torch and train again)


@pytest.mark.parametrize("argv, written, uses_hypothesis", SUBPROCESS_RUNS, ids=lambda value: (
    value[0] if isinstance(value, list) else None))
def test_a_command_run_from_a_directory_writes_only_what_it_was_asked_to(tmp_path, monkeypatch, argv, written,
                                                                         uses_hypothesis):
    if argv[0] == "check-code":
        pytest.importorskip("mathcheck.code.cli")
    work, cache = tmp_path / "work", tmp_path / "cache"
    work.mkdir()
    (work / "notes.md").write_text(ONE_STEP)
    (work / "kl.py").write_text("def kl_divergence(mu, logvar):\n"
                                "    return -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum()\n")
    before = set(os.listdir(work))
    done = subprocess.run([sys.executable, "-m", "mathcheck", *argv], cwd=work, env=_subprocess_env(cache),
                          capture_output=True, text=True, timeout=240)
    assert done.returncode in (0, 1), done.stderr
    assert set(os.listdir(work)) - before == written
    if uses_hypothesis:  # whatever hypothesis keeps (since its local constants are off: nothing) is not here
        assert not (work / ".hypothesis").exists()


# ---------------------------------------------------------------- streams

def test_a_library_warning_during_a_run_is_one_line_on_stderr(monkeypatch, capsys):
    def warn_twice(*args, **kwargs):
        for _ in range(2):
            warnings.warn("the integral is probably divergent\n  (details on a second line)", RuntimeWarning)
        return real(*args, **kwargs)

    real = registry.run
    monkeypatch.setattr(registry, "run", warn_twice)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        code, out, err = run(capsys, "verify", "bayes_rule", "--examples", "3")
    assert code == 0 and "bayes_rule" in out
    assert err == "mathcheck: warning: the integral is probably divergent (RuntimeWarning)\n"


def test_a_run_leaves_the_callers_warning_display_as_it_was(capsys):
    shown = warnings.showwarning
    run(capsys, "verify", "bayes_rule", "--examples", "3")
    assert warnings.showwarning is shown


@pytest.fixture(scope="module")
def vae_text_run(tmp_path_factory):
    """``mathcheck vae --plot curve.png --save vae.pt`` once, run from an empty directory, with stderr a pipe
    (not a terminal): (stdout, stderr, the directory)."""
    where = tmp_path_factory.mktemp("vae")
    out, err = io.StringIO(), io.StringIO()
    with _chdir(where):  # contextlib.chdir, from Python 3.11
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(VAE_FAST + ["--plot", "curve.png", "--save", "vae.pt"])
    return out.getvalue(), err.getvalue(), where


@contextlib.contextmanager
def _chdir(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def test_vae_plot_says_wrote_path_on_stdout_as_plot_does(vae_text_run):
    out, _, _ = vae_text_run
    assert "wrote curve.png" in out.splitlines()


def test_vae_save_says_wrote_path_on_stdout(vae_text_run):
    out, _, _ = vae_text_run
    assert "wrote vae.pt" in out.splitlines()


def test_vae_prints_nothing_on_stderr_when_it_is_not_a_terminal(vae_text_run):
    _, err, _ = vae_text_run
    assert err == ""  # no progress bar, no warning


def test_vae_writes_only_the_files_it_was_asked_for(vae_text_run):
    _, _, where = vae_text_run
    assert sorted(os.listdir(where)) == ["curve.png", "vae.pt"]


def test_vae_json_lists_the_files_it_wrote_and_stays_json(tmp_path, capsys):
    plot = tmp_path / "curve.svg"
    _, out, _ = run(capsys, *VAE_FAST, "--plot", str(plot), "--format", "json")
    assert json.loads(out)["wrote"] == [str(plot)]


# ---------------------------------------------------------------- plurals

@pytest.mark.parametrize("n, text", [(0, "0 steps"), (1, "1 step"), (2, "2 steps"), (11, "11 steps")])
def test_count_puts_the_noun_in_the_number_of_its_count(n, text):
    assert count(n, "step") == text


def test_an_audit_of_one_step_says_1_step(tmp_path, capsys):
    notes = tmp_path / "notes.md"
    notes.write_text(ONE_STEP)
    code, out, _ = run(capsys, "audit", str(notes))
    assert code == 0 and ": 1 step (1 proved)" in out and "1 steps" not in out


def test_an_audit_of_one_refuted_step_says_1_of_1_step(tmp_path, capsys):
    notes = tmp_path / "notes.md"
    notes.write_text("$$ a + b = a - b $$\n")
    code, out, _ = run(capsys, "audit", str(notes))
    assert code == 1 and "1 of 1 step not verified" in out and "1 steps" not in out


# ---------------------------------------------------------------- exit codes

def _codes(text: str) -> set[int]:
    return {int(code) for code in re.findall(r"\b(\d{1,3})\b", text)}


def test_the_readme_lists_every_exit_code_the_cli_docstring_names():
    import mathcheck.cli

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes and streams", 1)[1].split("\n#", 1)[0]
    listed = {int(code) for code in re.findall(r"\*\*(\d+)\*\*", section)}
    documented = _codes(mathcheck.cli.__doc__.split("Exit codes:", 1)[1].split("\n\n", 1)[0])
    assert listed == documented == {0, 1, 2, 3, 130, 141}


def test_an_internal_error_is_exit_3_in_one_line(monkeypatch, capsys):
    monkeypatch.delenv("MATHCHECK_DEBUG", raising=False)
    monkeypatch.setattr(registry, "run", lambda *a, **k: 1 / 0)
    code, out, err = run(capsys, "verify", "bayes_rule")
    assert code == 3 and out == "" and err.count("\n") == 1 and "internal error: ZeroDivisionError" in err
