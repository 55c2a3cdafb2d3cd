"""Settings read from the environment, with defaults that let one command run everything."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The folder the code was installed from: a checkout, or site-packages.
CODE_ROOT = Path(__file__).resolve().parent.parent
#: The banks shipped with the code, used when ASSESS_BANKS is not set.
PACKAGED_BANKS = CODE_ROOT / "items" / "banks"
#: Where invitation links point when ASSESS_PUBLIC_URL is not set: what ``assess demo`` serves on.
DEMO_PUBLIC_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = "assess@localhost"
    #: "starttls" (port 587), "ssl" (port 465) or "none" (a relay on the same host).
    security: str = "starttls"
    timeout_seconds: float = 20


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    bank_paths: tuple[str, ...]
    grace_seconds: int = 30
    sweep_interval_seconds: int = 20
    public_url: str = DEMO_PUBLIC_URL
    #: None: invitation emails stay in the outbox page for staff to pass on.
    smtp: SmtpSettings | None = None
    #: Webhooks to private, loopback and link-local addresses (an internal receiver); off: SSRF.
    allow_private_webhook_targets: bool = False


def assess_home(environ: Mapping[str, str] = os.environ) -> Path:
    """The folder of the default database and the kept secret key, the same from any directory.

    ASSESS_HOME when set; else ``instance/`` of the checkout the code runs from (where
    ``assess demo`` puts it); else, for an installed package, the user's data folder.
    """
    home = environ.get("ASSESS_HOME", "").strip()
    if home:
        return Path(home).expanduser().resolve()
    if (CODE_ROOT / "pyproject.toml").is_file():
        return CODE_ROOT / "instance"
    data = environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(data) / "assess"


def settings_from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    """Settings from DATABASE_URL, SECRET_KEY, ASSESS_HOME, ASSESS_BANKS, ASSESS_GRACE_SECONDS,
    ASSESS_SWEEP_SECONDS, ASSESS_PUBLIC_URL, ASSESS_SMTP_* (see ``smtp_from_env``) and
    ASSESS_ALLOW_PRIVATE_WEBHOOK_TARGETS.

    Without DATABASE_URL the database is SQLite in ``assess_home()``, never in the
    current directory; without SECRET_KEY a random key is kept there in ``secret_key``
    so that a restart does not sign every candidate out of a running attempt.
    """
    home = assess_home(environ)
    database_url = environ.get("DATABASE_URL", "").strip()
    if not database_url:
        # The folder, not the database: only the commands that create a database create one.
        home.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{home / 'assess.sqlite3'}"
    secret_key = environ.get("SECRET_KEY", "").strip() or _persisted_secret_key(home)
    banks = environ.get("ASSESS_BANKS", "").strip()
    bank_paths = tuple(p for p in banks.split(os.pathsep) if p) if banks else (str(PACKAGED_BANKS),)
    grace = _non_negative_int(environ, "ASSESS_GRACE_SECONDS", 30)
    sweep = _non_negative_int(environ, "ASSESS_SWEEP_SECONDS", 20)
    if sweep < 1:
        raise ValueError("ASSESS_SWEEP_SECONDS must be at least 1 (the seconds between deadline sweeps)")
    public_url = environ.get("ASSESS_PUBLIC_URL", "").strip().rstrip("/") or DEMO_PUBLIC_URL
    return Settings(
        database_url=database_url,
        secret_key=secret_key,
        bank_paths=bank_paths,
        grace_seconds=grace,
        sweep_interval_seconds=sweep,
        public_url=public_url,
        smtp=smtp_from_env(environ),
        allow_private_webhook_targets=_flag(environ, "ASSESS_ALLOW_PRIVATE_WEBHOOK_TARGETS"),
    )


def shared_storage(environ: Mapping[str, str] = os.environ) -> str:
    """ASSESS_RATELIMIT_STORAGE: the Redis that several workers or hosts share (rate limits, the
    status board), e.g. ``redis://127.0.0.1:6379``; empty when each process keeps its own."""
    return environ.get("ASSESS_RATELIMIT_STORAGE", "").strip()


def smtp_from_env(environ: Mapping[str, str]) -> SmtpSettings | None:
    """ASSESS_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM and _SECURITY; None without a host."""
    host = environ.get("ASSESS_SMTP_HOST", "").strip()
    if not host:
        return None
    port = _non_negative_int(environ, "ASSESS_SMTP_PORT", 587)
    default_security = "ssl" if port == 465 else "starttls"
    security = environ.get("ASSESS_SMTP_SECURITY", "").strip().lower() or default_security
    if security not in {"starttls", "ssl", "none"}:
        raise ValueError(f"ASSESS_SMTP_SECURITY must be starttls, ssl or none, got {security!r}")
    return SmtpSettings(
        host=host,
        port=port,
        user=environ.get("ASSESS_SMTP_USER", "").strip(),
        password=environ.get("ASSESS_SMTP_PASSWORD", ""),
        sender=environ.get("ASSESS_SMTP_FROM", "").strip() or "assess@localhost",
        security=security,
    )


def _persisted_secret_key(instance_dir: Path) -> str:
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: workers starting together agree on one key,
        # and none reads a half-written file. Owner-only: it signs sessions and CSRF tokens.
        draft = instance_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # Another worker created it first; everyone reads that one below.
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()


def _non_negative_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of seconds, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _flag(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw not in {"", "0", "1", "false", "true", "no", "yes"}:
        raise ValueError(f"{name} must be true or false, got {raw!r}")
    return raw in {"1", "true", "yes"}
