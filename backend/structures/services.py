"""Writes on structures and their memberships."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from backend.accounts.models import User
from backend.core import errors
from backend.core.slugs import free_slug
from backend.structures.domain import leaves_no_admin
from backend.structures.models import MemberRole, Membership, Structure, StructureType
from backend.structures.policies import can_manage_structure, can_verify_structure
from backend.territories.models import Territory

SLUG_MAX_LENGTH = 200
SLUG_SUFFIX_ROOM = 12
SLUG_ATTEMPTS = 3
# What a verification vouches for.
IDENTITY_FIELDS = frozenset({"name", "type", "territory"})


def _free_structure_slug(name: str) -> str:
    base = slugify(name)[:SLUG_MAX_LENGTH] or "structure"
    taken = Structure.objects.filter(
        slug__startswith=base[: SLUG_MAX_LENGTH - SLUG_SUFFIX_ROOM]
    ).values_list("slug", flat=True)
    return free_slug(base, taken, max_length=SLUG_MAX_LENGTH, fallback="structure")


@transaction.atomic
def structure_create(
    *,
    creator: User,
    name: str,
    type: StructureType | str,
    territory: Territory,
    description: str = "",
    website: str = "",
) -> Structure:
    """Create a structure whose creator becomes its first administrator.

    The slug comes from the name, with a numeric suffix when taken; a concurrent creation
    taking the same slug is retried in a savepoint.
    """
    for _attempt in range(SLUG_ATTEMPTS):
        try:
            with transaction.atomic():
                structure = Structure.objects.create(
                    name=name,
                    slug=_free_structure_slug(name),
                    type=StructureType(type),
                    territory=territory,
                    description=description,
                    website=website,
                )
            break
        except IntegrityError:
            continue
    else:
        raise errors.Conflict()
    Membership.objects.create(structure=structure, user=creator, role=MemberRole.ADMIN)
    return structure


@transaction.atomic
def structure_update(
    *,
    structure: Structure,
    by: User,
    name: str | None = None,
    type: StructureType | str | None = None,
    territory: Territory | None = None,
    description: str | None = None,
    website: str | None = None,
) -> Structure:
    """Change the given fields (None: unchanged); the slug stays, so links keep working.

    A verified structure whose name, type or territory changes loses its verification (a
    verified association must not become "Région (officiel)")."""
    if not can_manage_structure(user=by, structure=structure):
        raise errors.PermissionDenied()
    changes = {
        "name": name,
        "type": None if type is None else StructureType(type),
        "territory": territory,
        "description": description,
        "website": website,
    }
    changed = [
        field
        for field, value in changes.items()
        if value is not None and value != getattr(structure, field)
    ]
    for field in changed:
        setattr(structure, field, changes[field])
    if structure.verified_at is not None and set(changed) & IDENTITY_FIELDS:
        structure.verified_at = None
        structure.verified_by = None
        changed += ["verified_at", "verified_by"]
    if changed:
        structure.save(update_fields=changed)
    return structure


@transaction.atomic
def structure_verify(*, structure: Structure, by: User) -> Structure:
    """Mark the structure as checked by staff (idempotent: a second call changes nothing)."""
    if not can_verify_structure(user=by):
        raise errors.PermissionDenied()
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    if structure.verified_at is None:
        structure.verified_at = timezone.now()
        structure.verified_by = by
        structure.save(update_fields=["verified_at", "verified_by"])
    return structure


@transaction.atomic
def structure_unverify(*, structure: Structure, by: User) -> Structure:
    """Withdraw the verification (staff)."""
    if not can_verify_structure(user=by):
        raise errors.PermissionDenied()
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    structure.verified_at = None
    structure.verified_by = None
    structure.save(update_fields=["verified_at", "verified_by"])
    return structure


def _lock_structure(structure: Structure) -> None:
    """Serialize every membership change of a structure on its row (the last-admin rule)."""
    Structure.objects.select_for_update().filter(pk=structure.pk).values_list("pk").first()


def _check_admins_remain(*, membership: Membership, new_role: str | None) -> None:
    admin_count = Membership.objects.filter(
        structure_id=membership.structure_id, role=MemberRole.ADMIN
    ).count()
    if leaves_no_admin(admin_count=admin_count, current_role=membership.role, new_role=new_role):
        raise errors.LastAdmin()


def _fresh_membership(membership: Membership) -> Membership:
    current = Membership.objects.filter(pk=membership.pk).select_related("user").first()
    if current is None:
        raise errors.NotFound()
    return current


@transaction.atomic
def membership_add(
    *,
    structure: Structure,
    by: User,
    user: User,
    role: MemberRole | str = MemberRole.MEMBER,
) -> Membership:
    """Add `user` to the structure (administrators and staff only)."""
    if not can_manage_structure(user=by, structure=structure):
        raise errors.PermissionDenied()
    if Membership.objects.filter(structure=structure, user=user).exists():
        raise errors.AlreadyMember()
    try:
        with transaction.atomic():
            return Membership.objects.create(structure=structure, user=user, role=MemberRole(role))
    except IntegrityError as exc:
        raise errors.AlreadyMember() from exc


@transaction.atomic
def membership_change_role(
    *, membership: Membership, by: User, role: MemberRole | str
) -> Membership:
    """Give a member another role; refuses to demote the last administrator (last_admin).

    Locks the structure row, so two administrators demoting each other cannot both succeed.
    """
    _lock_structure(membership.structure)
    if not can_manage_structure(user=by, structure=membership.structure):
        raise errors.PermissionDenied()
    membership = _fresh_membership(membership)
    role = MemberRole(role)
    _check_admins_remain(membership=membership, new_role=role)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member (administrators and staff); never the last administrator.

    Locks the structure row, as membership_change_role does.
    """
    _lock_structure(membership.structure)
    if not can_manage_structure(user=by, structure=membership.structure):
        raise errors.PermissionDenied()
    membership = _fresh_membership(membership)
    _check_admins_remain(membership=membership, new_role=None)
    membership.delete()


@transaction.atomic
def membership_leave(*, structure: Structure, user: User) -> None:
    """A member leaves the structure; the last administrator must first name another one.

    Locks the structure row, as membership_change_role does.
    """
    _lock_structure(structure)
    membership = Membership.objects.filter(structure=structure, user=user).first()
    if membership is None:
        raise errors.NotFound()
    _check_admins_remain(membership=membership, new_role=None)
    membership.delete()
