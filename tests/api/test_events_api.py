"""The events API: keys and scopes, idempotent batches, all-or-nothing validation, rate
limits, profiles and export, and every response checked against the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import func, select

from app.api.keys import create_key, revoke_key
from app.extensions import db
from app.members.engagement.models import EngagementEvent, MemberProfile, PendingProfile
from app.members.loyalty.models import LedgerEntry
from tests.factories import MemberFactory


def _key(*scopes: str) -> str:
    return create_key(None, "shop", list(scopes or ("events:write",))).token


def _post(client, token: str, body) -> object:  # type: ignore[no-untyped-def]
    return client.post("/api/v1/events", json=body, headers={"Authorization": f"Bearer {token}"})


def _purchase(key: str, customer: dict, amount: str = "49.90", **extra) -> dict:  # type: ignore[no-untyped-def]
    return {
        "idempotency_key": key,
        "type": "purchase",
        "customer": customer,
        "amount": amount,
        "currency": "EUR",
        "products": [{"sku": "TENT-2P", "name": "Tent", "quantity": 1, "price": amount}],
        **extra,
    }


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def spec(client) -> dict:
    document = client.get("/api/v1/openapi.json").get_json()
    return document


def _check(spec: dict, path: str, method: str, response) -> None:  # type: ignore[no-untyped-def]
    """The response's status is documented and its JSON body matches the schema."""
    from jsonschema.validators import RefResolver
    from openapi_schema_validator import OAS30Validator

    operation = spec["paths"][path][method]
    documented = operation["responses"][str(response.status_code)]
    if "$ref" in documented:
        documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    content_type = response.mimetype
    schema = documented["content"][content_type]["schema"]
    resolver = RefResolver.from_schema(spec)
    bodies = (
        [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
        if content_type == "application/x-ndjson"
        else [response.get_json()]
    )
    for body in bodies:
        OAS30Validator(schema, resolver=resolver).validate(body)


def test_the_openapi_document_is_valid_and_lists_every_endpoint(spec) -> None:
    validate_spec(spec)
    assert set(spec["paths"]) == {
        "/events",
        "/members/{member_id}/profile",
        "/profiles/export",
    }


def test_a_batch_is_recorded_and_a_retry_counts_once(client, spec) -> None:
    member = MemberFactory(email="ines@example.com")
    token = _key()
    batch = {
        "events": [
            _purchase("order-1", {"email": "ines@example.com"}, "120.00"),
            {
                "idempotency_key": "visit-1",
                "type": "store_visit",
                "customer": {"member_id": member.id},
            },
        ]
    }
    first = _post(client, token, batch)
    assert first.status_code == 202, first.get_json()
    assert first.get_json() == {"accepted": 2, "duplicates": 0, "pending_profiles": 0}
    _check(spec, "/events", "post", first)
    again = _post(client, token, batch)
    assert again.get_json() == {"accepted": 0, "duplicates": 2, "pending_profiles": 0}
    assert _count(EngagementEvent) == 2
    profile = db.session.get(MemberProfile, member.id)
    assert (profile.purchase_count, profile.monetary_cents) == (1, 12_000)
    points = db.session.scalar(
        select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == member.id)
    )
    assert points == 120 + 15  # purchase per euro, store visit


def test_one_bad_event_rejects_the_whole_batch_naming_each_field(client, spec) -> None:
    member = MemberFactory()
    batch = {
        "events": [
            _purchase("ok-1", {"member_id": member.id}),
            _purchase("bad-1", {"member_id": member.id}, amount="-3"),
            {"idempotency_key": "bad-2", "type": "teleport", "customer": {}},
        ]
    }
    response = _post(client, _key(), batch)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    _check(spec, "/events", "post", response)
    pointers = {e["pointer"] for e in response.get_json()["errors"]}
    assert {"/events/1/amount", "/events/2/type", "/events/2/customer"} <= pointers
    assert _count(EngagementEvent) == 0
    assert _count(LedgerEntry) == 0


