"""A document as Markdown: headings and tables; a chart becomes its caption and its numbers in
text. User text is escaped so it cannot turn into HTML, emphasis or code."""

from __future__ import annotations

import re

from cxkeeper.outcomes.reports.document import (
    NO_NORTH_STAR,
    Bullets,
    Chart,
    Document,
    Paragraph,
    Subheading,
    Table,
)

_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # "p<0.001" stays readable; "<script" does not become HTML


# Markdown's active characters in user text: emphasis, code and — "[x](javascript:…)" — links.
_EMPHASIS = re.compile(r"([\\*_`\[\]])")


def _md(text: str) -> str:
    """User text inside Markdown: no accidental HTML, emphasis, code or links, no broken lines."""
    text = _EMPHASIS.sub(r"\\\1", text)
    return _TAG_START.sub("&lt;", text).replace("\r", " ").replace("\n", " ")


def _md_cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def _md_details(table: Table, index: int) -> str:
    """A row's last cell: its plain sentence, then its statistics as a muted "Details:" line."""
    detail = table.details[index]
    plain = table.plain[index] if index < len(table.plain) else ""
    if not plain:
        return _md_cell(detail or "–")
    return _md_cell(plain) + (f"<br>_Details: {_md_cell(detail)}_" if detail else "")


def to_markdown(doc: Document) -> str:
    out = [f"# {doc.kind}: {_md(doc.title)}", ""]
    out += [f"- **{label}:** {_md(value)}" for label, value in doc.meta]
    out += ["", f"> **North Star:** {_md(doc.north_star or NO_NORTH_STAR)}"]
    for section in doc.sections:
        out += ["", f"## {section.title}", ""]
        for block in section.blocks:
            out += _md_block(block) + [""]
    out += ["---", "", f"_{doc.footer}_", ""]
    return "\n".join(line.rstrip() for line in out).replace("\n\n\n", "\n\n")


def _md_block(block) -> list[str]:
    if isinstance(block, Paragraph):
        text = _md(block.text)
        return [f"**{text}**" if block.tone == "lead" else f"_{text}_" if block.tone == "muted" else text]
    if isinstance(block, Subheading):
        return [f"### {_md(block.text)}"]
    if isinstance(block, Bullets):
        return [f"- {_md(item)}" for item in block.items]
    if isinstance(block, Chart):
        return [f"_Chart (in the PDF): {_md(block.caption)}._" + (f" {_md(block.text)}" if block.text else "")]
    if isinstance(block, Table):
        columns = list(block.columns) + ([block.details_title] if block.details else [])
        align = (block.align or "L" * len(block.columns)).ljust(len(block.columns), "L")
        align += "L" if block.details else ""
        lines = ["| " + " | ".join(columns) + " |",
                 "|" + "|".join("---:" if a == "R" else "---" for a in align) + "|"]
        for index, row in enumerate(block.rows):
            cells = [_md_cell(c) for c in row]
            if block.details:
                cells.append(_md_details(block, index))
            lines.append("| " + " | ".join(cells) + " |")
        return lines
    raise TypeError(f"unknown block {block!r}")
