"""`notifier run`, `resume` and tasks in the embedded default (no broker), on SQLite and PostgreSQL: notifier/pipeline.py and tasks.py."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from notifier import db, pipeline
from notifier.addresses.check import ZipDatabaseVerifier
from notifier.addresses.store import verify_notices
from notifier.intake.importer import import_file
from notifier.intake.mapping import Mapping
from notifier.letters.renderer import Renderer
from notifier.letters.store import render_letters
from notifier.models import ImportRun, Letter, Run, RunStage, StagedRecord, Task, TaskState, utcnow
from notifier.settings import Settings
from notifier.tasks import claim, sweep
from tests.helpers import dump_state
from tests.runs.conftest import letter_fingerprint, letter_problems


def run_json(cli, *args: str, ok: bool = True) -> dict:
    result = cli("run", *args, "--json", ok=ok)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_run_carries_a_file_through_import_verify_and_render_like_the_one_shot_commands(cli, db_url, export_csv, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("NOTIFIER_IMPORT_CHUNK_ROWS", "150")  # several import tasks
    result = run_json(cli, export_csv)
    assert result["done"] is True and result["stage"] == RunStage.DONE
    assert (result["queued"], result["in_progress"], result["failed"]) == (0, 0, 0)
    assert result["steps"]["import"]["done"] == 4
    assert result["import"]["read"] == 600 and result["import"]["imported"] + result["import"]["quarantined"] == 600
    assert letter_problems(db_url) == []
    with db.session_for(db_url) as session:
        assert session.scalar(select(sa.func.count()).select_from(StagedRecord)) == 0  # the staged copy is gone
        assert session.get(ImportRun, result["import_run_id"]).status == "completed"

    # The same file through the one-shot commands, into a second database, decides the same.
    other = one_shot(export_csv, tmp_path / "other")
    assert dump_state(other) == dump_state(db_url)
    assert sorted((n, s) for _, n, _, s, _, _ in _letters_by_person(other)) == sorted((n, s) for _, n, _, s, _, _ in _letters_by_person(db_url))


def one_shot(export, folder) -> str:
    """The file through `import`, `addresses verify` and `letters render` in this process, into a database of its own."""
    url = f"sqlite:///{folder / 'notifier.db'}"
    db.ensure_schema(url)
    with db.session_for(url) as session:
        import_file(session, export)
        verify_notices(session, ZipDatabaseVerifier())
        render_letters(session, Renderer.from_settings(Settings(output_dir=folder / "out")))
    return url


def _letters_by_person(url):
    from notifier.models import Notice

    with db.engine_for(url).connect() as connection:
        return connection.execute(sa.select(Letter.id, Notice.person_id, Letter.attempt, Letter.state, Letter.content_hash, Letter.pages).join(Notice, Notice.id == Letter.notice_id)).all()


def test_running_the_same_file_again_adds_nothing(cli, db_url, export_csv, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    run_json(cli, export_csv)
    before = (dump_state(db_url), letter_fingerprint(db_url))
    again = run_json(cli, export_csv)
    assert again["done"] and again["import"]["imported"] == 0 and again["import"]["duplicates"] > 0
    assert (dump_state(db_url), letter_fingerprint(db_url)) == before


def test_two_local_jobs_import_and_render_each_letter_once_as_one_process_would(cli, db_url, export_csv, tmp_path, monkeypatch):
    """Import tasks run in both processes and interleave; a person's rows scattered over many chunks
    still make one letter with their cases in file order, the letter one process makes."""
    import random

    lines = export_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    body = lines[1:]
    random.Random(5).shuffle(body)
    scattered = tmp_path / "scattered.csv"
    scattered.write_text(lines[0] + "".join(body), encoding="utf-8")
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("NOTIFIER_IMPORT_CHUNK_ROWS", "20")
    result = run_json(cli, scattered, "--jobs", "2")
    assert result["done"] and result["steps"]["import"]["done"] == 30
    assert letter_problems(db_url) == []

    one = one_shot(scattered, tmp_path / "one")
    by_person = lambda url: sorted((n, s, h, p) for _, n, _, s, h, p in _letters_by_person(url))  # noqa: E731
    assert by_person(db_url) == by_person(one)
    with db.engine_for(one).connect() as connection:
        spread = connection.execute(sa.text("SELECT COUNT(*) FROM (SELECT notice_id FROM decision GROUP BY notice_id HAVING MAX(line_number) - MIN(line_number) > 20)")).scalar()
    assert spread > 10  # many people's cases came in different chunks


def test_every_task_executed_twice_changes_nothing(cli, db_url, export_csv, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    run_json(cli, export_csv)
    before = (dump_state(db_url), letter_fingerprint(db_url))
    with db.session_for(db_url) as session:
        tasks = [t.id for t in session.exec(select(Task)).all()]
    settings = Settings(database_url=db_url, output_dir=tmp_path / "out")
    for task_id in tasks:
        with db.session_for(db_url) as session:
            assert pipeline.execute(session, settings, task_id, "another-worker") == []  # done: a duplicate message is a no-op
    assert (dump_state(db_url), letter_fingerprint(db_url)) == before


def test_a_live_claim_keeps_others_out_and_an_expired_one_is_taken_again(db_url):
    with db.session_for(db_url) as session:
        run = Run(kind="render", stage="render", started_at=utcnow())
        session.add(run)
        session.flush()
        task = Task(run_id=run.id, step="render", first_id=1, last_id=9, created_at=utcnow(), updated_at=utcnow())
        session.add(task)
        session.commit()
    with db.session_for(db_url) as session:
        assert claim(session, task.id, "worker-a", 60).claimed_by == "worker-a"
    with db.session_for(db_url) as session:
        assert claim(session, task.id, "worker-b", 60) is None  # two workers never hold the same task
        assert sweep(session)["expired"] == []  # resume leaves a live claim alone
        swept = sweep(session, now=utcnow() + timedelta(seconds=61))  # the worker died: its lease runs out
    assert swept["expired"] == [task.id] and task.id in swept["queued"]
    with db.session_for(db_url) as session:
        taken = claim(session, task.id, "worker-b", 60)
    assert taken.claimed_by == "worker-b" and taken.attempts == 2


def test_a_failing_task_is_parked_with_its_error_and_can_be_retried(cli, db_url, export_csv, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    real = pipeline.STEP_FUNCTIONS[RunStage.RENDER]

    name = "Ana Núñez"  # what a failing step might have held

    def broken(session, settings, task, worker):
        raise RuntimeError(f"could not draw the letter of {name}")

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, RunStage.RENDER, broken)
    result = cli("run", export_csv, "--json", ok=False)
    assert result.exit_code == 1
    assert "failed tasks" in result.stderr and "notifier resume --retry-failed" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["failed"] == summary["steps"]["render"]["failed"] > 0 and not summary["done"]
    status = json.loads(cli("status", "--json").stdout)
    assert status["failed"] == summary["failed"] and status["steps"]["render"]["failed"] == summary["failed"]
    parked = status["failed_tasks"][0]
    assert parked["attempts"] == 3  # no endless retries
    # what failed and where, never the values: an exception's message may quote the row it failed on
    assert parked["error"].startswith("RuntimeError\n") and "in broken" in parked["error"] and name not in parked["error"]
    assert status["runs_in_progress"][0]["stage"] == RunStage.RENDER

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, RunStage.RENDER, real)
    resumed = json.loads(cli("resume", "--retry-failed", "--json").stdout)
    assert resumed["retried"] == summary["failed"]
    status = json.loads(cli("status", "--json").stdout)
    assert (status["queued"], status["in_progress"], status["failed"], status["runs_in_progress"]) == (0, 0, 0, [])
    assert letter_problems(db_url) == []


def test_resume_finishes_a_run_whose_worker_died_mid_task(cli, db_url, export_csv, tmp_path, monkeypatch):
    """A worker that took a render task and died: its claim expires, resume does the task again."""
    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    url = db_url
    settings = Settings(database_url=url, output_dir=tmp_path / "out")
    with db.session_for(url) as session:
        run_id, task_ids = pipeline.stage_file(session, settings, export_csv, fmt=None, mapping=Mapping(), encoding=None)
    pending = list(task_ids)
    while pending:  # import and verify as a worker would; stop once render is planned
        with db.session_for(url) as session:
            pending += pipeline.execute(session, settings, pending.pop(0), "worker-a")
        with db.session_for(url) as session:
            if session.get(Run, run_id).stage == RunStage.RENDER:
                break
    with db.session_for(url) as session:
        render = session.exec(select(Task).where(Task.run_id == run_id, Task.step == RunStage.RENDER).order_by(Task.id)).all()
    with db.session_for(url) as session:
        dead = claim(session, render[0].id, "worker-that-dies", 300)  # claimed, then the process was killed
    assert dead is not None
    with db.session_for(url) as session:  # its lease has run out by the time staff resume
        session.execute(sa.update(Task).where(Task.id == dead.id).values(lease_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    resumed = json.loads(cli("resume", "--json").stdout)
    assert resumed["expired"] == 1 and resumed["sent"] == len(render)
    with db.session_for(url) as session:
        assert session.get(Run, run_id).stage == RunStage.DONE
        assert session.scalar(select(sa.func.count()).select_from(Task).where(Task.state != TaskState.DONE)) == 0
    assert letter_problems(url) == []


def test_resume_moves_on_a_run_whose_last_task_finished_unnoticed(db_url, export_csv, tmp_path):
    settings = Settings(database_url=db_url, output_dir=tmp_path / "out")
    with db.session_for(db_url) as session:
        run_id, task_ids = pipeline.stage_file(session, settings, export_csv, fmt=None, mapping=Mapping(), encoding=None)
        task = claim(session, task_ids[0], "w", 60)
        pipeline.STEP_FUNCTIONS[task.step](session, settings, task, "w")  # done, but the worker died before `advance`
    with db.session_for(db_url) as session:
        assert session.get(Run, run_id).stage == RunStage.IMPORT
    with db.session_for(db_url) as session:
        assert pipeline.advance_all(session, settings) == [run_id]
    with db.session_for(db_url) as session:
        assert pipeline.advance(session, settings, run_id) == []  # a second caller finds nothing to plan
    with db.session_for(db_url) as session:
        assert session.get(Run, run_id).stage == RunStage.VERIFY
        assert session.scalar(select(sa.func.count()).select_from(Task).where(Task.run_id == run_id, Task.step == RunStage.VERIFY)) == 1


def test_an_unreadable_file_starts_no_run(cli, db_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("decision_id,person_id\nD-1,P-1\n", encoding="utf-8")
    result = cli("run", bad, ok=False)
    assert result.exit_code == 1 and "bad.csv" in result.stderr
    with db.session_for(db_url) as session:
        assert session.scalar(select(sa.func.count()).select_from(Run)) == 0


def test_every_person_of_the_synthetic_export_gets_a_letter_whatever_script_their_name_is_in(cli, db_url, export_csv, tmp_path, monkeypatch):
    """The generator writes about 3% of names in Han script and some in Cyrillic: none may fail for a missing glyph."""
    from notifier.models import Notice

    monkeypatch.setenv("NOTIFIER_OUTPUT_DIR", str(tmp_path / "out"))
    assert run_json(cli, export_csv)["done"]
    with db.session_for(db_url) as session:
        letters = session.exec(select(Letter, Notice).join(Notice, Notice.id == Letter.notice_id)).all()
    other_scripts = [l for l, n in letters if any(ord(c) > 0x2FF for c in n.first_name + n.last_name)]
    assert other_scripts, "the export should hold names in other scripts"
    assert [l.id for l, _ in letters if any(c["code"] == "missing_glyph" for c in l.checks)] == []
    assert {l.state for l in other_scripts} == {"rendered"}
