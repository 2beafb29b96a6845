"""Settings come from the environment and config/ files, with errors that name the file."""

import pytest

from notifier.errors import ConfigError
from notifier.settings import Settings


def test_defaults_and_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("NOTIFIER_DATABASE_URL", raising=False)
    assert Settings().database_url == "sqlite:///var/notifier.db"
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path))
    assert Settings().output_dir == tmp_path


def test_office_profile_is_read_from_config():
    office = Settings().office()
    assert office.name and office.phone and office.address_lines


def test_broken_office_profile_names_the_file_and_field(tmp_path):
    (tmp_path / "office.toml").write_text('name = "X"\nphone = "1"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Settings(config_dir=tmp_path).office()
    assert "office.toml" in str(caught.value) and "address_lines" in str(caught.value)
    (tmp_path / "office.toml").write_text('name = "X\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings(config_dir=tmp_path).office()
