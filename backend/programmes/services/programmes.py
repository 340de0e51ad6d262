"""Writes on the programme itself: creation, texts, stage, organizers, rounds, partners."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.consultations.policies import can_view_consultation
from backend.consultations.services import consultation_replicate
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.programmes import events
from backend.programmes.domain import stages
from backend.programmes.domain.stages import Verb
from backend.programmes.models import (
    NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Partner,
    PartnerRole,
    Programme,
    ProgrammeOrganizer,
    ProgrammeRound,
    ProgrammeStatus,
    seven_domains,
)
from backend.programmes.policies import can_create_programme, ensure_allowed
from backend.programmes.services.common import check_themes, lock_programme
from backend.structures.models import Structure
from backend.territories.models import Territory


def _free_slug(title: str) -> str:
    base = slugify(title)[:200] or "programme"
    slug, n = base, 1
    while Programme.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _announce(programme: Programme, by: User) -> None:
    events.emit(
        "programme.updated",
        programme_id=programme.pk,
        data={"stage": programme.stage},
        actor=by.pk,
    )


@transaction.atomic
def programme_create(
    *,
    by: User,
    title: str,
    territory: Territory,
    deadline: date,
    description: str = "",
    domains: Sequence[str] | None = None,
    target_territories: Sequence[Territory] = (),
) -> Programme:
    """A draft programme in preparation; its creator is its first programme organizer.

    Policy: can_create_programme (staff or add_programme). No lock (a new row)."""
    if not can_create_programme(user=by):
        raise errors.PermissionDenied()
    fields: FieldErrors = {}
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    check_text(fields, "description", description, limit=TEXT_MAX_LENGTH, blank=True)
    cleaned = check_themes(fields, "domains", seven_domains() if domains is None else domains)
    raise_if_errors(fields)
    programme = Programme.objects.create(
        title=title.strip(),
        slug=_free_slug(title),
        description=description,
        territory=territory,
        domains=cleaned,
        deadline=deadline,
        created_by=by,
    )
    programme.target_territories.set(target_territories)
    ProgrammeOrganizer.objects.create(programme=programme, user=by)
    return programme


@transaction.atomic
def programme_update(*, by: User, programme: Programme, **changes: Any) -> Programme:
    """Change title, description, domains, deadline or target_territories (MANAGE).

    Lock: the programme row. Emits `programme.updated`."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.MANAGE)
    fields: FieldErrors = {}
    if "title" in changes:
        check_text(fields, "title", changes["title"], limit=TITLE_MAX_LENGTH, blank=False)
    if "description" in changes:
        check_text(fields, "description", changes["description"], limit=TEXT_MAX_LENGTH, blank=True)
    if "domains" in changes:
        changes["domains"] = check_themes(fields, "domains", changes["domains"])
    raise_if_errors(fields)
    targets = changes.pop("target_territories", None)
    for name in ("title", "description", "domains", "deadline"):
        if name in changes:
            setattr(programme, name, changes[name].strip() if name == "title" else changes[name])
    programme.updated_at = timezone.now()
    programme.save()
    if targets is not None:
        programme.target_territories.set(targets)
    _announce(programme, by)
    return programme


@transaction.atomic
def programme_publish(*, by: User, programme: Programme) -> Programme:
    """Make the programme public (MANAGE). Lock: the programme row."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.MANAGE)
    programme.status = ProgrammeStatus.PUBLISHED
    programme.updated_at = timezone.now()
    programme.save(update_fields=["status", "updated_at"])
    _announce(programme, by)
    return programme


@transaction.atomic
def programme_set_stage(*, by: User, programme: Programme, stage: str) -> Programme:
    """Move to the next stage (or from adopted back to consolidation for a revision).

    MANAGE, then the stage rule (409 invalid_stage_change). Lock: the programme row."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.MANAGE)
    if not stages.can_move(programme.stage, stage):
        raise errors.InvalidStageChange(details={"stage": programme.stage, "requested": stage})
    programme.stage = stage
    programme.updated_at = timezone.now()
    programme.save(update_fields=["stage", "updated_at"])
    _announce(programme, by)
    return programme


@transaction.atomic
def programme_organizer_add(*, by: User, programme: Programme, user: User) -> ProgrammeOrganizer:
    """Appoint another programme organizer (MANAGE); appointing twice changes nothing."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.MANAGE)
    organizer, _ = ProgrammeOrganizer.objects.get_or_create(programme=programme, user=user)
    return organizer


@transaction.atomic
def programme_round_add(
    *, by: User, programme: Programme, consultation: Consultation, is_pilot: bool = False
) -> ProgrammeRound:
    """Bring a territorial consultation into the programme (ADD_ROUND; the caller must see
    the consultation). 409 round_in_other_programme if it is a round already (anywhere).
    Lock: the programme row. Emits `programme.round_added`."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.ADD_ROUND)
    if not can_view_consultation(user=by, obj=consultation):
        raise errors.NotFound()
    if ProgrammeRound.objects.filter(consultation=consultation).exists():
        raise errors.RoundInOtherProgramme()
    if is_pilot and ProgrammeRound.objects.filter(programme=programme, is_pilot=True).exists():
        fields: FieldErrors = {}
        field_error(fields, "is_pilot", "pilot_exists", _("The programme has a pilot already."))
        raise_if_errors(fields)
    try:
        with transaction.atomic():
            created = ProgrammeRound.objects.create(
                programme=programme, consultation=consultation, is_pilot=is_pilot, added_by=by
            )
    except IntegrityError as error:
        raise errors.RoundInOtherProgramme() from error
    events.emit(
        "programme.round_added",
        programme_id=programme.pk,
        data={"consultation": consultation.pk},
        consultations=[consultation.pk],
        actor=by.pk,
    )
    return created


@transaction.atomic
def programme_rounds_replicate(
    *,
    by: User,
    programme: Programme,
    territories: Sequence[Territory],
    first_phase_starts_at: datetime,
) -> list[ProgrammeRound]:
    """Replicate the programme's pilot on each territory (consultations' replication, which
    checks the caller may replicate the pilot) and add every replica as a round."""
    pilot = (
        ProgrammeRound.objects.filter(programme=programme, is_pilot=True)
        .select_related("consultation")
        .first()
    )
    if pilot is None:
        fields: FieldErrors = {}
        field_error(fields, "pilot", "no_pilot", _("The programme has no pilot round to copy."))
        raise_if_errors(fields)
        raise AssertionError("unreachable")
    replicas = consultation_replicate(
        by=by,
        source=pilot.consultation,
        territories=territories,
        first_phase_starts_at=first_phase_starts_at,
    )
    return [
        programme_round_add(by=by, programme=programme, consultation=replica)
        for replica in replicas
    ]


@transaction.atomic
def partner_add(
    *,
    by: User,
    programme: Programme,
    name: str,
    role: str,
    structure: Structure | None = None,
) -> Partner:
    """A partner of the programme (MANAGE); one name once. Lock: the programme row."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.MANAGE)
    fields: FieldErrors = {}
    check_text(fields, "name", name, limit=NAME_MAX_LENGTH, blank=False)
    if role not in PartnerRole.values:
        field_error(fields, "role", "invalid_choice", _("Unknown partner role."))
    if Partner.objects.filter(programme=programme, name=name.strip()).exists():
        field_error(fields, "name", "unique", _("This partner is already listed."))
    raise_if_errors(fields)
    partner = Partner.objects.create(
        programme=programme, name=name.strip(), role=role, structure=structure
    )
    _announce(programme, by)
    return partner
