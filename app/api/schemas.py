"""Request and response schemas (marshmallow): they validate input and, through apispec,
are the OpenAPI document — one definition for both."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from app.core.time import utcnow

EVENT_TYPES = ("purchase", "store_visit", "support_ticket", "newsletter_click")
CHANNEL_OF = {
    "purchase": "shop",
    "store_visit": "store",
    "support_ticket": "support",
    "newsletter_click": "newsletter",
}


def _amount_range(value: Decimal) -> None:
    # A plain function: apispec documents the bounds from the field's metadata as numbers.
    if not 0 <= value <= 10_000_000:
        raise ValidationError("Must be between 0 and 10,000,000.")


class CustomerSchema(Schema):
    class Meta:
        unknown = RAISE

    member_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    email = fields.Email(validate=validate.Length(max=254))
    external_id = fields.String(validate=validate.Length(min=1, max=64))

    @validates_schema
    def _one_identifier(self, data: dict[str, Any], **_kw: Any) -> None:
        if not data:
            raise ValidationError("Give member_id, email or external_id.", "_schema")


class ProductSchema(Schema):
    class Meta:
        unknown = RAISE

    sku = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(validate=validate.Length(max=200))
    quantity = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=1))
    price = fields.Decimal(validate=_amount_range, metadata={"minimum": 0})


class EventSchema(Schema):
    """One event from another channel (shop, store, support, newsletter)."""

    class Meta:
        unknown = RAISE

    idempotency_key = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Unique per event: a retried event with the same key counts once."
        },
    )
    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPES))
    customer = fields.Nested(CustomerSchema, required=True)
    occurred_at = fields.AwareDateTime(
        load_default=None, metadata={"description": "ISO 8601 with a time zone; default now."}
    )
    amount = fields.Decimal(
        validate=_amount_range,
        metadata={
            "description": "Purchases: the amount paid, in `currency`.",
            "minimum": 0,
            "maximum": 10_000_000,
        },
    )
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    products = fields.List(fields.Nested(ProductSchema), validate=validate.Length(max=200))
    properties = fields.Dict(keys=fields.String(), load_default=dict)

    def __init__(self, *args: Any, currencies: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currencies = currencies

    @validates_schema
    def _purchase(self, data: dict[str, Any], **_kw: Any) -> None:
        errors: dict[str, str] = {}
        if data.get("type") == "purchase":
            if data.get("amount") is None:
                errors["amount"] = "A purchase needs an amount."
            if not data.get("currency"):
                errors["currency"] = "A purchase needs a currency."
        currency = data.get("currency")
        if currency and self.currencies and currency not in self.currencies:
            errors["currency"] = f"Unknown currency; use one of {', '.join(self.currencies)}."
        occurred = data.get("occurred_at")
        if occurred is not None and occurred > utcnow() + timedelta(hours=1):
            errors["occurred_at"] = "An event cannot happen in the future."
        if errors:
            raise ValidationError(errors)


class BatchSchema(Schema):
    class Meta:
        unknown = RAISE

    events = fields.List(fields.Nested(EventSchema), required=True)


class IngestResultSchema(Schema):
    accepted = fields.Integer(metadata={"description": "Events recorded now."})
    duplicates = fields.Integer(metadata={"description": "Events already recorded (retries)."})
    pending_profiles = fields.Integer(
        metadata={"description": "Customers not yet members, kept as pending profiles."}
    )


class ProblemFieldSchema(Schema):
    pointer = fields.String(metadata={"description": "JSON Pointer to the bad field."})
    detail = fields.String()


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    class Meta:
        unknown = EXCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemFieldSchema))


class RfmSchema(Schema):
    recency = fields.Integer(allow_none=True)
    frequency = fields.Integer()
    monetary = fields.Integer()


class AffinitySchema(Schema):
    interest = fields.String()
    score = fields.Float()
    declared = fields.Boolean()


class ProfileSchema(Schema):
    member_id = fields.Integer()
    username = fields.String()
    external_id = fields.String(allow_none=True)
    tier = fields.String()
    points_balance = fields.Integer()
    points_12_months = fields.Integer()
    engagement_score = fields.Float()
    stage = fields.String()
    first_seen_at = fields.DateTime(allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    purchase_count = fields.Integer()
    value = fields.String(metadata={"description": "Purchases' total, a decimal string."})
    currency = fields.String()
    rfm = fields.Nested(RfmSchema)
    interests = fields.List(fields.Nested(AffinitySchema))
