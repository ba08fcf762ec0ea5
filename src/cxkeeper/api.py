"""The REST API root (`/api/v1`). Routers live in each app's api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="cxkeeper API", version="1", urls_namespace="api")
