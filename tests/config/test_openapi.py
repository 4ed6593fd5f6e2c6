"""The OpenAPI schema is a tested contract: generated for both hosts, valid, no warnings."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.parametrize("urlconf", ["config.urls_public", "config.urls_tenant"])
def test_schema_generates_without_warnings_and_validates(urlconf, db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--urlconf", urlconf, stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert schema["openapi"].startswith("3.")
    assert any(path.startswith("/api/v1/") for path in schema["paths"])


def test_schema_and_docs_are_served_on_tenant_and_public_hosts(tenant_a, client_for):
    for client in (client_for(tenant_a), client_for(None)):
        assert client.get("/api/schema/").status_code == 200
        docs = client.get("/api/docs/")
        assert docs.status_code == 200
        assert b"swagger" in docs.content.lower()
        assert b"cdn." not in docs.content  # served locally: schools' networks filter CDNs


def test_tenant_schema_has_no_regional_routes_and_vice_versa(tenant_a, client_for):
    tenant_paths = yaml.safe_load(client_for(tenant_a).get("/api/schema/").content)["paths"]
    public_paths = yaml.safe_load(client_for(None).get("/api/schema/").content)["paths"]
    assert "/api/v1/programmes/" in tenant_paths and "/api/v1/institutions/" not in tenant_paths
    assert "/api/v1/institutions/" in public_paths and "/api/v1/programmes/" not in public_paths


@pytest.mark.parametrize("urlconf", ["config.urls_public", "config.urls_tenant"])
def test_every_operation_documents_its_error_answers(urlconf, db):
    out = io.StringIO()
    call_command("spectacular", "--urlconf", urlconf, stdout=out)
    schema = yaml.safe_load(out.getvalue())
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= codes, (method, path, codes)
            assert any(code.startswith("2") for code in codes), (method, path, codes)
