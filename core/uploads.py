"""Each upload has its own maximum (settings *_MAX_BYTES), refused with a translated error
before anything reads the file."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def upload_size_check(upload, *, limit: int, field: str = "file") -> None:
    if upload is not None and upload.size is not None and upload.size > limit:
        raise ValidationError(
            {field: _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}}
        )
