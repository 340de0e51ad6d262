"""Security regression tests: fixtures reused by name from the app test packages."""

from tests.plans import conftest as plans
from tests.proposals import conftest as proposals
from tests.votes import conftest as votes

tree = plans.tree
people = plans.people
make_organizer = plans.make_organizer
make_consultation = plans.make_consultation
consultation = plans.consultation
fast_password_hashing = plans.fast_password_hashing
build = plans.build
built = plans.built
in_restitution = plans.in_restitution
in_diagnostic = proposals.in_diagnostic
in_proposals = proposals.in_proposals
card = proposals.card
make_problem = proposals.make_problem
in_vote = votes.in_vote
proposals_of = votes.proposals_of
items = votes.items
make_vote = votes.make_vote
vote = votes.vote
