"""Cart price rules and their coupons (`/V1/salesRules`, `/V1/coupons`).

A rule is stored as sent over its defaults (active, no coupon, percent discount, website 1,
groups 0-3). The rule interface has no coupon code: a `SPECIFIC_COUPON` rule's codes are made
with `POST /V1/coupons`, an `AUTO` one's (or `use_auto_generation`) with `/V1/coupons/generate`.
The emulator applies no rule to orders: discounts on placed orders come from the order itself.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from . import search
from .common import Call, now
from .errors import MagentoError, input_error, invalid_value
from .records import Kind

COUPON_TYPES = ("NO_COUPON", "SPECIFIC_COUPON", "AUTO")
RULE_DEFAULTS: dict[str, Any] = {
    "store_labels": [], "website_ids": [1], "customer_group_ids": [0, 1, 2, 3],
    "uses_per_customer": 0, "is_active": True, "stop_rules_processing": False,
    "is_advanced": True, "sort_order": 0, "simple_action": "by_percent", "discount_amount": 0,
    "discount_qty": 0, "discount_step": 0, "apply_to_shipping": False, "times_used": 0,
    "is_rss": True, "coupon_type": "NO_COUPON", "use_auto_generation": False,
    "uses_per_coupon": 0, "simple_free_shipping": "0",
}  # fmt: skip
ALPHABETS = {
    "alphanum": string.ascii_uppercase + string.digits,
    "alpha": string.ascii_uppercase,
    "num": string.digits,
}


def _no_rule(kind: Kind, key: Any) -> MagentoError:
    return MagentoError(404, "No such entity.")


def _render_rule(store: Any, row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "id"}


RULES = Kind(
    table="sales_rules",
    interface="sales-rule-data-rule-interface",
    body="rule",
    key="rule_id",
    path="ruleId",
    fields=search.Fields(
        numeric=frozenset({"rule_id", "sort_order", "discount_amount"}),
        boolean=frozenset({"is_active"}),
    ),
    defaults=RULE_DEFAULTS,
    render=_render_rule,
    not_found=_no_rule,
)
COUPONS = Kind(
    table="coupons",
    interface="sales-rule-data-coupon-interface",
    body="coupon",
    key="coupon_id",
    path="couponId",
    fields=search.Fields(numeric=frozenset({"coupon_id", "rule_id", "times_used"})),
    required=("rule_id", "code"),
    unique=("code", "Coupon with the same code already exists."),
    defaults={"usage_limit": 0, "usage_per_customer": 0, "times_used": 0, "is_primary": False},
    render=lambda store, row: {k: v for k, v in row.items() if k != "id"},
)


def save_rule(call: Call) -> dict[str, Any]:
    """`POST /V1/salesRules`, `PUT /V1/salesRules/{ruleId}`."""
    data = RULES.body_of(call)
    if data.get("coupon_type") not in (None, *COUPON_TYPES):
        raise invalid_value("coupon_type", data["coupon_type"])
    existing = RULES.load(call.store, call.path["ruleId"]) if "ruleId" in call.path else None
    if existing is not None:
        data["rule_id"] = existing["rule_id"]
    return _render_rule(call.store, RULES.save(call.store, data, existing=existing))


def delete_rule(call: Call) -> bool:
    """`DELETE /V1/salesRules/{ruleId}`: the rule and its coupons."""
    rule = RULES.load(call.store, call.path["ruleId"])
    for coupon in call.store.find(COUPONS.table, rule_id=rule["rule_id"]):
        call.store.delete(COUPONS.table, coupon["id"])
    call.store.delete(RULES.table, rule["id"])
    return True


def save_coupon(call: Call) -> dict[str, Any]:
    """`POST /V1/coupons`, `PUT /V1/coupons/{couponId}`: the rule must take specific coupons."""
    data = COUPONS.body_of(call)
    existing = COUPONS.load(call.store, call.path["couponId"]) if "couponId" in call.path else None
    rule = RULES.load(call.store, data.get("rule_id") or (existing or {}).get("rule_id"))
    if rule["coupon_type"] == "NO_COUPON":
        raise input_error("Specified rule does not allow coupons")
    if rule["coupon_type"] == "AUTO" and existing is None:
        raise input_error("Specified rule only allows auto generated coupons")
    if existing is not None:
        data["coupon_id"] = existing["coupon_id"]
    data.setdefault("created_at", now())
    return COUPONS.render(call.store, COUPONS.save(call.store, data, existing=existing))


def generate(call: Call) -> list[str]:
    """`POST /V1/coupons/generate {couponSpec}`: the new codes."""
    spec = call.body_param("couponSpec", "sales-rule-data-coupon-generation-spec-interface")
    rule = RULES.load(call.store, spec.get("rule_id"))
    if not rule.get("use_auto_generation") and rule["coupon_type"] != "AUTO":
        raise input_error("Specified rule does not allow automatic coupon generation")
    alphabet = ALPHABETS.get(str(spec.get("format") or "alphanum"), ALPHABETS["alphanum"])
    codes = []
    for _ in range(int(spec.get("quantity") or 0)):
        body = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("length") or 12)))
        every = int(spec.get("delimiter_at_every") or 0)
        if every:
            parts = [body[i : i + every] for i in range(0, len(body), every)]
            body = str(spec.get("delimiter") or "-").join(parts)
        code = f"{spec.get('prefix') or ''}{body}{spec.get('suffix') or ''}"
        row = {"rule_id": rule["rule_id"], "code": code, "type": 1, "created_at": now()}
        codes.append(COUPONS.save(call.store, row, existing=None)["code"])
    return codes


def _mass_delete(call: Call, key: str, field_name: str) -> dict[str, Any]:
    body = call.body if isinstance(call.body, dict) else {}
    values = body.get(key) or []
    missing = []
    for value in values:
        found = call.store.find(COUPONS.table, **{field_name: value})
        if not found:
            missing.append(str(value))
        for row in found:
            call.store.delete(COUPONS.table, row["id"])
    ignore = body.get("ignoreInvalidCoupons", body.get("ignore_invalid_coupons", True))
    if missing and not ignore:
        raise MagentoError(404, "Some coupons are invalid.")
    return {"failed_items": [], "missing_items": missing}


def delete_by_codes(call: Call) -> dict[str, Any]:
    """`POST /V1/coupons/deleteByCodes {codes, ignoreInvalidCoupons}`."""
    return _mass_delete(call, "codes", "code")


def delete_by_ids(call: Call) -> dict[str, Any]:
    """`POST /V1/coupons/deleteByIds {ids, ignoreInvalidCoupons}`."""
    return _mass_delete(call, "ids", "coupon_id")
