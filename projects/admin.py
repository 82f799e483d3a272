from django.contrib import admin

from .models import Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "project"
    extra = 0
    autocomplete_fields = ["user"]
    raw_id_fields = ["invited_by"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "client", "pmo_firm", "phase", "start_date", "end_date"]
    list_filter = ["phase"]
    list_select_related = ["client", "pmo_firm"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role", "organization", "created_at"]
    list_filter = ["role"]
    list_select_related = ["project", "user", "organization"]
    search_fields = ["user__username", "user__email", "project__code"]
    raw_id_fields = ["user", "project", "invited_by"]
