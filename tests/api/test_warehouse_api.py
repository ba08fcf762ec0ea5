"""GET /api/v1/warehouse-sources: each warehouse source's freshness, for every signed-in role;
the engine URL (which may hold a password) and its tables are never in the answer."""

from cxkeeper.insights.warehouse.models import ExternalSource, SyncStatus


def test_warehouse_sources_say_how_fresh_they_are(small_org, api_as, anonymous):
    assert anonymous.get("/warehouse-sources").status_code == 401
    assert api_as(small_org.viewer).get("/warehouse-sources").json() == []
    ExternalSource.objects.create(name="Tickets", engine="postgres://svc:hunter2@db/dw", table="tickets",
                                  status=SyncStatus.FAILED, message="The last sync failed: cannot reach the engine")
    answer = api_as(small_org.viewer).get("/warehouse-sources")
    assert answer.status_code == 200
    [item] = answer.json()
    assert item["name"] == "Tickets" and item["status"] == "failed" and item["last_synced_at"] is None
    assert "hunter2" not in answer.content.decode() and "tickets" not in answer.content.decode()
