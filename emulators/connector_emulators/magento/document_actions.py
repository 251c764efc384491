"""What is done to an order's documents after they exist: shipment tracks added and removed.

A track lives in its shipment's row (`tracks`), so `GET /V1/shipment/{id}` shows it. Magento's
`ShipmentTrackRepository::save` refuses a track whose shipment is not one of the named order's,
and the track validator one without a shipment, order, number or carrier code; both answer the
same 400, `Could not save the shipment tracking.`. Deleting an unknown track id answers true, as
Magento's repository does (it deletes the empty entity it loaded).
"""

from __future__ import annotations

from typing import Any

from .common import Call, now
from .errors import input_error
from .fields import convert
from .sales_documents import track_row

TRACK_NOT_SAVED = "Could not save the shipment tracking."
TRACK_REQUIRED = ("parent_id", "order_id", "track_number", "carrier_code")


def add_track(call: Call) -> dict[str, Any]:
    """`POST /V1/shipment/track {entity}`: a new track, or a change to one of the shipment's."""
    data = call.body_param("entity", "sales-data-shipment-track-interface")
    shipment = call.store.get("shipments", data.get("parent_id") or 0)
    if shipment is None or shipment["order_id"] != data.get("order_id"):
        raise input_error(TRACK_NOT_SAVED)
    if any(not data.get(name) for name in TRACK_REQUIRED):
        raise input_error(TRACK_NOT_SAVED)
    tracks = shipment.setdefault("tracks", [])
    known = [t for t in tracks if t["entity_id"] == data.get("entity_id")]
    changes = {k: v for k, v in data.items() if k != "entity_id"}
    if known:
        track = known[0]
        track |= {k: v for k, v in changes.items() if v is not None} | {"updated_at": now()}
    else:
        track = track_row(call.store, shipment["entity_id"], shipment["order_id"], changes, now())
        tracks.append(track)
    call.store.update("shipments", shipment)
    return track


def delete_track(call: Call) -> bool:
    """`DELETE /V1/shipment/track/{id}`: true, whether or not the track existed."""
    track_id = convert(call.path["id"], "int", "id")
    for shipment in call.store.all("shipments"):
        kept = [t for t in shipment.get("tracks") or [] if t["entity_id"] != track_id]
        if len(kept) != len(shipment.get("tracks") or []):
            shipment["tracks"] = kept
            call.store.update("shipments", shipment)
    return True
