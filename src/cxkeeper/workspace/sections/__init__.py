"""Each app's part of the workspace file, one module per part, in the file's order:

    org        workspace settings, glossary, teams
    people     people: username, full name, e-mail, role, teams (never passwords or tokens)
    journeys   personas and journeys (stages, steps, responsibilities, handoffs)
    outcomes   metric definitions, shared outcomes, targets, success statements, team KPIs
    governance the CX councils: charter and member seats (not meetings, decisions or actions)
    cocreation friction points' challenge, perspectives, options and decision; planned changes —
               written for review, never applied (the teams give perspectives themselves)

A section module gives its schema part (`schema()`), its data for export, a lenient reading
into specs (`build…`), its cross-reference checks (`check…`) and, in it or beside it in
`…_apply.py`, the sync that writes through its app's actions. A new app adds its module here
and its steps in `workspace/export.py`, `document.py`, `apply.py` and `schema.py`.
"""
