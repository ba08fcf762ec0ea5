"""One HTTP POST to a receiver, bounded: http(s) only, no redirects followed, a short timeout,
at most a few kilobytes of the answer read. Every outcome is an `Outcome`, never an exception."""

from __future__ import annotations

import http.client
import ipaddress
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from cxkeeper import __version__

EXCERPT = 500  # characters of the answer kept in the delivery log
READ = 4096  # bytes of the answer read at most


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    response_ms: int
    excerpt: str
    error: str

    @property
    def in_words(self) -> str:
        if self.ok:
            return f"delivered (answer {self.status_code} in {self.response_ms} ms)"
        if self.status_code is not None:
            return f"refused by the receiver (answer {self.status_code}{': ' + self.error if self.error else ''})"
        return f"not delivered: {self.error}"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a delivery address, or None."""
    url = (url or "").strip()
    if not url:
        return "Enter the address."
    if len(url) > 2000:
        return "An address has at most 2,000 characters."
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"Only http:// and https:// addresses are allowed, not “{parts.scheme or url[:20]}”."
    if not parts.hostname:
        return "The address names no host."
    if any(c.isspace() for c in url):
        return "An address has no spaces."
    if _is_metadata_host(parts.hostname):
        return "Link-local, 0.0.0.0 and cloud metadata addresses are not allowed."
    return None


def _is_metadata_host(host: str) -> bool:
    """Cloud metadata services answer on link-local addresses: never a receiver, often a secret."""
    if host.lower().rstrip(".") in ("metadata.google.internal", "metadata"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_link_local or address.is_unspecified


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx answer is the outcome: a receiver moved is a receiver to fix


_opener = urllib.request.build_opener(_NoRedirects)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT]


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    problem = url_problem(url)
    if problem:
        return Outcome(False, None, 0, "", problem)
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310 - http(s) checked above
        "Content-Type": "application/json", "User-Agent": f"cxkeeper/{__version__}", **headers})
    started = time.perf_counter()
    status, raw, error = None, b"", ""
    try:
        with _opener.open(request, timeout=settings.CXKEEPER_WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read(READ)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, ("redirects are not followed" if 300 <= exc.code < 400 else "")
        try:
            raw = exc.read(READ)
        except (OSError, http.client.HTTPException):
            raw = b""
    except TimeoutError:
        error = f"no answer within {settings.CXKEEPER_WEBHOOK_TIMEOUT_SECONDS:g} seconds"
    except urllib.error.URLError as exc:
        reason = exc.reason
        error = (f"no answer within {settings.CXKEEPER_WEBHOOK_TIMEOUT_SECONDS:g} seconds"
                 if isinstance(reason, TimeoutError) else f"cannot connect ({reason})")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = f"cannot connect ({exc.__class__.__name__}: {exc})"
    elapsed = round((time.perf_counter() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    return Outcome(ok, status, elapsed, _text(raw), error[:300])
