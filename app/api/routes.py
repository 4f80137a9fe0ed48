"""`/api/v1`: thin routes over the ingestion and profile services.

Every error is an RFC 9457 problem (`application/problem+json`). Each route's docstring
holds its OpenAPI operation (YAML after `---`), which `openapi.py` collects with apispec.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request, stream_with_context
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app.api import bp, keys
from app.api.ingest import BatchInvalid, ingest
from app.api.schemas import IngestResultSchema, ProfileSchema
from app.core.errorpages import problem
from app.extensions import csrf, db, limiter
from app.members.engagement.read import profiles_data
from app.members.models import Member

csrf.exempt(bp)
EXPORT_CHUNK = 500


def _rate_key() -> str:
    header = request.headers.get("Authorization", "")
    parts = keys.split_token(header[7:] if header.startswith("Bearer ") else "")
    return f"api-key:{parts[0]}" if parts else f"api-addr:{request.remote_addr}"


api_limit = limiter.shared_limit(
    lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_rate_key
)


def validation_problem(errors: list[tuple[str, str]]) -> Response:
    response = problem(422, "The batch was rejected: nothing was recorded.")
    body = response.get_json()
    body.update(
        {
            "type": "https://cercle.dev/problems/invalid-events",
            "title": "Invalid events",
            "errors": [{"pointer": p, "detail": d} for p, d in errors],
        }
    )
    response.set_data(json.dumps(body))
    return response


def requires(scope: str) -> Callable:
    """Bearer key with `scope`: 401 without a valid key, 403 without the scope."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            key = keys.authenticate(header[7:]) if header.startswith("Bearer ") else None
            if key is None:
                response = problem(401, "Send a valid API key: Authorization: Bearer <key>.")
                response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            if scope not in key.scope_list:
                return problem(403, f"This API key lacks the {scope} scope.")
            g.api_key = key
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.errorhandler(HTTPException)
def _http_problem(exc: HTTPException) -> Response:
    response = problem(exc.code or 500, exc.description if exc.code == 429 else None)
    if exc.code == 429:
        response.headers.update(getattr(exc, "headers", None) or {})
    return response


@bp.post("/events")
@api_limit
def post_events():  # type: ignore[no-untyped-def]
    """Record one event or a batch of up to 1,000 from another channel.
    ---
    post:
      summary: Record events (purchases, store visits, support tickets, newsletter clicks)
      description: >
        All or nothing: any invalid event rejects the whole batch (422) and nothing is
        recorded. Each event's `idempotency_key` makes a retried batch count once.
      security: [{bearerAuth: [events:write]}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - $ref: '#/components/schemas/Batch'
                - $ref: '#/components/schemas/Event'
      responses:
        '202':
          description: Recorded (or already recorded).
          content:
            application/json:
              schema: IngestResultSchema
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
        '429': {$ref: '#/components/responses/Problem'}
    """
    if not request.is_json:
        return problem(400, "Send JSON with Content-Type: application/json.")
    return _post_events()


@requires("events:write")
def _post_events():  # type: ignore[no-untyped-def]
    body = request.get_json(silent=True)
    if body is None:
        return problem(400, "The body is not valid JSON.")
    try:
        result = ingest(g.api_key, body)
    except BatchInvalid as exc:
        return validation_problem(exc.errors)
    return jsonify(IngestResultSchema().dump(result)), 202


@bp.get("/members/<int:member_id>/profile")
@api_limit
@requires("profiles:read")
def member_profile(member_id: int):  # type: ignore[no-untyped-def]
    """One member's customer profile.
    ---
    get:
      summary: A member's customer profile (engagement, stage, value, RFM, loyalty, interests)
      security: [{bearerAuth: [profiles:read]}]
      parameters:
        - {name: member_id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: The profile.
          content:
            application/json:
              schema: ProfileSchema
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    """
    member = db.session.get(Member, member_id)
    if member is None or member.erased_at is not None:
        return problem(404, "No member has this id.")
    return jsonify(ProfileSchema().dump(profiles_data([member])[0]))


@bp.get("/profiles/export")
@api_limit
@requires("export:read")
def export_profiles():  # type: ignore[no-untyped-def]
    """Every member's profile as NDJSON, streamed (one JSON object per line).
    ---
    get:
      summary: Bulk export of every profile (NDJSON, streamed)
      security: [{bearerAuth: [export:read]}]
      responses:
        '200':
          description: One profile per line.
          content:
            application/x-ndjson:
              schema: ProfileSchema
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def lines() -> Iterator[str]:
        from app.core.db import gate

        schema = ProfileSchema()
        after = 0
        while True:
            with gate(app):
                members = list(
                    db.session.scalars(
                        select(Member)
                        .where(Member.id > after, Member.erased_at.is_(None))
                        .order_by(Member.id)
                        .limit(EXPORT_CHUNK)
                    )
                )
                data = profiles_data(members)
            if not members:
                return
            for item in data:
                yield json.dumps(schema.dump(item)) + "\n"
            after = members[-1].id

    return Response(stream_with_context(lines()), mimetype="application/x-ndjson")


@bp.get("/openapi.json")
def openapi_document():  # type: ignore[no-untyped-def]
    """The OpenAPI 3 document, generated from these routes and schemas."""
    from app.api.openapi import build_spec

    return jsonify(build_spec(current_app._get_current_object()))  # type: ignore[attr-defined]
