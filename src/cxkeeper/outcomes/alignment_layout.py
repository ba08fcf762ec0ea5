"""Positions for the alignment map: columns of boxes (North Star → outcomes → metrics →
targets → team KPIs) and curved connectors, computed here so the page is a plain inline SVG
(presentation attributes and CSS classes only: no script, no style attribute).

Within a column, nodes are ordered by the average position of the nodes they hang from
(the barycentre heuristic), which keeps most connectors from crossing.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from cxkeeper.outcomes.queries import Alignment, AlignmentNode

COLUMN_WIDTH = 230
COLUMN_GAP = 90
MARGIN = 16
HEADER = 34
LINE_HEIGHT = 16
PADDING = 9
NODE_GAP = 14
WAYPOINT = 4  # the height of a connector's slot through a column it skips
CHARS_PER_LINE = 30
MAX_LINES = {"north_star": 9, "outcome": 3, "metric": 2, "target": 2, "kpi": 3}
STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track",
                 "no_data": "Not enough data", "tension": "Tension found in the data"}
EDGE_ORDER = {"measures": 0, "targets": 0, "supports": 1, "tension": 2, "found_tension": 3}


@dataclass
class PlacedNode:
    node: AlignmentNode
    x: float
    y: float
    width: float
    height: float
    lines: list[str]
    sub: str = ""

    @property
    def text_x(self) -> float:
        return self.x + PADDING

    @property
    def first_baseline(self) -> float:
        return self.y + PADDING + LINE_HEIGHT - 4

    @property
    def sub_y(self) -> float:
        return self.first_baseline + LINE_HEIGHT * len(self.lines)

    @property
    def tooltip(self) -> str:
        return f"{self.node.label}\n{self.node.plain or self.node.detail}".strip()


@dataclass
class PlacedEdge:
    kind: str
    path: str
    source: str
    target: str


@dataclass
class Layout:
    width: int
    height: int
    headers: list[tuple[str, float]]
    nodes: list[PlacedNode] = field(default_factory=list)
    edges: list[PlacedEdge] = field(default_factory=list)


def _wrap(text: str, kind: str) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), CHARS_PER_LINE) or [""]
    limit = MAX_LINES.get(kind, 3)
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1][: CHARS_PER_LINE - 1].rstrip() + "…"
    return lines


def _order(columns: list[list], parents: dict[str, list[str]]) -> list[list]:
    position: dict[str, float] = {}
    ordered = []
    for nodes in columns:
        def key(item):
            index, node = item
            found = [position[p] for p in parents.get(_id(node), []) if p in position]
            return (sum(found) / len(found) if found else 10_000 + index, index)

        column = [node for _, node in sorted(enumerate(nodes), key=key)]
        for index, node in enumerate(column):
            position[_id(node)] = index
        ordered.append(column)
    return ordered


@dataclass
class _Waypoint:
    """Where a connector crosses a column it skips: a thin slot between that column's boxes,
    shared by every connector of the same kind from the same node (so they travel bundled)."""

    id: str
    column: int
    y: float = 0.0


def _id(item) -> str:
    return item.id


def layout(alignment: Alignment) -> Layout:
    titles = [title for title, _ in alignment.columns]
    columns: list[list] = [list(nodes) for _, nodes in alignment.columns]
    column_of = {node.id: index for index, nodes in enumerate(columns) for node in nodes}
    parents: dict[str, list[str]] = {}
    routes: list[tuple[object, list[str]]] = []  # edge, ids it passes through (waypoints)
    waypoints: dict[str, _Waypoint] = {}
    for edge in alignment.edges:
        if edge.source not in column_of or edge.target not in column_of:
            continue
        first, last = column_of[edge.source], column_of[edge.target]
        chain, previous = [], edge.source
        for column in range(first + 1, last):
            wid = f"w:{edge.source}:{edge.kind}:{column}"
            if wid not in waypoints:
                waypoints[wid] = _Waypoint(wid, column)
                columns[column].append(waypoints[wid])
                parents.setdefault(wid, []).append(previous)
            chain.append(wid)
            previous = wid
        parents.setdefault(edge.target, []).append(previous)
        routes.append((edge, chain))
    columns = _order(columns, parents)

    placed: dict[str, PlacedNode] = {}
    heights = []
    for index, items in enumerate(columns):
        x = MARGIN + index * (COLUMN_WIDTH + COLUMN_GAP)
        y = 0.0
        for item in items:
            if isinstance(item, _Waypoint):
                item.y = y + WAYPOINT / 2
                y += WAYPOINT + NODE_GAP
                continue
            lines = _wrap(item.label, item.kind)
            sub = STATUS_LABELS.get(item.status, "")
            height = PADDING * 2 + LINE_HEIGHT * (len(lines) + (1 if sub else 0))
            placed[item.id] = PlacedNode(item, x, y, COLUMN_WIDTH, height, lines, sub)
            y += height + NODE_GAP
        heights.append(max(y - NODE_GAP, 0))
    tallest = max(heights, default=0)
    for index, items in enumerate(columns):
        offset = MARGIN + HEADER + (tallest - heights[index]) / 2
        for item in items:
            if isinstance(item, _Waypoint):
                item.y += offset
            else:
                placed[item.id].y += offset

    edges = []
    for edge, chain in sorted(routes, key=lambda route: EDGE_ORDER.get(route[0].kind, 0)):
        a, b = placed[edge.source], placed[edge.target]
        x, y = a.x + a.width, a.y + a.height / 2
        path = [f"M{x:.1f},{y:.1f}"]
        for wid in chain:
            point = waypoints[wid]
            left = MARGIN + point.column * (COLUMN_WIDTH + COLUMN_GAP)
            path.append(_curve(x, y, left, point.y))
            x, y = left + COLUMN_WIDTH, point.y
            path.append(f"L{x:.1f},{y:.1f}")
        path.append(_curve(x, y, b.x - 4, b.y + b.height / 2))
        edges.append(PlacedEdge(edge.kind, " ".join(path), edge.source, edge.target))
    width = MARGIN * 2 + len(columns) * COLUMN_WIDTH + (len(columns) - 1) * COLUMN_GAP
    headers = [(title, MARGIN + i * (COLUMN_WIDTH + COLUMN_GAP)) for i, title in enumerate(titles)]
    nodes = [placed[item.id] for column in columns for item in column if not isinstance(item, _Waypoint)]
    return Layout(int(width), int(MARGIN * 2 + HEADER + tallest), headers, nodes, edges)


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    bend = max((x2 - x1) * 0.5, 20)
    return f"C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
