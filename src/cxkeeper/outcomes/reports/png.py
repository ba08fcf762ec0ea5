"""A PDF as one PNG: every page rendered by pypdfium2 and stacked top to bottom."""

from __future__ import annotations

import io

PNG_SCALE = 1.5  # PDF points → pixels for --format png (108 dpi): readable, not huge


def pdf_to_png(pdf_bytes: bytes, *, scale: float = PNG_SCALE, first_page_only: bool = False) -> bytes:
    """Every page rendered and stacked top to bottom, a grey gap between pages (or the first page only)."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(pdf_bytes)
    try:
        count = 1 if first_page_only else len(document)
        pages = [document[i].render(scale=scale).to_pil().convert("RGB") for i in range(count)]
    finally:
        document.close()
    gap = 0 if len(pages) == 1 else max(6, round(8 * scale))
    width = max(p.width for p in pages)
    height = sum(p.height for p in pages) + gap * (len(pages) - 1)
    sheet = Image.new("RGB", (width, height), (203, 208, 218))
    y = 0
    for page in pages:
        sheet.paste(page, (0, y))
        y += page.height + gap
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()
