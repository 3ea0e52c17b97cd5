"""Page images → printed lines of cells, by OCR (RapidOCR, PP-OCRv4 models inside the wheel).

Scanned PDFs (pages without a text layer), ``.png``/``.jpg``/``.tif`` files and table images
come through here and leave as the same :class:`~govreports.readers.base.Line` objects every
other reader produces, so placement, identities and findings are shared. The pipeline, one page
at a time, each step a small function:

``to_gray`` → ``deskew`` (the angle whose row profile is sharpest) → ``find_tables`` (ruling
lines by morphology → the table's cell rectangles) → ``recognize`` (RapidOCR: words with boxes
and confidences; text found on a reduced copy, read at full resolution, short crops such as a
cell's number read several to a strip: :func:`read_short`) → ``page_items`` (words into grid
cells; a cell with ink but no word read again on its own crop; a lone ``0`` read with low
confidence confirmed by its shape, :func:`is_zero_ring`; text outside the tables as lines,
cut where a wide gap separates words).

Every OCR'd cell's location names the page, grid row and column and the cell's box in pixels
of the deskewed page (``page 3 (OCR) row 5 col 2 [812,640,1010,690]``); its confidence and
what was read are kept in ``Document.cache['ocr']`` (location → :class:`CellRead`), which
:mod:`govreports.ocr_review` uses after parsing: a doubtful number is confirmed by the
template's identities, or left missing and flagged ``ocr_doubt``.

Nothing is downloaded at run time: the models ship inside ``rapidocr-onnxruntime``. Without it
a scan raises :class:`ReportError` naming the extra to install (:data:`INSTALL_HINT`).

>>> from govreports.render import ReportValues
>>> from govreports.render.scan import scanned_pdf
>>> import govreports as gr
>>> r = gr.read_report(scanned_pdf(ReportValues.synthetic(3)), name="scan.pdf")  # doctest: +SKIP
>>> r.meta.format                                                              # doctest: +SKIP
'pdf-ocr'
"""
from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

import numpy as np

from ..exceptions import ReportError
from .base import Cell, Document, Line

INSTALL_HINT = "pip install 'govreports[ocr]'"
DPI = 200                # pages of a PDF are rendered at this resolution
CONFIDENCE = 0.80        # a number read with less is doubtful until the identities confirm it
SURE = 0.95              # a reading this sure is not blamed for failing identities (ocr_review)
MAX_SKEW = 4.0           # degrees searched by deskew
DET_SIDE = 850           # text is detected on a copy of the page this many pixels on its short side
_DIGITS_LIKE = str.maketrans({"o": "0", "O": "0", "〇": "0", "D": "0", "l": "1", "I": "1", "|": "1",
                              "，": ",", "。": ".", "．": "."})
_FULL_WIDTH = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)})  # ０-９: the same digits
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZERO_LIKE = frozenset({"o", "O", "〇", "。", "°", "º"})
_ILLEGIBLE = re.compile(r"^[.。·,，、'‘’`\"“”:：;；]+$")


@dataclass(slots=True)
class Word:
    """One text box RapidOCR read: its text, confidence and box (x0, y0, x1, y1) in pixels."""

    text: str
    conf: float
    box: tuple[int, int, int, int]

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@dataclass(slots=True)
class CellRead:
    """What OCR made of one table cell: the text it gives the parser, the raw reading, the
    lowest word confidence, and ``status``: ``ok``, ``doubt`` (below :data:`CONFIDENCE`, or a
    letter read as a digit: ``o`` → ``0``), ``ring`` (a ``0`` read below :data:`SURE` whose glyph
    :func:`is_zero_ring` confirms: sure) or ``unread`` (ink in the cell but nothing
    legible: the cell is left missing, never blank). ``note`` says why a confident reading is
    doubtful (a minus sign the recogniser may have dropped)."""

    text: str
    raw: str
    conf: float
    status: str
    box: tuple[int, int, int, int]
    note: str = ""


# --------------------------------------------------------------------------- engine
@functools.lru_cache(maxsize=1)
def engine():
    """The RapidOCR engine (one per process; one thread, so worker processes share cores fairly).
    Raises ImportError when the ``[ocr]`` extra is not installed."""
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(text_score=0.3, use_cls=False, intra_op_num_threads=1, inter_op_num_threads=1)


