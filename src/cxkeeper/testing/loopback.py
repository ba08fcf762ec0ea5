"""A real `cxkeeper serve` on a loopback port, and a person's browser for it (`http.client`,
cookies, the sign-in form with its CSRF token). Shared by the tests that run the real server
(tests/cli/test_serve_workers.py) and by the load benchmark (bench/load.py)."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from cxkeeper.testing.processes import children  # noqa: F401 - re-exported: a server's workers


def loopback_only(host: str) -> str:
    """The host, if every address it names is a loopback address; otherwise stop."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise SystemExit(f"--host {host}: {exc}") from None
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"--host {host}: not a loopback address ({', '.join(sorted(addresses))}); "
                         "this load test only runs against this machine.")
    return host


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- one person's browser


class Browser:
    """One person: a keep-alive connection and the cookies a browser would keep."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.connection

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, bytes, dict]:
        sent = {"Host": f"{self.host}:{self.port}" if ":" not in self.host else f"[{self.host}]:{self.port}",
                "User-Agent": "cxkeeper-bench-load", "Accept": "text/html"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        for attempt in (1, 2):  # a keep-alive connection the server closed is opened again once
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, data, dict(response.headers)

    def get(self, path: str) -> tuple[int, bytes]:
        status, data, _ = self.request("GET", path)
        return status, data

    def sign_in(self, username: str, password: str) -> None:
        """Through the sign-in form, as a person: its CSRF token, then the POST."""
        status, page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"sign-in page answered {status} without a form")
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "username": username,
                                       "password": password})
        status, _, headers = self.request("POST", "/accounts/login/", form,
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in as {username} answered {status} (expected a redirect and a session)")

    def post(self, path: str, fields: dict, files: dict[str, tuple[str, bytes]] | None = None):
        """A form as a browser sends it: the CSRF token from the cookie, files as multipart."""
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        if not files:
            return self.request("POST", path, urllib.parse.urlencode(fields),
                                {"Content-Type": "application/x-www-form-urlencoded"})
        boundary = "cxkeeper-" + os.urandom(8).hex()
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields.items()]
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def api(self, method: str, path: str, body: str | None = None) -> tuple[int, dict | list]:
        """`/api/v1` with the browser's session (and its CSRF token for writes)."""
        status, data, _ = self.request(method, path, body, {
            "Content-Type": "application/json", "Accept": "application/json",
            "X-CSRFToken": self.cookies.get("csrftoken", ""), "Referer": f"http://{self.host}:{self.port}/"})
        return status, json.loads(data or b"null")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None



@contextlib.contextmanager
def cxkeeper_server(data_dir: Path, host: str = "127.0.0.1", *, workers: int | None, database_url: str | None,
                    log: Path, env: dict | None = None, code: Path | None = None):
    """`cxkeeper serve` on a free loopback port (yields the port and the server's process id),
    stopped at the end: SIGTERM to its process group (the server and its workers), then SIGKILL.
    `code`: another checkout of cxkeeper to serve (its `src/`; a benchmark's "before")."""
    loopback_only(host)
    port = free_port(host)
    env = {**os.environ, **(env or {}), "CXKEEPER_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("CXKEEPER_WEB_WORKERS", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(Path(code).resolve() / "src"), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep)
    command = [sys.executable, "-m", "cxkeeper", "serve", "--host", host, "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT,  # noqa: S603 - our own command
                                   start_new_session=True, cwd=code)
    try:
        probe = Browser(host, port)
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start (exit {process.returncode}); see {log}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if probe.get("/healthz")[0] == 200:
                    break
            probe.close()
            time.sleep(0.5)
        else:
            raise RuntimeError(f"the server did not answer within 5 minutes; see {log}")
        probe.close()
        yield port, process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and its workers
        try:
            process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
