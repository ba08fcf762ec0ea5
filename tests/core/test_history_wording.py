"""History, notices and activity read as words (issue 14): every model's changes are shown
under field labels with their values written as a person writes them — only the fields that
changed, never a raw dict or list, an internal field name or a model's class name — and
generated sentences follow English (an admin, Billing & Collections’ part).

One world (the small organization with outcomes and KPIs, co-creation and a council) gives a
history to every kind of object; beyond it, an update of every field of every audited model is
rendered, so a new model or field is held to the same rules without a line here."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client

from cxkeeper.core import history, words
from cxkeeper.core.actors import SYSTEM
from cxkeeper.core.models import ChangeRecord, Notification, VersionedModel
from cxkeeper.journeys import actions as journey_actions
from cxkeeper.org import actions as org_actions
from cxkeeper.outcomes import actions as outcome_actions
from cxkeeper.outcomes.actions import ValueRow
from cxkeeper.testing.cocreation import add_cocreation
from cxkeeper.testing.governance_builders import build_council
from cxkeeper.testing.outcomes_builders import build_outcomes

AUDITED = [m for m in apps.get_models() if issubclass(m, VersionedModel)]
# What must never reach a person: a dict or list as Python prints it, an empty-dict diff, a
# snake_case name, an id left as a number where a name belongs.
RAW = re.compile(r"\{'|\['|\{\}|\(\)|\bNone\b|\bTrue\b|\bFalse\b|[a-z]+_[a-z_]+|values: \{")
# Class names glued together ("teamkpi", "kpilink"), which no sentence of the app contains.
CLASS_NAMES = {m.__name__.lower() for m in AUDITED if m.__name__.lower() not in str(m._meta.verbose_name).split()}


def _raw_problems(text: str) -> list[str]:
    found = [m.group() for m in RAW.finditer(text)]
    found += [name for name in CLASS_NAMES if re.search(rf"\b{name}\b", text)]
    return found


@pytest.fixture
def world(small_org):
    outcomes = build_outcomes(small_org, with_feedback=False)
    add_cocreation(small_org)
    council = build_council(small_org)
    council.outcomes = outcomes
    return council


def test_every_recorded_change_in_a_built_world_reads_as_words(world):
    records = list(ChangeRecord.objects.select_related("content_type"))
    kinds = {r.content_type.model for r in records}
    assert len(kinds) >= 15, kinds  # the world gives many kinds of object a history
    updates = 0
    for record in records:
        kind = history.kind_of(record)
        assert kind == kind.strip() and "_" not in kind and kind.lower() == words.kind(kind).lower(), kind
        for change in history.field_changes(record):
            updates += 1
            shown = f"{change.label}: {change.before} → {change.after} {change.note}"
            assert change.label[:1].isupper() and "_" not in change.label, (record, change)
            assert not _raw_problems(shown), (record.content_type.model, shown)
    assert updates >= 10


@pytest.mark.parametrize("model", AUDITED, ids=lambda m: m._meta.label)
def test_an_update_of_every_field_of_every_model_is_shown_under_its_label(world, model):
    """Each field of one object of the model, changed at once: one line per field, under the
    field's own label, values in words."""
    # An object of the world, or a new one with its defaults where the world has none.
    obj = model.objects.order_by("pk").first() or model()
    before = history.snapshot(obj)
    after = {key: _changed(value) for key, value in before.items()}
    for field in model._meta.concrete_fields:  # a choice changes to another choice
        if field.choices and field.name in before:
            after[field.name] = next(v for v, _ in field.flatchoices if v != before[field.name])
    for field in model._meta.many_to_many:  # ids of other objects: one fewer, or one more
        if field.name in before:
            ids = before[field.name]
            other = field.related_model.objects.exclude(pk__in=ids).values_list("pk", flat=True).first()
            after[field.name] = ids[:-1] if ids else ([other] if other else [])
    record = ChangeRecord(content_type=ContentType.objects.get_for_model(model), object_id=obj.pk or 0,
                          object_repr="object", action="update", before=before, after=after)
    lines = history.field_changes(record)
    labels = [line.label for line in lines]
    assert len(labels) == len(set(labels)), labels
    expected = {words.label(f.verbose_name) for f in model._meta.concrete_fields + model._meta.many_to_many
                if not f.primary_key and f.name in before and before[f.name] != after[f.name]
                and f.name not in history.HIDDEN_KEYS and not history._SECRET.search(f.name)}
    assert set(labels) == expected, (model, set(labels) ^ expected)
    for line in lines:
        shown = f"{line.before} → {line.after} {line.note}"
        assert not _raw_problems(shown), (model, line)
        assert line.note or line.before != line.after, (model, line)


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return "2031-01-02" if re.match(r"^\d{4}-\d{2}-\d{2}", value) else value + " (changed)"
    if isinstance(value, list):
        return [*value, "one more"] if all(isinstance(v, str) for v in value) else [*value, {"x": 1}]
    if isinstance(value, dict):
        return {**value, "extra": 1}
    return "set" if value is None else value


