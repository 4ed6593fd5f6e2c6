import json


def test_healthz_reports_database_broker_and_workers(tenant_a, client_for):
    for client in (client_for(None), client_for(tenant_a)):
        response = client.get("/healthz")
        report = json.loads(response.content)
        assert report["database"] == {"ok": True}
        assert report["broker"]["ok"] is True and report["broker"]["transport"] == "redis"
        assert "workers" in report["workers"]
        # no worker listens to this test run's queue unless a Celery test is running
        assert response.status_code == (200 if report["workers"]["ok"] else 503)


def test_healthz_is_503_when_the_broker_is_down(db, client_for, settings):
    from config.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client_for(None).get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert json.loads(response.content)["broker"]["ok"] is False


def test_a_heartbeat_alone_is_no_live_worker(tenant_a, client_for):
    """Beat's heartbeat may be a previous run's: without a worker answering now, /healthz
    says so (and reports the heartbeat's age)."""
    from django.core.cache import cache
    from django_tenants.utils import schema_context

    from config.celery import heartbeat
    from config.health import HEARTBEAT_KEY

    heartbeat.apply()  # what a worker did when beat sent it
    try:
        response = client_for(tenant_a).get("/healthz")
        report = json.loads(response.content)
        assert report["workers"]["heartbeat_age"] <= 5
        assert report["workers"]["ok"] is False and report["workers"]["workers"] == 0
        assert response.status_code == 503
    finally:
        with schema_context("public"):
            cache.delete(HEARTBEAT_KEY)


def test_a_live_worker_answers_the_ping_through_the_queue(worker):
    """Where the transport has no broadcast (the demo's SQLAlchemy transport), the ping goes
    through the queue as a task; here on Redis, with the suite's real worker."""
    from config.health import ping_through_queue

    assert ping_through_queue(timeout=10) is True
