"""Forms of the projects app: projects, members and sign-offs (projects.py); the dictionary (dictionary.py)."""

from .projects import (  # noqa: F401
    DATE_INPUT,
    InviteForm,
    MemberForm,
    OrganizationChoiceMixin,
    ProjectCreateForm,
    ProjectForm,
    SignOffRequestForm,
)
