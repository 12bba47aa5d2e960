"""``verify`` / ``verify-all --jobs N``: entries checked in worker processes give the serial run's report."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mathcheck import registry
from mathcheck.cli import main

SUBSET = ["jensen_log", "bayes_rule", "jensen-gap", "gaussian_kl_std"]  # not in catalogue order


def _json_report(capsys, *args: str) -> tuple[int, dict]:
    code = main(["verify", *SUBSET, "--format", "json", "--examples", "5", *args])
    report = json.loads(capsys.readouterr().out)
    report.pop("seconds")
    for entry in report["derivations"]:
        entry.pop("seconds")
    return code, report


def test_parallel_report_equals_serial_report(capsys):
    assert _json_report(capsys, "--jobs", "1") == _json_report(capsys, "--jobs", "2")


def test_parallel_report_lists_entries_in_the_order_asked(capsys):
    _, report = _json_report(capsys, "--jobs", "2")
    assert [entry["name"] for entry in report["derivations"]] == SUBSET


def test_parallel_entries_keep_their_chain_for_display():
    report = registry.run(["jensen_log", "bayes_rule"], examples=3, jobs=2)
    assert [entry.chain for entry in report.entries] == [
        registry.derivation_modules()[name].CHAIN for name in ("jensen_log", "bayes_rule")]


def _vae_entries() -> list[str]:
    vae = [check.name for check in registry.provider_checks().values() if check.group == "vae"]
    if not vae:
        pytest.skip("the vae entries need torch")
    return vae


def test_entries_sharing_a_group_run_in_one_task_in_their_order():
    vae = _vae_entries()
    tasks = registry._tasks(["bayes_rule", *vae, "jensen-gap"])
    assert tasks[0] == vae
    assert vae[0] == "vae-elementwise"  # it measures torch's first calls in its process


def test_every_torch_entry_runs_in_the_first_task_the_group_before_the_check_families():
    vae = _vae_entries()
    tasks = registry._tasks(["gaussian-kl-numeric", "bayes_rule", *vae, "jensen-gap"])
    assert tasks == [[*vae, "gaussian-kl-numeric"], ["jensen-gap"], ["bayes_rule"]]


def test_tasks_run_longest_first_torch_then_check_families_then_derivations():
    tasks = registry._tasks(["bayes_rule", "jensen-gap", "jensen_log", "gaussian-kl-numeric"])
    assert tasks == [["gaussian-kl-numeric"], ["jensen-gap"], ["bayes_rule"], ["jensen_log"]]


IMPORTS_TORCH = """
import sys
from mathcheck.cli import main
code = main(["verify", *sys.argv[1:], "--examples", "3", "--format", "json"])
print("this process imported torch:", "torch" in sys.modules, "exit", code)
"""


@pytest.mark.parametrize("name", [name for name, check in registry.provider_checks().items() if not check.uses_torch])
def test_a_check_family_not_marked_as_using_torch_does_not_import_it(name, tmp_path):
    done = subprocess.run([sys.executable, "-c", IMPORTS_TORCH, name, "--jobs", "1"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "this process imported torch: False exit 0"


@pytest.mark.parametrize("selected", [["bayes_rule", "jensen_log"], ["bayes_rule", "jensen-gap", "gaussian-kl-numeric"]],
                         ids=["derivations", "with-a-torch-entry"])
def test_the_parent_of_a_parallel_run_does_not_import_torch(selected, tmp_path):
    done = subprocess.run([sys.executable, "-c", IMPORTS_TORCH, *selected, "--jobs", "2"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "this process imported torch: False exit 0"


def test_an_entry_error_in_a_worker_is_raised_as_in_a_serial_run(monkeypatch):
    def failing(name, seed=0, examples=None):
        if name == "bayes_rule":
            raise ValueError("a bug in bayes_rule")
        return real(name, seed, examples)

    real = registry.run_entry
    monkeypatch.setattr(registry, "run_entry", failing)
    for jobs in (1, 2):
        with pytest.raises(ValueError, match="a bug in bayes_rule"):
            registry.run(["jensen_log", "bayes_rule"], examples=3, jobs=jobs)


def test_a_dead_worker_is_a_clear_error_naming_its_entries(monkeypatch):
    def dying(name, seed=0, examples=None):
        if name == "bayes_rule":
            os._exit(9)
        return real(name, seed, examples)

    real = registry.run_entry
    monkeypatch.setattr(registry, "run_entry", dying)
    with pytest.raises(registry.WorkerError, match="bayes_rule.*--jobs 1"):
        registry.run(["jensen_log", "bayes_rule"], examples=3, jobs=2)


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_a_jobs_count_below_one_is_a_usage_error(capsys, jobs):
    assert main(["verify", "bayes_rule", "--jobs", jobs]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_default_jobs_is_at_most_two_and_at_least_one():
    assert 1 <= registry.default_jobs() <= 2


def test_parallel_run_in_ci_without_stdin_exits_zero():
    env = {**os.environ, "CI": "true"}
    done = subprocess.run([sys.executable, "-m", "mathcheck", "verify", "bayes_rule", "jensen_log", "--jobs", "2",
                           "--examples", "3"], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("bayes_rule") < done.stdout.index("jensen_log")
