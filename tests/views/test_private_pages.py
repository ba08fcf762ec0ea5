"""Headers, sessions, logs and files of a deployment (issue 10, finding 16)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import time

from cxkeeper.core.middleware import PrivatePagesMiddleware


def test_signed_in_pages_are_never_cached(client, small_org):
    client.force_login(small_org.viewer)
    assert client.get("/")["Cache-Control"] == "no-store"
    assert client.get("/journeys/")["Cache-Control"] == "no-store"


def test_api_docs_and_schema_are_for_signed_in_callers(client, small_org):
    assert client.get("/api/v1/docs").status_code == 302
    refused = client.get("/api/v1/openapi.json")
    assert refused.status_code == 401 and "Bearer" in refused.json()["detail"]
    from cxkeeper.org.actions import create_api_token

    _, secret = create_api_token(small_org.viewer, "generator", acting_user=small_org.viewer)
    assert client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    client.force_login(small_org.viewer)
    assert client.get("/api/v1/docs").status_code == 200


def test_an_idle_session_ends(client, small_org, settings):
    settings.CXKEEPER_SESSION_IDLE_MINUTES = 30
    client.force_login(small_org.viewer)
    assert client.get("/").status_code == 200
    session = client.session
    session[PrivatePagesMiddleware.SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/journeys/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/").status_code == 302  # signed out for good


def test_an_active_session_stays(client, small_org, settings):
    settings.CXKEEPER_SESSION_IDLE_MINUTES = 30
    client.force_login(small_org.viewer)
    session = client.session
    session[PrivatePagesMiddleware.SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200
    assert client.get("/journeys/").status_code == 200


def test_a_refusal_is_logged_in_one_line(client, small_org, caplog):
    client.force_login(small_org.viewer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/people/new/")
    assert response.status_code == 403
    records = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert records
    from cxkeeper.core.logs import OneLineRefusals

    for record in records:
        OneLineRefusals().filter(record)
        assert record.exc_info is None and "\n" not in logging.Formatter().format(record)


def test_hsts_and_secure_cookies_come_together(tmp_path):
    """Settings are read once per process: check them in a fresh one."""
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cxkeeper.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)")
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(tmp_path / "data"), "CXKEEPER_SECURE_COOKIES": "1"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["31536000", "True", "True"]


def test_the_data_folder_and_what_cxkeeper_writes_are_private(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    code = ("import os; from cxkeeper.datadir import data_dir, private_files; private_files();"
            "d = data_dir(); open(d / 'upload.csv', 'w').write('x')")
    env = {**os.environ, "CXKEEPER_DATA_DIR": str(folder)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "upload.csv").stat().st_mode) == 0o600
