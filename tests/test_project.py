"""The project as a newcomer and an operator meet it: lint, types, packaging, CLI, deployment files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args: str, cwd: Path = ROOT, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def test_ruff_finds_nothing() -> None:
    result = run(str(BIN / "ruff"), "check", "src", "tests", "migrations", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_the_pure_core() -> None:
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_help_lists_every_command() -> None:
    result = run(str(BIN / "competency"), "--help")
    assert result.returncode == 0
    for command in (
        "questionnaires",
        "score",
        "db",
        "users",
        "teams",
        "import-org",
        "assessments",
        "demo",
        "report",
        "export",
    ):
        assert command in result.stdout


def test_wheel_carries_templates_questionnaires_and_migrations(tmp_path: Path) -> None:
    result = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT))
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("competency-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "competency/templates/base.html" in names
    assert "competency/questionnaires/ml-engineer.yaml" in names
    assert "competency/migrations/env.py" in names
    assert any(n.startswith("competency/migrations/versions/") for n in names)
    assert "competency/static/js/charts.js" in names


def test_compose_file_runs_app_and_postgres_with_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "SECRET_KEY" in app["environment"]
    assert db["image"].startswith("postgres")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pgdata" in compose["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    # The app migrates before it serves, on gunicorn, with WeasyPrint's libraries installed.
    assert "competency db upgrade && exec gunicorn" in dockerfile
    assert "libpango-1.0-0" in dockerfile


def _compose_command() -> list[str] | None:
    if shutil.which("docker") and run("docker", "compose", "version").returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(_compose_command() is None, reason="no docker compose client on this machine")
def test_docker_compose_config_is_valid() -> None:
    command = _compose_command()
    assert command is not None
    result = subprocess.run(
        [*command, "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": str(Path(shutil.which(command[0]) or "").parent), "SECRET_KEY": "x" * 40},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_states_the_two_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = ci.strip().splitlines()[-1]
    assert test_command in readme
    assert "competency demo" in readme and "flask --app competency run" in readme
