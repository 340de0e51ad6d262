"""No input produces a 500: every operation of the OpenAPI document, fed bad input.

The demo data is loaded so that path parameters point at real objects; each operation is
called by an anonymous client, a participant and a superuser with malformed bodies, wrongly
typed fields, oversized and NUL-containing strings, and absurd query parameters.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Model
from rest_framework.test import APIClient

from backend.accounts.models import AccessToken, User
from backend.accounts.services import access_token_create
from backend.comments.models import Comment
from backend.consultations.models import Consultation, ConsultationRole
from backend.demo.loader import DEMO_DOMAIN, demo_load
from backend.moderation.models import Report
from backend.moderation.services import report_create
from backend.notifications.models import Notification
from backend.plans.models import ArtifactBuild, PlanVersion
from backend.programmes.models import (
    Indicator,
    Milestone,
    Programme,
    RegionalAction,
    RegionalActionSource,
)
from backend.proposals.models import Contribution, ParticipantCard
from backend.structures.models import Membership, Structure
from backend.suggestions.models import SuggestionRun
from backend.suggestions.services import suggestion_run_start
from backend.synthesis.models import ActionSource, CandidateAction, Cluster, MergeLogEntry
from backend.territories.models import Territory
from backend.votes.models import Vote
from backend.workshops.models import Activity, Idea, Participant, Workshop
from backend.workshops.services import (
    activity_create,
    activity_start,
    idea_submit,
    participant_join,
    workshop_create,
    workshop_open,
)
from tests.fixtures.openapi_contract import ContractAPIClient, document

SCHEMA = document()  # the committed OpenAPI document, read once per process (libyaml)
MISSING_ID = "987654321"
HUGE_ID = "99999999999999999999"

BAD_RAW_BODIES = ["{not json", "[]", "null", '"text"', "123", "{}"]
BAD_VALUES: list[Any] = [
    None,
    True,
    -1,
    10**30,
    1.5,
    "",
    "x" * 20_000,
    "nul\u0000byte",
    "2026-13-45T99:00:00",
    "0001-01-01T00:00",
    [1, "a", None],
    {"nested": {"deeper": [1]}},
]
# Statuses given to "{not json" that show the request was refused before its body was read.
REFUSED_BEFORE_READING = {401, 403, 404, 405}
BAD_QUERY_VALUES = ["abc", "-1", HUGE_ID, "nul\x00byte", "", "2026-13-45", "1,2,x"]


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def request_properties(operation: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = content.get("schema", {})
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    if ref:
        schema = SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return list(schema.get("properties", {}))


def path_ids(ids: dict[str, str]) -> list[dict[str, str]]:
    """Real ids first, then a missing one and one beyond PostgreSQL's bigint."""
    return [ids, dict.fromkeys(ids, MISSING_ID), dict.fromkeys(ids, HUGE_ID)]


def fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def first_pk(model: type[Model]) -> str:
    obj = model._default_manager.order_by("pk").first()
    return str(obj.pk) if obj is not None else MISSING_ID


# Which objects a path parameter names; `id` is read off the path's first segment.
PARAMETER_MODELS: dict[str, Any] = {
    "consultation_id": Consultation,
    "contribution_id": Contribution,
    "comment_id": Comment,
    "structure_id": Structure,
    "territory_id": Territory,
    "token_id": AccessToken,
    "report_id": Report,
    "role_id": ConsultationRole,
    "vote_id": Vote,
    "workshop_id": Workshop,
    "activity_id": Activity,
    "idea_id": Idea,
    "participant_id": Participant,
    "card_id": ParticipantCard,
    "run_id": SuggestionRun,
    "cluster_id": Cluster,
    "merge_id": MergeLogEntry,
    "action_id": CandidateAction,
    "source_id": ActionSource,
    "programme_id": Programme,
    "regional_action_id": RegionalAction,
    "regional_source_id": RegionalActionSource,
    "milestone_id": Milestone,
    "indicator_id": Indicator,
    "build_id": ArtifactBuild,
    "notification_id": Notification,
    # A plan version's number (1, 2, ...): the demo publishes no plan, so the lookup misses.
    "number": PlanVersion,
}
ID_BY_PREFIX: dict[str, Any] = {
    "territories": Territory,
    "structures": Structure,
    "consultations": Consultation,
    "contributions": Contribution,
    "comments": Comment,
    "reports": Report,
    "tokens": AccessToken,
    "votes": Vote,
}


