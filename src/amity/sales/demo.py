"""Demo deals: placeholder until written."""

from amity.core.models import User, Workspace
from amity.core.permissions import Role


def load_sales(workspace: Workspace, users: dict[Role, User]) -> None:
    """Give the demo two pipelines and two years of deals."""