def test_a_kpi_s_values_are_told_as_what_was_added_and_changed_never_as_a_dict(world):
    kpi = world.outcomes.handle_time
    first = kpi.values.order_by("period").first()
    outcome_actions.record_kpi_values(kpi, [ValueRow(first.period, 99664.0),
                                            ValueRow(dt.date(2031, 1, 1), 8.6)], acting_user=SYSTEM)
    record = ChangeRecord.objects.filter(object_id=kpi.pk, content_type__model="teamkpi").first()
    lines = {line.label: line for line in history.field_changes(record)}
    assert lines["Values"].note == (f"added 1 Jan 2031 (8.6); changed {first.period:%-d %b %Y} "
                                    f"({first.value:g} → 99,664)")
    assert lines["Values entered"].note == "by hand"
    page = _as(world.keeper).get(f"/history/outcomes/teamkpi/{kpi.pk}/").content.decode()
    assert "added 1 Jan 2031 (8.6)" in page and "99,664" in page
    assert "values_source" not in page and "{'" not in page and "teamkpi" not in page.replace(
        "/outcomes/teamkpi/", "")


def test_a_notice_names_only_the_fields_that_changed_in_words(world, django_capture_on_commit_callbacks):
    step = world.login_step
    with django_capture_on_commit_callbacks(execute=True):
        journey_actions.update_step(step, {"channel": step.channel, "description": "Sign in with a code.",
                                           "phrases": step.phrases}, expected_version=step.version,
                                    acting_user=world.it_member)
    notice = Notification.objects.filter(recipient=world.service_member).first()
    assert notice.message == "ivan changed the description of step “Log in to the app”."
    for notice in Notification.objects.all():
        assert not _raw_problems(notice.message), notice.message
        assert not re.search(r"\ba [aeiouAEIOU]", notice.message), notice.message
        assert "s's" not in notice.message and "s’s" not in notice.message, notice.message


def test_a_team_whose_name_ends_in_s_takes_the_apostrophe_alone(world, django_capture_on_commit_callbacks):
    billing = org_actions.create_team({"name": "Billing & Collections", "function": "billing_finance"},
                                      acting_user=SYSTEM)
    journey_actions.assign_responsibility(world.login_step, billing, {"role": "informed"}, acting_user=SYSTEM)
    part = world.login_step.responsibilities.get(team=billing)
    with django_capture_on_commit_callbacks(execute=True):
        journey_actions.update_responsibility(part, {"role": "contributes"}, expected_version=part.version,
                                              acting_user=world.keeper)
    assert Notification.objects.filter(
        message="kim changed Billing & Collections’ part in “Log in to the app”.").exists()


def test_refusals_use_an_before_a_vowel():
    assert words.with_article("admin") == "an admin"
    assert words.with_article("keeper or admin") == "a keeper or admin"
    assert words.with_article("NPS target") == "an NPS target"
    assert words.with_article("user") == "a user"
    assert words.possessive("IT") == "IT’s" and words.possessive("Sales") == "Sales’"
    assert words.label("values_source") == "Values source" and words.label("team kpi") == "Team KPI"
    assert words.and_join(["a", "b", "c"]) == "a, b and c"


def test_a_viewer_refused_a_keeper_page_reads_an_admin(world):
    from cxkeeper.core.errors import Forbidden
    from cxkeeper.org.permissions import require_admin

    with pytest.raises(Forbidden, match=r"^Only an admin may .*; you are signed in as a keeper\.$"):
        require_admin(world.keeper, "manage people")


def test_the_activity_page_and_its_filter_use_words(world):
    page = _as(world.keeper).get("/activity/").content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    assert "Team KPI" in page and "KPI link" in page  # the filter's labels
    for name in CLASS_NAMES:
        assert not re.search(rf"\b{name}\b", text), name
    assert "{'" not in text and "values_source" not in text


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_audited_model_has_a_label_with_acronyms_kept():
    for model in AUDITED:
        kind = words.kind(str(model._meta.verbose_name))
        assert not re.search(r"\b(kpi|api|nps|csat|ces)\b", kind), kind
        for field in model._meta.concrete_fields:
            if isinstance(field, models.Field) and not field.primary_key:
                assert "_" not in words.label(field.verbose_name), (model, field.name)


def test_values_are_written_as_people_write_them():
    assert history.value_text(99664) == "99,664" and history.value_text(8.6) == "8.6"
    assert history.value_text(-2.5) == "−2.5" and history.value_text(True) == "yes"
    assert history.value_text("2026-12-04") == "4 Dec 2026"
    assert history.value_text("2026-12-04T10:00:00+01:00") == "4 Dec 2026 09:00 UTC"
    assert history.value_text({"2025-01-01": 1, "2025-12-01": 2}) == "2 values, 1 Jan 2025 to 1 Dec 2025"
    assert history.value_text(["a", "b", "c", "d", "e", "f"]) == "“a”, “b”, “c”, “d” and 2 more"
    assert history.value_text(None) == history.value_text("") == history.value_text({}) == "none"
    assert history.value_text("x" * 300).endswith("…”") and len(history.value_text("x" * 300)) <= 162
