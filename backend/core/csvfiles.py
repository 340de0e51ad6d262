"""The one CSV writer of every published file, with OWASP's rule against formula injection.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
formula by spreadsheet programs (CSV injection); such a cell gets a leading apostrophe, which
the programs show as text and which a reader can strip. Numbers are left alone: int and float
values, and texts that are plainly a number ("-1", "+3.5"), are written as they are, so counts,
identifiers and vote values keep their meaning. Pure Python: usable from `domain/` modules.

The same rule exists as SQL (`safe_cell_sql`), and so does the writer's quoting
(`csv_line_sql`), for files whose lines PostgreSQL writes whole (the open-data archive's big
tables); tests hold the SQL to the same bytes as the Python on the real server.
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


# What makes the writer quote a cell (csv.QUOTE_MINIMAL with the "\r\n" line end): the
# delimiter, the quote character, a carriage return or a line feed.
_NEEDS_QUOTES_SQL = r'[",\r\n]'


def csv_text_cell_sql(expression: str) -> str:
    """A text `expression` as the cell `csv_text` writes for it: NULL as empty, formula-like
    text neutralized (`safe_cell_sql`), quoted as the CSV writer quotes. The neutralizer adds
    no character that needs quotes, so whether to quote is read on the raw text."""
    safe = safe_cell_sql(expression)
    return (
        f"CASE WHEN {expression} IS NULL THEN '' "
        f"WHEN {expression} ~ '{_NEEDS_QUOTES_SQL}' "
        f"THEN '\"' || replace({safe}, '\"', '\"\"') || '\"' ELSE {safe} END"
    )


def csv_number_cell_sql(expression: str) -> str:
    """An integer `expression` as the cell `csv_text` writes for it (NULL as empty)."""
    return f"COALESCE(({expression})::text, '')"


def csv_line_sql(cells: Sequence[str]) -> str:
    """One CSV line (without its line end) from cells already written by `csv_text_cell_sql`,
    `csv_number_cell_sql` or as text that needs no quoting: the same bytes as `csv_text`
    writes for the row, so PostgreSQL can write a 100,000-line file with no Python per cell."""
    return f"concat_ws(',', {', '.join(cells)})"


def csv_text_of_lines(
    header: Sequence[str], lines: Iterable[str], *, line_end: str = "\r\n"
) -> str:
    """A file of `csv_text`'s bytes from its header and lines written by `csv_line_sql`."""
    out = io.StringIO()
    out.write(csv_text([header], line_end=line_end))
    for line in lines:
        out.write(line)
        out.write(line_end)
    return out.getvalue()


def csv_text(rows: Iterable[Sequence[object]], *, line_end: str = "\r\n") -> str:
    """RFC 4180 CSV (minimal quoting, CRLF line ends unless told otherwise), every cell through
    `safe_cell`; UTF-8 text with no byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()
