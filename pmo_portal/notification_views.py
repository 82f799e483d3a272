"""The bell's menu, the notifications page, marking read, and each person's delivery choices."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import notifications
from .http import is_local_path, paginate, safe_next
from .models import Delivery, Notification
from .permissions import get_visible_or_404

PAGE_SIZE = 25
MENU_SIZE = 5


class NotificationSettingsForm(forms.Form):
    """One choice per registered kind of notification."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in notifications.kinds():
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, initial=current.get(kind.key, kind.default_delivery)
            )


def _mine(request):
    return Notification.objects.visible_to(request.user).select_related("project")


@require_GET
@login_required
def notification_list(request):
    page = paginate(request, _mine(request), PAGE_SIZE)
    return render(request, "notifications/list.html", {"page": page})


@require_GET
@login_required
def notification_menu(request):
    """The bell's dropdown content (an htmx partial)."""
    return render(request, "notifications/_menu.html", {"notifications": _mine(request)[:MENU_SIZE]})


@require_POST
@login_required
def notification_read(request, pk):
    notification = get_visible_or_404(Notification, request.user, pk=pk)
    notifications.notification_mark_read(actor=request.user, notification=notification)
    return redirect(safe_next(request, default=reverse("notifications:list")))


@require_POST
@login_required
def notification_open(request, pk):
    """Mark it read and go to what it is about."""
    notification = get_visible_or_404(Notification, request.user, pk=pk)
    notifications.notification_mark_read(actor=request.user, notification=notification)
    if is_local_path(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
@login_required
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
def notification_settings(request):
    current = notifications.deliveries_for(request.user)
    form = NotificationSettingsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        notifications.notification_preferences_update(actor=request.user, deliveries=form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
