"""The demo's regional programme: three rounds consolidated, costed within the pilot's
envelopes, published once, followed up; loading twice adds nothing."""

import pytest

from backend.demo.loader import demo_load
from backend.demo.programme import PROGRAMME_TITLE
from backend.programmes.models import FollowUpEntry, Programme, RegionalAction


@pytest.mark.django_db
def test_the_demo_regional_plan() -> None:
    demo_load()
    programme = Programme.objects.get(title=PROGRAMME_TITLE)
    assert programme.stage == "adopted"
    assert programme.rounds.count() == 3
    assert {f.name: f.envelope_eur for f in programme.funders.all()} == {
        "Région Auvergne-Rhône-Alpes": 28000,
        "Ville de Grenoble": 11000,
    }
    version = programme.plan_versions.get()
    snapshot = version.snapshot
    assert not version.is_over_budget
    assert snapshot["actions"][0]["figures"]["territories_raised"] == 3
    assert [f["remaining_eur"] for f in snapshot["budget"]["funders"]] == [0, 0]
    assert len(snapshot["annexes"]) == 3
    assert FollowUpEntry.objects.filter(action__programme=programme).count() >= 5
    before = RegionalAction.objects.count()
    assert "regional_actions" not in demo_load().created
    assert RegionalAction.objects.count() == before
