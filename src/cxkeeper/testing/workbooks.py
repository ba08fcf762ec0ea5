"""Minimal XLSX workbooks written by hand, for the hostile-file tests and benchmark
(tests/insights/test_hostile_files.py, bench/hostile_files.py): every cell in the shared-strings
part, as Excel writes them (openpyxl writes inline strings), so the shared-strings bound can be
met — and, with `filler`, the shared-strings *bomb* of issue 10 (finding 7): a part that unzips
to hundreds of megabytes from about a megabyte on disk, written in blocks so building it stays
small."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
KIND = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
FILLER_BLOCK = 1_000  # filler strings written per block


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def write_workbook(target: Path | BinaryIO, rows: Iterable[Iterable], *, filler: str = "", filler_count: int = 0,
                   compresslevel: int | None = None) -> None:
    """One sheet of `rows` (header first, if any), each cell a shared string; then `filler_count`
    more shared strings `filler` that no cell uses (the bomb's payload)."""
    strings: dict[str, int] = {}
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{_column(c)}{r}" t="s"><v>{strings.setdefault(str(v), len(strings))}</v></c>'
                        for c, v in enumerate(row))
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    count = len(strings) + filler_count
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", (
            f'<?xml version="1.0"?><Types xmlns="{PACKAGE}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{KIND}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{KIND}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{KIND}.sharedStrings+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
                         '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
        archive.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'
                         + "".join(sheet_rows) + "</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode())
            part.write("".join(f"<si><t>{escape(text)}</t></si>" for text in strings).encode())
            if filler_count:
                item = f"<si><t>{escape(filler)}</t></si>"
                block = (item * FILLER_BLOCK).encode()
                for _ in range(filler_count // FILLER_BLOCK):
                    part.write(block)
                part.write((item * (filler_count % FILLER_BLOCK)).encode())
            part.write(b"</sst>")


def workbook_bytes(rows: Iterable[Iterable]) -> bytes:
    """A small workbook of `rows`, every cell a shared string."""
    out = io.BytesIO()
    write_workbook(out, rows)
    return out.getvalue()


def shared_strings_bomb(target: Path | BinaryIO, unzipped: int, *, cell_chars: int = 1_000) -> None:
    """A workbook whose shared strings unzip to about `unzipped` bytes (1.2 MB on disk for the
    348 MB of issue 10), one cell using the first of them."""
    text = "A" * cell_chars
    count = max(1, unzipped // len(f"<si><t>{text}</t></si>"))
    write_workbook(target, [[text]], filler=text, filler_count=count - 1, compresslevel=9)
