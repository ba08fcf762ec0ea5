"""Pages of wins: the wins wall and a win's page (its chain, credit, measurement and kudos).
Everyone signed in reads them and may add kudos; views parse, `queries` reads, `actions` writes."""

from __future__ import annotations

from django.shortcuts import render

from cxkeeper.core.forms import run_form
from cxkeeper.core.queries import recent_changes_of
from cxkeeper.org.models import Team
from cxkeeper.wins import actions, queries
from cxkeeper.wins.choices import Verdict
from cxkeeper.wins.forms import KudosForm
from cxkeeper.wins.permissions import require_read


def wall(request):
    require_read(request.user)
    team = Team.objects.filter(slug=request.GET.get("team", "")).first()
    rows = queries.sorted_rows(queries.measurements(team=team))
    by_verdict = {v: [r for r in rows if r.verdict == v] for v in Verdict.values}
    wins = [(r, queries.credit(r.subject)) for r in by_verdict[Verdict.WIN]]
    return render(request, "wins/wall.html", {
        "wins": wins, "worse": by_verdict[Verdict.WORSE], "not_credible": by_verdict[Verdict.NO_CREDIBLE_CHANGE],
        "waiting": by_verdict[Verdict.TOO_EARLY] + by_verdict[Verdict.CANNOT_MEASURE],
        "teams": Team.objects.order_by("name"), "team": team,
    })


def win(request, pk):
    require_read(request.user)
    row = queries.measurement_by_id(pk)
    form = KudosForm(request.POST or None)
    context = {"row": row, "subject": row.subject, "credit": queries.credit(row.subject), "chain": queries.chain(row),
               "others": [r for r in queries.sorted_rows(queries.measurements(initiative=row.initiative)
                                                         if row.initiative_id else
                                                         queries.measurements(planned_change=row.planned_change))
                          if r.pk != row.pk],
               "kudos": row.kudos.select_related("author"), "form": form, "history": recent_changes_of(row),
               "can_kudos": row.verdict == Verdict.WIN}
    return run_form(request, form, lambda data: actions.add_kudos(row, data["text"], acting_user=request.user),
                    template="wins/win.html", context=context, success_url=lambda k: k.get_absolute_url(),
                    success_message="Thank you: your kudos is on the win.")
