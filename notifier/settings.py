"""The one settings object: environment variables (prefix NOTIFIER_) plus config/ files.

Settings are read when a command starts, never cached at import time, so tests and
scripts can point one process at several databases by changing the environment.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from notifier.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent


class OfficeProfile(BaseModel):
    """Who sends the letters: return address and how applicants reach the office."""

    name: str
    department: str = ""
    address_lines: list[str]
    city: str
    state: str
    zip: str
    phone: str
    web: str = ""
    email: str = ""
    hours: str = ""
    letter_languages: list[str] = ["en", "es"]  # languages with complete templates in letter_templates/


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore")

    database_url: str = "sqlite:///var/notifier.db"
    output_dir: Path = Path("var/output")
    config_dir: Path = REPO_ROOT / "config"
    import_chunk_rows: int = 2000
    # Scale-out (README "Running at scale"): with a broker URL, commands enqueue and workers do the work.
    broker_url: str = ""  # redis://host:6379/0 or amqp://user:password@host:5672/
    queue_name: str = "notifier"  # one queue per installation; tests use their own
    task_lease_seconds: int = 300  # a claimed task whose worker went silent this long is taken again
    task_max_attempts: int = 3  # then the task is parked as failed until staff retry it
    verify_task_notices: int = 1000  # notices per verify task (about 0.15 s of work)
    render_task_notices: int = 1000  # notices per render task (about half a second of laying out and checking)

    def office(self) -> OfficeProfile:
        path = self.config_dir / "office.toml"
        data = load_toml(path)
        try:
            return OfficeProfile(**data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise ConfigError(
                f"office profile field '{field}': {first['msg']}",
                where=str(path),
                todo="fix the field; see README 'Configuration'",
            ) from None


def load_toml(path: Path) -> dict:
    """Read a config TOML file with an error that names the file and line."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("file not found", where=str(path), todo="create it or set NOTIFIER_CONFIG_DIR") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})", where=str(path), todo="fix the syntax") from None


def get_settings() -> Settings:
    return Settings()
