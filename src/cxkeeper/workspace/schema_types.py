"""Building blocks for the published JSON Schema, derived from the models (lengths, choices), so
the schema cannot drift from what the database accepts. Each section builds its part with these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SchemaPart:
    """A section's part of the schema: its top-level properties (in the file's order), which of
    them are required, and its definitions under `$defs`."""

    properties: dict
    required: list[str] = field(default_factory=list)
    defs: dict = field(default_factory=dict)


def length(model, field) -> dict:
    max_length = model._meta.get_field(field).max_length
    return {"maxLength": max_length} if max_length else {}


def name(model, field="name", what="name") -> dict:
    return {"type": "string", "minLength": 1, **length(model, field),
            "description": f"The {what}; also its identity in this file."}


def text(model, field, description) -> dict:
    return {"type": ["string", "null"], **length(model, field), "description": description}


def choice(choices, description) -> dict:
    labels = "; ".join(f"{value} = {label}" for value, label in choices.choices)
    return {"enum": list(choices.values), "description": f"{description} ({labels})."}


def username(description) -> dict:
    return {"type": ["string", "null"], "minLength": 1, "maxLength": 150,
            "description": f"{description} A username: of a person listed under people or, in a file "
                           "without people, of someone already in the workspace."}


def slug(model) -> dict:
    return {"type": ["string", "null"], "pattern": "^[-a-zA-Z0-9_]+$", **length(model, "slug"),
            "description": "Used in web addresses. Omitted: kept for an existing object, made from "
                           "the name for a new one."}


def obj(properties: dict, required: list[str], description: str) -> dict:
    return {"type": "object", "description": description, "properties": properties,
            "required": required, "additionalProperties": False}


def array(items: dict, description: str, nullable: bool = True) -> dict:
    return {"type": ["array", "null"] if nullable else "array", "items": items, "description": description}
