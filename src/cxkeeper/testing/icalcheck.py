"""A small strict reader of iCalendar files for tests (RFC 5545): it fails on what calendar
programs stumble over — a line longer than 75 octets, a line not ended by CRLF, a component
not closed, an unescaped comma or semicolon in a text value — and returns the components with
their properties unfolded and unescaped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "LOCATION", "X-WR-CALNAME", "COMMENT"}
_UNESCAPE = re.compile(r"\\([\\;,nN])")


class IcsError(AssertionError):
    pass


@dataclass
class Component:
    name: str
    properties: list[tuple[str, str, str]] = field(default_factory=list)  # (name, parameters, raw value)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return next((value for prop, _, value in self.properties if prop == name), None)

    def text(self, name: str) -> str | None:
        raw = self.get(name)
        return None if raw is None else unescape(raw)

    def params(self, name: str) -> str | None:
        return next((params for prop, params, _ in self.properties if prop == name), None)


def unescape(value: str) -> str:
    return _UNESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _check_text(name: str, value: str, where: str) -> None:
    """Every comma, semicolon and backslash in a TEXT value is escaped (RFC 5545 §3.3.11)."""
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            if index + 1 >= len(value) or value[index + 1] not in "\\;,nN":
                raise IcsError(f"{where}: {name} has a lone backslash")
            index += 2
            continue
        if char in ",;":
            raise IcsError(f"{where}: {name} has an unescaped {char!r}")
        index += 1


def parse(content: bytes) -> Component:
    """The VCALENDAR of `content`, or IcsError saying what is wrong and where."""
    if not content.endswith(b"\r\n"):
        raise IcsError("the file does not end with CRLF")
    physical = content[:-2].split(b"\r\n")
    for number, line in enumerate(physical, start=1):
        if b"\n" in line or b"\r" in line:
            raise IcsError(f"line {number}: a bare CR or LF (lines end with CRLF)")
        if len(line) > 75:
            raise IcsError(f"line {number}: {len(line)} octets (at most 75)")
        line.decode("utf-8")  # a fold never splits a character
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(physical, start=1):
        text = line.decode("utf-8")
        if text.startswith((" ", "\t")):
            if not logical:
                raise IcsError("the file starts with a continuation line")
            logical[-1] = (logical[-1][0], logical[-1][1] + text[1:])
        else:
            logical.append((number, text))
    stack: list[Component] = []
    root: Component | None = None
    for number, line in logical:
        name_part, sep, value = line.partition(":")
        if not sep:
            raise IcsError(f"line {number}: no ':' in {line!r}")
        name, _, params = name_part.partition(";")
        name = name.upper()
        if name == "BEGIN":
            component = Component(value.upper())
            if stack:
                stack[-1].children.append(component)
            elif root is not None:
                raise IcsError(f"line {number}: a second top-level component")
            else:
                root = component
            stack.append(component)
        elif name == "END":
            if not stack or stack[-1].name != value.upper():
                raise IcsError(f"line {number}: END:{value} does not close "
                               f"{stack[-1].name if stack else 'anything'}")
            stack.pop()
        else:
            if not stack:
                raise IcsError(f"line {number}: {name} outside any component")
            if name in TEXT_PROPERTIES:
                _check_text(name, value, f"line {number}")
            stack[-1].properties.append((name, params, value))
    if stack:
        raise IcsError(f"{stack[-1].name} is not closed")
    if root is None or root.name != "VCALENDAR":
        raise IcsError("no VCALENDAR")
    for prop in ("VERSION", "PRODID"):
        if root.get(prop) is None:
            raise IcsError(f"VCALENDAR without {prop}")
    for child in root.children:
        if child.name == "VEVENT":
            for prop in ("UID", "DTSTAMP", "DTSTART"):
                if child.get(prop) is None:
                    raise IcsError(f"a VEVENT without {prop}")
    return root
