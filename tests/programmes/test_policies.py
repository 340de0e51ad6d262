"""Every programme predicate, for every persona and stage (roles resolved from the
database: programme organizer, territorial organizer of one round, staff, others)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.programmes import policies
from backend.programmes.models import Programme
from tests.consultations.conftest import Personas
from tests.domain.programmes.test_stages_matrix import EXPECTED, ORG, STAFF, TERR
from tests.programmes.conftest import Region

pytestmark = pytest.mark.django_db

PREDICATES: dict[str, Callable[..., bool]] = {
    "view_dashboard": policies.can_view_programme_dashboard,
    "manage": policies.can_manage_programme,
    "add_round": policies.can_add_programme_round,
    "consolidate": policies.can_edit_regional_action,
    "link_source": policies.can_link_regional_source,
    "decide": policies.can_decide_regional_action,
    "fund": policies.can_fund_regional_action,
    "publish": policies.can_publish_regional_plan,
    "follow_up": policies.can_follow_up_regional_action,
}


@pytest.mark.parametrize("stage", ["preparation", "consolidation", "adopted", "closed"])
def test_role_x_stage_matrix_for_every_predicate(
    region: Region, people: Personas, stage: str
) -> None:
    Programme.objects.filter(pk=region.programme.pk).update(stage=stage)
    programme = Programme.objects.get(pk=region.programme.pk)
    personas: dict[str, tuple[Any, Any]] = {
        "programme organizer": (region.organizer, ORG),
        "territorial organizer": (region.lyon_organizer, TERR),
        "staff": (people.staff, STAFF),
        "participant": (people.participant, None),
        "anonymous": (AnonymousUser(), None),
    }
    for verb, predicate in PREDICATES.items():
        rule = next(v for v in EXPECTED if v.value == verb)
        for name, (user, role) in personas.items():
            expected = not isinstance(user, AnonymousUser) and any(
                s.value == stage for s in EXPECTED[rule][role]
            )
            assert predicate(user=user, obj=programme) is expected, (verb, name, stage)


def test_territorial_organizers_link_only_their_round(region: Region) -> None:
    programme = region.programme
    assert policies.can_link_regional_source(
        user=region.lyon_organizer, obj=programme, consultation_id=region.lyon.pk
    )
    assert not policies.can_link_regional_source(
        user=region.lyon_organizer, obj=programme, consultation_id=region.grenoble.pk
    )
    assert policies.can_link_regional_source(
        user=region.organizer, obj=programme, consultation_id=region.grenoble.pk
    )


def test_drafts_are_visible_to_their_organizers_only(region: Region, people: Personas) -> None:
    Programme.objects.filter(pk=region.programme.pk).update(status="draft")
    programme = Programme.objects.get(pk=region.programme.pk)
    assert policies.can_view_programme(user=region.lyon_organizer, obj=programme)
    assert policies.can_view_programme(user=people.staff, obj=programme)
    assert not policies.can_view_programme(user=people.participant, obj=programme)
    assert not policies.can_view_programme(user=AnonymousUser(), obj=programme)
