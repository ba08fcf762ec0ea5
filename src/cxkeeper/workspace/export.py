"""Writing the whole workspace as one readable YAML file.

    export_workspace(people=True) -> str     the same workspace always gives the same bytes

The sections come in the file's order: version, workspace, glossary, teams, people, personas,
journeys, outcomes, councils, priority_weights (when a keeper set them) and — asked for, and
only when there is any — cocreation (written for review, never applied). Without people the
file is in format version 1; the weights or initiatives make it version 4 (see `schema.py`).
"""

from __future__ import annotations

from cxkeeper.workspace.schema import FORMAT_VERSION
from cxkeeper.workspace.sections.cocreation import cocreation_data
from cxkeeper.workspace.sections.governance import councils_data
from cxkeeper.workspace.sections.initiatives import weights_data
from cxkeeper.workspace.sections.journeys import journeys_data
from cxkeeper.workspace.sections.org import org_data
from cxkeeper.workspace.sections.outcomes import outcomes_data
from cxkeeper.workspace.sections.people import people_data
from cxkeeper.workspace.yaml_io import dump

WITHOUT_PEOPLE_VERSION = 1  # the format before people: what older releases read
PEOPLE_VERSION = 2  # people, before the sponsor and co-creation
COCREATION_VERSION = 3  # the sponsor, the reminder days and co-creation, before weights and initiatives


def workspace_data(*, people: bool = True, cocreation: bool = False) -> dict:
    """The workspace as plain data in the file's shape and order (reads only)."""
    data = {"version": PEOPLE_VERSION if people else WITHOUT_PEOPLE_VERSION, **org_data()}
    if people:
        data["people"] = people_data()
    data |= journeys_data() | {"outcomes": outcomes_data()}
    councils = councils_data()
    # Only when there are councils: a file without the section leaves them as they are, so a
    # workspace without councils exports exactly what it did before councils existed.
    if councils:
        data["councils"] = councils
    data |= weights_data()  # only when a keeper has set them
    if cocreation:
        data |= cocreation_data()
    settings = data["workspace"]
    # The lowest version that holds what was written.
    if "priority_weights" in data or "initiatives" in data.get("cocreation", {}):
        data["version"] = FORMAT_VERSION
    elif "cocreation" in data or "executive_sponsor" in settings or "perspective_reminder_days" in settings:
        data["version"] = COCREATION_VERSION
    return data


def export_workspace(*, people: bool = True, cocreation: bool = False) -> str:
    """The workspace as YAML. `people=False` leaves people out (`--without-people`);
    `cocreation=True` adds the co-creation section for review (`--with-cocreation`): it is read,
    never applied, so a file with it does not round-trip into another workspace."""
    return dump(workspace_data(people=people, cocreation=cocreation))
