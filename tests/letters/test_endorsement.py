"""The ancillary service endorsement ("ELECTRONIC SERVICE REQUESTED" for ACS), read back from the PDF.

USPS's rules (DMM 202.4, Publication 8): at least 8-point type, a quarter inch clear around it,
directly above the delivery address block; "ELECTRONIC SERVICE REQUESTED" only on mail whose
service type id asks for ACS. Positions and sizes come from poppler and pypdf reading the file,
never from the layout's record of where it drew.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from notifier import db
from notifier.batches.preflight import preflight_batch, preflight_folder
from notifier.batches.printfiles import batch_folder
from notifier.errors import ConfigError
from notifier.letters.endorsement import Endorsement, endorsement_problem, load_endorsement, window_problem
from notifier.letters.geometry import load_geometry
from notifier.letters.readback import Expected, check_letters_file
from notifier.letters.renderer import Renderer, write_single_letter
from notifier.letters.samples import sample_letter
from notifier.settings import REPO_ROOT, Settings
from tests.batches.test_preflight import printed_batch
from tests.letters.conftest import TODAY
from tests.pdftools import text, window_boxes, words

ESR = "ELECTRONIC SERVICE REQUESTED"
ACS_STID = "081"  # First-Class Mail, Full-Service ACS, Address Service Requested option 2


def configure(config: Path, *, endorsement: str = ESR, placement: str = "window", service_type: str = ACS_STID, window_height: float | None = 1.5) -> None:
    imb = config / "imb.toml"
    source = imb.read_text()
    source = re.sub(r'(?m)^service_type = "\d+"', f'service_type = "{service_type}"', source)
    source = re.sub(r'(?m)^endorsement = ".*"', f'endorsement = "{endorsement}"', source)
    source = re.sub(r'(?m)^endorsement_placement = ".*"', f'endorsement_placement = "{placement}"', source)
    imb.write_text(source)
    if window_height is not None:
        envelope = config / "envelope.toml"
        envelope.write_text(re.sub(r"(?m)^height = 1\.125", f"height = {window_height}", envelope.read_text()))


def config_dir(tmp_path: Path, **changes) -> Path:
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    configure(config, **changes)
    return config


def four_line_letter():
    letter = sample_letter("en", "mixed")
    letter.address["line2"] = "APT 4"
    return letter


def sizes(path: Path) -> dict[str, float]:
    """Page 1's text runs and the font size each is drawn in, as pypdf reads the content stream."""
    found: dict[str, float] = {}

    def visit(run, cm, tm, font, size):
        if run.strip():
            found[run.strip()] = size * abs(tm[3] or 1)

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return found


def test_the_endorsement_prints_first_in_the_window_8_point_with_a_quarter_inch_clear_below(tmp_path):
    config = config_dir(tmp_path)
    renderer = Renderer.from_settings(Settings(output_dir=tmp_path / "out", config_dir=config), TODAY)
    out = tmp_path / "letter.pdf"
    written = write_single_letter(renderer, 7, four_line_letter(), out, "proof")
    assert written.failures == [] and written.readback == []

    window, clear = window_boxes(config)
    inside = [w for w in words(out) if w.box.inside(clear, slack=0.5)]
    stray = [w.text for w in words(out) if w.box.overlaps(window) and not w.box.inside(clear, slack=0.5)]
    assert stray == []
    assert [w.text for w in inside[:3]] == ESR.split()  # the first line read in the window
    endorsement_bottom = max(w.box.bottom for w in inside[:3])
    name = [w for w in inside if w.text == "ANA"][0]
    assert name.box.top - endorsement_bottom >= 18.0  # a quarter inch clear below it, glyph box to glyph box
    assert "APT" in [w.text for w in inside] and "000-000-07E" in [w.text for w in inside]

    drawn = sizes(out)
    assert drawn[ESR] >= 8.0
    address_sizes = [size for run, size in drawn.items() if run.startswith(("ANA", "APT"))]
    assert address_sizes and min(address_sizes) >= 8.0


def test_a_window_without_the_endorsement_is_found_when_reading_the_file_back(tmp_path):
    renderer = Renderer.from_settings(Settings(output_dir=tmp_path / "out", config_dir=config_dir(tmp_path)), TODAY)
    without = replace(renderer, endorsement=Endorsement())
    out = tmp_path / "plain.pdf"
    written = write_single_letter(without, 7, four_line_letter(), out, "proof")
    assert written.readback == []
    read = check_letters_file(out, renderer.geometry, [Expected("000-000-07E", "60636", written.pages)], ESR)
    assert [p.code for p in read.problems] == ["endorsement_missing"]


def test_the_standard_10_window_refuses_it_and_names_the_window_it_needs(tmp_path):
    config = config_dir(tmp_path, window_height=None)
    with pytest.raises(ConfigError) as refused:
        Renderer.from_settings(Settings(output_dir=tmp_path / "out", config_dir=config), TODAY)
    message = str(refused.value)
    assert "1.125 in high window" in message and "at least 1.44 in high" in message and "2.7-point" in message and 'endorsement_placement = "envelope"' in message
    geometry = load_geometry(config)
    assert window_problem(geometry, "") == ""


def test_electronic_service_requested_needs_a_service_type_that_asks_for_acs(tmp_path):
    acs = ["081", "083"]
    assert endorsement_problem(ESR, "window", "081", acs) == ""
    assert endorsement_problem("Electronic Service Requested", "envelope", "083", acs) == ""
    assert "is not in acs_service_types" in endorsement_problem(ESR, "window", "040", acs)
    assert "must be one of USPS's" in endorsement_problem("PLEASE FORWARD", "window", "081", acs)
    assert "endorsement_placement must be one of" in endorsement_problem(ESR, "corner", "081", acs)
    assert endorsement_problem("", "window", "040", acs) == ""  # none: nothing to check
    config = config_dir(tmp_path, service_type="040")
    with pytest.raises(ConfigError, match="040"):
        load_endorsement(config, load_geometry(config))


def test_the_shipped_config_prints_no_endorsement():
    geometry = load_geometry(REPO_ROOT / "config")
    assert load_endorsement(REPO_ROOT / "config", geometry) == Endorsement("", "window")


@pytest.mark.parametrize("placement", ["window", "envelope"])
def test_a_printed_mail_run_carries_it_where_configured_and_passes_preflight(tmp_path, placement):
    url = f"sqlite:///{tmp_path / 'notifier.db'}"
    db.ensure_schema(url)
    try:
        settings, batch_id = printed_batch(tmp_path, url, configure=lambda c: configure(c, placement=placement, window_height=1.5 if placement == "window" else None))
        with db.session_for(url) as session:
            report = preflight_batch(session, settings, batch_id)  # what `batches preflight` runs, the endorsement read from config
    finally:
        db.dispose(url)
    assert report.problems == [] and report.letters == 7
    folder = batch_folder(settings, batch_id)
    window, _ = window_boxes(settings.config_dir)
    first_page = [w.text for w in words(folder / "print-001.pdf") if w.box.overlaps(window)]
    assert (first_page[:3] == ESR.split()) == (placement == "window")
    assert ("ELECTRONIC" in first_page) == (placement == "window")
    cover = " ".join(text(folder / "cover.pdf").split())
    assert (f"Envelopes: {ESR} printed below the return address" in cover) == (placement == "envelope")
    if placement == "envelope":  # the same files read as if the window had to show it: every letter fails
        expecting = preflight_folder(folder, load_geometry(settings.config_dir), batch_id, endorsement=ESR)
        assert [p.code for p in expecting.problems] == ["endorsement_missing"] * 7
