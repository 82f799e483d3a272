"""The usual sections of an IT RFP, each with a first explanation for the client PM, in the RFP's language.

PMO staff rewrite the text for the project; the explanations start them off: why the RFP asks this, and what
happens if it is left out, in words a PM new to RFPs understands.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

# (key, title, what the PMO writes there, explanation for the client PM)
SECTIONS = [
    ("background", _("Background and purpose"), _("Why the company starts this project now, and what it must achieve."),
     _("Vendors propose better when they know why the system is needed. Without it they guess, and quote for what they guess.")),  # noqa: E501
    ("current_state", _("Current state"), _("The systems, data and ways of working today, with their numbers (users, volumes)."),
     _("The cost of moving from today's systems depends on what they are. Without it, migration surprises appear after the contract.")),  # noqa: E501
    ("scope", _("Scope"), _("What is in the project, and what is explicitly not."),
     _("The most common source of disputes: what is not written as out of scope is often assumed to be in it.")),
    ("functional", _("Functional requirements"), _("What the system must do, listed in the requirements table with their IDs."),  # noqa: E501
     _("Each requirement gets an ID so that proposals, evaluation and acceptance can refer to it. What is not listed will not be built.")),  # noqa: E501
    ("non_functional", _("Non-functional requirements"), _("Performance, availability, capacity, usability, accessibility."),  # noqa: E501
     _("A system can do everything and still be too slow or down too often. These numbers make quality something vendors can price.")),  # noqa: E501
    ("security", _("Security"), _("Security rules the vendor must follow: access, data protection, audits, incidents."),
     _("Security added after the contract is expensive. Written here, it is part of every price and of acceptance.")),
    ("operations", _("Operations and support"), _("Who runs the system after go-live, support hours, response times."),
     _("Running the system often costs more than building it. Without this, proposals compare only the build.")),
    ("deliverables", _("Deliverables"), _("Documents, software and training the vendor hands over."),
     _("What is not listed as a deliverable may never be handed over, e.g. the operating manuals.")),
    ("schedule", _("Schedule and milestones"), _("Key dates: contract, design, tests, go-live."),
     _("Vendors plan staff around these dates. Unrealistic dates lead to unrealistic proposals.")),
    ("budget", _("Budget frame"), _("The budget range, or how prices must be broken down."),
     _("A price breakdown makes proposals comparable; a range stops proposals far outside what the company can pay.")),
    ("proposal_format", _("Proposal format and submission"), _("What the proposal must contain, in what format, by when."),  # noqa: E501
     _("Proposals in the same shape can be compared fairly and quickly.")),
    ("evaluation", _("Evaluation criteria"), _("How proposals are scored: the criteria and their weights."),
     _("Vendors write for the criteria they are scored on. Publishing them makes the selection fair and defensible.")),
    ("contract", _("Contract terms"), _("The main terms: type of contract, acceptance, warranty, intellectual property."),
     _("Terms a vendor cannot accept should surface now, not after the selection.")),
    ("contact", _("Contact"), _("Who answers vendors' questions, and how."),
     _("All questions go through one channel, so every vendor gets the same information.")),
]


def builtin_sections(language: str) -> list[dict]:
    """The sections above written out in ``language``."""
    with translation.override(language):
        return [
            {"key": key, "title": str(title), "body": str(prompt), "explanation": str(explanation)}
            for key, title, prompt, explanation in SECTIONS
        ]