def real_ids_for(path: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    for name in re.findall(r"{(\w+)}", path):
        if name == "user_id":
            membership = Membership.objects.order_by("pk").first()
            ids[name] = str(membership.user_id) if membership else MISSING_ID
        elif name == "code":
            workshop = Workshop.objects.exclude(join_code="").order_by("pk").first()
            ids[name] = workshop.join_code if workshop else "ZZZZZZ"
        elif name == "token":  # the digest's unsubscribe link: a forged one
            ids[name] = "1:forged-signature"
        elif name in PARAMETER_MODELS:
            ids[name] = first_pk(PARAMETER_MODELS[name])
        elif name == "id":
            segment = path.removeprefix("/api/v1/").split("/")[0]
            segment = "tokens" if path.startswith("/api/v1/auth/tokens/") else segment
            ids[name] = first_pk(ID_BY_PREFIX[segment])
        else:
            raise AssertionError(f"no object known for the path parameter {name!r} of {path}")
    return ids


SEEN_STATUSES: dict[int, int] = {}


def check(response: Any, label: str, failures: list[str]) -> None:
    SEEN_STATUSES[response.status_code] = SEEN_STATUSES.get(response.status_code, 0) + 1
    if response.status_code >= 500:
        failures.append(f"{label}: {response.status_code}")
        return
    if response.status_code >= 400:
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            failures.append(f"{label}: {response.status_code} without a JSON body")
            return
        if not {"status", "code", "message"} <= set(body):
            failures.append(f"{label}: {response.status_code} error without the shape: {body}")


# Each persona's walk is cut in SHARDS tests of about equal length (every other operation), so
# that pytest-xdist can spread a two-minute walk over its workers instead of ending on it.
SHARDS = 2


def exercise(client: APIClient, who: str, shard: int = 0, shards: int = 1) -> list[str]:
    failures: list[str] = []
    ordered = sorted(operations(), key=lambda op: op[1] == "delete")
    for path, method, operation in ordered[shard::shards]:
        for attempt, ids in enumerate(path_ids(real_ids_for(path))):
            url = fill(path, ids)
            label = f"{who} {method.upper()} {url}"
            if attempt > 0:
                # Missing and out-of-range ids: the lookup itself is what is under test.
                response = client.generic(
                    method.upper(), url, "{}", content_type="application/json"
                )
                check(response, label, failures)
                continue
            if method == "get":
                params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
                for value in BAD_QUERY_VALUES:
                    query = dict.fromkeys(params, value)
                    check(client.get(url, query), f"{label}?{value!r}", failures)
                continue
            first, *others = BAD_RAW_BODIES
            response = client.generic(method.upper(), url, first, content_type="application/json")
            check(response, f"{label} body={first!r}", failures)
            if response.status_code in REFUSED_BEFORE_READING:
                # An unreadable body would have been a 400 had the view read it: the refusal
                # came first and no other body can change it. Skipping the rest of the
                # operation's bodies saves three quarters of the anonymous walk.
                continue
            for raw in others:
                response = client.generic(method.upper(), url, raw, content_type="application/json")
                check(response, f"{label} body={raw!r}", failures)
            check(
                client.generic(method.upper(), url, "a=1", content_type="text/plain"),
                f"{label} text/plain",
                failures,
            )
            for name in request_properties(operation):
                for value in BAD_VALUES:
                    body = json.dumps({name: value})
                    response = client.generic(
                        method.upper(), url, body, content_type="application/json"
                    )
                    check(response, f"{label} {name}={str(value)[:30]!r}", failures)
    return failures


@pytest.fixture
def throttles_count_nothing(settings: Any) -> None:
    """Throttle counters are the only use of the cache: with a cache that keeps nothing, no
    request of the walk is a 429 that never reached its view (sign-in, registration and
    similar drafts were otherwise walked mostly past their rate)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def demo(db: None) -> None:
    demo_load()
    participant = User.objects.get(email=f"participant@{DEMO_DOMAIN}")
    access_token_create(user=participant, name="fuzz")
    report_create(
        by=participant, contribution=Contribution.objects.order_by("pk")[0], reason="spam"
    )
    facilitator = User.objects.get(email=f"animateur@{DEMO_DOMAIN}")
    pilot = Consultation.objects.get(roles__user=facilitator)
    workshop = workshop_open(
        by=facilitator,
        workshop=workshop_create(
            by=facilitator, consultation=pilot, title="Atelier", participation="open"
        ),
    )
    capture = activity_create(by=facilitator, workshop=workshop, kind="idea_capture", title="Idées")
    activity_create(
        by=facilitator, workshop=workshop, kind="poll", title="?", poll={"choices": ["Oui", "Non"]}
    )
    activity_start(by=facilitator, activity=capture)
    phone, _token = participant_join(workshop=workshop, user=None)
    idea_submit(activity=capture, participant=phone, kind="problem", text="pas de wifi")
    organizer = User.objects.get(email=f"organisatrice@{DEMO_DOMAIN}")
    suggestion_run_start(by=organizer, consultation=Consultation.objects.order_by("pk")[0])


def signed_in(email: str) -> APIClient:
    client = ContractAPIClient()
    client.force_authenticate(User.objects.get(email=email))
    return client


@pytest.mark.long
@pytest.mark.usefixtures("demo", "throttles_count_nothing")
@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize(
    "who",
    ["anonymous", f"participant@{DEMO_DOMAIN}", f"organisatrice@{DEMO_DOMAIN}"],
)
def test_no_input_produces_a_server_error(who: str, shard: int) -> None:
    client = ContractAPIClient() if who == "anonymous" else signed_in(who)
    SEEN_STATUSES.clear()
    failures = exercise(client, who, shard, SHARDS)
    assert not failures, "\n".join(failures[:40])
    assert 429 not in SEEN_STATUSES, SEEN_STATUSES  # every request reached its view
    # The run really reached the views: validation errors and successful reads both occurred.
    assert sum(SEEN_STATUSES.values()) > 1000 // SHARDS, SEEN_STATUSES
    assert SEEN_STATUSES.get(200, 0) > 50 // SHARDS, SEEN_STATUSES
    if who != "anonymous":
        assert SEEN_STATUSES.get(400, 0) > 100 // SHARDS, SEEN_STATUSES


def test_the_shards_cover_every_operation_once() -> None:
    everything = sorted(operations(), key=lambda op: op[1] == "delete")
    walked = [op[:2] for shard in range(SHARDS) for op in everything[shard::SHARDS]]
    assert sorted(walked) == sorted(op[:2] for op in everything)
    assert len(walked) == len(set(walked))
