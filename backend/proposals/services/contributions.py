"""Writes on contributions: creation with provenance, publishing, edits, withdrawal."""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import ensure_allowed
from backend.core import errors, hooks
from backend.core.realtime import contribution_event
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.proposals.models import (
    BODY_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Contribution,
    ContributionKind,
    ContributionStatus,
    ContributionVersion,
    Origin,
    ParticipantCard,
)
from backend.proposals.policies import can_manage_contribution, is_self_origin
from backend.proposals.services.common import (
    EDITABLE_STATUSES,
    _answered_problems,
    _check_captured_at,
    _check_kind_fields,
    _check_on_behalf,
    _check_territory,
    _check_theme,
    _locked,
    _submit_verb,
)
from backend.structures.models import Membership, Structure
from backend.territories.models import Territory


def _refresh_search_document(contribution: Contribution) -> None:
    """French stemming on the unaccented text: "demarches" finds "démarches"."""
    text = Concat(
        F("title"),
        Value(" "),
        F("body"),
        Value(" "),
        F("summary_easy_read"),
        output_field=TextField(),
    )
    Contribution.objects.filter(pk=contribution.pk).update(
        search_document=SearchVector(
            Func(text, function="npt_unaccent", output_field=TextField()), config="french"
        )
    )


@transaction.atomic
def contribution_create(
    *,
    by: User,
    consultation: Consultation,
    kind: str,
    title: str,
    body: str,
    origin: str,
    theme: str = "",
    territory: Territory | None = None,
    summary_easy_read: str = "",
    publics: Sequence[str] = (),
    answers: Sequence[int] = (),
    expected_partners: str = "",
    estimated_cost_eur: int | None = None,
    on_behalf_of_user: User | None = None,
    on_behalf_of_card: ParticipantCard | None = None,
    structure: Structure | None = None,
    captured_at: datetime | None = None,
    on_behalf_consent: str = "",
    publish: bool = True,
) -> Contribution:
    """Create a problem or a proposal with its provenance.

    Gates: SUBMIT_PROBLEM or SUBMIT_PROPOSAL; a facilitator's origin (workshop, paper,
    phone) or speaking for someone also needs ENTER_ON_BEHALF (PermissionDenied otherwise).
    Territory defaults to the consultation's. Speaking for someone: for a participant card
    (its consent is on the card) with a facilitator's origin, never `web` or `mobile`; for an
    account, only with that person's recorded consent (`on_behalf_consent`). Only such entries
    carry a `captured_at` of their own (when the words were taken down).
    """
    if kind not in ContributionKind.values:
        raise errors.ValidationFailed(
            fields={"kind": [{"code": "invalid_choice", "message": _("Unknown kind.")}]}
        )
    if origin not in Origin.values:
        raise errors.ValidationFailed(
            fields={"origin": [{"code": "invalid_choice", "message": _("Unknown origin.")}]}
        )
    ensure_allowed(user=by, consultation=consultation, verb=_submit_verb(kind))
    on_behalf = on_behalf_of_user is not None or on_behalf_of_card is not None
    if on_behalf or not is_self_origin(origin):
        ensure_allowed(user=by, consultation=consultation, verb=Verb.ENTER_ON_BEHALF)
    now = timezone.now()
    territory = territory or consultation.territory
    fields: FieldErrors = {}
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    check_text(fields, "body", body, limit=BODY_MAX_LENGTH, blank=False)
    check_text(fields, "summary_easy_read", summary_easy_read, limit=SUMMARY_MAX_LENGTH, blank=True)
    _check_theme(fields, consultation=consultation, theme=theme)
    _check_territory(fields, consultation=consultation, territory=territory)
    _check_kind_fields(
        fields,
        kind=kind,
        publics=publics,
        answers=answers,
        expected_partners=expected_partners,
        estimated_cost_eur=estimated_cost_eur,
    )
    if on_behalf_of_user is not None and on_behalf_of_card is not None:
        field_error(
            fields,
            "on_behalf_of_card",
            "invalid",
            _("Speak for a person with an account or for a card, not both."),
        )
    if on_behalf_of_card is not None and on_behalf_of_card.consultation_id != consultation.pk:
        field_error(
            fields,
            "on_behalf_of_card",
            "wrong_consultation",
            _("This card belongs to another consultation."),
        )
    _check_on_behalf(
        fields,
        origin=origin,
        on_behalf_of_user=on_behalf_of_user,
        on_behalf_of_card=on_behalf_of_card,
        on_behalf_consent=on_behalf_consent,
        captured_at=captured_at,
    )
    author = on_behalf_of_user if on_behalf_of_user is not None else None
    if on_behalf_of_card is None and author is None:
        author = by
    if structure is not None:
        if author is None:
            field_error(
                fields,
                "structure",
                "not_a_member",
                _("A participant card cannot speak for a structure."),
            )
        elif not Membership.objects.filter(structure=structure, user=author).exists():
            field_error(
                fields,
                "structure",
                "not_a_member",
                _("The author must be a member of this structure."),
            )
    captured_at = captured_at or now
    _check_captured_at(fields, consultation=consultation, captured_at=captured_at, now=now)
    problems = (
        _answered_problems(fields, consultation=consultation, answers=answers)
        if kind == ContributionKind.PROPOSAL
        else []
    )
    raise_if_errors(fields)
    contribution = Contribution.objects.create(
        consultation=consultation,
        kind=kind,
        title=title,
        body=body,
        summary_easy_read=summary_easy_read,
        theme=theme,
        territory=territory,
        publics=list(dict.fromkeys(publics)),
        expected_partners=expected_partners,
        estimated_cost_eur=estimated_cost_eur,
        status=ContributionStatus.PUBLISHED if publish else ContributionStatus.DRAFT,
        origin=origin,
        entered_by=by,
        author=author,
        author_card=on_behalf_of_card,
        structure=structure,
        captured_at=captured_at,
        on_behalf_consent=on_behalf_consent if on_behalf_of_user is not None else "",
        created_at=now,
        published_at=now if publish else None,
        updated_at=now,
    )
    if problems:
        contribution.answers.set(problems)
    _refresh_search_document(contribution)
    if publish:
        _announce(contribution, "contribution.published")
    return contribution


