"""QR codes for what is printed or handed over (posters, a counsellor's list); no Flask.

One rule for every QR code of the site: medium error correction (a poster survives a fold or a
stain), a quiet zone of four modules, black on white.
"""
from __future__ import annotations

from collections.abc import Iterator

import segno

BORDER = 4


def _code(text: str) -> segno.QRCode:
    return segno.make(text, error="m", micro=False)


def svg(text: str, title: str, scale: int = 4) -> str:
    """Return an inline <svg> of the QR code of `text`, with an accessible title."""
    return _code(text).svg_inline(scale=scale, border=BORDER, title=title, dark="#000",
                                  light="#fff", svgclass="qr-code")


def modules(text: str) -> tuple[int, Iterator[tuple[int, int]]]:
    """Return the QR code's size in modules (quiet zone included) and the (column, row) of each
    dark module, row 0 at the top: enough to draw it in a PDF."""
    code = _code(text)
    size = code.symbol_size(scale=1, border=BORDER)[0]

    def dark() -> Iterator[tuple[int, int]]:
        for row, line in enumerate(code.matrix_iter(scale=1, border=BORDER)):
            for column, bit in enumerate(line):
                if bit:
                    yield column, row

    return size, dark()
