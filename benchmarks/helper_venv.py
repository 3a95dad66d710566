"""Helper venvs for baselines that cannot share the project's environment.

Stock Whoosh has the same import name as whoosh3, and trafilatura must never become a
dependency of the project: each runs from its own venv under ``benchmarks/out``, made on
first use.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def ensure_venv(
    venv: Path, packages: Sequence[str], check: str, log: Callable[[str], None]
) -> Path:
    """The venv's python, creating the venv with ``packages`` unless ``check`` (Python code
    that exits 0 when the venv is usable) already passes there."""
    python = venv / "bin" / "python"
    command = [str(python), "-c", check]
    if python.exists() and subprocess.run(command, capture_output=True).returncode == 0:
        return python
    log(f"creating {venv} with {' '.join(packages)}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *packages], check=True)
    subprocess.run(command, check=True, capture_output=True)
    return python
