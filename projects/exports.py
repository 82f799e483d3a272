"""The project brief: a PDF of the project's overview and its people, as the requester may see them."""

from django.utils.translation import gettext as _

from pmo_portal import exports, pdf

from .models import Membership, Project


def build_brief(project: Project, language: str, user) -> pdf.Document:
    members = Membership.objects.visible_to(user).of_project(project).order_by("role", "user__display_name")
    sections = [pdf.Section("overview", _("Overview")), pdf.Section("people", _("People"))]
    return pdf.Document(
        template_name="pdf/project_brief.html",
        context={"project": project, "members": list(members)},
        language=language,
        title=_("Project brief"),
        project_name=f"{project.code} {project.name}",
        version=project.updated_at.strftime("%Y-%m-%d"),
        sections=sections,
        change_log=[],
    )


exports.register(
    exports.ExportKind(
        key="project_brief",
        load=lambda object_id: Project.objects.get(pk=object_id),
        visible=lambda user: Project.objects.visible_to(user),
        permission="projects.view_project",
        project=lambda project: project,
        title=lambda project: f"{project.code} {project.name}",
        document=build_brief,
    )
)
