"""Settings from the environment: one place that knows every variable and its default."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from competency.resources import resource_path

DEVELOPMENT_ENVS = {"development", "test"}


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message says which and what to do."""


def instance_dir() -> Path:
    """`instance/` in the working directory unless COMPETENCY_INSTANCE_DIR says otherwise."""
    return Path(os.environ.get("COMPETENCY_INSTANCE_DIR", "instance")).resolve()


def default_database_url() -> str:
    return f"sqlite:///{instance_dir() / 'competency.db'}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or default_database_url()


def questionnaire_dir() -> Path:
    configured = os.environ.get("COMPETENCY_QUESTIONNAIRE_DIR")
    if configured:
        return Path(configured).resolve()
    local = Path("questionnaires")
    return local.resolve() if local.is_dir() else resource_path("questionnaires")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


#: A random key of 32 characters has about 16 distinct ones (hex) or more; a pattern has a handful.
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 10


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign sessions, or None. Anyone who guesses it can forge any login."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters, at least {SECRET_KEY_MIN_LENGTH} are needed"
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        return f"it uses only {len(set(key))} different characters, so it is a pattern, not random"
    return None


def _roles(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    roles = tuple(r.strip().lower() for r in raw.split(",") if r.strip())
    known = {"member", "hr", "admin"}
    unknown = sorted(set(roles) - known)
    if unknown:
        raise ConfigError(f"{name} names unknown roles {', '.join(unknown)}; use some of member, hr, admin")
    return roles


@dataclass
class Settings:
    """Everything the app reads from its environment, resolved once at start-up."""

    env: str = "production"
    database_url: str = field(default_factory=database_url)
    secret_key: str = ""
    questionnaire_dir: Path = field(default_factory=questionnaire_dir)
    instance_dir: Path = field(default_factory=instance_dir)
    #: Plain members see their team's aggregate only from this many submitted assessments.
    team_aggregate_min: int = 5
    max_upload_bytes: int = 2 * 1024 * 1024
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (0: none).
    trusted_proxies: int = 0
    #: Global roles that must use a second factor (COMPETENCY_REQUIRE_2FA_FOR, e.g. "hr,admin").
    require_2fa_for: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get("COMPETENCY_ENV") or (
            "development" if os.environ.get("FLASK_DEBUG") else "production"
        )
        settings = cls(
            env=env,
            secret_key=os.environ.get("SECRET_KEY", ""),
            team_aggregate_min=max(3, _int("COMPETENCY_TEAM_AGGREGATE_MIN", 5)),
            max_upload_bytes=_int("COMPETENCY_MAX_UPLOAD_BYTES", 2 * 1024 * 1024),
            trusted_proxies=_int("COMPETENCY_TRUSTED_PROXIES", 0),
            require_2fa_for=_roles("COMPETENCY_REQUIRE_2FA_FOR"),
        )
        if settings.trusted_proxies < 0:
            raise ConfigError("COMPETENCY_TRUSTED_PROXIES must be 0 or more")
        return settings

    @property
    def development(self) -> bool:
        return self.env in DEVELOPMENT_ENVS

    def resolve_secret_key(self) -> str:
        """SECRET_KEY, or in development a random key kept under instance/ across restarts."""
        if self.secret_key:
            if problem := secret_key_problem(self.secret_key):
                raise ConfigError(
                    f"SECRET_KEY is too weak: {problem}. Generate one with "
                    '`python -c "import secrets; print(secrets.token_hex(32))"`.'
                )
            return self.secret_key
        if not self.development:
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))"), '
                "or set COMPETENCY_ENV=development for a local key."
            )
        path = self.instance_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