def _announce(contribution: Contribution, event: str) -> None:
    """Tell clients after commit, and log the change for the similarity indexes now."""
    hooks.run(
        hooks.CONTRIBUTION_CHANGED,
        consultation_id=contribution.consultation_id,
        contribution_id=contribution.pk,
    )
    contribution_event(
        event=event,
        contribution_id=contribution.pk,
        consultation_id=contribution.consultation_id,
        kind=contribution.kind,
    )


def _ensure_manageable(*, by: User, contribution: Contribution) -> None:
    if not can_manage_contribution(user=by, obj=contribution):
        raise errors.PermissionDenied()
    if contribution.status not in EDITABLE_STATUSES:
        raise errors.ContributionNotEditable(
            _("This contribution can no longer be changed (withdrawn or hidden)."),
            details={"status": contribution.status},
        )


@transaction.atomic
def contribution_publish(*, by: User, contribution: Contribution) -> Contribution:
    """Publish a draft (the submit verb must be open); publishing again is a no-op.

    Locks the contribution row.
    """
    contribution = _locked(contribution)
    _ensure_manageable(by=by, contribution=contribution)
    if contribution.status == ContributionStatus.PUBLISHED:
        return contribution
    ensure_allowed(
        user=by, consultation=contribution.consultation, verb=_submit_verb(contribution.kind)
    )
    now = timezone.now()
    contribution.status = ContributionStatus.PUBLISHED
    contribution.published_at = now
    contribution.updated_at = now
    contribution.save(update_fields=["status", "published_at", "updated_at"])
    _announce(contribution, "contribution.published")
    return contribution


