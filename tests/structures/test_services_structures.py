"""Structure and membership services: creation, slugs, updates, the last-admin rule."""

from collections.abc import Callable

import pytest

from backend.accounts.models import User
from backend.core import errors
from backend.structures.models import MemberRole, Membership, Structure, StructureType
from backend.structures.services import (
    membership_add,
    membership_change_role,
    membership_leave,
    membership_remove,
    structure_create,
    structure_update,
)
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


def role_of(structure: Structure, user: User) -> str | None:
    membership = Membership.objects.filter(structure=structure, user=user).first()
    return None if membership is None else membership.role


def test_the_creator_becomes_admin(structure: Structure, owner: User) -> None:
    assert role_of(structure, owner) == MemberRole.ADMIN
    assert structure.slug == "emmaus-connect-grenoble"


def test_slugs_are_unique(tree: Tree, outsider: User) -> None:
    slugs = [
        structure_create(
            creator=outsider,
            name="Médiathèque Kateb Yacine",
            type=StructureType.MEDIATHEQUE,
            territory=tree.grenoble,
        ).slug
        for _ in range(3)
    ]
    assert slugs == [
        "mediatheque-kateb-yacine",
        "mediatheque-kateb-yacine-2",
        "mediatheque-kateb-yacine-3",
    ]


def test_a_name_without_letters_still_gets_a_slug(tree: Tree, outsider: User) -> None:
    created = structure_create(
        creator=outsider, name="!!!", type=StructureType.OTHER, territory=tree.lyon
    )
    assert created.slug == "structure"


def test_admins_and_staff_update(
    structure: Structure, owner: User, staff: User, tree: Tree
) -> None:
    structure_update(structure=structure, by=owner, name="Emmaüs Connect", description="")
    structure_update(structure=structure, by=staff, territory=tree.echirolles)
    structure.refresh_from_db()
    assert (structure.name, structure.description) == ("Emmaüs Connect", "")
    assert structure.territory == tree.echirolles
    assert structure.slug == "emmaus-connect-grenoble"


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_others_may_not_update(
    request: pytest.FixtureRequest, structure: Structure, persona: str
) -> None:
    with pytest.raises(errors.PermissionDenied):
        structure_update(structure=structure, by=request.getfixturevalue(persona), name="X")


def test_admin_adds_a_member_once(structure: Structure, owner: User, outsider: User) -> None:
    membership_add(structure=structure, by=owner, user=outsider)
    assert role_of(structure, outsider) == MemberRole.MEMBER
    with pytest.raises(errors.AlreadyMember):
        membership_add(structure=structure, by=owner, user=outsider, role=MemberRole.ADMIN)


def test_a_member_may_not_add_members(structure: Structure, member: User, outsider: User) -> None:
    with pytest.raises(errors.PermissionDenied):
        membership_add(structure=structure, by=member, user=outsider)


def test_the_last_admin_cannot_be_demoted(structure: Structure, owner: User) -> None:
    membership = Membership.objects.get(structure=structure, user=owner)
    with pytest.raises(errors.LastAdmin):
        membership_change_role(membership=membership, by=owner, role=MemberRole.MEMBER)
    assert role_of(structure, owner) == MemberRole.ADMIN


def test_an_admin_steps_down_once_another_is_named(
    structure: Structure, owner: User, member: User
) -> None:
    promoted = Membership.objects.get(structure=structure, user=member)
    membership_change_role(membership=promoted, by=owner, role=MemberRole.ADMIN)
    mine = Membership.objects.get(structure=structure, user=owner)
    membership_change_role(membership=mine, by=owner, role=MemberRole.MEMBER)
    assert role_of(structure, owner) == MemberRole.MEMBER
    assert role_of(structure, member) == MemberRole.ADMIN


def test_a_member_may_not_change_roles(structure: Structure, owner: User, member: User) -> None:
    mine = Membership.objects.get(structure=structure, user=member)
    with pytest.raises(errors.PermissionDenied):
        membership_change_role(membership=mine, by=member, role=MemberRole.ADMIN)


def test_admin_removes_a_member_but_not_the_last_admin(
    structure: Structure, owner: User, member: User, staff: User
) -> None:
    membership_remove(membership=Membership.objects.get(structure=structure, user=member), by=owner)
    assert role_of(structure, member) is None
    with pytest.raises(errors.LastAdmin):
        membership_remove(
            membership=Membership.objects.get(structure=structure, user=owner), by=staff
        )


def test_a_member_may_not_remove_others(structure: Structure, owner: User, member: User) -> None:
    with pytest.raises(errors.PermissionDenied):
        membership_remove(
            membership=Membership.objects.get(structure=structure, user=owner), by=member
        )


def test_a_member_leaves(structure: Structure, member: User) -> None:
    membership_leave(structure=structure, user=member)
    assert role_of(structure, member) is None


def test_the_last_admin_cannot_leave(structure: Structure, owner: User) -> None:
    with pytest.raises(errors.LastAdmin):
        membership_leave(structure=structure, user=owner)


def test_leaving_a_structure_one_is_not_in_is_a_not_found(
    structure: Structure, outsider: User
) -> None:
    with pytest.raises(errors.NotFound):
        membership_leave(structure=structure, user=outsider)


def test_removing_an_already_removed_membership_is_a_not_found(
    structure: Structure, owner: User, member: User
) -> None:
    membership = Membership.objects.get(structure=structure, user=member)
    membership_remove(membership=membership, by=owner)
    with pytest.raises(errors.NotFound):
        membership_remove(membership=membership, by=owner)


def test_two_structures_created_by_one_person(tree: Tree, make_user: Callable[..., User]) -> None:
    person = make_user()
    for name in ("CCAS de Grenoble", "CCAS d'Échirolles"):
        structure_create(
            creator=person, name=name, type=StructureType.CCAS, territory=tree.grenoble
        )
    assert Membership.objects.filter(user=person, role=MemberRole.ADMIN).count() == 2
