"""Round 5 (assign): example values are not assignments; freed values and prose redefinitions are not used."""
import subprocess
import sys


def _audit(tmp_path, text: str) -> str:
    path = tmp_path / "doc.md"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "mathcheck", "audit", "--no-cache", str(path), "--format", "text"],
                          capture_output=True, text=True, timeout=300).stdout


def test_example_value_in_trailing_text_is_not_assigned(tmp_path):
    out = _audit(tmp_path, "$$ (z+1)^2 = z^2 + 2z + 1 \\quad \\text{(say } z = 5 \\text{)} $$\n\n$$ |z| = z $$\n")
    assert "refuted    |z| = z" in out


def test_setting_in_prose_is_an_example(tmp_path):
    out = _audit(tmp_path, "$$ (u+1)^2 = u^2 + 2u + 1 $$\n\nSetting $u = 2$ gives 9.\n\n$$ |u| = u $$\n")
    assert "refuted    |u| = u" in out


def test_arbitrary_frees_an_assigned_constant(tmp_path):
    out = _audit(tmp_path, "$$ b := 2 $$\n\nFrom now on $b$ is an arbitrary real number.\n\n$$ b^2 = 4 $$\n")
    assert "refuted    b^2 = 4" in out


def test_prose_redefinition_after_display_makes_uses_undecided(tmp_path):
    out = _audit(tmp_path, "$$ g(x) := x^2 $$\n\nNow let $g(x) = x^3$.\n\n$$ g(2) = 4 $$\n")
    assert "undecided  g(2) = 4" in out
