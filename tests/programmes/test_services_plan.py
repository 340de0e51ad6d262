"""Funding against envelopes, publication of the regional plan, its archive (every figure
recomputed from the archive's files), follow-up after adoption, events after commit."""

import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.test import TestCase

from backend.core import errors
from backend.core.domain_events import DomainEvent, subscribe, unsubscribe
from backend.programmes.domain.archive import rollups_from_files
from backend.programmes.models import FollowUpEntry, RegionalAction
from backend.programmes.selectors import programme_budget, programme_coverage
from backend.programmes.services import (
    follow_up_note_add,
    indicator_add,
    indicator_measure,
    milestone_add,
    milestone_reach,
    regional_action_create,
    regional_action_decide,
    regional_action_set_funding,
    regional_action_set_progress,
    regional_action_set_status,
    regional_plan_publish,
)
from tests.programmes.conftest import Region

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "frontend-contract" / "regional-plan.schema.json"
    ).read_text()
)


def _two_actions(region: Region) -> tuple[RegionalAction, RegionalAction]:
    help_desk = regional_action_create(
        by=region.organizer,
        programme=region.programme,
        title="Un réseau régional de permanences d'aide aux démarches",
        themes=["logement", "emploi"],
        candidate_action_ids=[region.actions["g_help"].pk, region.actions["l_help"].pk],
    )
    computers = regional_action_create(
        by=region.organizer,
        programme=region.programme,
        title="Des ordinateurs reconditionnés à prix solidaire",
        themes=["education"],
        candidate_action_ids=[region.actions["g_pc"].pk],
    )
    return help_desk, computers


def test_over_budget_is_refused_unless_confirmed_and_then_shown(region: Region) -> None:
    help_desk, computers = _two_actions(region)
    regional_action_set_funding(
        by=region.organizer,
        action=help_desk,
        cost_estimate_eur=30000,
        lines={region.funders["region"]: 20000, region.funders["ville"]: 8000},
    )
    with pytest.raises(errors.OverBudget) as caught:
        regional_action_set_funding(
            by=region.organizer,
            action=computers,
            cost_estimate_eur=12000,
            lines={region.funders["region"]: 12000},
        )
    assert caught.value.details is not None
    assert caught.value.details["funders"][0]["over_by_eur"] == 4000
    regional_action_set_funding(
        by=region.organizer,
        action=computers,
        cost_estimate_eur=12000,
        lines={region.funders["region"]: 12000},
        allow_over_budget=True,
    )
    budget = programme_budget(programme=region.programme)
    assert budget["over_budget_funders"] == [region.funders["region"]]
    region_fit = next(
        f for f in budget["what_fits"]["funders"] if f["funder"] == region.funders["region"]
    )
    # The help desk comes first (two territories): it fits; the computers do not.
    assert [(e["action"], e["fits"]) for e in region_fit["entries"]] == [
        (help_desk.pk, True),
        (computers.pk, False),
    ]


def test_publication_freezes_figures_that_the_archive_reproduces(region: Region) -> None:
    help_desk, computers = _two_actions(region)
    regional_action_set_funding(
        by=region.organizer,
        action=help_desk,
        cost_estimate_eur=26000,
        lines={region.funders["region"]: 18000, region.funders["ville"]: 8000},
        lead_structure=region.association,
        partner_structures=[region.ccas],
        starts_on=date(2026, 10, 1),
        ends_on=date(2027, 6, 30),
    )
    with pytest.raises(errors.RegionalPlanIncomplete):
        regional_plan_publish(by=region.organizer, programme=region.programme)
    regional_action_decide(by=region.organizer, action=help_desk, decision="retained")
    regional_action_decide(
        by=region.organizer,
        action=computers,
        decision="not_retained",
        public_answer="Le dispositif national couvre déjà ce besoin.",
    )
    version = regional_plan_publish(
        by=region.organizer, programme=region.programme, note="Première version"
    )
    region.programme.refresh_from_db()
    assert region.programme.stage == "adopted"
    snapshot = version.snapshot
    assert snapshot["totals"]["retained_actions"] == 1
    assert [a["id"] for a in snapshot["actions"]] == [help_desk.pk, computers.pk]
    assert {a["consultation"] for a in snapshot["annexes"]} == {
        region.grenoble.pk,
        region.lyon.pk,
    }
    archive = zipfile.ZipFile(io.BytesIO(bytes(version.archive)))
    files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    assert json.loads(files["plan.json"]) == snapshot
    jsonschema.Draft202012Validator(SCHEMA).validate(snapshot)
    recomputed = rollups_from_files(files)
    for action in snapshot["actions"]:
        assert recomputed[action["id"]].as_dict() == action["figures"]
    # No account id leaves the server: people are archive pseudonyms.
    assert "u:" not in files["supports.csv"]
    assert "u:" not in files["contributions.csv"]
    assert f"annexes/territoire-{region.lyon.pk}.csv" in files


