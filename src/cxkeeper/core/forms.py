"""Form building blocks: optimistic versions, one-per-line lists, and a generic edit flow
that turns action errors (conflict, forbidden, invalid) into messages on the form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render

from cxkeeper.core.errors import Conflict, InvalidInput

MISSING_VERSION = ("This page did not say which version you started from, so your change could overwrite "
                   "a newer one. Nothing was saved: reload the page and try again.")


def problems_text(errors) -> str:
    """Every problem of a form's or an action's errors (field → list of messages) as one line
    for a message banner: a POST-only view that cannot show the form again says all of them."""
    return " ".join(problem for problems in errors.values() for problem in problems)


def exception_text(exc: Exception) -> str:
    """What an action refused, in the user's words: an `InvalidInput` lists its field problems."""
    return problems_text(exc.errors) if isinstance(exc, InvalidInput) else str(exc)


class VersionedForm(forms.Form):
    """Carries the version the user started editing from; the action refuses a stale one.

    Editing or deleting an existing object (the view passes its `version` as initial, or the
    form sets `requires_version`) without a version is refused: a missing version must never
    mean "overwrite whatever is there"."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                 error_messages={"invalid": MISSING_VERSION})
    requires_version = False

    def clean(self):
        cleaned = super().clean()
        if "version" not in self.errors and cleaned.get("version") is None \
                and (self.requires_version or self.initial.get("version") is not None):
            # A form-wide error: the field is hidden, so the message must show above the form.
            self.add_error(None, forms.ValidationError(MISSING_VERSION, code="missing_version"))
        return cleaned


class LinesField(forms.CharField):
    """A list of short texts, edited one per line."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def run_form(request, form, perform, *, template: str, context: dict, success_url, success_message: str = ""):
    """Validate, call the action, and on failure show the form again with the reason.

    `perform(cleaned_data)` calls one action and returns the object to go to (or None).
    A `Conflict` keeps the user's input on the page next to a message, so nothing typed is lost.
    """
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except Conflict as exc:
            form.add_error(None, str(exc))
            context = {**context, "conflict_current": exc.current}
            status = 409
        except InvalidInput as exc:
            for field, problems in exc.errors.items():
                target = field if field in form.fields else None
                for problem in problems:
                    form.add_error(target, problem if target else f"{field}: {problem}")
            status = 422
        else:
            if success_message:
                messages.success(request, success_message)
            url = success_url(result) if callable(success_url) else success_url
            return HttpResponseRedirect(url)
    elif request.method == "POST":
        status = 422
    return render(request, template, {**context, "form": form}, status=status)
