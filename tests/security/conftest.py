"""Security regression tests: the plan and vote fixtures of those apps, reused by name (the
shared personas, tree, consultation, card and phases come from tests/fixtures)."""

from tests.plans import conftest as plans
from tests.votes import conftest as votes

build = plans.build
built = plans.built
proposals_of = votes.proposals_of
items = votes.items
make_vote = votes.make_vote
vote = votes.vote

# The live workshop room (websocket abuse, ballot stuffing).
from tests.workshops import conftest as workshops  # noqa: E402

room = workshops.room
workshop = workshops.workshop
make_activity = workshops.make_activity
