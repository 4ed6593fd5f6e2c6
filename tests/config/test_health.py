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


def test_a_recent_heartbeat_counts_when_no_worker_answers_a_ping(tenant_a, client_for):
    from django.core.cache import cache
    from django_tenants.utils import schema_context

    from config.celery import heartbeat
    from config.health import HEARTBEAT_KEY

    heartbeat.apply()  # what a worker does when beat sends it
    try:
        for client in (client_for(None), client_for(tenant_a)):
            report = json.loads(client.get("/healthz").content)
            assert report["workers"]["ok"] is True
            assert report["workers"]["heartbeat_age"] <= 5
    finally:
        with schema_context("public"):
            cache.delete(HEARTBEAT_KEY)
