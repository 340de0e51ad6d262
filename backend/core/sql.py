"""Raw SQL helpers for the few statements on hot paths that Django's ORM does not write."""

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper


def server_bound_cursor() -> CursorWrapper:
    """A cursor of the default connection whose parameters travel beside the SQL (PostgreSQL's
    own parameter binding, psycopg's `Cursor`) instead of being quoted into it in Python, as
    Django's default `ClientCursor` does value by value. For statements with array parameters
    on hot paths (a ballot's 20 lines are six arrays), where the quoting costs more CPU than
    the rest of the statement; psycopg prepares a statement run often on a connection. Django's
    query log, execute wrappers and error translation see it as any other cursor."""
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = psycopg.Cursor(connection.connection)
    # django-stubs type the argument as Django's wrapper; Django passes the driver's cursor.
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)  # type: ignore[arg-type]
    return connection.make_cursor(cursor)  # type: ignore[arg-type]
