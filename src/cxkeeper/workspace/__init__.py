"""Workspace-as-code: the whole workspace — every app's objects, people included but never
their passwords or tokens — as one readable YAML file, with a published JSON Schema.

The top layer: it reads every app below it and writes only through their actions; nothing
imports it but the entry points (`cxkeeper.cli`). Start with `export.py` (writing the file),
`document.py` (reading and checking one) and `apply.py` (making the workspace what it says);
each app's part of the file is one module in `sections/`. See docs/journey-as-code.md.
"""
