"""Printings as a scanner sees them: the renderer's PDF rasterized into page images.

Small agencies often publish a scan: a PDF holding one image per page and no text layer, or
table 3 as a picture. This module makes such printings from report values, so the OCR tests
and benchmarks read exactly what the renderer printed, with the damage a scan adds.

>>> from govreports.render import ReportValues
>>> from govreports.render.scan import mixed_pdf, render_pages, scanned_pdf
>>> pages = render_pages(ReportValues.synthetic(3), dpi=150)       # one PIL image per page
>>> data = scanned_pdf(ReportValues.synthetic(3), dpi=150, skew=1.5, jpeg_quality=40)
>>> data[:4]
b'%PDF'
>>> mixed_pdf(ReportValues.synthetic(3), scanned=(2,))[:4]       # page 2 a scan, page 1 text
b'%PDF'

Degradations (all optional, applied in this order): ``skew`` (degrees, counter-clockwise,
white fill), ``noise`` (standard deviation of Gaussian grey-level noise, 0-255 scale),
``jpeg_quality`` (the page images saved as JPEG at that quality). ``seed`` fixes the noise.
"""
from __future__ import annotations

import io
from pathlib import Path

from .values import ReportValues

DEGRADED = {"jpeg_quality": 40, "skew": 1.5, "noise": 12.0}  # the degraded copy the tests and benchmarks use


def rasterize(pdf: bytes, dpi: int = 200) -> list:
    """Given a PDF's bytes, return its pages as greyscale PIL images at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(doc))]
    finally:
        doc.close()


def degrade(image, skew: float = 0.0, noise: float = 0.0, jpeg_quality: int | None = None, seed: int = 0):
    """Given a page image, return it skewed, noisy and JPEG-compressed as asked."""
    import numpy as np
    from PIL import Image

    img = image.convert("L")
    if skew:
        img = img.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if noise:
        rng = np.random.default_rng(seed)
        arr = np.asarray(img, dtype=np.float32) + rng.normal(0.0, noise, (img.height, img.width))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if jpeg_quality:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(jpeg_quality))
        img = Image.open(io.BytesIO(buf.getvalue()))
        img.load()
    return img


def font_file() -> str:
    """The TrueType CJK font the scans print with (SimHei, shipped by ``mplfonts``): embedded,
    so the rasterizer draws the characters without any system font."""
    import mplfonts

    path = Path(mplfonts.__file__).resolve().parent / "fonts" / "SimHei.ttf"
    if not path.exists():
        raise FileNotFoundError(f"{path}: mplfonts no longer ships SimHei.ttf; pass pdf_options={{'font_file': ...}}")
    return str(path)


def render_pages(values: ReportValues, dpi: int = 200, pdf_options: dict | None = None, **damage) -> list:
    """Print ``values`` as the renderer's PDF (with an embedded CJK font) and return its pages as
    images, damaged as asked (``skew``, ``noise``, ``jpeg_quality``, ``seed``: see :func:`degrade`)."""
    from .pdf import render as render_pdf

    options = {"font_file": font_file(), **(pdf_options or {})}
    pages = rasterize(render_pdf(values, **options), dpi)
    seed = int(damage.pop("seed", 0))
    return [degrade(p, seed=seed + i, **damage) if damage else p for i, p in enumerate(pages)]


def images_to_pdf(images: list, dpi: int = 200) -> bytes:
    """Given page images, return a PDF holding one image per page and no text layer (a scan)."""
    buf = io.BytesIO()
    first, rest = images[0].convert("L"), [im.convert("L") for im in images[1:]]
    first.save(buf, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return buf.getvalue()


def scanned_pdf(values: ReportValues, dpi: int = 200, pdf_options: dict | None = None, **damage) -> bytes:
    """Print ``values`` as a scanned PDF: page images only, no text layer."""
    return images_to_pdf(render_pages(values, dpi, pdf_options, **damage), dpi)


def mixed_pdf(values: ReportValues, scanned: tuple[int, ...] = (2,), dpi: int = 200,
              pdf_options: dict | None = None, **damage) -> bytes:
    """Print ``values`` as the renderer's PDF with the pages numbered in ``scanned`` (from 1)
    replaced by their scans (an image, no text layer), the others kept with their text layer:
    a report assembled from a printout and a scanned table."""
    import pypdfium2 as pdfium

    from .pdf import render as render_pdf

    text = render_pdf(values, **{"font_file": font_file(), **(pdf_options or {})})
    src = pdfium.PdfDocument(text)
    pages = rasterize(text, dpi)
    seed = int(damage.pop("seed", 0))
    images = [degrade(pages[n - 1], seed=seed + n, **damage) if damage else pages[n - 1]
              for n in scanned if 1 <= n <= len(pages)]
    scan = pdfium.PdfDocument(images_to_pdf(images, dpi)) if images else None
    out = pdfium.PdfDocument.new()
    k = 0
    for i in range(len(src)):
        if i + 1 in scanned and scan is not None:
            out.import_pages(scan, [k])
            k += 1
        else:
            out.import_pages(src, [i])
    buf = io.BytesIO()
    out.save(buf)
    for d in (out, scan, src):
        if d is not None:
            d.close()
    return buf.getvalue()


def page_png(image) -> bytes:
    """Given a page image, return its PNG bytes."""
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()
