"""Rendered page parts that are the same for everyone with the same role: `{% load shared %}`,
then

    {% shared "journey-blueprint" journey.pk highlight.pk can_structure %} … {% endshared %}

renders its content once per change of the data (a figure of `core.figures`, decision 0024:
kept under the data versions, shared by every worker process, invalidated by every import and
edit) and per *key*: the name, the values given after it, the signed-in person's role
(`current_role`) and the day. Everything else the content shows must follow from those.

What keeps one person's page out of another's:

* the content is rendered with the person-specific variables (`user`, `request`, `perms`,
  `messages`, the unread count…) replaced by a guard that fails the page if the content uses
  them — a part that needs them cannot be shared, and a test notices at once;
* `{% csrf_token %}` inside renders a placeholder, replaced on every page by the token of the
  person asking, so a shared form still carries *their* token;
* a flag that depends on the person rather than the role (`can_manage`: a team's own lead) must
  be one of the key's values — the part is kept once per value.
"""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from cxkeeper.core import figures

register = template.Library()

CSRF_PLACEHOLDER = "cxkeeper-shared-csrf-7b1e0c52"
PERSONAL = ("user", "request", "perms", "messages", "unread_notifications", "current_role_description",
            "my_teams", "person")


class PersonalInSharedPart(template.TemplateSyntaxError):
    """A shared part used something that belongs to the person asking."""


class _Personal:
    """Stands for a person-specific variable while a shared part renders: any use fails."""

    def __init__(self, name: str, part: str):
        object.__setattr__(self, "_where", (name, part))

    def _refuse(self, *args, **kwargs):
        name, part = object.__getattribute__(self, "_where")
        raise PersonalInSharedPart(f"the shared part “{part}” uses “{name}”, which differs from person to "
                                   "person: keep it outside {% shared %} or make it a value of the key")

    __str__ = __repr__ = __bool__ = __len__ = __iter__ = __getitem__ = __eq__ = __hash__ = __html__ = _refuse

    def __getattr__(self, name):
        self._refuse()


def _key_part(value) -> object:
    pk = getattr(value, "pk", None)
    if pk is not None:
        return f"{type(value).__name__}#{pk}"
    return value


class SharedNode(template.Node):
    def __init__(self, nodelist, name, values):
        self.nodelist, self.name, self.values = nodelist, name, values

    def render(self, context):
        name = self.name.resolve(context)
        role = context.get("current_role", "")
        params = (str(role), get_script_prefix(), timezone.localdate(),
                  *(_key_part(value.resolve(context)) for value in self.values))
        html = figures.figure(f"fragment.{name}", params, lambda: self._render_shared(context, name))
        token = context.get("csrf_token")
        token = "" if token is None or str(token) == "NOTPROVIDED" else str(token)
        return mark_safe(html.replace(CSRF_PLACEHOLDER, escape(token)))  # noqa: S308 - rendered with autoescape

    def _render_shared(self, context, name: str) -> str:
        guards = {variable: _Personal(variable, name) for variable in PERSONAL}
        with context.push(csrf_token=CSRF_PLACEHOLDER, **guards):
            return str(self.nodelist.render(context))


@register.tag("shared")
def shared(parser, token):
    """`{% shared "name" value … %}content{% endshared %}`: see the module's doc."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% shared %} needs a name: {% shared \"part\" value … %}")
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    return SharedNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])
