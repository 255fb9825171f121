"""Round 2: the tests never read the clone's instance/ or the shell's DATABASE_URL. The README's run
command leaves a demo database in ./instance and exports COMPETENCY_ENV; its test command, run next in the
same shell and clone, must behave as in a fresh clone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from competency import config

ROOT = Path(__file__).resolve().parents[2]
POISON_URL = "postgresql://poison@127.0.0.1:1/poison"


def test_the_run_has_its_own_instance_folder_and_default_database() -> None:
    instance = config.instance_dir()
    assert not instance.is_relative_to(ROOT), instance
    assert instance != Path("/nonexistent/poisoned-instance")
    assert config.database_url() == f"sqlite:///{instance / 'competency.db'}"
    assert "DATABASE_URL" not in os.environ and "COMPETENCY_ENV" not in os.environ
    settings = config.Settings.from_env()
    assert settings.env == "production" and settings.instance_dir == instance


def test_a_poisoned_shell_does_not_reach_the_tests(tmp_path: Path) -> None:
    """The check above, run by a pytest started as from the README's shell: DATABASE_URL and the
    instance folder point at things no test may touch."""
    env = {
        **os.environ,
        "DATABASE_URL": POISON_URL,
        "COMPETENCY_INSTANCE_DIR": "/nonexistent/poisoned-instance",
        "COMPETENCY_ENV": "development",
        "SECRET_KEY": "change-me",
    }
    test = (
        f"{Path(__file__).relative_to(ROOT)}::test_the_run_has_its_own_instance_folder_and_default_database"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
