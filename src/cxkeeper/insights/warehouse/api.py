"""GET /api/v1/warehouse-sources: how fresh each warehouse source's figures are (read by
every signed-in role, like the figures themselves; engine URLs and tables are not shown)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from cxkeeper.core.api import READ_ERRORS
from cxkeeper.insights.warehouse import queries

warehouse_router = Router(tags=["warehouse sources"])


class WarehouseSourceOut(Schema):
    name: str = Field(description="The external source's name.")
    status: str = Field(description="never, running, done or failed.")
    status_label: str
    last_synced_at: dt.datetime | None = Field(description="When its last sync finished.")
    data_up_to: dt.date | None = Field(description="The newest day of feedback in its figures.")
    rows: int = Field(description="Feedback rows its figures count.")
    message: str = Field(description="Why the last sync failed, in words ('' when it did not).")


@warehouse_router.get("", url_name="warehouse_sources", response={200: list[WarehouseSourceOut], **READ_ERRORS},
                      summary="Warehouse sources and how fresh their figures are")
def list_warehouse_sources(request):
    return [f.as_dict() for f in queries.freshness()]
