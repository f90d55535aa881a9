"""Drawing blocks of an A4 sheet with reportlab: text that always fits its box, and QR codes; no Flask.

Text is drawn with `drawString`, never through reportlab's Paragraph (which reads markup): what a
school wrote is printed as it is. The standard PDF fonts only hold the Windows-1252 characters,
so every text is first brought to them: symbols such as emoji are left out, other characters
become "?".
"""
from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .. import qr

PAGE_WIDTH, PAGE_HEIGHT = A4  # 595.27 x 841.89 pt
MARGIN = 40
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
INK = HexColor("#1b1b1f")
MUTED = HexColor("#4a4a55")
ACCENT = HexColor("#1f5fa8")
DANGER = HexColor("#b3261e")
LEADING = 1.2  # line height, as a multiple of the font size
# Each try shrinks every font of a box, until its text fits; past the last, lines are dropped.
SCALES = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6, 0.55, 0.5)
ELLIPSIS = "…"

# Spaces Babel and typists use that the standard fonts lack: the no-break space they have.
_SPACES = {"\u202f": "\u00a0", "\u2007": "\u00a0", "\u2009": " ", "\u200a": " "}


def printable(text: str) -> str:
    """Return the text on one line, in characters the standard PDF fonts can draw."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        char = _SPACES.get(char, char)
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or char in "\t\n\r\x0b\x0c\x85":
            kept.append(" ")
        elif category in ("Cc", "Cf"):
            continue  # controls, soft hyphens, joiners
        elif _encodable(char):
            kept.append(char)
        elif category.startswith("Z"):
            kept.append(" ")
        elif category in ("So", "Sk", "Mn", "Me", "Cs", "Co", "Cn"):
            continue  # emoji and other symbols, lone accents: nothing a reader would miss
        else:
            kept.append("?")
    return re.sub(" +", " ", "".join(kept)).strip(" ")


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def width_of(text: str, font: str, size: float) -> float:
    """Return the width of a line of text in points."""
    return stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Return the text cut into lines no wider than `width`, at most `max_lines` of them (the last
    one ends with an ellipsis when some text is left out); a word too long for a line is cut."""
    lines: list[str] = []
    current = ""
    for word in printable(text).split(" "):
        if not word:
            continue
        candidate = f"{current} {word}" if current else word
        if width_of(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while width_of(current, font, size) > width:
            cut = _longest_prefix(current, font, size, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _with_ellipsis(lines[-1], font, size, width)
    return lines


def _longest_prefix(text: str, font: str, size: float, width: float) -> int:
    """How many characters of text fit in width (one at least, so that wrapping ends)."""
    count = 1
    while count < len(text) and width_of(text[:count + 1], font, size) <= width:
        count += 1
    return count


def _with_ellipsis(line: str, font: str, size: float, width: float) -> str:
    while line and width_of(line + ELLIPSIS, font, size) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Block:
    """A piece of text in a box: its font, its size at full scale, how many lines it may take."""

    text: str
    size: float
    font: str = REGULAR
    colour: Color = INK
    max_lines: int = 3
    space_before: float = 0  # at full scale


@dataclass(frozen=True)
class Line:
    """One line ready to draw: its baseline's distance below the top of its box."""

    text: str
    font: str
    size: float
    colour: Color
    baseline: float


def fit(blocks: Sequence[Block], width: float, height: float) -> list[Line]:
    """Lay the blocks out top to bottom in a box, at the largest scale where all of them fit;
    whatever would still pass the bottom at the smallest scale is left out."""
    for scale in SCALES:
        lines, bottom = _lay_out(blocks, width, scale)
        if bottom <= height:
            return lines
    return [line for line in lines if line.baseline + line.size * (LEADING - 1) <= height]


def _lay_out(blocks: Sequence[Block], width: float, scale: float) -> tuple[list[Line], float]:
    lines: list[Line] = []
    y = 0.0
    for block in blocks:
        if not printable(block.text):
            continue
        size = block.size * scale
        y += block.space_before * scale if lines else 0
        for text in wrap(block.text, block.font, size, width, block.max_lines):
            y += size * LEADING
            lines.append(Line(text, block.font, size, block.colour, y - size * (LEADING - 1)))
    return lines, y


def height_of(lines: Sequence[Line]) -> float:
    """Return how tall the laid-out lines are."""
    return max((line.baseline + line.size * (LEADING - 1) for line in lines), default=0.0)


def draw_lines(canvas: Canvas, lines: Sequence[Line], x: float, top: float, centred_in: float = 0) -> None:
    """Draw laid-out lines in a box whose top left corner is (x, top); centred when given the box width."""
    for line in lines:
        canvas.setFont(line.font, line.size)
        canvas.setFillColor(line.colour)
        if centred_in:
            canvas.drawCentredString(x + centred_in / 2, top - line.baseline, line.text)
        else:
            canvas.drawString(x, top - line.baseline, line.text)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, side: float) -> None:
    """Draw the QR code of `text` as black squares on white in the square of `side` points whose
    bottom left corner is (x, y); each row's runs of dark modules are one rectangle, so that no
    hairline shows between them."""
    size, dark = qr.modules(text)
    module = side / size
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    rows: dict[int, list[int]] = {}
    for column, row in dark:
        rows.setdefault(row, []).append(column)
    path = canvas.beginPath()
    for row, columns in rows.items():
        columns.sort()
        start = previous = columns[0]
        for column in [*columns[1:], None]:
            if column is not None and column == previous + 1:
                previous = column
                continue
            path.rect(x + start * module, y + side - (row + 1) * module, (previous - start + 1) * module, module)
            if column is not None:
                start = previous = column
    canvas.setFillColor(HexColor("#000000"))
    canvas.drawPath(path, stroke=0, fill=1)


def new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    """Return an A4 canvas writing into buffer; the same drawing always gives the same bytes."""
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=True)
    canvas.setTitle(printable(title))
    canvas.setAuthor("Open Gen")
    return canvas


def band(canvas: Canvas, colour: Color, y: float, height: float) -> None:
    """Fill a band across the whole page width, from y up."""
    canvas.setFillColor(colour)
    canvas.rect(0, y, PAGE_WIDTH, height, stroke=0, fill=1)

