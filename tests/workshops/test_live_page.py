"""The live workshop page is served outside the API and is absent from the OpenAPI document."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "view"),
    [
        ("/live/ab12cd/", "participant"),
        ("/live/AB12CD/presenter/", "presenter"),
        ("/live/AB12CD/?view=presenter", "presenter"),
    ],
)
def test_the_page_carries_the_code_and_its_view(path: str, view: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'data-code="AB12CD"' in page
    assert f'data-view="{view}"' in page
    assert "workshops/live.js" in page
    assert 'lang="fr"' in page


def test_the_home_form_sends_to_the_code_page() -> None:
    assert Client().get("/live/").status_code == 200
    response = Client().get("/live/", {"code": " ab12 cd "})
    assert (response.status_code, response["Location"]) == (302, "/live/AB12CD/")


def test_the_page_is_not_part_of_the_api_document() -> None:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/workshops/join/{code}/" in paths
    assert not [path for path in paths if path.startswith("/live")]
