"""DATABASE_URL is read as libpq reads it: a socket directory and a port in the query string
name the server (the embedded PostgreSQL's URL has this form)."""

import pytest

from backend.dburl import database_settings
from tests.fixtures.live import url_of_database


def test_socket_directory_and_port_in_the_query_string_are_the_server_address() -> None:
    database = database_settings("postgresql://postgres:@/postgres?host=/run/npt%20db&port=5433")
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "/run/npt db",
        5433,
        "postgres",
    )
    assert "host" not in database["OPTIONS"]
    assert "port" not in database["OPTIONS"]


def test_query_parameters_win_over_the_authority_and_other_options_stay() -> None:
    database = database_settings(
        "postgres://u:p@db:5432/npt?host=/run/pg&port=6000&sslmode=require"
    )
    assert (database["HOST"], database["PORT"]) == ("/run/pg", 6000)
    assert database["OPTIONS"] == {"sslmode": "require"}


def test_a_plain_url_is_unchanged() -> None:
    database = database_settings("postgres://u:p@db.internal:5433/npt")
    assert (database["USER"], database["HOST"], database["PORT"]) == ("u", "db.internal", 5433)


@pytest.mark.parametrize(
    ("host", "port", "password"),
    [("/srv/pgserver socket", 5432, ""), ("127.0.0.1", 5499, "p@ss:/w"), ("", 5432, "")],
)
def test_the_url_handed_to_subprocesses_reads_back_to_the_same_server(
    host: str, port: int, password: str
) -> None:
    url = url_of_database(user="postgres", password=password, host=host, port=port, name="t_gw0")
    database = database_settings(url)
    assert (database["HOST"] or "", database["PORT"]) == (host, port)
    assert (database["USER"], database["PASSWORD"], database["NAME"]) == (
        "postgres",
        password,
        "t_gw0",
    )