def test_an_unknown_member_id_rejects_the_batch(client) -> None:
    response = _post(client, _key(), _purchase("x-1", {"member_id": 999_999}))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/events/0/customer/member_id"
    assert _count(EngagementEvent) == 0


def test_an_unknown_customer_becomes_a_pending_profile_that_registration_claims(
    client, app
) -> None:
    token = _key()
    response = _post(
        client, token, _purchase("o-9", {"email": "new@example.com", "external_id": "C-77"}, "80")
    )
    assert response.get_json()["pending_profiles"] == 1
    assert _count(PendingProfile) == 1
    from app.core.db import unit_of_work
    from app.members.engagement.identity import claim_pending

    member = MemberFactory(email="new@example.com")
    with unit_of_work():
        claim_pending(member.id)
    db.session.refresh(member)
    assert member.external_id == "C-77"
    assert db.session.get(MemberProfile, member.id).monetary_cents == 8_000
    assert member.points == 80


def test_keys_are_checked_scoped_and_revocable(client, spec) -> None:
    member = MemberFactory()
    assert (
        _post(client, "ck_nope_nope", _purchase("a", {"member_id": member.id})).status_code == 401
    )
    reader = _key("profiles:read")
    refused = _post(client, reader, _purchase("a", {"member_id": member.id}))
    assert refused.status_code == 403
    _check(spec, "/events", "post", refused)
    writer = create_key(None, "shop", ["events:write"])
    assert _post(client, writer.token, _purchase("b", {"member_id": member.id})).status_code == 202
    revoke_key(None, writer.key.id)
    assert _post(client, writer.token, _purchase("c", {"member_id": member.id})).status_code == 401
    stored = db.session.scalars(select(EngagementEvent.source_key)).all()
    assert stored == ["api:b"]


def test_the_api_key_is_stored_hashed(client) -> None:
    new = create_key(None, "crm", ["profiles:read"])
    assert new.token.split("_")[2] not in (new.key.key_hash, new.key.prefix)


def test_requests_beyond_the_rate_limit_get_a_429_problem(client, app, spec) -> None:
    member = MemberFactory()
    token = _key()
    app.config["API_RATE_LIMIT"] = "2 per minute"
    try:
        codes = [
            _post(client, token, _purchase(f"r{i}", {"member_id": member.id})).status_code
            for i in range(3)
        ]
        last = _post(client, token, _purchase("r9", {"member_id": member.id}))
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"
    assert codes == [202, 202, 429]
    assert last.mimetype == "application/problem+json"
    _check(spec, "/events", "post", last)


def test_a_form_post_without_json_is_refused(client) -> None:
    response = client.post("/api/v1/events", data={"a": "b"})
    assert response.status_code == 400


def test_profile_and_export_follow_the_document(client, spec) -> None:
    members = [MemberFactory() for _ in range(3)]
    _post(client, _key(), _purchase("p1", {"member_id": members[0].id}, "300"))
    token = _key("profiles:read", "export:read")
    headers = {"Authorization": f"Bearer {token}"}
    profile = client.get(f"/api/v1/members/{members[0].id}/profile", headers=headers)
    assert profile.status_code == 200
    _check(spec, "/members/{member_id}/profile", "get", profile)
    body = profile.get_json()
    assert (body["purchase_count"], body["value"], body["points_balance"]) == (1, "300.00", 300)
    missing = client.get("/api/v1/members/999999/profile", headers=headers)
    assert missing.status_code == 404
    _check(spec, "/members/{member_id}/profile", "get", missing)
    export = client.get("/api/v1/profiles/export", headers=headers)
    assert export.status_code == 200
    _check(spec, "/profiles/export", "get", export)
    ids = [json.loads(line)["member_id"] for line in export.get_data(as_text=True).splitlines()]
    assert {m.id for m in members} <= set(ids)
