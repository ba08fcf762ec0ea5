"""An event as each receiver reads it: a Slack Block Kit message, a Microsoft Teams message with
an Adaptive Card (for Workflows webhooks), and the Standard Webhooks JSON payload.

People's text (the event's sentence, names) is escaped for each format: Slack's mrkdwn reads
`<…>` as links and mentions (`<!channel>`), so `&`, `<`, `>` become entities; in the Teams card
every text is a `TextRun` of a `RichTextBlock`, which Teams shows as written (no markdown), with
`{{` broken so no date function runs. Links are absolute, from CXKEEPER_BASE_URL.
"""

from __future__ import annotations

import json

from cxkeeper.core import links
from cxkeeper.core.events import EVENT_KINDS, Event

SLACK_TEXT_MAX = 2900  # a section's text may have 3,000 characters
TEAMS_TEXT_MAX = 4000  # a Workflows webhook takes about 28 KB in all
OPEN = "Open in cxkeeper"


def absolute(url: str) -> str:
    return links.absolute(url)


def label_of(kind: str) -> str:
    """The plain label of a kind of event (never its internal key)."""
    return EVENT_KINDS.get(kind) or "Something happened in cxkeeper"


def _short(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_escape(text: str) -> str:
    return text.replace("{{", "{\u200b{")


def _byline(event: Event, workspace: str) -> str:
    who = f"by {event.actor}" if event.actor else "by cxkeeper"
    return f"{workspace} · {who} · {event.occurred_at:%-d %b %Y %H:%M} UTC"


def slack_message(event: Event, *, workspace: str, label: str | None = None) -> dict:
    label, text = label or label_of(event.kind), _short(event.message, SLACK_TEXT_MAX)
    link = absolute(event.url)
    return {
        "text": slack_escape(f"{label}: {_short(event.message, 200)}"),  # the notification's words
        "blocks": [
            {"type": "section",
             "text": {"type": "mrkdwn", "text": f"*{slack_escape(label)}*\n{slack_escape(text)}"},
             "accessory": {"type": "button", "text": {"type": "plain_text", "text": OPEN, "emoji": False},
                           "url": link, "action_id": "open"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(_byline(event, workspace))}]},
        ],
        "unfurl_links": False,
    }


def teams_message(event: Event, *, workspace: str, label: str | None = None) -> dict:
    label, text = label or label_of(event.kind), _short(event.message, TEAMS_TEXT_MAX)

    def run(value: str, **style) -> dict:
        return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": teams_escape(value), **style}]}

    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            run(label, weight="Bolder", size="Medium"),
            run(text),
            run(_byline(event, workspace), isSubtle=True, size="Small"),
        ],
        "actions": [{"type": "Action.OpenUrl", "title": OPEN, "url": absolute(event.url)}],
        "msteams": {"width": "Full"},
    }
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                             "content": card}]}


def webhook_payload(event: Event, *, teams: list[dict]) -> dict:
    """Standard Webhooks' recommended shape: `type`, `timestamp`, `data`."""
    return {
        "type": event.kind,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {
            "label": label_of(event.kind),
            "message": event.message,
            "url": absolute(event.url),
            "actor": event.actor,
            "teams": teams,
            "change_id": event.change_id,
            "details": event.data,
        },
    }


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def bounded_body(payload: dict, limit: int) -> str:
    """The JSON body, at most `limit` bytes: the details go first, then all but the kind and time."""
    body = dumps(payload)
    if len(body.encode()) <= limit:
        return body
    data = payload.get("data")
    if isinstance(data, dict) and data.get("details"):
        payload = {**payload, "data": {**data, "details": {}, "details_left_out": True}}
        body = dumps(payload)
        if len(body.encode()) <= limit:
            return body
    minimal = {"type": payload.get("type"), "timestamp": payload.get("timestamp"),
               "data": {"message": "(too long to send; open cxkeeper)", "too_long": True}}
    return dumps(minimal)
