"""Which URL patterns the test suite reached, for the meta-test that every URL is exercised.

A `request_started` listener resolves each request's path (test client and live server
alike) and records the pattern's route name.
"""

from __future__ import annotations

import threading

from django.core.signals import request_started
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

_reached: set[str] = set()
_lock = threading.Lock()
IGNORED_NAMESPACES = ("admin",)


def _record(sender, environ=None, **kwargs):
    if not environ:
        return
    try:
        match = resolve(environ.get("PATH_INFO", ""))
    except Resolver404:
        return
    with _lock:
        _reached.add(match.view_name if match.url_name else match.route)


def start() -> None:
    request_started.connect(_record, dispatch_uid="cxkeeper-url-coverage")


def all_patterns(resolver=None, namespace="", prefix="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in IGNORED_NAMESPACES:
                continue
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            names |= all_patterns(entry, full_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
            else:
                names.add(prefix + str(entry.pattern))
    return names


def unreached() -> list[str]:
    with _lock:
        return sorted(all_patterns() - _reached)
