"""Settings from the environment: one place that knows every variable and its default."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask.helpers import get_debug_flag

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


#: Words of placeholder keys copied from examples ("change-me-change-me-change-me-12").
PLACEHOLDER_WORDS = ("change", "secret", "password", "example", "default", "sample", "insecure", "replace")


def secret_key_problem(key: str, *, production: bool = False) -> str | None:
    """Why `key` cannot sign sessions, or None. Anyone who guesses it can forge any login.

    In production a key must also look random: no placeholder word, and no piece of it repeated (both
    keep a 32-character key far below the 128 bits its length suggests).
    """
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters, at least {SECRET_KEY_MIN_LENGTH} are needed"
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        return f"it uses only {len(set(key))} different characters, so it is a pattern, not random"
    if not production:
        return None
    lowered = key.lower()
    if word := next((w for w in PLACEHOLDER_WORDS if w in lowered), None):
        return f"it holds the word {word!r}, so it was typed or copied, not generated"
    if repeated := re.search(r"(.{8,}).*\1", key):
        return f"it repeats {repeated.group(1)!r}, so it is a pattern, not random"
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
    #: Job queue: redis://... in production; empty means a SQLite queue file under the instance folder.
    queue_url: str = ""
    #: Name of the queue inside the broker (installations that share one Redis need different names).
    queue_name: str = "competency"
    #: Where cycle ZIPs and cached PDFs are kept; empty means instance/storage.
    storage_dir: Path | None = None
    #: smtp://user:pass@host:port, smtps://... or smtp+starttls://...; empty: mail is written to the log.
    smtp_url: str = ""
    mail_from: str = "competency@localhost"
    #: How links in emails start, e.g. https://competency.example.org
    base_url: str = "http://127.0.0.1:5000"
    webhook_url: str = ""
    webhook_secret: str = ""
    #: Hours a finished cycle or team ZIP stays downloadable.
    zip_ttl_hours: int = 72
    #: Days a cached PDF is kept without being asked for.
    pdf_cache_days: int = 30
    #: Run a job consumer thread inside the web process (the development default, no Redis needed).
    embedded_worker: bool | None = None
    #: Seconds a worker holds a job without a heartbeat, and a wake-up may wait before the relay resends it.
    job_lease_seconds: int = 120

    @classmethod
    def from_env(cls) -> Settings:
        # As Flask reads FLASK_DEBUG: "0", "false" and "no" mean off. Any non-empty value meant
        # development here before, so FLASK_DEBUG=0 turned a production server into a development one.
        env = os.environ.get("COMPETENCY_ENV") or ("development" if get_debug_flag() else "production")
        settings = cls(
            env=env,
            secret_key=os.environ.get("SECRET_KEY", ""),
            team_aggregate_min=max(3, _int("COMPETENCY_TEAM_AGGREGATE_MIN", 5)),
            max_upload_bytes=_int("COMPETENCY_MAX_UPLOAD_BYTES", 2 * 1024 * 1024),
            trusted_proxies=_int("COMPETENCY_TRUSTED_PROXIES", 0),
            require_2fa_for=_roles("COMPETENCY_REQUIRE_2FA_FOR"),
            **_job_settings(),
        )
        if settings.trusted_proxies < 0:
            raise ConfigError("COMPETENCY_TRUSTED_PROXIES must be 0 or more")
        if settings.webhook_url and len(settings.webhook_secret) < 16:
            raise ConfigError(
                "COMPETENCY_WEBHOOK_URL is set: set COMPETENCY_WEBHOOK_SECRET to 16+ random characters"
            )
        return settings

    @property
    def development(self) -> bool:
        return self.env in DEVELOPMENT_ENVS

    @property
    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{self.instance_dir / 'queue.db'}"

    @property
    def resolved_storage_dir(self) -> Path:
        return self.storage_dir or self.instance_dir / "storage"

    @property
    def runs_embedded_worker(self) -> bool:
        """A consumer thread in the web process: by default only for `flask run` in development on SQLite."""
        if self.embedded_worker is not None:
            return self.embedded_worker
        return self.env == "development" and self.resolved_queue_url.startswith("sqlite:")

    def resolve_secret_key(self) -> str:
        """SECRET_KEY, or in development a random key kept under instance/ across restarts."""
        if self.secret_key:
            if problem := secret_key_problem(self.secret_key, production=not self.development):
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


def _job_settings() -> dict[str, object]:
    """The job queue's, storage's, mail's and webhooks' settings (see the README's configuration table)."""
    storage = os.environ.get("COMPETENCY_STORAGE_DIR")
    embedded = os.environ.get("COMPETENCY_EMBEDDED_WORKER", "").strip().lower()
    return {
        "queue_url": os.environ.get("COMPETENCY_QUEUE_URL", ""),
        "queue_name": os.environ.get("COMPETENCY_QUEUE_NAME") or "competency",
        "storage_dir": Path(storage).resolve() if storage else None,
        "smtp_url": os.environ.get("COMPETENCY_SMTP_URL", ""),
        "mail_from": os.environ.get("COMPETENCY_MAIL_FROM") or "competency@localhost",
        "base_url": (os.environ.get("COMPETENCY_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "webhook_url": os.environ.get("COMPETENCY_WEBHOOK_URL", ""),
        "webhook_secret": os.environ.get("COMPETENCY_WEBHOOK_SECRET", ""),
        "job_lease_seconds": max(2, _int("COMPETENCY_JOB_LEASE_SECONDS", 120)),
        "zip_ttl_hours": max(1, _int("COMPETENCY_ZIP_TTL_HOURS", 72)),
        "pdf_cache_days": max(1, _int("COMPETENCY_PDF_CACHE_DAYS", 30)),
        "embedded_worker": None if not embedded else embedded in {"1", "true", "yes", "on"},
    }
