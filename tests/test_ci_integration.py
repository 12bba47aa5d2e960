"""CI and editor integration: GitHub annotations, JUnit XML, several files per audit, the pre-commit hook."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mathcheck.annotations import chain_step_lines, display_path, escape_data, escape_property, github_line
from mathcheck.cli import main
from mathcheck.report import REFUTED, UNDECIDED, EntryReport, Report, StepReport, format_github

ROOT = Path(__file__).resolve().parents[1]
GOOD = "$$\n(a+b)^2 = a^2 + 2ab + b^2\n$$\n"
BAD = "Some prose.\n\n$$\n(a+b)^2 = a^2 + b^2\n$$\n"


@pytest.fixture
def documents(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.md").write_text(BAD, encoding="utf-8")
    return tmp_path


def test_github_message_escaping_keeps_one_line():
    message = escape_data("100% wrong\nsecond line\r")
    assert "\n" not in message and "\r" not in message and message.startswith("100%25 wrong%0A")


def test_github_property_escaping_protects_separators():
    assert escape_property("a,b:c") == "a%2Cb%3Ac"


def test_github_line_has_file_line_and_title():
    line = github_line("error", "boom", file="docs/x.md", line=7, title="mathcheck audit")
    assert line == "::error file=docs/x.md,line=7,title=mathcheck audit::boom"


def test_unknown_annotation_level_is_refused():
    with pytest.raises(ValueError):
        github_line("fatal", "boom")


def test_control_characters_never_reach_an_annotation():
    assert "\x1b" not in github_line("error", "x\x1b[31m = 2\x0c")


def test_audit_junit_with_control_characters_is_well_formed_xml(documents, capsys):
    (documents / "control.md").write_text("$$x\x1b = 2$$\n\n$$y\x0c = 3 \\cdot \x01$$\n", encoding="utf-8")
    main(["audit", "control.md", "--format", "junit"])
    ET.fromstring(capsys.readouterr().out)


def test_annotation_paths_are_relative_to_the_repository_root(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path / "docs" / "sub")
    assert display_path("../notes.md") == "docs/notes.md"


def test_annotation_paths_follow_github_workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    assert display_path(str(tmp_path / "a" / "b.md")) == "a/b.md"


def test_audit_github_puts_an_error_on_the_refuted_line(documents, capsys):
    assert main(["audit", "bad.md", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 1 and "file=bad.md,line=4," in errors[0]


def test_audit_github_of_a_correct_file_has_no_error(documents, capsys):
    assert main(["audit", "good.md", "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert "::error" not in out and "::notice" in out


def test_audit_junit_counts_one_failure_per_refuted_step(documents, capsys):
    assert main(["audit", "good.md", "bad.md", "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert suites["bad.md"].get("failures") == "1" and suites["good.md"].get("failures") == "0"
    assert len(suites["bad.md"].findall("testcase/failure")) == 1


def test_audit_of_several_files_fails_when_one_fails(documents, capsys):
    assert main(["audit", "good.md", "bad.md", "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert [item["file"] for item in payload["files"]] == ["good.md", "bad.md"] and payload["ok"] is False


def test_audit_of_several_correct_files_passes(documents, capsys):
    (documents / "good2.md").write_text(GOOD, encoding="utf-8")
    assert main(["audit", "good.md", "good2.md"]) == 0


def test_audit_with_a_missing_file_checks_nothing_and_exits_2(documents, capsys):
    assert main(["audit", "good.md", "missing.md"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "missing.md" in captured.err and len(captured.err.strip().splitlines()) == 1


def test_chain_step_lines_point_into_the_calc_call():
    from mathcheck.registry import derivation_modules

    module = derivation_modules()["gaussian_kl_std"]
    lines = chain_step_lines(module)
    source = Path(module.__file__).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(module.CHAIN.steps)
    assert all(source[line - 1].lstrip().startswith("(") for line in lines)


def test_verify_github_annotates_the_refuted_step_in_its_module():
    from mathcheck.registry import derivation_modules

    module = derivation_modules()["gaussian_kl_std"]
    step = StepReport(2, "=", "a", "b", "why", REFUTED, {"counterexample": {"mu": 1.0}})
    report = Report([EntryReport("gaussian_kl_std", "t", "s", "c", [step])], 0.1)
    errors = [line for line in format_github(report).splitlines() if line.startswith("::error")]
    assert len(errors) == 1
    assert f"line={chain_step_lines(module)[1]}," in errors[0]
    assert Path(module.__file__).name in errors[0]


def test_verify_github_warns_on_undecided_steps():
    step = StepReport(1, "=", "a", "b", "why", UNDECIDED, {"reason": "no rule"})
    report = Report([EntryReport("gaussian_kl_std", "t", "s", "c", [step])], 0.1)
    assert format_github(report).splitlines()[0].startswith("::warning ")


def test_verify_github_of_a_passing_derivation_has_no_error(capsys):
    assert main(["verify", "gaussian_kl_std", "--format", "github"]) == 0
    assert "::error" not in capsys.readouterr().out


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", *args], cwd=cwd,
                   check=True, capture_output=True, timeout=60)


@pytest.fixture
def hook_repository(tmp_path):
    """A repository that holds only this project's hook manifest, as pre-commit fetches it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
    _git(hooks, "init", "-q")
    _git(hooks, "add", ".")
    _git(hooks, "commit", "-qm", "hooks")
    return hooks


def _try_hook(hooks: Path, work: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "mathcheck-audit-system",
                           "--all-files"], cwd=work, env=env, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)


def _work_repository(tmp_path: Path, files: dict[str, str]) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q")
    for name, text in files.items():
        (work / name).write_text(text, encoding="utf-8")
    _git(work, "add", ".")
    return work


def test_pre_commit_hook_manifest_is_valid(hook_repository):
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                             str(hook_repository / ".pre-commit-hooks.yaml")], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_hook_fails_a_repository_with_a_false_step(hook_repository, tmp_path):
    work = _work_repository(tmp_path, {"good.md": GOOD, "bad.md": BAD, "notes.txt": BAD})
    result = _try_hook(hook_repository, work, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bad.md:4: refuted" in result.stdout and "notes.txt" not in result.stdout


def test_pre_commit_hook_passes_a_repository_of_correct_steps(hook_repository, tmp_path):
    work = _work_repository(tmp_path, {"good.md": GOOD})
    result = _try_hook(hook_repository, work, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
