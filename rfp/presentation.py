"""How a version's snapshot reads on a page or in the PDF: the stored values with their labels."""

from .models import Priority, RequirementCategory


def labelled_requirements(snapshot: dict) -> list[dict]:
    """The snapshot's requirements, each with the label of its priority and category in the active language."""
    priorities, categories = dict(Priority.choices), dict(RequirementCategory.choices)
    return [
        r | {"priority_label": priorities.get(r["priority"], r["priority"]), "category_label": categories.get(r["category"], r["category"])}  # fmt: skip
        for r in snapshot["requirements"]
    ]
