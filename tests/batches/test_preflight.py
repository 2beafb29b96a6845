"""Preflight: a printed mail run read back from its files, and each failure provoked by a broken file.

One batch is printed (on SQLite) per module; each test breaks a copy of its folder the way
files really go wrong on their way to a print house and checks the code that says so.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from notifier import db
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_notices
from notifier.batches.preflight import preflight_batch, preflight_folder
from notifier.batches.printfiles import batch_folder
from notifier.batches.store import create_batch, freeze_batch, show_batch
from notifier.errors import ConflictError
from notifier.intake.importer import import_file
from notifier.letters.geometry import load_geometry
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.settings import REPO_ROOT, Settings
from notifier.workers import print_locally
from tests.helpers import row, write_csv
from tests.pdftools import page_sizes

MAIL_DATE = date(2025, 8, 4)
NAMES = [("Ana", "Núñez"), ("秀英", "王"), ("Олена", "Шевченко"), ("محمد", "الحسن"), ("John", "Smith"), ("Jędrzej", "Kamiński"), ("Hoàng", "Nguyễn")]


def printed_batch(tmp_path: Path, url: str, letters_per_file: int = 3, configure=None) -> tuple[Settings, int]:
    """A batch of NAMES printed on the shipped config, changed first by `configure(config_dir)` if given."""
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    if configure:
        configure(config)
    toml = config / "batches.toml"
    toml.write_text(re.sub(r"letters_per_file = \d+", f"letters_per_file = {letters_per_file}", toml.read_text()))
    settings = Settings(output_dir=tmp_path / "out", config_dir=config)
    rows = [row(decision_id=f"D-{n}", person_id=f"P-{n}", first_name=first, last_name=last, zip="60636" if n % 2 else "60601") for n, (first, last) in enumerate(NAMES)]
    with db.session_for(url) as session:
        import_file(session, write_csv(tmp_path / "d.csv", rows))
        verify_notices(session, ZipDatabaseVerifier())
        render_letters(session, Renderer.from_settings(settings, MAIL_DATE))
        batch = create_batch(session, settings, mail_date=MAIL_DATE, wave=None, limit=None, postage_class=None, actor="clerk")
        freeze_batch(session, settings, batch.id, "clerk")
    print_locally(url, settings, batch.id, "clerk")
    return settings, batch.id


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("printed")
    url = f"sqlite:///{tmp / 'notifier.db'}"
    db.ensure_schema(url)
    settings, batch_id = printed_batch(tmp, url)
    yield settings, batch_id, batch_folder(settings, batch_id), url
    db.dispose(url)


@pytest.fixture
def copy(printed, tmp_path) -> Path:
    """A copy of the printed folder to break."""
    folder = printed[2]
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target


def check(folder: Path, batch_id: int = 1) -> list[tuple[str, str, int | None, str]]:
    report = preflight_folder(folder, load_geometry(REPO_ROOT / "config"), batch_id)
    return [(p.code, p.file, p.page, p.letter_id) for p in report.problems]


def rewrite(path: Path, change) -> None:
    reader = PdfReader(path)
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    change(writer)
    with path.open("wb") as handle:
        writer.write(handle)


def test_a_printed_batch_passes_and_counts_what_it_read(printed):
    settings, batch_id, folder, _ = printed
    report = preflight_folder(folder, load_geometry(settings.config_dir), batch_id)
    assert report.problems == []
    assert (report.files, report.letters) == (3, len(NAMES))  # 3 letters a file
    assert report.pages == sum(len(page_sizes(p)) for p in folder.glob("print-*.pdf"))


def test_an_a4_page_is_named_with_its_file_and_page(copy):
    from pypdf.generic import RectangleObject

    def a4(writer):
        writer.pages[2].mediabox = RectangleObject([0, 0, 595.28, 841.89])

    rewrite(copy / "print-001.pdf", a4)
    found = check(copy)
    assert ("page_size", "print-001.pdf", 3, "") in found
    assert ("checksum_mismatch", "print-001.pdf", None, "") in found  # the bytes are not the ones on the cover


def test_an_unembedded_font_is_found(copy):
    from io import BytesIO

    from reportlab.pdfgen.canvas import Canvas

    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792))
    canvas.drawString(300, 40, "printed by someone else")  # Helvetica: a standard font, never embedded
    canvas.showPage()
    canvas.save()
    stamp = PdfReader(BytesIO(buffer.getvalue())).pages[0]
    rewrite(copy / "print-002.pdf", lambda writer: writer.pages[1].merge_page(stamp))
    assert [p for p in check(copy) if p[0] == "font_not_embedded"] == [("font_not_embedded", "print-002.pdf", None, "")]


def test_an_address_moved_down_is_out_of_the_window(printed, copy):
    """The same letters drawn by a layout that puts the window 0.7 in lower than the envelope's."""
    from dataclasses import replace

    from notifier.batches.printfiles import write_print_file
    from notifier.batches.store import get_batch
    from notifier.letters.geometry import Rect

    settings, batch_id, _, url = printed
    with db.session_for(url) as session:
        renderer = Renderer.from_settings(settings.model_copy(update={"output_dir": copy.parent / "moved-out"}), MAIL_DATE)
        window = renderer.geometry.window
        moved = replace(renderer, geometry=replace(renderer.geometry, window=Rect(window.x, window.y - 0.7 * 72, window.width, window.height)))
        written = write_print_file(session, get_batch(session, batch_id), moved, 1, 3)
    shutil.copyfile(written["path"], copy / "print-001.pdf")
    found = check(copy)
    assert {code for code, file, _, _ in found if file == "print-001.pdf"} >= {"address_outside_window", "address_missing"}


