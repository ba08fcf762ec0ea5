from django.contrib import admin
from django.urls import include, path

from cxkeeper.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("cxkeeper.core.urls")),
    path("", include("cxkeeper.org.urls")),
    path("", include("cxkeeper.journeys.urls")),
    path("", include("cxkeeper.insights.urls")),
    path("", include("cxkeeper.insights.import_urls")),
    path("", include("cxkeeper.outcomes.urls")),
    path("", include("cxkeeper.initiatives.urls")),
]

handler403 = "cxkeeper.core.views.forbidden"