def scan_dpi(page) -> int:
    """The resolution to render a scanned pdfplumber page at: its largest image's own (one
    image pixel per rendered pixel; resampling a 150-dpi scan to 200 blurs small digits),
    within 120–400 dpi; :data:`DPI` when the page says nothing usable."""
    best = None
    for im in page.images or []:
        try:
            px, width = float(im["srcsize"][0]), float(im["x1"] - im["x0"])
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if width > 0.5 * float(page.width) and px > 0:
            best = max(best or 0.0, px * 72.0 / width)
    return int(round(min(400.0, max(120.0, best)))) if best else DPI


def available() -> bool:
    """Whether the OCR engine is installed."""
    try:
        import cv2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def require(source: str, what: str) -> None:
    """Raise ReportError naming the extra to install when OCR is not available."""
    if not available():
        raise ReportError(source, f"{what}; OCR needed: install the OCR extra ({INSTALL_HINT})")


# --------------------------------------------------------------------------- image steps
def to_gray(image):
    """Given a PIL image or an array, return a greyscale uint8 array."""
    import numpy as np

    if hasattr(image, "convert"):
        return np.asarray(image.convert("L"))
    arr = np.asarray(image)
    if arr.ndim == 3:
        import cv2
        arr = cv2.cvtColor(arr, cv2.COLOR_BGR2GRAY if arr.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    return arr.astype("uint8")


def _ink(gray):
    """Binary ink mask (255 where dark) by Otsu's threshold."""
    import cv2

    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw


def skew_angle(gray) -> float:
    """Given a page, return the rotation (degrees) that makes its text lines and ruling lines
    level: the angle whose horizontal projection of the ink is sharpest."""
    import cv2
    import numpy as np

    bw = _ink(gray)
    scale = 800.0 / max(bw.shape)
    small = cv2.resize(bw, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = rot.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5), key=sharpness)
    fine = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1), key=sharpness)
    return round(float(fine), 2)


def deskew(gray):
    """Given a page, return ``(page levelled, angle)``; a page within 0.15° is left as is."""
    import cv2

    angle = skew_angle(gray)
    if abs(angle) < 0.15:
        return gray, 0.0
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255), angle


