"""The caller's own notifications (newest first); `?unread=true` for the unread ones only."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets

from core.permissions import Action
from notifications import selectors
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    read_action = Action.USE_NOTIFICATIONS
    serializer_class = NotificationSerializer

    def get_queryset(self):
        rows = selectors.inbox_of(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only the unread ones.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