def test_a_missing_page_changes_the_count_and_the_order(copy):
    rewrite(copy / "print-002.pdf", lambda writer: writer.remove_page(0))
    codes = {code for code, file, _, _ in check(copy) if file == "print-002.pdf"}
    assert {"page_count", "letter_order", "checksum_mismatch"} <= codes


def test_swapped_files_fail_their_checksums_and_the_letter_order(copy):
    first, second = copy / "print-001.pdf", copy / "print-002.pdf"
    data = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(data)
    found = check(copy)
    assert {("checksum_mismatch", "print-001.pdf"), ("checksum_mismatch", "print-002.pdf")} <= {(c, f) for c, f, _, _ in found}
    order = [p for p in found if p[0] == "letter_order"]
    assert order and all(page is not None and letter_id for _, _, page, letter_id in order)


def test_a_missing_file_and_a_manifest_that_disagrees(copy):
    (copy / "print-003.pdf").unlink()
    with (copy / "manifest.csv").open("a", encoding="utf-8") as handle:
        handle.write("99,000-000-ZZZ,99,60601,1,0.36,first_class_metered,55\n")
    codes = {code for code, *_ in check(copy)}
    assert {"file_missing", "checksum_mismatch", "manifest_mismatch"} <= codes


def test_cli_preflight_json_and_exit_code(printed, copy, monkeypatch):
    from typer.testing import CliRunner

    from notifier.cli.main import app

    settings, batch_id, folder, url = printed
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", url)
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(settings.output_dir))
    monkeypatch.setenv("NOTIFIER_CONFIG_DIR", str(settings.config_dir))
    good = CliRunner().invoke(app, ["batches", "preflight", str(batch_id), "--json"])
    assert good.exit_code == 0, good.stderr
    result = json.loads(good.stdout.strip().splitlines()[-1])
    assert list(result) == ["batch", "files", "pages", "letters", "problems"] and result["problems"] == []
    rewrite(folder / "print-003.pdf", lambda writer: writer.remove_page(0))  # broken in place (last test of the module to use it)
    bad = CliRunner().invoke(app, ["batches", "preflight", str(batch_id), "--json"])
    assert bad.exit_code == 1 and "failed preflight" in bad.stderr and "notifier batches preflight 1" in bad.stderr
    problems = json.loads(bad.stdout.strip().splitlines()[-1])["problems"]
    assert {"code", "file", "page", "letter_id", "message"} == set(problems[0]) and problems[0]["file"] == "print-003.pdf"


def test_print_refuses_to_mark_a_batch_printed_when_its_files_fail(db_url, tmp_path, monkeypatch):
    """The bug this check was written for: PDFs created on reportlab's default A4 while the layout
    assumes US Letter. The layout's own record says the address is in the window; the file says not."""
    from reportlab.lib.pagesizes import A4

    from notifier.letters.pdf import atomic_pdf

    monkeypatch.setattr("notifier.letters.renderer.Renderer.pdf", lambda self, path, title: atomic_pdf(path, page_size=A4, title=title, author="x"))
    with pytest.raises(ConflictError, match="failed preflight") as refused:
        printed_batch(tmp_path, db_url)
    assert refused.value.action == "batches.preflight"
    with db.session_for(db_url) as session:
        assert show_batch(session, 1).state == "frozen"  # not printed
        report = preflight_batch(session, Settings(output_dir=tmp_path / "out", config_dir=tmp_path / "config"), 1)
    assert {p.code for p in report.problems} >= {"page_size", "address_outside_window"}
