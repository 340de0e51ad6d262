"""The open-data archive's timestamps, written by PostgreSQL, are the bytes Python writes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from backend.plans.selectors.opendata import _Clock, _iso_sql, _lines_in_zone

pytestmark = pytest.mark.django_db

INSTANTS = [
    None,
    datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
    datetime(2026, 7, 14, 22, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 7, 14, 23, 59, 59, 999999, tzinfo=UTC),
    # Around the spring and autumn changes of 2026 in Europe/Paris.
    datetime(2026, 3, 29, 0, 59, 59, 500000, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    # Local mean time: offsets with seconds (+00:09:21 in Paris before 1911).
    datetime(1900, 5, 1, 12, 0, 0, 250000, tzinfo=UTC),
    datetime(2000, 2, 29, 23, 0, tzinfo=UTC) + timedelta(microseconds=10),
]


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/St_Johns", "Asia/Kolkata", "UTC"])
def test_timestamps_are_written_as_python_writes_them(zone: str) -> None:
    with timezone.override(zone):
        lines = _lines_in_zone(
            f"SELECT {_iso_sql('v')} FROM unnest(%(moments)s::timestamptz[]) "  # noqa: S608
            "WITH ORDINALITY AS t(v, n) ORDER BY n",
            {"zone": timezone.get_current_timezone_name(), "moments": INSTANTS},
        )
        assert lines == [_Clock().iso(moment) for moment in INSTANTS]


def test_the_session_zone_is_put_back() -> None:
    def session_zone() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('TimeZone')")
            return str(cursor.fetchone()[0])

    before = session_zone()
    with timezone.override("Asia/Kolkata"), transaction.atomic():
        _lines_in_zone("SELECT 'x'", {"zone": "Asia/Kolkata"})
        assert session_zone() == before
    assert session_zone() == before
