"""The outbox (config.outbox, ADR 0008): a task is enqueued with the transaction that needs
it, published after commit, sent again by the relay when the broker lost it or its worker died,
and never run twice at once or after it finished."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.tasks import invitation_send
from config.celery import app
from config.outbox import relay
from config.outbox.models import OutboxMessage
from config.tasks import enqueue_on_commit


def test_a_rolled_back_transaction_leaves_no_task(tenant_a: Any) -> None:
    with schema_context(tenant_a.schema_name), pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(invitation_send, invitation_id=101)
        raise RuntimeError("the view failed")
    assert not OutboxMessage.objects.filter(kwargs__invitation_id=101).exists()


def test_a_committed_task_is_written_with_its_schema_and_published(
    tenant_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[dict[str, Any]] = []
    with (
        mock.patch.object(invitation_send, "apply_async", side_effect=lambda **kw: sent.append(kw)),
        django_capture_on_commit_callbacks(execute=True),
        schema_context(tenant_a.schema_name),
    ):
        enqueue_on_commit(invitation_send, invitation_id=102)
    message = OutboxMessage.objects.get(kwargs__invitation_id=102)
    assert message.schema_name == tenant_a.schema_name
    assert message.task_name == "accounts.invitation_send"
    [call] = sent
    assert call["headers"] == {"_schema_name": tenant_a.schema_name, "_outbox_id": message.pk}
    assert message.published_at is not None and message.publish_count == 1


def test_a_broker_down_at_commit_loses_nothing_and_the_relay_sends_it(
    tenant_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        mock.patch.object(invitation_send, "apply_async", side_effect=ConnectionError("down")),
        django_capture_on_commit_callbacks(execute=True),
        schema_context(tenant_a.schema_name),
    ):
        enqueue_on_commit(invitation_send, invitation_id=103)  # no exception reaches the user
    message = OutboxMessage.objects.get(kwargs__invitation_id=103)
    assert message.published_at is None
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(seconds=5)
    )
    sent: list[dict[str, Any]] = []
    task = app.tasks["accounts.invitation_send"]
    with mock.patch.object(task, "apply_async", side_effect=lambda **kw: sent.append(kw)):
        assert relay.relay_once()["published"] >= 1
    assert {"_schema_name": tenant_a.schema_name, "_outbox_id": message.pk} in [
        call["headers"] for call in sent
    ]
    message.refresh_from_db()
    assert message.publish_count == 1


def _message(**fields: Any) -> OutboxMessage:
    return OutboxMessage.objects.create(
        task_name="accounts.invitation_send", schema_name="alpha", kwargs={"x": 1}, **fields
    )


def test_the_relay_resends_lost_and_orphaned_messages_not_running_or_finished(
    db: None, settings: Any
) -> None:
    settings.OUTBOX_REPUBLISH_AFTER = 60
    now = timezone.now()
    old = now - timedelta(minutes=5)
    lost_by_broker = _message(published_at=old, publish_count=1)
    worker_died = _message(
        published_at=old, publish_count=1, lease_until=now - timedelta(seconds=1), run_count=1
    )
    running = _message(
        published_at=old, publish_count=1, lease_until=now + timedelta(minutes=1), run_count=1
    )
    finished = _message(published_at=old, publish_count=1, finished_at=now, outcome="done")
    just_sent = _message(published_at=now, publish_count=1)
    given_up = _message(
        published_at=old, publish_count=5, lease_until=now - timedelta(seconds=1), run_count=5
    )
    sent: list[int] = []
    task = app.tasks["accounts.invitation_send"]
    with mock.patch.object(
        task, "apply_async", side_effect=lambda **kw: sent.append(kw["headers"]["_outbox_id"])
    ):
        relay.relay_once()
    assert lost_by_broker.pk in sent and worker_died.pk in sent
    assert not {running.pk, finished.pk, just_sent.pk, given_up.pk} & set(sent)
    given_up.refresh_from_db()
    assert given_up.outcome == "abandoned" and given_up.finished_at is not None
    assert "worker lost 5 times" in given_up.error


def test_one_claim_at_a_time_and_none_after_finishing(db: None) -> None:
    message = _message(published_at=timezone.now(), publish_count=1)
    assert relay.claim(message.pk, "w1")
    assert not relay.claim(message.pk, "w2")  # a redelivery while the first runs
    relay.finish(message.pk, "w1")
    assert not relay.claim(message.pk, "w3")  # a redelivery after it finished
    message.refresh_from_db()
    assert message.outcome == "done" and message.run_count == 1


def test_a_lapsed_lease_can_be_claimed_again(db: None) -> None:
    message = _message(lease_until=timezone.now() - timedelta(seconds=1), run_count=1)
    assert relay.claim(message.pk, "w2")
    message.refresh_from_db()
    assert message.claimed_by == "w2" and message.run_count == 2


def test_a_task_delivered_for_a_finished_message_does_not_run(tenant_a: Any) -> None:
    message = _message(finished_at=timezone.now(), outcome="done")
    # were it run, the missing invitation would raise
    result = invitation_send.apply(
        kwargs={"invitation_id": 999_999},
        headers={"_schema_name": tenant_a.schema_name, "_outbox_id": message.pk},
    )
    assert result.get() is None
    message.refresh_from_db()
    assert message.run_count == 0


def test_every_task_is_durable_and_time_limited_within_the_visibility_timeout() -> None:
    from config.tasks import DurableTask

    app.loader.import_default_modules()  # every app's tasks, as a worker has them
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "imports.import_batch_commit" in ours and "config.outbox_relay" in ours
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    for name, task in ours.items():
        assert isinstance(task, DurableTask), name
        assert task.acks_late and task.reject_on_worker_lost, name
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard and soft < hard < visibility, name
