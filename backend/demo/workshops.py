"""Demo live workshop of the Grenoble pilot: a room at the Villeneuve, a poll already answered
and a majority-judgment vote open, with phones that have voted (through the real services)."""

import random

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution, ContributionKind
from backend.territories.models import Territory
from backend.workshops.devices import device_token_new
from backend.workshops.models import Workshop
from backend.workshops.services import (
    activity_create,
    activity_results_show,
    activity_start,
    activity_stop,
    participant_join,
    workshop_ballot_submit,
    workshop_create,
    workshop_open,
    workshop_poll_answer,
)

WORKSHOP_TITLE = "Atelier numérique de la Villeneuve"
PHONES = ["Fatou", "Gérard", "Inès", "Karim", "Lucie", "Marcel", "Nadia", ""]
# Grades 0 (Excellent) .. 6 (À rejeter), drawn around each proposal's appeal in the room.
APPEAL = [1.5, 2.5, 3.0, 2.0, 4.0]


def load_workshop(*, pilot: Consultation, people: dict[str, User], place: Territory) -> int:
    """The workshop with its two activities and eight phones; returns the ballots written (0
    when the workshop exists already)."""
    if Workshop.objects.filter(consultation=pilot, title=WORKSHOP_TITLE).exists():
        return 0
    facilitator = people["facilitator"]
    proposals = list(
        Contribution.objects.filter(consultation=pilot, kind=ContributionKind.PROPOSAL)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    workshop = workshop_open(
        by=facilitator,
        workshop=workshop_create(
            by=facilitator,
            consultation=pilot,
            title=WORKSHOP_TITLE,
            place="Maison des habitants Le Patio, 97 galerie de l'Arlequin",
            territory=place,
        ),
    )
    poll = activity_create(
        by=facilitator,
        workshop=workshop,
        kind="poll",
        title="Avec quoi allez-vous sur internet le plus souvent ?",
        poll={"multiple": False, "choices": ["Téléphone", "Ordinateur", "Tablette", "Jamais"]},
    )
    vote = activity_create(
        by=facilitator,
        workshop=workshop,
        kind="vote",
        title="Quelles propositions pour le quartier ?",
        vote={"method": "majority_judgment", "items": proposals},
    )
    rng = random.Random(38185)  # noqa: S311 (demo grades, not a secret)
    # Each phone is a device of its own (one card per device, the default rule).
    phones = [
        participant_join(
            workshop=workshop, user=None, display_name=name, device_token=device_token_new()
        )[0]
        for name in PHONES
    ]
    activity_start(by=facilitator, activity=poll)
    choices = [choice.pk for choice in poll.choices.order_by("position", "pk")]
    for phone in phones:
        pick = rng.choices(choices, weights=[6, 2, 1, 1])[0]
        workshop_poll_answer(activity=poll, participant=phone, choices=[pick])
    activity_stop(by=facilitator, activity=poll)
    activity_start(by=facilitator, activity=vote)
    activity_results_show(by=facilitator, activity=vote, visible=True)
    ballots = 0
    for phone in phones[:-1]:  # the last phone has joined but not voted yet
        grades = {
            item: min(6, max(0, round(rng.gauss(APPEAL[index % len(APPEAL)], 1.2))))
            for index, item in enumerate(proposals)
        }
        workshop_ballot_submit(activity=vote, participant=phone, choices=grades)
        ballots += 1
    return ballots
