"""Deterministic archives and CSV text; the plan snapshot's digest and CSV rows."""

import csv
import io
import zipfile

from backend.plans.domain.archive import FIXED_ZIP_TIME, csv_text, deterministic_zip
from backend.plans.domain.snapshot import PLAN_CSV_COLUMNS, plan_csv_rows, snapshot_digest


def test_same_files_same_bytes_whatever_the_insertion_order() -> None:
    one = deterministic_zip({"b.csv": "x\r\n", "a/readme.md": "é"})
    two = deterministic_zip({"a/readme.md": "é", "b.csv": "x\r\n"})
    assert one.content == two.content
    assert one.sha256 == two.sha256
    with zipfile.ZipFile(io.BytesIO(one.content)) as archive:
        assert archive.namelist() == ["a/readme.md", "b.csv"]
        assert {info.date_time for info in archive.infolist()} == {FIXED_ZIP_TIME}
        assert archive.read("a/readme.md").decode() == "é"


def test_a_changed_file_changes_the_digest() -> None:
    assert deterministic_zip({"a": "1"}).sha256 != deterministic_zip({"a": "2"}).sha256


def test_csv_text_quotes_and_round_trips() -> None:
    rows = [("id", "body"), (1, 'Il a dit "bonjour",\npuis rien'), (2, None)]
    text = csv_text(rows)
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "body"],
        ["1", 'Il a dit "bonjour",\npuis rien'],
        ["2", ""],
    ]


def test_snapshot_digest_ignores_key_order() -> None:
    assert snapshot_digest({"a": 1, "b": [1, "é"]}) == snapshot_digest({"b": [1, "é"], "a": 1})
    assert snapshot_digest({"a": 1}) != snapshot_digest({"a": 2})


def _action(action_id: int, sources: list[dict[str, object]]) -> dict[str, object]:
    return {
        "id": action_id,
        "title": f"Action {action_id}",
        "themes": ["equipement", "connexion"],
        "territories": [{"name": "Grenoble"}],
        "decision": {"status": "retained", "label": "Retenue", "public_answer": "Oui"},
        "sources": sources,
        "scores": [{"name": "distinct_supporters", "value": 4}],
    }


def test_plan_csv_has_one_row_per_action_and_source() -> None:
    source = {
        "contribution": 5,
        "kind": "proposal",
        "title": None,
        "relation": "comes_from",
        "via_cluster": 3,
        "justification": "même idée",
    }
    snapshot = {"version": {"number": 2}, "actions": [_action(1, [source]), _action(2, [])]}
    rows = plan_csv_rows(snapshot)
    assert rows[0] == PLAN_CSV_COLUMNS
    assert rows[1] == (
        2, 1, "Action 1", "retained", "Retenue", "Oui", "equipement|connexion", "Grenoble",
        5, "proposal", "", "comes_from", 3, "même idée", 4,
    )  # fmt: skip
    assert rows[2][1] == 2
    assert rows[2][8:14] == ("", "", "", "", "", "")
