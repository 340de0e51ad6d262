"""A committed write never answers 500 because the channel layer fails after commit: the
broadcast is an on-commit callback registered with `robust=True`. A real Redis (a server of the
test's own on a free port) stopped before the write."""

from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from pytest_django import Settings
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas
from tests.fixtures.throwaway import RedisServer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_diagnostic")]


@pytest.fixture
def redis_layer(settings: Settings, own_redis: RedisServer) -> RedisServer:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": own_redis.url, "socket_connect_timeout": 2}],
                "prefix": "npt-down",
            },
        }
    }
    channel_layers.backends.pop("default", None)
    return own_redis


def problem(title: str) -> dict[str, str]:
    return {"kind": "problem", "title": title, "body": "Plus de guichet à la mairie annexe."}


def test_a_write_committed_while_redis_is_down_answers_201_and_is_saved(
    redis_layer: RedisServer,
    consultation: Consultation,
    people: Personas,
    client_for: Callable[[User], APIClient],
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/contributions/"
    client = client_for(people.participant)
    # The layer works: the first write is broadcast through Redis.
    assert client.post(url, problem("Avant la panne"), format="json").status_code == 201
    layer = get_channel_layer()
    assert layer is not None
    assert type(layer).__name__ == "RedisChannelLayer"

    redis_layer.stop()
    with pytest.raises(RedisConnectionError):
        async_to_sync(layer.group_send)("consultation.0", {"type": "probe"})
    response = client.post(url, problem("Pendant la panne"), format="json")

    assert response.status_code == 201, response.content
    saved = Contribution.objects.get(pk=response.json()["id"])
    assert saved.title == "Pendant la panne"

    # Back up: the next write is broadcast again, nothing to restart.
    redis_layer.start()
    assert client.post(url, problem("Après la panne"), format="json").status_code == 201
    assert Contribution.objects.filter(consultation=consultation).count() == 3
