"""Where a term is used: the documents of a project that contain it (the "where used" panel).

Each app whose documents should follow the dictionary registers them once, when it loads (sign-off requests
in ``projects/signoffs.py``; RFP sections and manual steps in their apps)::

    dictionary_usage.register(dictionary_usage.UsageSource(
        key="signoff",
        label=_("Sign-off requests"),
        documents=lambda project: SignOffRequest.objects.filter(project=project),
        visible=lambda user: SignOffRequest.objects.visible_to(user),
        text_fields=("title", "summary", "details"),
        title=lambda signoff: signoff.title,
        url=lambda signoff: signoff.get_absolute_url(),
        authors=lambda signoff: [signoff.requested_by],
    ))

The database narrows the documents down (any text field contains any of the term's words); the
dictionary's own matcher then confirms each one, so ``API`` is not "used" in a text about ``rapid`` work.
When a change to a term is approved, the authors of the documents that use it are told (services).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise

from .dictionary_text import Matcher, Phrase

# At most this many documents per source are checked (and listed) for one term.
LIMIT_PER_SOURCE = 50


@dataclass(frozen=True)
class UsageSource:
    key: str
    label: str | Promise
    documents: Callable[[Any], QuerySet]  # project -> its documents of this kind
    visible: Callable[[Any], QuerySet]  # user -> the documents this user may see
    text_fields: tuple[str, ...]
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    authors: Callable[[Any], list]  # who wrote it: told when a term it uses changes


@dataclass(frozen=True)
class Usage:
    source: UsageSource
    document: Any
    count: int  # how many times the term (or one of its synonyms...) occurs in it

    @property
    def title(self) -> str:
        return self.source.title(self.document)

    @property
    def url(self) -> str:
        return self.source.url(self.document)

    @property
    def authors(self) -> list:
        return self.source.authors(self.document)


_sources: dict[str, UsageSource] = {}


def register(source: UsageSource) -> UsageSource:
    _sources[source.key] = source
    return source


def sources() -> list[UsageSource]:
    return list(_sources.values())


def usages_of(term, user=None) -> list[Usage]:
    """The documents of the term's project that contain the term, one of its synonyms, its abbreviation or an
    equivalent. With ``user``, only documents that person may see."""
    words = [w for w in term.phrases() if w.strip()]
    matcher = Matcher(Phrase(w, "term", term.pk) for w in words)
    found = []
    for source in _sources.values():
        documents = source.documents(term.project)
        if user is not None:
            documents = documents.filter(pk__in=source.visible(user).values("pk"))
        contains = Q()
        for field_name in source.text_fields:
            for word in words:
                contains |= Q(**{f"{field_name}__icontains": word})
        for document in documents.filter(contains)[:LIMIT_PER_SOURCE]:
            text = "\n".join(str(getattr(document, name) or "") for name in source.text_fields)
            count = len(matcher.find(text))
            if count:
                found.append(Usage(source, document, count))
    return found
