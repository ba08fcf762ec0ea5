"""Every route, wired above all the apps: each app's own urls plus the pages that gather
several apps (the home page, the team page)."""

from django.contrib import admin
from django.urls import include, path

from cxkeeper import home, search
from cxkeeper.api import api
from cxkeeper.core import sso
from cxkeeper.journeys import views as journey_views
from cxkeeper.org import sso_views
from cxkeeper.org import urls as org_urls

# A team's page lists every step it impacts, a journeys read that org may not import; it keeps
# its URL and its name among the org pages. After org's own patterns, so /teams/new/ wins.
org_pages = [*org_urls.urlpatterns, path("teams/<slug:slug>/", journey_views.team_detail, name="team")]

urlpatterns = [
    path("admin/login/", sso.admin_login),  # refuses passwords when password sign-in is off (decision 0042)
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", home.home, name="home"),
    path("search/", search.search_page, name="search"),  # search everything (issue 14)
    # Single sign-on (decision 0042): under /accounts/login/, reachable without signing in.
    path("accounts/login/sso/", sso_views.sso_start, name="sso_start"),
    path("accounts/login/sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path("accounts/login/once/<str:token>/", sso_views.one_time_sign_in, name="one_time_sign_in"),
    path("", include("cxkeeper.core.urls")),
    path("", include((org_pages, org_urls.app_name))),
    path("", include("cxkeeper.journeys.urls")),
    path("", include("cxkeeper.insights.urls")),
    path("", include("cxkeeper.insights.import_urls")),
    path("", include("cxkeeper.outcomes.urls")),
    path("", include("cxkeeper.initiatives.urls")),
    path("", include("cxkeeper.wins.urls")),  # wins (issue 13)
    path("", include("cxkeeper.governance.urls")),  # the CX council (issue 12)
    path("", include("cxkeeper.governance.planning_urls")),  # planning exports (issue 15, item 7)
    path("", include("cxkeeper.channels.urls")),  # Slack/Teams channels and webhooks (issue 15)
    path("", include("cxkeeper.jobs.urls")),  # background work (issue 15)
    path("", include("cxkeeper.notify.urls")),  # notification preferences, digests (issue 15)
]

handler403 = "cxkeeper.core.views.forbidden"
handler404 = "cxkeeper.api.not_found"
