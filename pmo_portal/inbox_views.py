"""The approval inbox page, and approving or rejecting any registered kind of item from it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import inbox
from .forms import add_service_errors
from .http import paginate, safe_next
from .validators import validate_multi_line

PAGE_SIZE = 20


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"), required=False, max_length=2000, validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Why do you reject it?"), max_length=2000, validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why you reject it, so that the PMO team can put it right.")},
    )  # fmt: skip


@require_GET
@login_required
def inbox_list(request):
    """What waits for my decision across all my projects, oldest first."""
    page = paginate(request, inbox.PendingItems(request.user), PAGE_SIZE)
    return render(request, "inbox/inbox.html", {"page": page, "approve_form": ApproveForm(), "reject_form": RejectForm()})


def _item(request, kind_key: str, pk: str) -> inbox.InboxItem:
    """The item if the user may see it (404 otherwise), and may decide it (403 otherwise)."""
    kind = inbox.get_kind(kind_key)
    if kind is None:
        raise Http404
    try:
        obj = get_object_or_404(kind.visible(request.user), pk=pk)
    except (ValueError, ValidationError) as error:  # a pk of the wrong shape
        raise Http404 from error
    if kind.can_decide is not None and not kind.can_decide(request.user, obj):
        raise PermissionDenied
    return inbox.InboxItem(kind, obj)


def _decide(request, kind_key, pk, form_class, decision: str):
    item = _item(request, kind_key, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            getattr(item.kind, decision)(request.user, item.obj, form.cleaned_data["comment"])
        except inbox.AlreadyDecided as error:
            if request.htmx:
                return render(request, "inbox/_item_done.html", {"item": item, "notice": " ".join(error.messages)}, status=409)  # fmt: skip
            messages.warning(request, " ".join(error.messages))
            return redirect(safe_next(request, None) or "inbox:list")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("Approved.") if decision == "approve" else _("Rejected. We told the requester why.")
            if request.htmx:
                return render(request, "inbox/_item_done.html", {"item": item, "done": done})
            messages.success(request, f"{done} {item.summary}")
            return redirect(safe_next(request, None) or "inbox:list")
    forms_ = {"approve_form": form if decision == "approve" else ApproveForm(), "reject_form": form if decision == "reject" else RejectForm()}  # fmt: skip
    if request.htmx:
        return render(request, "inbox/_item.html", {"item": item, **forms_}, status=422)
    return render(request, "inbox/decide.html", {"item": item, "decision": decision, "next": safe_next(request, None), **forms_})  # fmt: skip


@require_POST
@login_required
def inbox_approve(request, kind, pk):
    return _decide(request, kind, pk, ApproveForm, "approve")


@require_POST
@login_required
def inbox_reject(request, kind, pk):
    return _decide(request, kind, pk, RejectForm, "reject")
