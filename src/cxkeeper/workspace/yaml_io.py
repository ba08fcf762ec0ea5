"""YAML for workspace-as-code: a deterministic, readable writer and a reader that remembers lines.

The writer always produces the same bytes for the same data (block style, indented lists,
multi-line text as `|` blocks, no line folding, Unicode kept as is). The reader composes the
YAML to nodes first so every value's line is known: errors found later — by the schema or by
the semantic checks — can still say "workspace.yaml:42".
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class WorkspaceFileError:
    """One problem in a workspace file, located by line and by path (`journeys[0].stages[1].name`)."""

    filename: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}: "
        return where + (f"{self.path}: " if self.path else "") + self.message


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ---------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key (`teams:\\n  - name: IT`), which reads better in reviews."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    # Multi-line text as a literal block; PyYAML falls back to quoting by itself when a block
    # cannot hold the text exactly (trailing spaces, control characters).
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=1_000_000, indent=2)


# ---------------------------------------------------------------- reading


class _Loader(yaml.SafeLoader):
    """Reads dates as the text they are (`due: 2027-06-30` → "2027-06-30"), as YAML 1.2 and
    JSON do: the schema and the checks then judge them, and an impossible date such as
    2027-02-30 becomes an error with its line instead of a crash inside the YAML library."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class LineMap:
    """Path → line (1-based). A key's own line wins over its value's (which may start below it)."""

    def __init__(self):
        self.key_lines: dict[Path, int] = {}
        self.value_lines: dict[Path, int] = {}

    def line(self, path: Path) -> int:
        path = tuple(path)
        while True:
            if path in self.key_lines:
                return self.key_lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            if not path:
                return 1
            path = path[:-1]


def _walk(node: yaml.Node, path: Path, lines: LineMap, seen: set[int], problems: list[tuple[Path, int, str]]):
    lines.value_lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in seen:  # an alias: its lines are those of the anchor, walked once
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                continue
            key_line = key_node.start_mark.line + 1
            if key in first_line:
                problems.append((path + (key,), key_line,
                                 f"duplicate key {key!r} (first on line {first_line[key]}); "
                                 "YAML would silently keep only the last one"))
                continue
            first_line[key] = key_line
            lines.key_lines[path + (key,)] = key_line
            _walk(value_node, path + (key,), lines, seen, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, seen, problems)


def load(text: str, filename: str) -> tuple[object, LineMap, list[WorkspaceFileError]]:
    """Parse `text`; returns (data, lines, errors). On a syntax error data is None."""
    lines = LineMap()
    text = text.removeprefix("\ufeff")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines, [WorkspaceFileError(filename, 1, "", "the file is empty; expected a mapping "
                                                    "with workspace, glossary, teams, personas and journeys")]
        problems: list[tuple[Path, int, str]] = []
        _walk(node, (), lines, set(), problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        where = f" (column {mark.column + 1}" if mark is not None else " ("
        context = exc.context_mark
        if context is not None and mark is not None and context.line != mark.line:
            where += f"; {exc.context or 'it'} started on line {context.line + 1}"
            what = exc.problem or ""
        else:
            what = "; ".join(part for part in (exc.context, exc.problem) if part)
        where = f"{where})" if where != " (" else ""
        return None, lines, [WorkspaceFileError(filename, line, "", f"invalid YAML: {what}{where}")]
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
        return None, lines, [WorkspaceFileError(filename, line, "", f"invalid YAML: {exc}")]
    finally:
        loader.dispose()
    errors = [WorkspaceFileError(filename, line, format_path(path), message)
              for path, line, message in problems]
    return data, lines, errors
