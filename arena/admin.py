"""Read-only views of the arena for admins: campaigns are written by arena.services (the pages
and the API), never by hand."""

from django.contrib import admin

from core.admin_site import ReadOnlyModelAdmin

from .models import Campaign, GenerationJob, PromptSet


@admin.register(PromptSet)
class PromptSetAdmin(ReadOnlyModelAdmin):
    list_display = ("slug", "version", "title", "digest", "created_at")
    search_fields = ("slug", "title")


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyModelAdmin):
    list_display = ("slug", "name_ko", "stage", "status", "mapping", "created_at", "closed_at")
    list_filter = ("status",)


@admin.register(GenerationJob)
class GenerationJobAdmin(ReadOnlyModelAdmin):
    list_display = ("pk", "entry", "status", "queue", "worker_host", "started_at", "finished_at", "error")
    list_filter = ("status", "queue")
