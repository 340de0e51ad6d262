"""Domain events -> notifications: the handlers subscribed in NotificationsConfig.ready().

They run after the publishing transaction committed (backend/core/domain_events.py), each in
its own transaction; a failure is logged there and never undoes the change that caused it.
"""

from backend.core.domain_events import DomainEvent, subscribe
from backend.notifications import services


def on_candidate_action_changed(event: DomainEvent) -> None:
    """`candidate_action.created` / `.updated` (sources may have been added)."""
    services.candidate_action_notify_merged(action_id=int(event.data["id"]))


def on_contributions_merged(event: DomainEvent) -> None:
    """`contribution.merged`: into a cluster that actions may already draw on."""
    services.cluster_notify_merged(cluster_id=int(event.data["cluster"]))


def on_candidate_action_decided(event: DomainEvent) -> None:
    services.candidate_action_notify_decided(action_id=int(event.data["id"]))


def on_regional_action_decided(event: DomainEvent) -> None:
    services.regional_action_notify_decided(action_id=int(event.data["id"]))


def on_regional_action_status_changed(event: DomainEvent) -> None:
    services.regional_action_notify_status_changed(
        action_id=int(event.data["id"]), previous_status=str(event.data["previous_status"])
    )


def subscribe_all() -> None:
    subscribe(
        on_candidate_action_changed,
        events={"candidate_action.created", "candidate_action.updated"},
    )
    subscribe(on_contributions_merged, events={"contribution.merged"})
    subscribe(on_candidate_action_decided, events={"candidate_action.decided"})
    subscribe(on_regional_action_decided, events={"regional_action.decided"})
    subscribe(on_regional_action_status_changed, events={"regional_action.status_changed"})
