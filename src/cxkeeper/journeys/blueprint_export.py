"""The service blueprint as a file: SVG, PNG and PDF (issue 14, docs/decisions/0037).

One layout, two painters. `layout()` places the blueprint the way the page shows it — stages
as columns, the four lanes as rows, a card per step with its name wrapped, its channel and its
teams (O owns, C contributes, I informed, * lead) — in pixel units, measuring text with the
vendored DejaVu Sans. `to_svg()` paints that layout as SVG (every text escaped), `to_png()`
rasterises the SVG with vl-convert, and `to_pdf()` paints it again with fpdf2 on landscape A4
pages, a few stages a page, followed by the journey as text, stage by stage, for screen
readers and for copying.

A highlighted team's steps get a thick border, a "◆ <team>" marker and the legend says so;
the other steps are dimmed but stay legible — never colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from xml.sax.saxutils import escape

from cxkeeper.core.fonts import FONT_DIR, FONT_FAMILY
from cxkeeper.journeys.queries import Blueprint, StepCard

FORMATS = ("svg", "png", "pdf")
CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}

INK, MUTED, LINE, BRAND, BAD = "#1d2433", "#5a6375", "#d9dee8", "#2546a8", "#b3261e"
HIGHLIGHT_FILL, HIGHLIGHT_LINE = "#fff7d6", "#1d2433"
STAGE_FILL = "#eef1f7"
LANE_FILL = {"customer_action": "#eef4ff", "frontstage": "#eefaf3", "backstage": "#fff6ea",
             "support_system": "#f4f0fb"}
ROLE_WORDS = {"O": "owns", "C": "contributes", "I": "informed"}

# Sizes in pixels (SVG user units).
MARGIN, LANE_W, STAGE_W, GAP, PAD = 24, 150, 230, 2, 8
NAME_SIZE, SMALL_SIZE, HEAD_SIZE, TITLE_SIZE = 12.5, 10.5, 13, 20
LINE_H = 1.3
MAX_NAME_LINES = 6
PNG_SCALE = 1.5
STAGES_PER_PDF_PAGE = 4


@cache
def _font(bold: bool, size: float):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size=size * 8)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return _font(bold, size).getlength(text) / 8


def wrap(text: str, width: float, size: float, bold: bool = False, max_lines: int = MAX_NAME_LINES) -> list[str]:
    """Words into lines no wider than `width`; a word too long for a line is cut; the last line
    ends with "…" when the text needs more than `max_lines`."""
    lines: list[str] = []
    current = ""
    for word in " ".join(str(text).split()).split(" "):
        while text_width(word, size, bold) > width:  # a very long word: cut it
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size, bold) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size, bold) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def clip(text: str, width: float, size: float, bold: bool = False) -> str:
    return wrap(text, width, size, bold, max_lines=1)[0]


# ---------------------------------------------------------------- the layout


@dataclass
class Text:
    x: float
    y: float          # baseline
    text: str
    size: float
    bold: bool = False
    colour: str = INK


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str = "#ffffff"
    stroke: str = LINE
    stroke_width: float = 1.0
    dashed: bool = False
    dimmed: bool = False
    radius: float = 0.0
    texts: list[Text] = field(default_factory=list)
    label: str = ""   # what a screen reader hears for a step card


@dataclass
class Layout:
    width: float
    height: float
    title: str
    summary: str
    boxes: list[Box]
    legend: list[str]


def _summary(bp: Blueprint) -> str:
    def n(count, one, many):
        return f"{count} {one if count == 1 else many}"

    text = (f"{n(bp.n_steps, 'step', 'steps')} in {n(len(bp.stages), 'stage', 'stages')}, "
            f"{n(len(bp.teams), 'team', 'teams')} involved.")
    if bp.highlight is not None:
        text += f" {bp.highlight.name} is responsible for {bp.n_highlighted} of them (marked ◆)."
    if bp.unowned:
        text += f" {n(len(bp.unowned), 'step has', 'steps have')} no owner."
    return text


def _legend(bp: Blueprint) -> list[str]:
    legend = ["Roles: O owns · C contributes · I informed · * lead owner."]
    if bp.highlight is not None:
        legend.append(f"◆ and a thick dark border: a step {bp.highlight.name} is responsible for; "
                      "the other steps are dimmed.")
    if bp.unowned:
        legend.append("Dashed red border and “No owner”: no team owns the step.")
    return legend


def _card(card: StepCard, bp: Blueprint, x: float, y: float) -> Box:
    inner = STAGE_W - 2 * GAP - 2 * PAD - 8
    texts: list[Text] = []
    cy = y + PAD
    if card.highlighted:
        cy += SMALL_SIZE * LINE_H
        texts.append(Text(x + PAD + 4, cy - 2, clip(f"◆ {bp.highlight.name}", inner, SMALL_SIZE, True),
                          SMALL_SIZE, True, INK))
    for line in wrap(card.step.name, inner, NAME_SIZE, True):
        cy += NAME_SIZE * LINE_H
        texts.append(Text(x + PAD + 4, cy - 3, line, NAME_SIZE, True, INK))
    if not card.owned:
        cy += SMALL_SIZE * LINE_H
        texts.append(Text(x + PAD + 4, cy - 2, "No owner", SMALL_SIZE, True, BAD))
    if card.step.channel:
        cy += SMALL_SIZE * LINE_H
        texts.append(Text(x + PAD + 4, cy - 2, clip(f"Channel: {card.step.channel}", inner, SMALL_SIZE),
                          SMALL_SIZE, False, MUTED))
    for team, letter, lead in card.chips:
        cy += SMALL_SIZE * LINE_H
        marker = " ◆" if bp.highlight is not None and team.pk == bp.highlight.pk else ""
        texts.append(Text(x + PAD + 4, cy - 2, clip(f"{letter}{'*' if lead else ''}  {team.name}{marker}", inner,
                                                     SMALL_SIZE), SMALL_SIZE, False, INK))
    if not card.chips:
        cy += SMALL_SIZE * LINE_H
        texts.append(Text(x + PAD + 4, cy - 2, "no team", SMALL_SIZE, False, BAD))
    height = cy - y + PAD
    roles = "; ".join(f"{t.name} {ROLE_WORDS[letter]}{' (lead)' if lead else ''}" for t, letter, lead in card.chips)
    return Box(
        x + 4, y, STAGE_W - 2 * GAP - 8, height,
        fill=HIGHLIGHT_FILL if card.highlighted else "#ffffff",
        stroke=BAD if not card.owned else (HIGHLIGHT_LINE if card.highlighted else LINE),
        stroke_width=3.0 if card.highlighted else (2.0 if not card.owned else 1.0),
        dashed=not card.owned,
        dimmed=bp.highlight is not None and not card.highlighted,
        radius=5, texts=texts,
        label=f"Step {card.step.name}" + (f": {roles}" if roles else ": no team") +
              (f" (a step of {bp.highlight.name})" if card.highlighted else ""),
    )


def layout(bp: Blueprint, stages: slice = slice(None)) -> Layout:
    """The blueprint (or the stages in `stages`) placed in pixels."""
    chosen = list(range(len(bp.stages)))[stages]
    width = 2 * MARGIN + LANE_W + STAGE_W * max(len(chosen), 1)
    boxes: list[Box] = []
    y = MARGIN + TITLE_SIZE * 1.2 + 8 + SMALL_SIZE * LINE_H * 2
    # stage headers
    heads = [wrap(f"{i + 1}. {bp.stages[i].name}", STAGE_W - 2 * PAD - GAP, HEAD_SIZE, True, 3) for i in chosen]
    head_h = max([len(h) for h in heads] + [1]) * HEAD_SIZE * LINE_H + 2 * PAD
    boxes.append(Box(MARGIN, y, LANE_W - GAP, head_h, fill=STAGE_FILL, stroke=STAGE_FILL,
                     texts=[Text(MARGIN + PAD, y + PAD + SMALL_SIZE, "Lane \\ Stage", SMALL_SIZE, False, MUTED)]))
    for column, lines in enumerate(heads):
        x = MARGIN + LANE_W + column * STAGE_W
        texts = [Text(x + PAD, y + PAD + (k + 1) * HEAD_SIZE * LINE_H - 3, line, HEAD_SIZE, True)
                 for k, line in enumerate(lines)]
        boxes.append(Box(x, y, STAGE_W - GAP, head_h, fill=STAGE_FILL, stroke=STAGE_FILL, texts=texts))
    y += head_h + GAP
    for row in bp.rows:
        cards_by_column = []
        heights = []
        for column, index in enumerate(chosen):
            x = MARGIN + LANE_W + column * STAGE_W
            cy = y + PAD
            cards = []
            for card in row.cells[index]:
                box = _card(card, bp, x, cy)
                cards.append(box)
                cy += box.h + 6
            cards_by_column.append(cards)
            heights.append(cy - y + PAD - 6)
        row_h = max(heights + [3 * SMALL_SIZE + 2 * PAD,
                               len(wrap(row.label, LANE_W - 2 * PAD, HEAD_SIZE, True)) * HEAD_SIZE * LINE_H + 2 * PAD])
        fill = LANE_FILL.get(row.lane, "#ffffff")
        lane_lines = wrap(row.label, LANE_W - 2 * PAD - GAP, HEAD_SIZE - 1, True, 3)
        boxes.append(Box(MARGIN, y, LANE_W - GAP, row_h, fill=fill, stroke=fill,
                         texts=[Text(MARGIN + PAD, y + PAD + (k + 1) * (HEAD_SIZE - 1) * LINE_H - 3, line,
                                     HEAD_SIZE - 1, True) for k, line in enumerate(lane_lines)]))
        for column in range(len(chosen)):
            x = MARGIN + LANE_W + column * STAGE_W
            boxes.append(Box(x, y, STAGE_W - GAP, row_h, fill=fill, stroke=fill))
            boxes.extend(cards_by_column[column])
        y += row_h + GAP
    legend = _legend(bp)
    height = y + 10 + len(legend) * SMALL_SIZE * LINE_H * 1.2 + MARGIN
    part = ""
    if chosen and len(chosen) < len(bp.stages):
        part = f" — stages {chosen[0] + 1} to {chosen[-1] + 1} of {len(bp.stages)}"
    return Layout(width, height, f"{bp.journey.name}{part}", _summary(bp), boxes, legend)


# ---------------------------------------------------------------- SVG


def _attr(value: str) -> str:
    return escape(str(value), {'"': "&quot;"})


def to_svg(bp: Blueprint) -> str:
    """The whole blueprint as one SVG document (UTF-8 text, every name escaped)."""
    lay = layout(bp)
    font = f"font-family=\"{FONT_FAMILY}, DejaVu Sans, Verdana, sans-serif\""
    highlight = f" highlighting {bp.highlight.name}" if bp.highlight is not None else ""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" height="{lay.height:.0f}" '
        f'viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" role="img" aria-labelledby="bp-title bp-desc" '
        f'xml:lang="en" {font}>',
        f'<title id="bp-title">Service blueprint of {_attr(bp.journey.name)}{_attr(highlight)}</title>',
        f'<desc id="bp-desc">{_attr(lay.summary)} Stages are columns; lanes are rows, from what the customer '
        f'does to the systems that support it.</desc>',
        f'<rect x="0" y="0" width="{lay.width:.0f}" height="{lay.height:.0f}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + TITLE_SIZE:.1f}" font-size="{TITLE_SIZE}" font-weight="bold" '
        f'fill="{INK}">{_attr(clip("Service blueprint: " + bp.journey.name, lay.width - 2 * MARGIN, TITLE_SIZE, True))}'
        '</text>',
    ]
    y = MARGIN + TITLE_SIZE * 1.2 + 8
    for line in wrap(lay.summary, lay.width - 2 * MARGIN, SMALL_SIZE, max_lines=2):
        y += SMALL_SIZE * LINE_H
        out.append(f'<text x="{MARGIN}" y="{y:.1f}" font-size="{SMALL_SIZE}" fill="{MUTED}">{_attr(line)}</text>')
    for box in lay.boxes:
        attrs = ' opacity="0.55"' if box.dimmed else ""
        group = f'<g class="step{" highlighted" if box.stroke_width >= 3 else ""}"{attrs}' + (
            f' role="img" aria-label="{_attr(box.label)}">' if box.label else ">")
        out.append(group)
        dash = ' stroke-dasharray="6 4"' if box.dashed else ""
        out.append(f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
                   f'rx="{box.radius}" fill="{box.fill}" stroke="{box.stroke}" '
                   f'stroke-width="{box.stroke_width}"{dash}/>')
        for t in box.texts:
            weight = ' font-weight="bold"' if t.bold else ""
            out.append(f'<text x="{t.x:.1f}" y="{t.y:.1f}" font-size="{t.size}"{weight} fill="{t.colour}">'
                       f'{_attr(t.text)}</text>')
        out.append("</g>")
    y = lay.height - MARGIN - len(lay.legend) * SMALL_SIZE * LINE_H * 1.2
    for line in lay.legend:
        y += SMALL_SIZE * LINE_H * 1.2
        out.append(f'<text x="{MARGIN}" y="{y:.1f}" font-size="{SMALL_SIZE}" fill="{INK}">{_attr(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- PNG

_fonts_registered = False


def to_png(bp: Blueprint, *, scale: float = PNG_SCALE) -> bytes:
    import vl_convert as vlc

    global _fonts_registered
    if not _fonts_registered:
        vlc.register_font_directory(str(FONT_DIR))
        _fonts_registered = True
    return bytes(vlc.svg_to_png(to_svg(bp), scale=scale))


# ---------------------------------------------------------------- PDF


def outline(bp: Blueprint) -> list[tuple[str, list[str]]]:
    """The journey as text, stage by stage: (stage heading, one sentence per step)."""
    sections = []
    for index, stage in enumerate(bp.stages):
        lines = []
        for row in bp.rows:
            for card in row.cells[index]:
                teams = "; ".join(f"{t.name} {ROLE_WORDS[letter]}{' (lead owner)' if lead else ''}"
                                  for t, letter, lead in card.chips) or "no team is responsible"
                mark = f" ◆ a step of {bp.highlight.name}." if card.highlighted else ""
                owner = "" if card.owned else " No team owns it."
                channel = f", channel {card.step.channel}" if card.step.channel else ""
                lines.append(f"{card.step.name} ({row.label.lower()}{channel}): {teams}.{owner}{mark}")
        sections.append((f"Stage {index + 1}: {stage.name}", lines or ["No steps in this stage yet."]))
    return sections


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _mix(colour: str, amount: float) -> tuple[int, int, int]:
    """`colour` faded towards white by `amount` (0..1): how a dimmed card looks on paper."""
    return tuple(round(c + (255 - c) * amount) for c in _rgb(colour))


def to_pdf(bp: Blueprint) -> bytes:
    from fpdf import FPDF

    from cxkeeper import __version__

    title = f"Service blueprint: {bp.journey.name}"
    if bp.highlight is not None:
        title += f" ({bp.highlight.name} highlighted)"

    class BlueprintPdf(FPDF):
        def footer(self):
            self.set_y(-10)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(*_rgb(MUTED))
            self.cell(self.epw * 0.8, 5, f"cxkeeper · {title}")
            self.cell(self.epw * 0.2, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf = BlueprintPdf(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_lang("en")
    pdf.set_author("cxkeeper")
    pdf.set_subject(_summary(bp))
    pdf.set_creator(f"cxkeeper {__version__}")
    pdf.set_display_mode("fullpage")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=14)
    pdf.alias_nb_pages()

    chunks = [slice(i, i + STAGES_PER_PDF_PAGE) for i in range(0, max(len(bp.stages), 1), STAGES_PER_PDF_PAGE)]
    for number, chunk in enumerate(chunks):
        pdf.add_page()
        if number == 0:
            pdf.start_section("The blueprint")
        _paint(pdf, layout(bp, chunk))
    pdf.add_page()
    pdf.start_section("The journey, stage by stage")
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_text_color(*_rgb(INK))
    pdf.multi_cell(0, 8, f"{bp.journey.name}: the journey, stage by stage", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_text_color(*_rgb(MUTED))
    pdf.multi_cell(0, 5, _summary(bp) + " The same content as the drawing, as text.", new_x="LMARGIN",
                   new_y="NEXT")
    for heading, lines in outline(bp):
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.ln(3)
        pdf.start_section(heading, level=1)
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_text_color(*_rgb(BRAND))
        pdf.multi_cell(0, 6.5, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9.5)
        pdf.set_text_color(*_rgb(INK))
        for line in lines:
            pdf.set_x(pdf.l_margin + 2)
            pdf.cell(4, 5, "•")
            pdf.multi_cell(pdf.epw - 6, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8.5)
    for line in _legend(bp):
        pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _paint(pdf, lay: Layout) -> None:
    """One layout scaled to fit the page (both ways), painted with fpdf2."""
    scale = min(pdf.epw / lay.width, (pdf.eph - 4) / lay.height)  # mm per pixel
    pt = scale * 72 / 25.4  # points per pixel, for font sizes
    x0, y0 = pdf.l_margin, pdf.t_margin

    def text(t: Text, fade: float = 0.0):
        pdf.set_font("DejaVu", "B" if t.bold else "", t.size * pt)
        pdf.set_text_color(*(_mix(t.colour, fade) if fade else _rgb(t.colour)))
        pdf.text(x0 + t.x * scale, y0 + t.y * scale, t.text)

    auto = pdf.auto_page_break
    pdf.set_auto_page_break(False)
    text(Text(MARGIN, MARGIN + TITLE_SIZE, clip("Service blueprint: " + lay.title, lay.width - 2 * MARGIN,
                                                 TITLE_SIZE, True), TITLE_SIZE, True))
    y = MARGIN + TITLE_SIZE * 1.2 + 8
    for line in wrap(lay.summary, lay.width - 2 * MARGIN, SMALL_SIZE, max_lines=2):
        y += SMALL_SIZE * LINE_H
        text(Text(MARGIN, y, line, SMALL_SIZE, False, MUTED))
    for box in lay.boxes:
        fade = 0.45 if box.dimmed else 0.0
        pdf.set_fill_color(*_mix(box.fill, fade))
        pdf.set_draw_color(*_mix(box.stroke, fade))
        pdf.set_line_width(box.stroke_width * scale)
        pdf.set_dash_pattern(dash=6 * scale, gap=4 * scale) if box.dashed else pdf.set_dash_pattern()
        if box.radius:
            pdf.rect(x0 + box.x * scale, y0 + box.y * scale, box.w * scale, box.h * scale, style="DF",
                     round_corners=True, corner_radius=box.radius * scale)
        else:
            pdf.rect(x0 + box.x * scale, y0 + box.y * scale, box.w * scale, box.h * scale, style="DF")
        pdf.set_dash_pattern()
        for t in box.texts:
            text(t, fade * 0.8)
    y = lay.height - MARGIN - len(lay.legend) * SMALL_SIZE * LINE_H * 1.2
    for line in lay.legend:
        y += SMALL_SIZE * LINE_H * 1.2
        text(Text(MARGIN, y, line, SMALL_SIZE))
    pdf.set_auto_page_break(auto, margin=14)


def render(bp: Blueprint, fmt: str) -> bytes:
    """The blueprint in `fmt` (svg, png or pdf) as bytes."""
    if fmt == "svg":
        return to_svg(bp).encode("utf-8")
    if fmt == "png":
        return to_png(bp)
    if fmt == "pdf":
        return to_pdf(bp)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def filename(bp: Blueprint, fmt: str) -> str:
    team = f"-{bp.highlight.slug}" if bp.highlight is not None else ""
    return f"blueprint-{bp.journey.slug}{team}.{fmt}"


__all__ = ["CONTENT_TYPES", "FORMATS", "filename", "layout", "outline", "render", "to_pdf", "to_png", "to_svg"]
