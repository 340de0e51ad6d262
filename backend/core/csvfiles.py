"""The one CSV writer of every published file, with OWASP's rule against formula injection.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by spreadsheet programs (CSV injection); such a cell gets a leading apostrophe, which
the programs show as text and which a reader can strip. Numbers are left alone: int and float
values, and texts that are plainly a number ("-1", "+3.5"), are written as they are, so counts,
identifiers and vote values keep their meaning. Pure Python: usable from `domain/` modules.

The same rule exists as SQL (`safe_cell_sql`) for files whose rows PostgreSQL writes whole
(the open-data archive's big tables); a test holds the two to the same answers.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZER = "'"
# ASCII digits only, in Python as in SQL: a cell of other digits is neutralized (the safe side).
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_FORMULA_START_SQL = r"^[-=+@\t\r]"
_NEUTRALIZER_SQL = "'" + NEUTRALIZER.replace("'", "''") + "'"  # a SQL string literal
_PLAIN_NUMBER_SQL = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def safe_cell(value: object) -> object:
    """The value to write in a cell: None as empty, formula-like text neutralized."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return NEUTRALIZER + value
    return value


def safe_cell_sql(expression: str) -> str:
    """`safe_cell` as a PostgreSQL expression over a text `expression` (NULL stays NULL, which
    the CSV writer writes as an empty cell)."""
    return (
        f"CASE WHEN {expression} ~ '{_FORMULA_START_SQL}' "
        f"AND {expression} !~ '{_PLAIN_NUMBER_SQL}' "
        f"THEN {_NEUTRALIZER_SQL} || {expression} ELSE {expression} END"
    )


def csv_text_of_safe_cells(rows: Iterable[Sequence[object]], *, line_end: str = "\r\n") -> str:
    """`csv_text` for rows whose text cells are already through `safe_cell` (or
    `safe_cell_sql`): the same bytes, without a Python call per cell (100,000-row files)."""
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(rows)
    return out.getvalue()


def csv_text(rows: Iterable[Sequence[object]], *, line_end: str = "\r\n") -> str:
    """RFC 4180 CSV (minimal quoting, CRLF line ends unless told otherwise), every cell through
    `safe_cell`; UTF-8 text with no byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
