"""Printable A4 posters of a session and of a school, with a QR code that opens their page.

`sheet` (text that fits, QR codes drawn as vector squares) and `layout` (the two posters) are
pure: plain values in, PDF bytes out, no Flask. `content` gathers those values from the database.
"""
