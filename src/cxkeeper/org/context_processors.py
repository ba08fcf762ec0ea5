"""What every page header shows of the organization: the workspace's name and North Star."""

from cxkeeper.org.models import Workspace


def workspace(request):
    return {"workspace": Workspace.current()}