def _line_masks(gray):
    """The page's long horizontal and vertical strokes (ruling lines), as two binary masks."""
    import cv2

    bw = _ink(gray)
    h, w = bw.shape
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 30), 1)))
    vert = cv2.morphologyEx(bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(20, h // 80))))
    return horiz, vert


def _positions(profile, min_count: int) -> list[int]:
    """Centres of the runs of a projection profile at or above ``min_count`` (line positions)."""
    out, run = [], []
    for i, v in enumerate(profile):
        if v >= min_count:
            run.append(i)
        elif run:
            out.append((run[0] + run[-1]) // 2)
            run = []
    if run:
        out.append((run[0] + run[-1]) // 2)
    return out


def find_tables(gray) -> list[tuple[tuple[int, int, int, int], list[tuple[int, int, int, int, tuple]]]]:
    """Given a levelled page, return its ruled tables: ``(bbox, cells)``, each cell
    ``(r0, r1, c0, c1, box)`` on the table's grid of ruling lines (end exclusive), ``box`` its
    interior in pixels.

    The ruling lines are the long strokes (morphological opening, so speckle and letters never
    count); a grid slot joins its neighbour where no line separates them (a merged cell)."""
    import cv2

    horiz, vert = _line_masks(gray)
    h, w = gray.shape
    grid = cv2.dilate(cv2.bitwise_or(horiz, vert), cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    out = []
    n, _, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    for i in range(1, n):
        x, y, bw_, bh, _ = stats[i]
        if bw_ < w // 4 or bh < 20:
            continue
        hz = horiz[y:y + bh, x:x + bw_] > 0
        vt = vert[y:y + bh, x:x + bw_] > 0
        ys = _positions(hz.sum(axis=1), max(20, w // 30))
        xs = _positions(vt.sum(axis=0), max(20, h // 80))
        if len(xs) < 2 or len(ys) < 2:
            continue
        nr, nc = len(ys) - 1, len(xs) - 1
        parent = list(range(nr * nc))

        def root(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        def ruled(mask, fixed, lo, hi, vertical) -> bool:
            lo, hi = lo + (hi - lo) // 5, hi - (hi - lo) // 5
            band = mask[lo:hi, max(0, fixed - 3):fixed + 4] if vertical else mask[max(0, fixed - 3):fixed + 4, lo:hi]
            along = band.any(axis=1) if vertical else band.any(axis=0)
            return along.size > 0 and along.mean() > 0.5

        for r in range(nr):
            for c in range(nc):
                if c + 1 < nc and not ruled(vt, xs[c + 1], ys[r], ys[r + 1], True):
                    parent[root(r * nc + c + 1)] = root(r * nc + c)
                if r + 1 < nr and not ruled(hz, ys[r + 1], xs[c], xs[c + 1], False):
                    parent[root((r + 1) * nc + c)] = root(r * nc + c)
        groups: dict[int, list[tuple[int, int]]] = {}
        for r in range(nr):
            for c in range(nc):
                groups.setdefault(root(r * nc + c), []).append((r, c))
        cells = []
        for slots in groups.values():
            r0, r1 = min(s[0] for s in slots), max(s[0] for s in slots) + 1
            c0, c1 = min(s[1] for s in slots), max(s[1] for s in slots) + 1
            box = (x + xs[c0] + 2, y + ys[r0] + 2, x + xs[c1] - 2, y + ys[r1] - 2)
            cells.append((r0, r1, c0, c1, tuple(int(v) for v in box)))
        if len(cells) >= 2:
            out.append(((int(x), int(y), int(x + bw_), int(y + bh)), sorted(cells)))
    return out


def recognize(gray, det: bool = True) -> list[Word]:
    """Given an image, return the words RapidOCR reads (``det=False``: the whole image is one
    text line, e.g. a cell's crop).

    Text is found (detection) on a copy whose short side is :data:`DET_SIDE` pixels and read
    (recognition) on the engine's full-resolution crops of the boxes found: detection costs by
    the pixel and finds printed lines as well at that size, recognition needs the detail."""
    import numpy as np

    img = np.ascontiguousarray(gray)
    eng = engine()
    if not det:
        result, _ = eng(img, use_det=False, use_cls=False, use_rec=True)
        h, w = img.shape[:2]
        return [Word(str(t).strip(), float(s), (0, 0, w, h)) for t, s in (result or []) if str(t).strip()]
    words = []
    for box, text, score in _detect_read(eng, img):
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        if str(text).strip():
            words.append(Word(str(text).strip(), float(score),
                              (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)))))
    return words


def _detect_read(eng, img) -> list:
    """``(box, text, score)`` of every text line: detection on a reduced copy, recognition on the
    engine's own resolution. Shapes the engine pads first (thin strips) take its own path."""
    import cv2
    import numpy as np

    h, w = img.shape[:2]
    if h <= eng.min_height or w / h > eng.width_height_ratio:
        result, _ = eng(img)
        return result or []
    bgr = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img
    full, ratio_h, ratio_w = eng.preprocess(bgr)
    scale = min(1.0, DET_SIDE / min(full.shape[:2]))
    small = cv2.resize(full, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else full
    boxes, _ = eng.auto_text_det(small)
    if not boxes:
        return []
    boxes = [np.asarray(b, dtype=np.float32) / scale for b in boxes]
    imgh, imgw = eng.text_rec.rec_image_shape[1:]
    short = [i for i, b in enumerate(boxes) if _box_ratio(b) < imgw / imgh]
    long_ = [i for i in range(len(boxes)) if i not in set(short)]
    texts: dict[int, tuple[str, float]] = {}
    if long_:
        read, _ = eng.text_rec(eng.get_crop_img_list(full, [boxes[i] for i in long_]))
        texts.update(zip(long_, read))
    texts.update(zip(short, read_short(eng, [_upright_crop(full, boxes[i]) for i in short])))
    return [((boxes[i] * np.float32([ratio_w, ratio_h])).tolist(), *texts[i])
            for i in range(len(boxes)) if texts[i][1] >= eng.text_score]


def _box_ratio(box) -> float:
    w = max(float(box[:, 0].max() - box[:, 0].min()), 1.0)
    return w / max(float(box[:, 1].max() - box[:, 1].min()), 1.0)


def _upright_crop(img, box):
    """The box's bounding rectangle cut from the (levelled) page, never turned."""
    h, w = img.shape[:2]
    x0, y0 = max(0, int(box[:, 0].min())), max(0, int(box[:, 1].min()))
    x1, y1 = min(w, int(np.ceil(box[:, 0].max()))), min(h, int(np.ceil(box[:, 1].max())))
    return img[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)]


STRIP_GAP = 16      # white pixels between two short crops in a strip (at the recogniser's height)
STRIP_WIDTH = 1600  # a strip of short crops is at most this wide (pixels at the recogniser's height)


def read_short(eng, crops: list) -> list[tuple[str, float]]:
    """Given short text crops (a number in a cell, a word), return ``(text, confidence)`` of each.

    The recogniser pads every line it reads to 320 pixels (at its height of 48): most of the cost
    of a table's cells is padding. So the crops are laid side by side with a white gap between
    them, several to a strip, each strip read once, and each character goes back to the crop its
    position in the strip falls in (the recogniser's output steps map to columns of the strip).
    Strips are for numbers: a crop that reads as words (a label) is read again alone, as the
    engine reads a line (labels read in a strip lose some of their context).
    Confidence is the mean of the crop's characters' probabilities, as the engine gives for a
    line; a crop that gets no character reads as nothing. A character that falls in a gap
    between two crops (which crop it belongs to is unsure) sends its neighbours to be read alone."""
    import cv2

    rec = eng.text_rec
    imgh = rec.rec_image_shape[1]
    segments = []
    for c in crops:
        w = max(1, int(round(c.shape[1] * imgh / max(c.shape[0], 1))))
        segments.append(cv2.resize(c, (w, imgh), interpolation=cv2.INTER_LINEAR))
    strips: list[list[int]] = []
    width = 0
    for i, seg in enumerate(segments):
        if not strips or width + STRIP_GAP + seg.shape[1] > STRIP_WIDTH:
            strips.append([])
            width = STRIP_GAP
        strips[-1].append(i)
        width += seg.shape[1] + STRIP_GAP
    out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    unsure: set[int] = set()
    chars = rec.postprocess_op.character
    for first in range(0, len(strips), rec.rec_batch_num):
        batch = strips[first:first + rec.rec_batch_num]
        images, spans = [], []
        for members in batch:
            parts, bounds, x = [], [], STRIP_GAP
            gap = np.full((imgh, STRIP_GAP, 3), 255, np.uint8)
            parts.append(gap)
            for i in members:
                parts += [segments[i], gap]
                bounds.append((i, x, x + segments[i].shape[1]))
                x += segments[i].shape[1] + STRIP_GAP
            images.append(np.hstack(parts))
            spans.append(bounds)
        max_ratio = max(im.shape[1] / imgh for im in images)
        norm = np.concatenate([rec.resize_norm_img(im, max_ratio)[np.newaxis] for im in images]).astype(np.float32)
        preds = rec.session(norm)[0]
        step = norm.shape[3] / preds.shape[1]
        for bounds, pred in zip(spans, preds):
            idx, prob = pred.argmax(axis=1), pred.max(axis=1)
            got: dict[int, list[tuple[str, float]]] = {}
            for t in range(len(idx)):
                if idx[t] == 0 or (t and idx[t] == idx[t - 1]):
                    continue
                x = (t + 0.5) * step
                inside = [i for i, lo, hi in bounds if lo - STRIP_GAP / 4 <= x < hi + STRIP_GAP / 4]
                if inside:
                    got.setdefault(inside[0], []).append((chars[idx[t]], float(prob[t])))
                elif chars[idx[t]].strip():  # a character in a gap: its crop is unsure, read alone
                    unsure.update(i for i, lo, hi in bounds if lo - STRIP_GAP <= x < hi + STRIP_GAP)
            for i, cs in got.items():
                text = "".join(ch for ch, _ in cs).strip()
                if text and _NUMBER.match(text.replace(" ", "").translate(_FULL_WIDTH).translate(_DIGITS_LIKE)):
                    out[i] = (text, sum(p for _, p in cs) / len(cs))
                elif text:  # words, not a number: read alone, as the engine reads a line
                    unsure.add(i)
    if unsure:
        alone, _ = rec([crops[i] for i in sorted(unsure)])
        for i, read in zip(sorted(unsure), alone):
            out[i] = read
    return out


# --------------------------------------------------------------------------- words → cells
def as_number_text(text: str) -> tuple[str, bool]:
    """Given what OCR read in a cell, return ``(text, changed)``: a reading made only of digits
    and letters OCR confuses with digits (``o`` for ``0``, ``l`` for ``1``; a lone ``。``, the
    recogniser's usual reading of a small isolated ``0``) becomes the digits, with ``changed``
    True (the reading stays doubtful until the identities confirm it); anything else is
    returned as read.

    >>> as_number_text("1o")
    ('10', True)
    >>> as_number_text("。")
    ('0', True)
    >>> as_number_text("96171. 6")
    ('96171.6', False)
    >>> as_number_text("０")
    ('0', False)
    >>> as_number_text("（一）予以公开")
    ('（一）予以公开', False)
    """
    s = text.replace(" ", "").translate(_FULL_WIDTH)
    if s in _ZERO_LIKE:  # a lone small circle in a number cell: the recogniser's reading of a 0
        return "0", True
    if not s or _CJK.search(s):
        return text, False
    mapped = s.translate(_DIGITS_LIKE)
    if _NUMBER.match(mapped) and mapped != text:  # letters read for digits, a number cut in two, full-width
        return mapped, mapped != s
    return text, False


def _join(words: list[Word]) -> str:
    """Words of one cell in reading order (lines top to bottom), joined as printed."""
    from .pdf import join_wrapped

    lines: list[list[Word]] = []
    for wd in sorted(words, key=lambda w: w.cy):
        if lines and abs(wd.cy - lines[-1][-1].cy) < 0.5 * (wd.box[3] - wd.box[1]):
            lines[-1].append(wd)
        else:
            lines.append([wd])
    return join_wrapped([" ".join(w.text for w in sorted(ln, key=lambda w: w.cx)) for ln in lines])


def _has_ink(gray, box, margin: int = 4) -> bool:
    """Whether a cell interior holds marks (beyond the ruling lines' edges and speckle)."""
    import cv2

    x0, y0, x1, y1 = box
    crop = gray[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
    if crop.size == 0:
        return False
    dark = (crop < 110).astype("uint8")
    n, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    return any(stats[i][4] >= 6 and stats[i][3] >= 5 for i in range(1, n))


def _ink_crop(gray, box, margin: int = 3):
    """The cell's marks, cut tight (median-filtered, Otsu-binarized, a white border): what the
    recogniser reads best when a whole-page pass missed a lone digit. None when the cell is empty."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = box
    crop = gray[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
    if crop.size == 0:
        return None
    _, bw = cv2.threshold(cv2.medianBlur(crop, 3), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ys, xs = np.where(bw < 128)
    if not len(xs):
        return None
    tight = bw[max(0, ys.min() - 6):ys.max() + 7, max(0, xs.min() - 12):xs.max() + 13]
    return cv2.copyMakeBorder(tight, 4, 4, 4, 4, cv2.BORDER_CONSTANT, value=255)


def is_zero_ring(gray, box, margin: int = 4) -> bool:
    """Whether a cell holds one glyph only and that glyph is a ``0``: one closed stroke around
    one hole, the hole centred and large, the outline convex, taller than wide.

    The recogniser reads a ``0`` printed alone in a cell with low confidence (often as ``。`` or
    ``o``); this check, independent of the recogniser, confirms it. A ``6``, ``9`` or ``4`` (a
    tail or a corner: the outline is not convex), an ``8`` (two holes), ``。``/``o`` (round, not
    tall) and any cell with two marks (``10``) fail. The cell is binarized as it is and, for a
    noisy scan, median-filtered: the glyph passes if either is a ring."""
    import cv2

    x0, y0, x1, y1 = box
    crop = gray[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
    if crop.size == 0:
        return False
    return any(_ring(cv2.threshold(c, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1])
               for c in (crop, cv2.medianBlur(crop, 3)))


def _ring(bw) -> bool:
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    marks = [i for i in range(1, n) if stats[i][4] >= 6 and stats[i][3] >= 5]
    if len(marks) != 1:
        return False
    x, y, w, h, _ = stats[marks[0]]
    if not 1.2 <= h / w <= 2.6:
        return False
    glyph = cv2.copyMakeBorder((labels[y:y + h, x:x + w] == marks[0]).astype("uint8") * 255,
                               1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    contours, hierarchy = cv2.findContours(glyph, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    outer = [c for c, hr in zip(contours, hierarchy[0]) if hr[3] < 0]
    holes = [c for c, hr in zip(contours, hierarchy[0]) if hr[3] >= 0 and cv2.contourArea(c) >= 2]
    if len(outer) != 1 or len(holes) != 1:
        return False
    o, hole = outer[0], holes[0]
    area, hull = cv2.contourArea(o), cv2.contourArea(cv2.convexHull(o))
    mo, mh = cv2.moments(o), cv2.moments(hole)
    if area <= 0 or hull <= 0 or mh["m00"] <= 0:
        return False
    dx = abs(mh["m10"] / mh["m00"] - mo["m10"] / mo["m00"]) / w
    dy = abs(mh["m01"] / mh["m00"] - mo["m01"] / mo["m00"]) / h
    return area / hull >= 0.93 and cv2.contourArea(hole) / area >= 0.3 and dx <= 0.1 and dy <= 0.06


def has_unread_minus(gray, box, text: str, margin: int = 4) -> bool:
    """Whether a cell read as an unsigned number has a short horizontal stroke printed before
    its digits: a minus sign the recogniser dropped (at 150 dpi ``-7`` can come back as ``7``
    with high confidence). Such a reading is doubtful, never silently positive."""
    import cv2

    if not text or not text[0].isdigit():
        return False
    x0, y0, x1, y1 = box
    crop = gray[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
    if crop.size == 0:
        return False
    bw = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    n, _, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    marks = sorted((stats[i] for i in range(1, n) if stats[i][4] >= 3), key=lambda m: m[0])
    if len(marks) < 2:
        return False
    first, rest = marks[0], marks[1:]
    tall = max(m[3] for m in rest)
    digits_top, digits_bottom = min(m[1] for m in rest), max(m[1] + m[3] for m in rest)
    middle = first[1] + first[3] / 2
    return (first[0] + first[2] <= min(m[0] for m in rest) + 1 and first[2] >= 1.5 * first[3]
            and first[3] <= 0.35 * tall and first[2] >= 0.25 * tall
            and digits_top + 0.2 * tall <= middle <= digits_bottom - 0.2 * tall)


def _read_cell(gray, box, words: list[Word]) -> tuple[str, float]:
    """The text and confidence of one cell: its words, or (none read, or only a stray mark,
    but ink there) a second reading of the cell's marks alone."""
    if words:
        text = _join(words)
        if not _ILLEGIBLE.match(text):
            return text, min(w.conf for w in words)
    elif not _has_ink(gray, box):
        return "", 1.0
    crop = _ink_crop(gray, box)
    again = recognize(crop, det=False) if crop is not None else []
    if not again:
        return "", 0.0
    return " ".join(w.text for w in again), min(w.conf for w in again)


def table_rows(gray, cells, words: list[Word], page_no: int, reads: dict, where: str = "") -> list:
    """Given a table's cells (``find_tables``) and the page's words inside it, return its rows as
    ``pdf._Row`` (so tables continued over a page break join as in text-layer PDFs)."""
    from .pdf import _Row

    tol = max(4, gray.shape[1] // 400)
    spans = cells
    nrows, ncols = max(s[1] for s in spans), max(s[3] for s in spans)
    top_of = {s[0]: s[4][1] for s in spans}
    owner = [[-1] * ncols for _ in range(nrows)]
    for k, (r0, r1, c0, c1, _) in enumerate(spans):
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner[r][c] < 0:
                    owner[r][c] = k
    in_span: dict[int, list[Word]] = {}
    for wd in words:
        for k, (_, _, _, _, (x0, y0, x1, y1)) in enumerate(spans):
            if x0 - tol <= wd.cx <= x1 + tol and y0 - tol <= wd.cy <= y1 + tol:
                in_span.setdefault(k, []).append(wd)
                break
    rows = []
    for r in range(nrows):
        out_cells, out_cols = [], []
        c = 0
        while c < ncols:
            k = owner[r][c]
            if k < 0:
                c += 1
                continue
            r0, _, c0, c1, box = spans[k]
            loc = (f"{where or f'page {page_no}'} (OCR) row {len(rows) + 1} col {len(out_cells) + 1} "
                   f"[{box[0]},{box[1]},{box[2]},{box[3]}]")
            if r0 == r:
                raw, conf = _read_cell(gray, box, in_span.get(k, []))
                text, changed = as_number_text(raw)
                if _ILLEGIBLE.match(text):  # a mark, not a number nor a blank sign: '。', '.', '·'
                    text, conf = "", 0.0
                inked_unread = not text and conf == 0.0
                if inked_unread and is_zero_ring(gray, box):  # nothing legible, but shaped as a 0
                    text, changed = "0", True
                    inked_unread = False
                minus = has_unread_minus(gray, box, text)
                changed = changed or minus
                status = "unread" if inked_unread else "doubt" if (changed or conf < CONFIDENCE) else "ok"
                if status in ("doubt", "ok") and text == "0" and conf < SURE and is_zero_ring(gray, box):
                    status = "ring"
                reads[loc] = CellRead(text, raw, round(conf, 3), status, box,
                                      "a stroke before the digits: a minus sign not read?" if minus else "")
            else:
                text = ""  # continuation of a cell merged down from above
            out_cells.append(Cell(text, loc))
            out_cols.append(c)
            c += max(c1 - c, 1)
        if out_cells and (any(cl.text for cl in out_cells) or len(out_cells) > 1):
            rows.append(_Row(out_cells, out_cols, ncols, float(top_of.get(r, 0))))
    return rows


def text_lines(words: list[Word], page_no: int, height: int, where: str = "") -> list[tuple[float, Line]]:
    """Given the words outside the tables, return printed lines (top, Line): words whose centres
    share a line are one line, cut into cells where a gap wider than two characters opens."""
    from .pdf import is_footer, text_line

    out: list[tuple[float, Line]] = []
    groups: list[list[Word]] = []
    for wd in sorted(words, key=lambda w: w.cy):
        hgt = wd.box[3] - wd.box[1]
        if groups and abs(wd.cy - sum(w.cy for w in groups[-1]) / len(groups[-1])) < 0.5 * hgt:
            groups[-1].append(wd)
        else:
            groups.append([wd])
    n = 0
    for g in groups:
        g.sort(key=lambda w: w.box[0])
        size = max(8, sorted(w.box[3] - w.box[1] for w in g)[len(g) // 2])
        pieces: list[list[Word]] = [[g[0]]]
        for prev, wd in zip(g, g[1:]):
            if wd.box[0] - prev.box[2] > 2 * size:
                pieces.append([wd])
            else:
                pieces[-1].append(wd)
        texts = ["".join(w.text for w in p) if _CJK.search(p[0].text) else " ".join(w.text for w in p)
                 for p in pieces]
        whole = " ".join(texts)
        top = min(w.box[1] for w in g)
        if is_footer(whole) or (re.fullmatch(r"\s*\d{1,3}\s*", whole) and top > 0.88 * height):
            continue
        n += 1
        loc = f"{where or f'page {page_no}'} (OCR) line {n}"
        out.append((float(top), text_line(texts, loc)))
    return out


def page_items(image, page_no: int, reads: dict, where: str = "") -> list[tuple[float, object]]:
    """Given one page image, return its items in reading order: ``(top, Line)`` for text,
    ``(top, [pdf._Row])`` for a table (``read_pdf`` adds the extents ``pdf.page_lines`` gives). Cell reads go into ``reads``;
    locations start with ``where`` (default ``page N``)."""
    gray, _ = deskew(to_gray(image))
    tables = find_tables(gray)
    words = recognize(gray)
    items: list[tuple[float, object]] = []
    free = []
    for wd in words:
        if not any(b[0] <= wd.cx <= b[2] and b[1] <= wd.cy <= b[3] for b, _ in tables):
            free.append(wd)
    for bbox, cells in tables:
        inside = [w for w in words if bbox[0] <= w.cx <= bbox[2] and bbox[1] <= w.cy <= bbox[3]]
        rows = table_rows(gray, cells, inside, page_no, reads, where)
        if rows and not all(len(r.cells) == 1 for r in rows):
            items.append((float(bbox[1]), rows))
        else:  # a framed box of prose: its words are text
            free += inside
    items += text_lines(free, page_no, gray.shape[0], where)
    items.sort(key=lambda it: it[0])
    return items


# --------------------------------------------------------------------------- documents
def document_of(pages: list, source: str, fmt: str) -> Document:
    """Given page images, return the Document OCR reads from them (format ``fmt``)."""
    reads: dict[str, CellRead] = {}
    lines: list[Line] = []
    prev_row = None
    for page_no, image in enumerate(pages, 1):
        items = page_items(image, page_no, reads)
        add_items(items, lines, prev_row)
        last = items[-1][1] if items else None
        prev_row = last[-1] if isinstance(last, list) and last else None
    if not any(c.text.strip() for ln in lines for c in ln.cells):
        raise ReportError(source, "OCR read no text on any page (a blank or unreadable image)")
    text = "\n".join(" ".join(c.text for c in ln.cells if c.text) for ln in lines)
    doc = Document(lines=lines, text=text, format=fmt)
    doc.cache["ocr"] = reads
    return doc


def add_items(items, lines: list[Line], prev_row) -> None:
    """Append a page's items to ``lines``, joining a table row cut by the page break."""
    from .pdf import join_page_break

    for i, (_, item) in enumerate(items):
        if isinstance(item, Line):
            lines.append(item)
            continue
        rows = item
        if i == 0 and prev_row is not None and join_page_break(prev_row, rows[0]):
            rows = rows[1:]
        lines.extend(Line(r.cells, r.cells[0].location.rsplit(" col ", 1)[0], table=len(r.cells) > 1)
                     for r in rows)


IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def is_image(data: bytes) -> bool:
    """Whether the bytes are a PNG, JPEG or TIFF image."""
    return data.startswith(IMAGE_MAGIC)


def read_image(data: bytes, source: str) -> Document:
    """Given the bytes of a PNG, JPEG or TIFF (every frame of a multi-page TIFF a page),
    return the Document OCR reads from it (format ``image``)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        pages = [frame.convert("L") for frame in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReportError(source, "binary file, not a readable image: the PNG/JPEG/TIFF data is broken "
                                  f"({type(exc).__name__})") from exc
    require(source, "an image file")
    return document_of(pages, source, "image")


def _local_image(src: str, source: str):
    """The local file an ``<img src>`` of the page ``source`` names, if it exists: relative to the
    page (a saved page's ``_files`` folder), or by its file name beside the page."""
    from pathlib import Path
    from urllib.parse import unquote, urlparse

    parsed = urlparse(src)
    if parsed.scheme in ("http", "https", "ftp") or source.startswith("<"):
        name = Path(unquote(parsed.path)).name
        candidates = [Path(source).parent / name] if name and not source.startswith("<") else []
    else:
        rel = unquote(parsed.path)
        candidates = [Path(source).parent / rel, Path(source).parent / Path(rel).name]
    for path in candidates:
        try:
            if path.is_file() and is_image(path.read_bytes()[:8]):
                return path
        except OSError:
            continue
    return None


# Page furniture, never a table: icons, logos, QR codes, share buttons.
_DECORATION = re.compile(r"(\.(gif|svg|ico)$)|logo|icon|banner|qrcode|ewm|erweima|weixin|wechat|share|print|close"
                         r"|arrow|btn|button|dot|line|bg", re.I)


def read_html_images(doc: Document, source: str) -> None:
    """Given an HTML page's Document, OCR the ``<img>`` it prints whose file is available locally
    and put their lines where the image stood, in place. An image only linked (not saved beside
    the page) is listed in ``doc.cache['linked_images']``, for the ``table_as_image`` finding."""
    found: list[tuple[int, str, bytes]] = []
    linked: list[str] = []
    for index, src in doc.cache.get("images") or []:
        path = _local_image(src, source)
        if path is None or not available():
            if not _DECORATION.search(src):
                linked.append(src)
        else:
            found.append((index, path.name, path.read_bytes()))
    insert_images(doc, found)
    if linked:
        doc.cache["linked_images"] = linked


def insert_images(doc: Document, images: list[tuple[int, str, bytes]]) -> None:
    """Given a Document and images it prints (``(index of the line it stands before, name,
    bytes)``), OCR each and put its lines there, in place; the cell reads go to
    ``doc.cache['ocr']``. An image that cannot be opened is skipped (it is not a table)."""
    from PIL import Image, UnidentifiedImageError

    reads: dict[str, CellRead] = doc.cache.get("ocr", {})
    inserts: list[tuple[int, list[Line]]] = []
    for n, (index, name, data) in enumerate(images, 1):
        try:
            with Image.open(io.BytesIO(data)) as img:
                image = img.convert("L")
        except (UnidentifiedImageError, OSError, ValueError):
            continue
        if min(image.size) < 40:  # an icon or a rule, not a table
            continue
        lines: list[Line] = []
        add_items(page_items(image, 1, reads, where=f"image {n} ({name})"), lines, None)
        inserts.append((index, lines))
    for index, lines in reversed(inserts):
        doc.lines[index:index] = lines
    if inserts:
        doc.cache["ocr"] = reads
        doc.text = "\n".join(" ".join(c.text for c in ln.cells if c.text) for ln in doc.lines)
