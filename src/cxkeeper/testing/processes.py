"""Processes seen through /proc (Linux): a server's workers, an import's text workers, their CPU
and memory. The one place tests and benchmarks look at child processes
(tests/cli/test_serve_workers.py, tests/insights/test_import_pipeline.py, bench/load.py,
bench/import_and_pages.py).

A *zombie* (a child that exited and was not reaped yet) is not running: `children` and
`descendants` leave zombies out unless asked, and `alive` is False for one, so a test waiting
for workers to stop is not fooled by their unreaped entries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    parent: int
    state: str  # R running, S sleeping, Z zombie, …
    cpu_seconds: float  # user + system
    rss_bytes: int

    @property
    def zombie(self) -> bool:
        return self.state in ("Z", "X")


def info(pid: int) -> ProcessInfo | None:
    """One process as /proc shows it now, or None once it is gone."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return ProcessInfo(pid=pid, parent=int(fields[1]), state=fields[0],
                       cpu_seconds=(int(fields[11]) + int(fields[12])) / tick,
                       rss_bytes=int(fields[21]) * os.sysconf("SC_PAGE_SIZE"))


def table() -> dict[int, ProcessInfo]:
    """Every process this user may see."""
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            process = info(int(entry.name))
            if process is not None:
                found[process.pid] = process
    return found


def children(pid: int, *, zombies: bool = False) -> list[int]:
    """Process ids whose parent is `pid` (a server's workers, an import's text workers)."""
    return sorted(p.pid for p in table().values() if p.parent == pid and (zombies or not p.zombie))


def command_line(pid: int) -> list[str]:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def job_workers(pid: int) -> list[int]:
    """Children of a `cxkeeper serve` that are its background job worker (`cxkeeper worker`)."""
    return [child for child in children(pid) if "worker" in command_line(child)[3:4]]


def web_workers(pid: int) -> list[int]:
    """Children of a `cxkeeper serve` that serve pages (its job worker left out)."""
    return [child for child in children(pid) if child not in job_workers(pid)]


def descendants(pid: int, *, zombies: bool = False) -> list[int]:
    """Children, their children, and so on."""
    processes = table()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for process in processes.values():
            if process.parent == parent and process.pid not in found and (zombies or not process.zombie):
                found.append(process.pid)
                frontier.append(process.pid)
    return sorted(found)


def alive(pid: int) -> bool:
    """Running or sleeping: not gone, and not a zombie waiting to be reaped."""
    process = info(pid)
    return process is not None and not process.zombie


def tree(pid: int) -> list[ProcessInfo]:
    """The process and its live descendants."""
    return [p for p in (info(q) for q in [pid, *descendants(pid)]) if p is not None]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process and its live descendants."""
    return sum(p.cpu_seconds for p in tree(pid))


def rss_bytes(pid: int) -> int:
    """Resident memory of the process and its live descendants."""
    return sum(p.rss_bytes for p in tree(pid))
