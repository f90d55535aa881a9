"""The two A4 posters, a session's and a school's, from plain values: PDF bytes out; no Flask.

Sizes are chosen to be read from two metres (a title of 34 pt, the time of 24 pt); a box whose
text is too long shrinks it, down to half size, then cuts it with an ellipsis: nothing ever
leaves the page. Every page of a school's poster carries the QR code, so that each sheet can be
put up on its own.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.colors import white
from reportlab.pdfgen.canvas import Canvas

from .sheet import (
    ACCENT,
    BOLD,
    DANGER,
    INK,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Block,
    Line,
    band,
    draw_lines,
    draw_qr,
    fit,
    height_of,
    new_canvas,
)

HEADER_HEIGHT = 112
CANCELLED_HEIGHT = 86
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
GUTTER = 20
URL_HEIGHT = 34  # room for the address printed under a QR code


@dataclass(frozen=True)
class Words:
    """The fixed wording of the posters, translated by the caller."""

    tagline: str  # "Découvrez les métiers du numérique"
    free: str  # "Gratuit, sans prérequis"
    cancelled: str  # "ANNULÉE"
    cancelled_note: str  # "Cette session n'aura pas lieu."
    cancelled_row: str  # "Annulée"
    scan_session: str
    scan_school: str
    school_sessions: str  # "Nos sessions pendant la semaine"
    continued: str  # "(suite)"
    page: str  # "Page %(number)s sur %(count)s"


@dataclass(frozen=True)
class SessionSheet:
    """What a session's poster says, each text ready to print (labels included)."""

    edition: str  # "Open Gen 2021 · du lundi 29 novembre au samedi 4 décembre 2021"
    title: str
    kind: str
    when: str  # "lundi 29 novembre 2021, 10 h 00 – 11 h 00"
    school: str  # "Organisée par ..."
    place: tuple[str, ...]  # the venue's lines, or "En ligne"
    access: str
    families: str  # "Métiers : Développement web, Data"
    url: str
    cancelled: bool


@dataclass(frozen=True)
class SessionRow:
    """One session in a school's list."""

    when: str  # "lundi 29 novembre, 10 h 00 – 11 h 00"
    title: str
    place: str
    cancelled: bool


@dataclass(frozen=True)
class SchoolSheet:
    """What a school's poster says: its name and its sessions in time order."""

    edition: str
    school: str
    sessions: tuple[SessionRow, ...]
    url: str


# --------------------------------------------------------------------------- a session

def session_poster(sheet: SessionSheet, words: Words) -> bytes:
    """Return the one-page A4 poster of a session, as PDF bytes."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, sheet.title)
    top = _header(canvas, sheet.edition, words)
    if sheet.cancelled:
        top = _cancelled_band(canvas, top, words)
    qr_side = 190
    footer_top = MARGIN + URL_HEIGHT + qr_side
    blocks = [
        Block(sheet.kind, 16, BOLD, MUTED, max_lines=1),
        Block(sheet.title, 34, BOLD, INK, max_lines=5, space_before=4),
        Block(sheet.when, 24, BOLD, DANGER if sheet.cancelled else ACCENT, max_lines=2, space_before=16),
        Block(sheet.school, 17, max_lines=2, space_before=14),
        *(Block(line, 17, max_lines=2, space_before=10 if i == 0 else 0) for i, line in enumerate(sheet.place)),
        Block(sheet.access, 14, colour=MUTED, max_lines=3, space_before=10),
    ]
    body_top = top - 26
    draw_lines(canvas, fit(blocks, BODY_WIDTH, body_top - footer_top - 24), MARGIN, body_top)
    _rule(canvas, footer_top + 12)
    left = [Block(words.free, 24, BOLD, INK, max_lines=2),
            Block(sheet.families, 14, max_lines=4, space_before=12),
            Block(words.scan_session, 13, colour=MUTED, max_lines=4, space_before=12)]
    _footer(canvas, sheet.url, left, qr_side, footer_top)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _cancelled_band(canvas: Canvas, top: float, words: Words) -> float:
    band(canvas, DANGER, top - CANCELLED_HEIGHT, CANCELLED_HEIGHT)
    lines = fit([Block(words.cancelled, 44, BOLD, white, max_lines=1),
                 Block(words.cancelled_note, 16, colour=white, max_lines=1, space_before=2)],
                BODY_WIDTH, CANCELLED_HEIGHT - 16)
    draw_lines(canvas, lines, MARGIN, top - 8, centred_in=BODY_WIDTH)
    return top - CANCELLED_HEIGHT


# --------------------------------------------------------------------------- a school

def school_poster(sheet: SchoolSheet, words: Words) -> bytes:
    """Return the A4 poster of a school's sessions, as PDF bytes (more pages when the list is long)."""
    qr_side = 150
    footer_top = MARGIN + URL_HEIGHT + qr_side
    list_bottom = footer_top + 24
    first = [Block(sheet.school, 30, BOLD, INK, max_lines=3),
             Block(words.school_sessions, 18, BOLD, ACCENT, max_lines=2, space_before=12)]
    following = [Block(f"{sheet.school} {words.continued}", 18, BOLD, INK, max_lines=1)]
    body_top = PAGE_HEIGHT - HEADER_HEIGHT - 26
    heads = [fit(first, BODY_WIDTH, 180), fit(following, BODY_WIDTH, 60)]
    rows = [_row(session, words) for session in sheet.sessions]
    pages = _paginate(rows, [body_top - height_of(head) - 16 - list_bottom for head in heads])

    buffer = io.BytesIO()
    canvas = new_canvas(buffer, sheet.school)
    for number, page_rows in enumerate(pages, start=1):
        top = _header(canvas, sheet.edition, words)
        head = heads[0 if number == 1 else 1]
        draw_lines(canvas, head, MARGIN, top - 26)
        y = top - 26 - height_of(head) - 16
        for row in page_rows:
            y = _draw_row(canvas, row, y)
        _rule(canvas, footer_top + 12)
        left = [Block(words.free, 20, BOLD, INK, max_lines=2),
                Block(words.scan_school, 13, colour=MUTED, max_lines=4, space_before=10),
                Block(words.page % {"number": number, "count": len(pages)}, 11, colour=MUTED,
                      max_lines=1, space_before=10)]
        _footer(canvas, sheet.url, left, qr_side, footer_top)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


