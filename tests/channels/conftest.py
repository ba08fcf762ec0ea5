"""A real HTTP receiver on loopback (http.server in a thread) that records every request and
answers from a script, kinds of event declared by the tests themselves, and the org with IT's
lead set (a team lead manages the team's channels)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from cxkeeper import jobs
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.events import Event, emit, event_kind
from cxkeeper.org import actions as org_actions

STEP_CHANGED = event_kind("test.step_changed", "A step your team owns changed (test)")
DECIDED = event_kind("test.decided", "A decision was taken (test)")


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each path from its script (a list of status codes, the last one repeated; 200 by
    default) and keeps every request it got."""

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def answer(self, path: str, *codes: int) -> None:
        self.scripts[path] = list(codes)

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def _next_code(self, path: str) -> int:
        script = self.scripts.get(path) or [200]
        return script.pop(0) if len(script) > 1 else script[0]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with receiver.lock:
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                code = receiver._next_code(self.path)
            if self.path in receiver.delays:
                time.sleep(receiver.delays[self.path])
            answer = (b"ok" if code < 300 else b"receiver says no: " + b"x" * 2000)
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up waiting (the timeout test)
                self.wfile.write(answer)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    receiver = Receiver(server=None)  # type: ignore[arg-type]
    receiver.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    thread = threading.Thread(target=receiver.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def quick_retries(settings):
    """Retries at once (the job queue runs them as soon as they are due), a short timeout, and
    a target turned off after 4 failed attempts in a row."""
    settings.CXKEEPER_WEBHOOK_RETRY_DELAYS = [0, 0, 0]
    settings.CXKEEPER_WEBHOOK_TIMEOUT_SECONDS = 1
    settings.CXKEEPER_WEBHOOK_DISABLE_AFTER = 4
    settings.CXKEEPER_BASE_URL = "https://cx.example.org"


@pytest.fixture
def org(small_org):
    """The small org, with Ivan (a member of IT) as IT's lead."""
    it = small_org.it
    small_org.it = org_actions.update_team(it, {"lead": small_org.it_member}, expected_version=it.version,
                                           acting_user=SYSTEM)
    return small_org


@pytest.fixture
def happen(django_capture_on_commit_callbacks):
    """`happen(Event(...))`: emit the event as an action would, let the transaction commit, and
    run every job that is due until none is left (whether jobs run at once or are queued)."""

    def run(event: Event) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            emit(event)
        drain()

    return run


def drain() -> None:
    """Run queued jobs until none is due (retries are due at once here: `quick_retries`)."""
    for _ in range(50):
        if not jobs.run_pending():
            return


@pytest.fixture(name="drain")
def drain_fixture():
    return drain


@pytest.fixture
def kinds():
    """The kinds of event these tests emit, declared like any emitting app declares its own."""
    return SimpleNamespace(step_changed=STEP_CHANGED, decided=DECIDED)
