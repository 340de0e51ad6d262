"""The one CSV writer of every published file, with OWASP's rule against formula injection.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by spreadsheet programs (CSV injection); such a cell gets a leading apostrophe, which
the programs show as text and which a reader can strip. Numbers are left alone: int and float
values, and texts that are plainly a number ("-1", "+3.5"), are written as they are, so counts,
identifiers and vote values keep their meaning. Pure Python: usable from `domain/` modules.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZER = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """The value to write in a cell: None as empty, formula-like text neutralized."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return NEUTRALIZER + value
    return value


def csv_text(rows: Iterable[Sequence[object]], *, line_end: str = "\r\n") -> str:
    """RFC 4180 CSV (minimal quoting, CRLF line ends unless told otherwise), every cell through
    `safe_cell`; UTF-8 text with no byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