WHEN_WIDTH = 150
ROW_GAP = 12


@dataclass(frozen=True)
class _Row:
    when: list[Line]
    what: list[Line]

    @property
    def height(self) -> float:
        return max(height_of(self.when), height_of(self.what)) + ROW_GAP


def _row(session: SessionRow, words: Words) -> _Row:
    unlimited = float("inf")
    when = fit([Block(session.when, 13, BOLD, DANGER if session.cancelled else ACCENT, max_lines=3)],
               WHEN_WIDTH, unlimited)
    what = [Block(words.cancelled_row, 12, BOLD, DANGER, max_lines=1)] if session.cancelled else []
    what += [Block(session.title, 14, BOLD, INK, max_lines=2),
             Block(session.place, 11, colour=MUTED, max_lines=2, space_before=1)]
    return _Row(when, fit(what, BODY_WIDTH - WHEN_WIDTH - GUTTER, unlimited))


def _paginate(rows: Sequence[_Row], room: Sequence[float]) -> list[list[_Row]]:
    """Share the rows between pages: the first page has room[0] points for them, the others room[1]."""
    pages: list[list[_Row]] = [[]]
    left = room[0]
    for row in rows:
        if row.height > left and pages[-1]:
            pages.append([])
            left = room[1]
        pages[-1].append(row)
        left -= row.height
    return pages


def _draw_row(canvas: Canvas, row: _Row, top: float) -> float:
    draw_lines(canvas, row.when, MARGIN, top)
    draw_lines(canvas, row.what, MARGIN + WHEN_WIDTH + GUTTER, top)
    bottom = top - row.height
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.3)
    canvas.line(MARGIN, bottom + ROW_GAP / 2, PAGE_WIDTH - MARGIN, bottom + ROW_GAP / 2)
    return bottom


# --------------------------------------------------------------------------- shared parts

def _header(canvas: Canvas, edition: str, words: Words) -> float:
    """Draw the band at the top of a page; return where it ends."""
    bottom = PAGE_HEIGHT - HEADER_HEIGHT
    band(canvas, ACCENT, bottom, HEADER_HEIGHT)
    lines = fit([Block("Open Gen", 44, BOLD, white, max_lines=1),
                 Block(words.tagline, 16, BOLD, white, max_lines=1, space_before=2),
                 Block(edition, 13, colour=white, max_lines=1, space_before=2)],
                BODY_WIDTH, HEADER_HEIGHT - 20)
    draw_lines(canvas, lines, MARGIN, PAGE_HEIGHT - 10)
    return bottom


def _footer(canvas: Canvas, url: str, left: list[Block], qr_side: float, footer_top: float) -> None:
    """Draw the QR code at the bottom right with its address under it, and text on its left."""
    qr_x = PAGE_WIDTH - MARGIN - qr_side
    draw_qr(canvas, url, qr_x, MARGIN + URL_HEIGHT, qr_side)
    draw_lines(canvas, fit([Block(url, 9, colour=INK, max_lines=3)], qr_side + 20, URL_HEIGHT),
               qr_x - 10, MARGIN + URL_HEIGHT, centred_in=qr_side + 20)
    width = qr_x - MARGIN - GUTTER
    draw_lines(canvas, fit(left, width, footer_top - MARGIN), MARGIN, footer_top)


def _rule(canvas: Canvas, y: float) -> None:
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.5)
    canvas.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
