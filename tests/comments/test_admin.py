"""The comment admin reads in French."""

from collections.abc import Callable

import pytest
from django.test import Client

from backend.accounts.models import User
from backend.comments.models import Comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_deliberation")]


def test_changelist_in_french(
    make_user: Callable[..., User], make_comment: Callable[..., Comment]
) -> None:
    make_comment(body="Pareil chez nous")
    admin = make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/comments/comment/", headers={"accept-language": "fr"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pareil chez nous" in page
    assert "extrait" in page.lower()
    assert "position" in page.lower()