@transaction.atomic
def contribution_edit(
    *,
    by: User,
    contribution: Contribution,
    title: str | None = None,
    body: str | None = None,
    summary_easy_read: str | None = None,
    theme: str | None = None,
    territory: Territory | None = None,
    publics: Sequence[str] | None = None,
    answers: Sequence[int] | None = None,
    expected_partners: str | None = None,
    estimated_cost_eur: int | None = None,
) -> Contribution:
    """Change the given fields (None leaves a field as it is) while the submit verb is open.

    Once published, the previous text is kept as a numbered version before it changes.
    Locks the contribution row (versions are numbered under the lock).
    """
    contribution = _locked(contribution)
    _ensure_manageable(by=by, contribution=contribution)
    consultation = contribution.consultation
    ensure_allowed(user=by, consultation=consultation, verb=_submit_verb(contribution.kind))
    fields: FieldErrors = {}
    if title is not None:
        check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    if body is not None:
        check_text(fields, "body", body, limit=BODY_MAX_LENGTH, blank=False)
    if summary_easy_read is not None:
        check_text(
            fields, "summary_easy_read", summary_easy_read, limit=SUMMARY_MAX_LENGTH, blank=True
        )
    if theme is not None:
        _check_theme(fields, consultation=consultation, theme=theme)
    if territory is not None:
        _check_territory(fields, consultation=consultation, territory=territory)
    _check_kind_fields(
        fields,
        kind=contribution.kind,
        publics=publics or (),
        answers=answers or (),
        expected_partners=expected_partners or "",
        estimated_cost_eur=estimated_cost_eur,
    )
    problems = (
        _answered_problems(fields, consultation=consultation, answers=answers)
        if answers is not None and contribution.kind == ContributionKind.PROPOSAL
        else None
    )
    if problems is not None and any(problem.pk == contribution.pk for problem in problems):
        problems = [problem for problem in problems if problem.pk != contribution.pk]
    raise_if_errors(fields)
    text_changes = {
        name: value
        for name, value in (
            ("title", title),
            ("body", body),
            ("summary_easy_read", summary_easy_read),
        )
        if value is not None and value != getattr(contribution, name)
    }
    now = timezone.now()
    if text_changes and contribution.status == ContributionStatus.PUBLISHED:
        number = contribution.versions.count() + 1
        ContributionVersion.objects.create(
            contribution=contribution,
            number=number,
            title=contribution.title,
            body=contribution.body,
            summary_easy_read=contribution.summary_easy_read,
            edited_by=by,
            edited_at=now,
        )
    for name, value in text_changes.items():
        setattr(contribution, name, value)
    if theme is not None:
        contribution.theme = theme
    if territory is not None:
        contribution.territory = territory
    if publics is not None:
        contribution.publics = list(dict.fromkeys(publics))
    if expected_partners is not None:
        contribution.expected_partners = expected_partners
    if estimated_cost_eur is not None:
        contribution.estimated_cost_eur = estimated_cost_eur
    contribution.updated_at = now
    contribution.save()
    if problems is not None:
        contribution.answers.set(problems)
    if text_changes:
        _refresh_search_document(contribution)
    if contribution.status == ContributionStatus.PUBLISHED:
        _announce(contribution, "contribution.edited")
    return contribution


@transaction.atomic
def contribution_withdraw(*, by: User, contribution: Contribution) -> Contribution:
    """The author takes back a draft or a published contribution; withdrawing again is a
    no-op. Locks the contribution row."""
    contribution = _locked(contribution)
    if contribution.status == ContributionStatus.WITHDRAWN and can_manage_contribution(
        user=by, obj=contribution
    ):
        return contribution
    _ensure_manageable(by=by, contribution=contribution)
    was_public = contribution.status == ContributionStatus.PUBLISHED
    contribution.status = ContributionStatus.WITHDRAWN
    contribution.updated_at = timezone.now()
    contribution.save(update_fields=["status", "updated_at"])
    if was_public:
        _announce(contribution, "contribution.withdrawn")
    return contribution
