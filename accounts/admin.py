from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "email", "organization", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "organization__kind"]
    list_select_related = ["organization"]
    search_fields = ["username", "display_name", "email"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Portal"), {"fields": ["display_name", "organization", "language", "time_zone"]}),
    ]