def test_follow_up_after_adoption_is_a_public_timeline(region: Region) -> None:
    help_desk, _ = _two_actions(region)
    regional_action_decide(by=region.organizer, action=help_desk, decision="retained")
    with pytest.raises(errors.ProgrammeStageClosed):
        regional_action_set_status(by=region.organizer, action=help_desk, status="in_progress")
    regional_plan_publish(by=region.organizer, programme=region.programme, force=True)
    regional_action_set_status(by=region.organizer, action=help_desk, status="in_progress")
    regional_action_set_progress(by=region.organizer, action=help_desk, progress_percent=40)
    milestone = milestone_add(
        by=region.organizer, action=help_desk, title="Dix permanences", due_on=date(2026, 12, 1)
    )
    milestone_reach(by=region.organizer, milestone=milestone, reached_on=date(2026, 11, 20))
    indicator = indicator_add(
        by=region.organizer,
        action=help_desk,
        name="Personnes accompagnées",
        unit="personnes",
        target_value=500,
    )
    indicator_measure(
        by=region.organizer, indicator=indicator, value=120, measured_on=date(2026, 12, 31)
    )
    with pytest.raises(errors.ValidationFailed):
        regional_action_set_status(by=region.organizer, action=help_desk, status="abandoned")
    with pytest.raises(errors.InvalidStatusChange):
        regional_action_set_status(by=region.organizer, action=help_desk, status="in_progress")
    regional_action_set_status(by=region.organizer, action=help_desk, status="done")
    follow_up_note_add(by=region.organizer, action=help_desk, note="Bilan présenté en comité.")
    help_desk.refresh_from_db()
    assert help_desk.progress_percent == 100
    kinds = list(
        FollowUpEntry.objects.filter(action=help_desk)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "status_changed",
        "progress_updated",
        "milestone_added",
        "milestone_reached",
        "indicator_added",
        "indicator_measured",
        "status_changed",
        "note",
    ]


def test_coverage_shows_what_each_territory_raised_and_what_answers_it(region: Region) -> None:
    help_desk, _ = _two_actions(region)
    matrix = programme_coverage(programme=region.programme)
    logement_lyon = matrix.cell("logement", region.lyon.pk)
    assert logement_lyon.contributions == 1
    assert help_desk.pk in logement_lyon.regional_actions
    assert matrix.cell("sante", region.lyon.pk).status == "not_raised"


class EventsAfterCommit(TestCase):
    """Events leave only once the transaction commits (captureOnCommitCallbacks)."""

    def test_events_reach_subscribers_after_commit(self) -> None:
        seen: list[DomainEvent] = []

        def handler(event: DomainEvent) -> None:
            seen.append(event)

        def failing(event: DomainEvent) -> None:
            raise RuntimeError("a broken subscriber must not stop the others")

        subscribe(failing)
        subscribe(handler, events={"regional_action.created"})
        try:
            from backend.programmes import events

            with self.captureOnCommitCallbacks(execute=True):
                events.emit(
                    "regional_action.created",
                    programme_id=1,
                    data={"id": 7, "decision": "pending"},
                    consultations=[3],
                )
                assert seen == []
        finally:
            unsubscribe(handler)
            unsubscribe(failing)
        assert len(seen) == 1
        event: Any = seen[0]
        assert event.groups == ("programme.1", "consultation.3")
        assert event.data == {"programme": 1, "id": 7, "decision": "pending"}
