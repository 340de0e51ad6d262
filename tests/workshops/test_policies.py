"""Who may run, see and join a workshop: personas x workshop status."""

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.consultations.services import consultation_archive
from backend.workshops.models import Workshop
from backend.workshops.policies import can_join_workshop, can_run_workshop, can_view_workshop
from backend.workshops.services import workshop_close, workshop_create
from tests.workshops.conftest import Room

pytestmark = pytest.mark.django_db


def test_runners_are_facilitators_organizers_and_staff(room: Room, workshop: Workshop) -> None:
    assert can_run_workshop(user=room.facilitator, obj=workshop)
    assert can_run_workshop(user=room.organizer, obj=workshop)
    assert not can_run_workshop(user=room.participant, obj=workshop)
    assert not can_run_workshop(user=room.outsider, obj=workshop)
    assert not can_run_workshop(user=AnonymousUser(), obj=workshop)


@pytest.mark.parametrize(
    ("who", "draft", "open_", "closed"),
    [
        ("facilitator", True, True, True),
        ("participant", False, True, True),
        ("anonymous", False, True, True),
    ],
)
def test_visibility_by_status(room: Room, who: str, draft: bool, open_: bool, closed: bool) -> None:
    user = AnonymousUser() if who == "anonymous" else getattr(room, who)
    workshop = workshop_create(by=room.facilitator, consultation=room.consultation, title="Atelier")
    assert can_view_workshop(user=user, obj=workshop) is draft
    assert not can_join_workshop(obj=workshop)
    from backend.workshops.services import workshop_open

    workshop = workshop_open(by=room.facilitator, workshop=workshop)
    assert can_view_workshop(user=user, obj=workshop) is open_
    assert can_join_workshop(obj=workshop)
    workshop = workshop_close(by=room.facilitator, workshop=workshop)
    assert can_view_workshop(user=user, obj=workshop) is closed
    assert not can_join_workshop(obj=workshop)


def test_nobody_runs_a_workshop_of_an_archived_consultation(room: Room, workshop: Workshop) -> None:
    consultation_archive(by=room.organizer, consultation=room.consultation)
    workshop.refresh_from_db()
    assert not can_run_workshop(user=room.facilitator, obj=workshop)
    assert not can_run_workshop(user=room.organizer, obj=workshop)
