"""Files that hold personal data are readable by their owner only, and so are their folders."""

from __future__ import annotations

import stat
from datetime import date

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_addresses
from notifier.batches.store import create_batch, freeze_batch
from notifier.intake import quarantine
from notifier.intake.importer import import_file
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.settings import Settings
from notifier.workers import print_locally


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_letters_print_files_manifest_exports_and_the_database_are_owner_only(tmp_path, sample_csv):
    url = f"sqlite:///{tmp_path / 'data' / 'notifier.db'}"
    db.ensure_schema(url)
    settings = Settings(database_url=url, output_dir=tmp_path / "out" / "notifier")
    with db.session_for(url) as session:
        import_file(session, sample_csv)
        verify_addresses(session, ZipDatabaseVerifier())
        render_letters(session, Renderer.from_settings(settings))
        quarantine.export(session, tmp_path / "out" / "notifier" / "exports" / "quarantine.csv", settings.config_dir)
        batch = create_batch(session, settings, mail_date=date(2025, 8, 4), wave=None, limit=None, postage_class=None, actor="t")
        freeze_batch(session, settings, batch.id, "t")
    print_locally(url, settings, batch.id, "t")
    db.dispose(url)
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    folders = [p for p in (tmp_path / "out").rglob("*") if p.is_dir()] + [tmp_path / "out"]
    assert {p.suffix for p in files} >= {".pdf", ".csv"}
    assert {p.name: oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert {str(p): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}
    assert mode(tmp_path / "data" / "notifier.db") == 0o600 and mode(tmp_path / "data") == 0o700
