"""The Grenoble demo data: loaded through the services, complete, and safe to load twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from backend.consultations.models import Consultation
from backend.demo.loader import PILOT_TITLE, demo_load
from backend.demo.workshops import PHONES, WORKSHOP_TITLE
from backend.proposals.models import Contribution
from backend.synthesis.models import CandidateAction, Cluster
from backend.votes.counting import NO_GROUP, tally_groups
from backend.votes.models import BallotLine
from backend.votes.selectors import vote_get, vote_results
from backend.workshops.models import Activity, Workshop


@pytest.mark.django_db
def test_the_demo_holds_a_living_pilot_and_loads_only_once() -> None:
    first = demo_load()
    pilot = Consultation.objects.get(title=PILOT_TITLE)
    assert Contribution.objects.filter(consultation=pilot).count() == 10
    assert Cluster.objects.filter(consultation=pilot).exists()
    assert CandidateAction.objects.filter(consultation=pilot).count() == 2
    workshop = Workshop.objects.get(consultation=pilot, title=WORKSHOP_TITLE)
    vote_activity = Activity.objects.get(workshop=workshop, kind="vote")
    assert first.created["workshop_ballots"] == len(PHONES) - 1
    lines = BallotLine.objects.filter(vote=vote_activity.vote)
    assert set(lines.values_list("origin", flat=True)) == {"workshop"}

    # The live result (running totals) is the recount of the lines.
    vote = vote_get(vote_id=vote_activity.vote_id, user=None)  # type: ignore[arg-type]
    live = vote_results(vote=vote)
    items = sorted(item.pk for item in vote.items.all())
    assert live == {**live, **tally_groups(vote=vote, items=items, by_structure=False)[NO_GROUP]}
    assert live["voter_count"] == len(PHONES) - 1

    counts = {
        "contributions": Contribution.objects.count(),
        "lines": BallotLine.objects.count(),
        "actions": CandidateAction.objects.count(),
        "workshops": Workshop.objects.count(),
    }
    assert demo_load().created == {}
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert counts == {
        "contributions": Contribution.objects.count(),
        "lines": BallotLine.objects.count(),
        "actions": CandidateAction.objects.count(),
        "workshops": Workshop.objects.count(),
    }
