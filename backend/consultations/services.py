"""Writes on consultations: creation, phase plans, status changes, roles and replication."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import PhaseSpec, PlanProblemCode, Verb, plan_problems, shift_plan
from backend.consultations.models import (
    Consultation,
    ConsultationRole,
    ConsultationStatus,
    Phase,
    RoleKind,
    Theme,
)
from backend.consultations.policies import can_create_consultation, ensure_allowed, phase_specs
from backend.core import errors
from backend.core.slugs import free_slug
from backend.territories.models import Territory

SLUG_BASE_LENGTH = 200
SLUG_MAX_LENGTH = 220  # Consultation.slug: room for a "-N" suffix after the base
TITLE_MAX_LENGTH = 200
DEFAULT_TITLE_TEMPLATE = "{title} — {territory}"


def plan_problem_message(code: PlanProblemCode) -> str:
    """The sentence shown for a problem of a phase plan (API field errors and admin)."""
    messages = {
        PlanProblemCode.UNKNOWN_KIND: _("Unknown phase kind."),
        PlanProblemCode.ENDS_BEFORE_START: _("A phase must end after it starts."),
        PlanProblemCode.OUT_OF_ORDER: _("Phases must be listed in chronological order."),
        PlanProblemCode.OVERLAP: _("This phase starts before the previous one ends."),
        PlanProblemCode.OUT_OF_RANGE: _("This date is not between the years 2000 and 2200."),
    }
    return messages[code]


def _validate_plan(phases: Sequence[PhaseSpec]) -> None:
    """Raise field errors keyed phases.<index>.<field> for every problem of the plan."""
    problems = plan_problems(phases)
    if not problems:
        return
    fields: dict[str, list[dict[str, str]]] = {}
    for problem in problems:
        fields.setdefault(f"phases.{problem.index}.{problem.field}", []).append(
            {"code": str(problem.code), "message": plan_problem_message(problem.code)}
        )
    raise errors.ValidationFailed(fields=fields)


def _write_phases(*, consultation: Consultation, phases: Sequence[PhaseSpec]) -> None:
    """Replace the plan. The domain check ran first; the database constraints are the last
    line of defence and are checked here (not at commit) so a violation is a field error."""
    constraint_error: dict[str, str] | None = None
    try:
        with transaction.atomic():
            Phase.objects.filter(consultation=consultation).delete()
            Phase.objects.bulk_create(
                Phase(
                    consultation=consultation,
                    kind=spec.kind,
                    title=spec.title,
                    description=spec.description,
                    position=index,
                    starts_at=spec.starts_at,
                    ends_at=spec.ends_at,
                )
                for index, spec in enumerate(phases)
            )
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS phase_no_overlap, phase_unique_position IMMEDIATE")
    except IntegrityError as exc:
        name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if name == "phase_ends_after_start":
            constraint_error = {
                "code": str(PlanProblemCode.ENDS_BEFORE_START),
                "message": plan_problem_message(PlanProblemCode.ENDS_BEFORE_START),
            }
        else:
            constraint_error = {
                "code": str(PlanProblemCode.OVERLAP),
                "message": plan_problem_message(PlanProblemCode.OVERLAP),
            }
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS phase_no_overlap, phase_unique_position DEFERRED")
    if constraint_error is not None:
        raise errors.ValidationFailed(fields={"phases": [constraint_error]})


def _clean_themes(themes: Iterable[str]) -> list[str]:
    known = set(Theme.values)
    cleaned: list[str] = []
    fields: dict[str, list[dict[str, str]]] = {}
    for index, theme in enumerate(themes):
        if theme not in known:
            fields[f"themes.{index}"] = [{"code": "invalid_choice", "message": _("Unknown theme.")}]
        elif theme not in cleaned:
            cleaned.append(theme)
    if fields:
        raise errors.ValidationFailed(fields=fields)
    return cleaned


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise errors.ValidationFailed(
            fields={"title": [{"code": "blank", "message": _("This field may not be blank.")}]}
        )
    return title[:TITLE_MAX_LENGTH]


def _free_slug(title: str) -> str:
    base = slugify(title)[:SLUG_BASE_LENGTH].strip("-") or "consultation"
    taken = Consultation.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    return free_slug(base, taken, max_length=SLUG_MAX_LENGTH, fallback="consultation")


def _create_with_unique_slug(**fields: Any) -> Consultation:
    """Insert with a free slug; a concurrent insert of the same slug gets a random suffix."""
    slug = _free_slug(fields["title"])
    try:
        with transaction.atomic():
            return Consultation.objects.create(slug=slug, **fields)
    except IntegrityError:
        return Consultation.objects.create(
            slug=f"{slug[:SLUG_BASE_LENGTH]}-{uuid4().hex[:8]}", **fields
        )


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


@transaction.atomic
def consultation_create(
    *,
    by: User,
    title: str,
    territory: Territory,
    description: str = "",
    summary_easy_read: str = "",
    themes: Sequence[str] = (),
    phases: Sequence[PhaseSpec] = (),
) -> Consultation:
    """Create a draft consultation with its plan; its creator becomes its organizer."""
    if not can_create_consultation(user=by):
        raise errors.PermissionDenied()
    title = _clean_title(title)
    cleaned_themes = _clean_themes(themes)
    _validate_plan(phases)
    now = timezone.now()
    consultation = _create_with_unique_slug(
        title=title,
        description=description,
        summary_easy_read=summary_easy_read,
        territory=territory,
        themes=cleaned_themes,
        status=ConsultationStatus.DRAFT,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    if phases:
        _write_phases(consultation=consultation, phases=phases)
    ConsultationRole.objects.create(consultation=consultation, user=by, role=RoleKind.ORGANIZER)
    return consultation


@transaction.atomic
def consultation_update(
    *,
    by: User,
    consultation: Consultation,
    title: str | None = None,
    description: str | None = None,
    summary_easy_read: str | None = None,
    territory: Territory | None = None,
    themes: Sequence[str] | None = None,
) -> Consultation:
    """Change the given fields (None leaves a field as it is); the slug never changes.

    Locks the consultation row.
    """
    consultation = _locked(consultation)
    ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
    if title is not None:
        consultation.title = _clean_title(title)
    if description is not None:
        consultation.description = description
    if summary_easy_read is not None:
        consultation.summary_easy_read = summary_easy_read
    if territory is not None:
        consultation.territory = territory
    if themes is not None:
        consultation.themes = _clean_themes(themes)
    consultation.updated_at = timezone.now()
    consultation.save()
    return consultation


@transaction.atomic
def consultation_set_phases(
    *, by: User, consultation: Consultation, phases: Sequence[PhaseSpec]
) -> Consultation:
    """Replace the whole phase plan at once.

    Locks the consultation row, so two plans sent at the same time are applied one after
    the other. A consultation that is no longer a draft cannot lose all its phases.
    """
    consultation = _locked(consultation)
    ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
    _validate_plan(phases)
    if not phases and consultation.status != ConsultationStatus.DRAFT:
        raise errors.NoPhases(_("A consultation needs at least one phase before it is published."))
    _write_phases(consultation=consultation, phases=phases)
    consultation.updated_at = timezone.now()
    consultation.save(update_fields=["updated_at"])
    return consultation


@transaction.atomic
def consultation_publish(*, by: User, consultation: Consultation) -> Consultation:
    """Open a draft to the public; publishing again is a no-op (safe to retry).

    Locks the consultation row.
    """
    consultation = _locked(consultation)
    ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
    if consultation.status == ConsultationStatus.PUBLISHED:
        return consultation
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise errors.Conflict(
            _("An archived consultation cannot be published again."),
            details={"status": consultation.status},
        )
    if not consultation.phases.exists():
        raise errors.NoPhases(_("A consultation needs at least one phase before it is published."))
    now = timezone.now()
    consultation.status = ConsultationStatus.PUBLISHED
    consultation.published_at = consultation.published_at or now
    consultation.updated_at = now
    consultation.save(update_fields=["status", "published_at", "updated_at"])
    return consultation


@transaction.atomic
def consultation_archive(*, by: User, consultation: Consultation) -> Consultation:
    """Close a published consultation for good (it stays readable); archiving again is a no-op.

    Locks the consultation row. A draft cannot be archived: it would become public.
    """
    consultation = _locked(consultation)
    ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
    if consultation.status == ConsultationStatus.ARCHIVED:
        return consultation
    if consultation.status == ConsultationStatus.DRAFT:
        raise errors.Conflict(
            _("A draft cannot be archived; publish it first."),
            details={"status": consultation.status},
        )
    consultation.status = ConsultationStatus.ARCHIVED
    consultation.updated_at = timezone.now()
    consultation.save(update_fields=["status", "updated_at"])
    return consultation


@transaction.atomic
def role_grant(
    *, by: User, consultation: Consultation, user: User, role: RoleKind | str
) -> ConsultationRole:
    """Give `user` a role on the consultation; granting a role already held is a no-op."""
    ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
    if role not in RoleKind.values:
        raise errors.ValidationFailed(
            fields={"role": [{"code": "invalid_choice", "message": _("Unknown role.")}]}
        )
    granted, _created = ConsultationRole.objects.get_or_create(
        consultation=consultation, user=user, role=role
    )
    return granted


@transaction.atomic
def role_revoke(*, by: User, consultation: Consultation, role: ConsultationRole) -> None:
    """Remove a role. Locks the consultation row so the last organizer is never removed by
    two concurrent revocations."""
    consultation = _locked(consultation)
    ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
    if role.consultation_id != consultation.pk:
        raise errors.NotFound()
    if role.role == RoleKind.ORGANIZER:
        organizers = ConsultationRole.objects.filter(
            consultation=consultation, role=RoleKind.ORGANIZER
        ).count()
        if organizers <= 1:
            raise errors.LastOrganizer(_("A consultation must keep at least one organizer."))
    ConsultationRole.objects.filter(pk=role.pk).delete()


def _replica_title(template: str, *, source: Consultation, territory: Territory) -> str:
    title = template.replace("{title}", source.title).replace("{territory}", territory.name)
    title = title.strip() or source.title
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1] + "…"
    return title


@transaction.atomic
def consultation_replicate(
    *,
    by: User,
    source: Consultation,
    territories: Sequence[Territory],
    first_phase_starts_at: datetime,
    copy_roles: bool = False,
    title_template: str | None = None,
) -> list[Consultation]:
    """One new draft per territory: same texts and themes, the plan shifted so its first
    phase starts at `first_phase_starts_at`, no contributions.

    The replicating person is always an organizer of every replica; the source's other
    roles are copied only with `copy_roles`. All replicas are created in one transaction.
    """
    ensure_allowed(user=by, consultation=source, verb=Verb.REPLICATE)
    try:
        plan = shift_plan(phase_specs(source.phases.order_by("position")), first_phase_starts_at)
    except OverflowError:
        plan = None
    if plan is None or plan_problems(plan):
        raise errors.ValidationFailed(
            fields={
                "first_phase_starts_at": [
                    {
                        "code": "plan_out_of_range",
                        "message": _("The shifted phase plan would not be valid from this date."),
                    }
                ]
            }
        )
    source_roles = (
        list(ConsultationRole.objects.filter(consultation=source).values_list("user_id", "role"))
        if copy_roles
        else []
    )
    template = title_template or DEFAULT_TITLE_TEMPLATE
    now = timezone.now()
    replicas: list[Consultation] = []
    seen: set[int] = set()
    for territory in territories:
        if territory.pk in seen:
            continue
        seen.add(territory.pk)
        replicas.append(
            _create_with_unique_slug(
                title=_replica_title(template, source=source, territory=territory),
                description=source.description,
                summary_easy_read=source.summary_easy_read,
                territory=territory,
                themes=list(source.themes),
                status=ConsultationStatus.DRAFT,
                replicated_from=source,
                created_by=by,
                created_at=now,
                updated_at=now,
            )
        )
    Phase.objects.bulk_create(
        Phase(
            consultation=replica,
            kind=spec.kind,
            title=spec.title,
            description=spec.description,
            position=index,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
        )
        for replica in replicas
        for index, spec in enumerate(plan)
    )
    wanted = {(by.pk, str(RoleKind.ORGANIZER)), *source_roles}
    ConsultationRole.objects.bulk_create(
        (
            ConsultationRole(consultation=replica, user_id=user_id, role=role)
            for replica in replicas
            for user_id, role in sorted(wanted)
        ),
        ignore_conflicts=True,
    )
    return replicas
