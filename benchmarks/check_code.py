"""Wall time of ``mathcheck check-code`` on one loss (budget: 3 s warm, 5 s cold on a 2-core machine).

    python benchmarks/check_code.py [--repeats 3] [TARGET]

cold: a fresh process, as a user runs ``python -m mathcheck check-code TARGET``, framework import included.
warm: a second ``mathcheck.code.check`` of the same function in this process (imports and first calls paid).
The reference is ``python -c "import torch"`` in a fresh process, measured in the same run, so that the ratios
say what the checking itself costs on whatever machine this runs; the import floor (torch and mathcheck.code
imported, nothing checked) splits the cold time into importing and checking.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = "vae_min/model.py::loss_function"
WARM_BUDGET_SECONDS = 3.0
COLD_BUDGET_SECONDS = 5.0
IMPORT_FLOOR = "import torch, mathcheck.cli, mathcheck.code, mathcheck.code.analysis, mathcheck.code.cli"


def best_of(repeats: int, command: list[str]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   check=False)
        times.append(time.perf_counter() - start)
        if completed.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr.strip()}")
    return min(times)


def warm_seconds(target: str, repeats: int) -> float:
    """The best of ``repeats`` in-process checks after a first one."""
    sys.path.insert(0, str(ROOT))
    from mathcheck.code import check
    from mathcheck.code.targets import load_targets

    (loaded,) = load_targets([target])  # as the CLI loads it
    check((loaded.name, loaded.function))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        check((loaded.name, loaded.function))
        times.append(time.perf_counter() - start)
    return min(times)


def verdict(seconds: float, budget: float) -> str:
    return "within" if seconds <= budget else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", default=TARGET)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    reference = best_of(args.repeats, [sys.executable, "-c", "import torch"])
    floor = best_of(args.repeats, [sys.executable, "-c", IMPORT_FLOOR])
    cold = best_of(args.repeats, [sys.executable, "-m", "mathcheck", "check-code", args.target, "--format", "json"])
    warm = warm_seconds(args.target, args.repeats)
    print(f"reference, python -c 'import torch' (fresh process): {reference:.2f}s")
    print(f"import floor, torch + mathcheck.code (fresh process): {floor:.2f}s  = {floor / reference:.2f} x reference")
    print(f"cold check-code {args.target} (fresh process):  {cold:.2f}s  = {cold / reference:.2f} x reference  "
          f"(budget {COLD_BUDGET_SECONDS:.0f}s: {verdict(cold, COLD_BUDGET_SECONDS)})")
    print(f"warm check of the same function (in process):      {warm:.2f}s  = {warm / reference:.2f} x reference  "
          f"(budget {WARM_BUDGET_SECONDS:.0f}s: {verdict(warm, WARM_BUDGET_SECONDS)})")
    print(f"best of {args.repeats}")


if __name__ == "__main__":
    main()
