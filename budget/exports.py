"""Usage table exports (CSV streamed row by row; XLSX through openpyxl's write-only mode)."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

COLUMNS = (
    "started",
    "team",
    "organisation",
    "provider",
    "gpu_type",
    "gpus",
    "gpu_hours",
    "h100_hours",
    "krw_per_gpu_hour",
    "amount_krw",
    "job_id",
    "account",
    "source",
    "overrun",
)


def _header() -> list[str]:
    return [
        _("Started"),
        _("Team"),
        _("Organisation"),
        _("Provider"),
        _("GPU type"),
        _("GPUs"),
        _("GPU-hours"),
        _("H100-equivalent GPU-hours"),
        _("KRW per GPU-hour"),
        _("Amount (KRW)"),
        _("Job"),
        _("Account"),
        _("Source"),
        _("Overrun"),
    ]


def _row(entry) -> list:
    return [
        timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M"),
        entry.allocation.team.slug,
        entry.allocation.organisation.slug if entry.allocation.organisation_id else "",
        entry.provider.slug if entry.provider_id else "",
        entry.gpu_type.code if entry.gpu_type_id else "",
        entry.gpu_count or "",
        round((entry.gpu_seconds or 0) / 3600, 2),
        round((entry.h100_gpu_seconds or 0) / 3600, 2),
        entry.krw_per_gpu_hour or "",
        -entry.amount_krw,  # a charge, as a positive amount
        entry.job_id,
        entry.external_account,
        entry.source,
        "yes" if entry.overrun else "",
    ]


class _Echo:
    def write(self, value):
        return value


def usage_csv(entries) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = (writer.writerow(_row(e)) for e in entries.iterator(chunk_size=2000))
    response = StreamingHttpResponse(
        (line for chunk in ([writer.writerow(_header())], rows) for line in chunk), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="gpu-usage.csv"'
    return response


def usage_xlsx(entries) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("usage")
    sheet.append(_header())
    for entry in entries.iterator(chunk_size=2000):
        sheet.append(_row(entry))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="gpu-usage.xlsx"'
    return response
