"""Cost shares as CSV or XLSX: one row per payer and purchase, only the rows the viewer
may see (selectors.shares_visible_to). Amounts are integer won."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook


def share_rows(shares) -> tuple[list[str], list[list]]:
    header = [
        _("Contract number"),
        _("Contract date"),
        _("Title"),
        _("Kind"),
        _("Provider"),
        _("Intermediary"),
        _("Payer"),
        _("Basis"),
        _("Percent"),
        _("Share (KRW)"),
        _("Purchase price (KRW)"),
        _("VAT (KRW)"),
        _("Total paid (KRW)"),
    ]
    rows = []
    for s in shares:
        p = s.purchase
        rows.append(
            [
                p.contract_number,
                p.contract_date.isoformat(),
                p.title,
                p.get_kind_display(),
                p.provider.name,
                p.intermediary.name if p.intermediary else "",
                str(s.holder),
                s.get_basis_display(),
                "" if s.percent is None else str(s.percent),
                s.amount_krw,
                p.price_krw,
                p.vat_krw,
                p.total_krw,
            ]
        )
    return header, rows


def to_csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read Korean correctly


def to_xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "shares"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for column in "JKLM":  # the KRW columns
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
