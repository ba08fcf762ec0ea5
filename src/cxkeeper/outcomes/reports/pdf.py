"""A document as PDF (fpdf2, A4, numbered pages): charts rendered to PNG and embedded, text
in the vendored DejaVu Sans (the PDF core fonts are latin-1 only)."""

from __future__ import annotations

import io
from collections.abc import Callable

from cxkeeper import __version__
from cxkeeper.outcomes.reports.charts import render_chart_png
from cxkeeper.outcomes.reports.document import (
    NO_NORTH_STAR,
    Bullets,
    Chart,
    Document,
    Paragraph,
    Subheading,
    Table,
)
from cxkeeper.outcomes.reports.style import BRAND, FONT_DIR, INK, LINE, MUTED, STATUS_COLOURS
from cxkeeper.outcomes.reports.text import day_text


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def to_pdf(doc: Document, *, chart_renderer: Callable[[dict], bytes] = render_chart_png) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace
    from PIL import Image

    class ReportPdf(FPDF):
        def header(self):
            if self.page_no() == 1:
                return
            self.set_font("DejaVu", "", 8)
            self.set_text_color(*_rgb(MUTED))
            self.cell(0, 5, f"{doc.kind} · {doc.title} · as of {day_text(doc.as_of)}", new_x="LMARGIN", new_y="NEXT")
            self.set_draw_color(*_rgb(LINE))
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.ln(5)

        def footer(self):
            self.set_y(-13)
            self.set_font("DejaVu", "", 7.5)
            self.set_text_color(*_rgb(MUTED))
            self.cell(self.epw * 0.8, 5, f"cxkeeper · {doc.kind} · {doc.title}")
            self.cell(self.epw * 0.2, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = ReportPdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"{doc.kind}: {doc.title}")
    pdf.set_lang(doc.language)
    pdf.set_subject(f"{doc.kind} as of {day_text(doc.as_of)}")
    pdf.set_author("cxkeeper")
    pdf.set_creator(f"cxkeeper {__version__}")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.alias_nb_pages()
    pdf.add_page()

    def text(size, colour=INK, style=""):
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*_rgb(colour))

    # Title block
    text(9, MUTED)
    pdf.cell(0, 5, doc.kind.upper(), new_x="LMARGIN", new_y="NEXT")
    text(22, INK, "B")
    pdf.multi_cell(0, 10, doc.title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1)
    for label, value in doc.meta:
        text(9, MUTED)
        pdf.cell(32, 5, label)
        text(9, INK)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)
    top = pdf.get_y()
    pdf.set_x(pdf.l_margin + 4)
    text(8, BRAND, "B")
    pdf.cell(0, 6, "NORTH STAR", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 4)
    text(11, INK if doc.north_star else MUTED)
    pdf.multi_cell(pdf.epw - 8, 5.5, doc.north_star or NO_NORTH_STAR, new_x="LMARGIN", new_y="NEXT", align="L")
    bottom = pdf.get_y() + 2
    pdf.set_fill_color(*_rgb(BRAND))
    pdf.rect(pdf.l_margin, top, 1.2, bottom - top, style="F")
    pdf.set_fill_color(255, 255, 255)  # table cells inherit the fill colour
    pdf.set_y(bottom)
    pdf.ln(2)

    def section_title(title):
        if pdf.will_page_break(40):
            pdf.add_page()
        pdf.ln(4)
        text(14, BRAND, "B")
        pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*_rgb(LINE))
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(3)

    def table(block: Table):
        text(8)
        pdf.set_fill_color(255, 255, 255)
        total = sum(block.widths)
        widths = [w / total * pdf.epw for w in block.widths]
        align = (block.align or "L" * len(block.columns)).ljust(len(block.columns), "L")
        heading = FontFace(emphasis="BOLD", color=_rgb(MUTED), fill_color=_rgb("#eef1f7"), size_pt=7.5)
        detail_style = FontFace(color=_rgb(MUTED), size_pt=7.5)
        plain_style = FontFace(color=_rgb(INK), size_pt=8)
        with pdf.table(col_widths=widths, width=pdf.epw, line_height=4.2, text_align=tuple(align),
                       headings_style=heading, borders_layout="HORIZONTAL_LINES", padding=(1.2, 1.5),
                       v_align="TOP") as t:
            row = t.row()
            for column in block.columns:
                row.cell(column)
            for index, cells in enumerate(block.rows):
                row = t.row()
                for position, cell in enumerate(cells):
                    style = None
                    if position == block.status_column and index < len(block.statuses):
                        fg, bg = STATUS_COLOURS.get(block.statuses[index], (INK, "#ffffff"))
                        style = FontFace(emphasis="BOLD", color=_rgb(fg), fill_color=_rgb(bg))
                    row.cell(cell, style=style)
                plain = block.plain[index] if index < len(block.plain) else ""
                if plain:
                    t.row().cell(plain, colspan=len(block.columns), style=plain_style, align="L")
                if block.details and block.details[index]:
                    t.row().cell(("Details: " if plain else "") + block.details[index], colspan=len(block.columns),
                                 style=detail_style, align="L")
        pdf.ln(2)

    gap = 6.0

    def charts(blocks: list[Chart]):
        """One full-width chart, or two half-width charts side by side, captions above."""
        width = (pdf.epw - gap) / 2 if blocks[0].half else pdf.epw
        images = []
        for block in blocks:
            png = chart_renderer(block.spec)
            with Image.open(io.BytesIO(png)) as image:
                images.append((png, width * image.size[1] / image.size[0]))
        text(8.5, MUTED)
        captions = [len(pdf.multi_cell(width, 4.2, b.caption, align="L", dry_run=True, output="LINES")) * 4.2
                    for b in blocks]
        needed = max(captions) + max(h for _, h in images) + 4
        if pdf.will_page_break(needed):
            pdf.add_page()
        top = pdf.get_y()
        for index, block in enumerate(blocks):
            x = pdf.l_margin + index * (width + gap)
            pdf.set_xy(x, top)
            text(8.5, MUTED)
            pdf.multi_cell(width, 4.2, block.caption, align="L")
            png, height = images[index]
            # the chart's text alternative: its caption and its numbers in words (screen readers, copy)
            alt = f"{block.caption}. {block.text}".strip() if block.text else block.caption
            pdf.image(io.BytesIO(png), x=x, y=top + max(captions) + 0.5, w=width, h=height, alt_text=alt,
                      title=block.caption)
        pdf.set_xy(pdf.l_margin, top + needed)

    for section in doc.sections:
        section_title(section.title)
        blocks = list(section.blocks)
        while blocks:
            block = blocks.pop(0)
            if isinstance(block, Chart):
                row = [block]
                if block.half and blocks and isinstance(blocks[0], Chart) and blocks[0].half:
                    row.append(blocks.pop(0))
                charts(row)
                continue
            if isinstance(block, Paragraph):
                if block.tone == "lead":
                    text(11, INK, "B")
                else:
                    text(9, MUTED if block.tone == "muted" else INK)
                pdf.multi_cell(0, 5 if block.tone == "lead" else 4.6, block.text, new_x="LMARGIN", new_y="NEXT",
                               align="L")
                pdf.ln(1.5)
            elif isinstance(block, Subheading):
                if pdf.will_page_break(25):
                    pdf.add_page()
                pdf.ln(1.5)
                text(10.5, INK, "B")
                pdf.multi_cell(0, 5.5, block.text, new_x="LMARGIN", new_y="NEXT", align="L")
                pdf.ln(0.5)
            elif isinstance(block, Bullets):
                text(9)
                for item in block.items:
                    pdf.set_x(pdf.l_margin + 2)
                    pdf.cell(4, 4.6, "•")
                    pdf.multi_cell(pdf.epw - 6, 4.6, item, new_x="LMARGIN", new_y="NEXT", align="L")
                pdf.ln(1.5)
            elif isinstance(block, Table):
                table(block)
        if section.page_break_after:
            pdf.add_page()
    pdf.ln(4)
    text(7.5, MUTED)
    pdf.multi_cell(0, 4, doc.footer, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
