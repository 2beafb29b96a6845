"""The scale-out path against the real services: PostgreSQL plus Redis or RabbitMQ, two worker processes.

Workers are `dramatiq notifier.workers` processes and the CLI runs as a subprocess, exactly
as on a county's machines; each test has its own PostgreSQL schema and its own queue.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from notifier import db
from notifier.letters.geometry import load_geometry
from notifier.models import AuditEvent, Batch, Letter, Run, RunStage, Task, TaskState
from tests.conftest import postgres_schema, service_url
from tests.personal import leaks, values_of_file
from tests.runs.conftest import letter_problems
from tests.runs.brokers import Proxy, drop_queue

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT = 120


@pytest.fixture(params=["redis", "amqp"])
def services(request, tmp_path):
    broker_url = service_url({"redis": "NOTIFIER_TEST_REDIS_URL", "amqp": "NOTIFIER_TEST_AMQP_URL"}[request.param])
    queue = f"test_{uuid.uuid4().hex[:12]}"
    with postgres_schema() as url:
        db.upgrade(url)
        env = {
            **os.environ,
            "NOTIFIER_DATABASE_URL": url,
            "NOTIFIER_BROKER_URL": broker_url,
            "NOTIFIER_QUEUE_NAME": queue,
            "NOTIFIER_OUTPUT_DIR": str(tmp_path / "out"),
            "NOTIFIER_IMPORT_CHUNK_ROWS": "200",
            "NOTIFIER_LOG_LEVEL": "INFO",
        }
        yield Services(request.param, url, broker_url, queue, env, tmp_path)
        drop_queue(broker_url, queue)


class Services:
    def __init__(self, kind: str, url: str, broker_url: str, queue: str, env: dict, tmp_path: Path):
        self.kind, self.url, self.broker_url, self.queue, self.env, self.tmp = kind, url, broker_url, queue, env, tmp_path
        self.workers: list[subprocess.Popen] = []

    def notifier(self, *args: str, module: str | None = None) -> dict:
        """A `notifier` command in its own process; returns its --json output."""
        command = [str(BIN / "notifier"), *args, "--json"]
        if module:  # the CLI with another module's set-up imported first (duplicating_workers)
            command = [sys.executable, "-c", f"import sys, {module}; from notifier.cli.main import run; sys.argv[0] = 'notifier'; run()", *args, "--json"]
        done = subprocess.run(command, env=self.env, cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT)
        assert done.returncode == 0, f"notifier {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start_workers(self, module: str = "notifier.workers", broker_url: str | None = None, **env: str) -> subprocess.Popen:
        log = (self.tmp / f"workers-{len(self.workers)}.log").open("w")
        process = subprocess.Popen(
            [str(BIN / "dramatiq"), module, "--processes", "2", "--threads", "1"],
            env={**self.env, "NOTIFIER_BROKER_URL": broker_url or self.broker_url, **env},
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.workers.append(process)
        return process

    def kill_workers(self, sig: int = signal.SIGKILL) -> None:
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, sig)
                process.wait(timeout=30)

    def log(self) -> str:
        return "\n".join(path.read_text()[-3000:] for path in sorted(self.tmp.glob("workers-*.log")))

    def wait_for(self, what: str, condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what}\n{self.log()}")

    def scalar(self, query):
        with db.engine_for(self.url).connect() as connection:
            return connection.scalar(query)

    def run_done(self, run_id: int) -> bool:
        return self.scalar(sa.select(Run.stage).where(Run.id == run_id)) == RunStage.DONE

    def tasks(self, step: str, state: str) -> int:
        return self.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.step == step, Task.state == state))


@pytest.fixture
def services_and_workers(services):
    yield services
    services.kill_workers(signal.SIGTERM)


def print_and_check(services: Services, module: str | None = None) -> None:
    """Batch everything rendered, print it through the workers, and check the files are complete."""
    created = services.notifier("batches", "create", "--mail-date", "2026-12-01")
    services.notifier("batches", "freeze", str(created["id"]))
    queued = services.notifier("batches", "print", str(created["id"]), module=module)
    assert queued["queued"] >= 1
    services.wait_for("the batch to be printed", lambda: services.scalar(sa.select(Batch.state).where(Batch.id == created["id"])) == "printed")
    shown = services.notifier("batches", "show", str(created["id"]))
    pdfs = [Path(p) for p in shown["files"] if p.endswith(".pdf") and "print-" in p]
    with db.engine_for(services.url).connect() as connection:
        pages = connection.execute(sa.select(Letter.id, Letter.pages).where(Letter.batch_id == created["id"])).all()
    duplex = load_geometry(REPO / "config").duplex
    expected = sum(n + n % 2 if duplex else n for _, n in pages)  # every page of every letter once, plus blank backs
    assert sum(len(PdfReader(p).pages) for p in pdfs) == expected
    with Path(next(p for p in shown["files"] if p.endswith("manifest.csv"))).open() as handle:
        manifest = list(csv.DictReader(handle))
    assert sorted(int(r["sequence"]) for r in manifest) == list(range(1, len(pages) + 1))
    assert sorted(int(r["imb_serial"]) for r in manifest) == sorted(letter_id for letter_id, _ in pages)  # each serial once
    with db.engine_for(services.url).connect() as connection:
        costs = connection.execute(sa.select(sa.func.sum(Letter.postage_cents), sa.func.count(Letter.postage_cents)).where(Letter.batch_id == created["id"])).one()
        batch = connection.execute(sa.select(Batch.postage_cents).where(Batch.id == created["id"])).scalar()
        prints = connection.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "batch.print"))
    assert costs == (batch, len(pages)) and prints == 1  # one cost line per letter, one print event


def test_the_whole_pipeline_on_two_worker_processes(services_and_workers, export_csv):
    s = services_and_workers
    s.start_workers(NOTIFIER_LOG_LEVEL="DEBUG")
    result = s.notifier("run", str(export_csv), "--follow")
    assert result["done"] and result["failed"] == 0 and result["import"]["read"] == 600
    assert letter_problems(s.url) == []
    workers = s.scalar(sa.select(sa.func.count(sa.distinct(Task.claimed_by))))
    assert workers >= 2, "both worker processes took tasks"
    print_and_check(s)
    # the workers logged at DEBUG (notifier.logs in each worker process), and ids only
    log = "\n".join(path.read_text() for path in sorted(s.tmp.glob("workers-*.log")))
    assert re.search(r"\[notifier\.pipeline\] \[DEBUG\] task \d+ \(print", log), log[-2000:]  # dramatiq's format
    assert leaks(log, values_of_file(export_csv)) == []


def test_a_worker_killed_mid_render_is_resumed_and_nothing_is_lost_or_doubled(services_and_workers, export_csv):
    s = services_and_workers
    s.env["NOTIFIER_TASK_LEASE_SECONDS"] = "3"
    s.start_workers()
    run_id = s.notifier("run", str(export_csv))["run_id"]
    s.wait_for("a render task in progress", lambda: s.tasks(RunStage.RENDER, TaskState.CLAIMED) > 0)
    s.kill_workers(signal.SIGKILL)  # mid-letter: no clean-up, no ack
    stuck = s.tasks(RunStage.RENDER, TaskState.CLAIMED)
    assert stuck > 0 and not s.run_done(run_id)
    s.start_workers()
    time.sleep(3.5)  # the dead workers' leases run out
    resumed = s.notifier("resume")
    assert resumed["expired"] == stuck and resumed["sent"] >= stuck
    s.wait_for("the run to finish", lambda: s.run_done(run_id))
    assert letter_problems(s.url) == []
    for pdf in (Path(s.env["NOTIFIER_OUTPUT_DIR"]) / "letters").glob("letters-*.pdf"):
        assert len(PdfReader(pdf).pages) > 0  # a killed writer leaves a temporary file, never a partial PDF
    print_and_check(s)


def test_every_message_delivered_twice_changes_nothing(services_and_workers, export_csv):
    s = services_and_workers
    module = "tests.runs.duplicating_workers"
    s.start_workers(module)
    result = s.notifier("run", str(export_csv), "--follow", module=module)
    assert result["done"] and result["failed"] == 0
    assert letter_problems(s.url) == []
    print_and_check(s, module=module)
    tasks = s.scalar(sa.select(sa.func.count()).select_from(Task))
    s.wait_for("every copy to be consumed", lambda: _skipped(s) >= tasks, timeout=30)


def _skipped(s: Services) -> int:
    return sum(path.read_text().count("nothing to do") for path in s.tmp.glob("workers-*.log"))


def test_the_broker_connection_dropped_and_its_messages_lost_mid_run(services_and_workers, export_csv):
    s = services_and_workers
    target = sa.engine.make_url(s.broker_url.replace("amqp://", "postgresql://").replace("redis://", "postgresql://"))
    proxy = Proxy(target.host, target.port)
    proxied = s.broker_url.replace(f":{target.port}", f":{proxy.port}")
    s.env["NOTIFIER_RENDER_TASK_NOTICES"] = "10"  # many small render tasks: most are still in the queue at the cut
    s.start_workers(broker_url=proxied)
    run_id = s.notifier("run", str(export_csv))["run_id"]
    s.wait_for("rendering to start", lambda: s.tasks(RunStage.RENDER, TaskState.DONE) > 0)
    proxy.cut()  # the broker went away ...
    drop_queue(s.broker_url, s.queue)  # ... and came back empty, as Redis without persistence does
    time.sleep(2)
    proxy.restore()
    assert not s.run_done(run_id)
    s.notifier("resume")
    s.wait_for("the run to finish after resume", lambda: s.run_done(run_id))
    assert letter_problems(s.url) == []
    proxy.cut()


def test_decisions_sent_as_messages_are_imported_once(services_and_workers):
    """The sending side's view: decision objects published to the queue, each one twice."""
    from tests.helpers import row

    s = services_and_workers
    s.start_workers()
    decisions = [row(decision_id=f"D-{n}", person_id=f"P-{n % 3}", case_number=f"2009-CR-{n:07d}") for n in range(6)]
    decisions.append({"decision_id": "D-bad", "person_id": "P-9"})  # missing fields: quarantined, not lost
    s.wait_for("the workers to declare the queue", lambda: "is ready for action" in s.log())
    for decision in decisions * 2:
        publish(s, decision)
    from notifier.models import Decision, ImportRun, QuarantinedRow

    s.wait_for("every message to be consumed", lambda: (s.scalar(sa.select(sa.func.sum(ImportRun.read))) or 0) == 14)
    assert s.scalar(sa.select(sa.func.count()).select_from(Decision)) == 6
    assert s.scalar(sa.select(sa.func.sum(ImportRun.duplicates))) == 6
    assert s.scalar(sa.select(sa.func.count()).select_from(QuarantinedRow)) == 1
    assert s.scalar(sa.select(ImportRun.source_name)).startswith("queue ")


def publish(s: Services, decision: dict) -> None:
    """As a sender outside Python would: the JSON body of README 'Receiving decisions as messages'."""
    body = {"queue_name": s.queue, "actor_name": "receive_decision", "args": [decision], "kwargs": {}, "options": {},
            "message_id": str(uuid.uuid4()), "message_timestamp": int(time.time() * 1000)}
    if s.kind == "amqp":
        import pika

        connection = pika.BlockingConnection(pika.URLParameters(s.broker_url))
        connection.channel().basic_publish("", s.queue, json.dumps(body).encode(), pika.BasicProperties(delivery_mode=2))
        connection.close()
        return
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    broker = RedisBroker(url=s.broker_url)
    broker.declare_queue(s.queue)
    broker.enqueue(dramatiq.Message(**body))
    broker.close()
