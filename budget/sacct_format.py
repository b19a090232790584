"""The `sacct --parsable2` format: pure parsing and checking of one file's lines.

No database and no threads: a line becomes a ParsedLine or a LineError. What a line costs
(accounts, GPU types, rates) and writing the charges is budget.services.sacct's business."""

import datetime
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

REQUIRED = ("JobID", "Account", "AllocTRES", "Elapsed", "Start", "End")
GPU_TRES = re.compile(r"gres/gpu(?::(?P<type>[A-Za-z0-9_.-]+))?=(?P<count>\d+)")
ELAPSED = re.compile(r"^(?:(?P<days>\d+)-)?(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})$")
NO_TIME = {"", "Unknown", "None"}


class LineError(ValueError):
    pass


def parse_elapsed(text: str) -> int:
    match = ELAPSED.match(text)
    if not match:
        raise LineError(_("Elapsed %(value)r is not [D-]HH:MM:SS.") % {"value": text})
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    return ((parts["days"] * 24 + parts["h"]) * 60 + parts["m"]) * 60 + parts["s"]


def parse_time(text: str, column: str, tz=None) -> datetime.datetime | None:
    """An aware datetime in the platform's zone (so that .date() is the local day)."""
    if text in NO_TIME:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise LineError(_("%(column)s %(value)r is not a date and time.") % {"column": column, "value": text})
    tz = tz or timezone.get_current_timezone()
    # sacct prints the cluster's local time without a zone: the programme's clusters run on KST.
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def parse_gpus(tres: str) -> list[tuple[str, int]]:
    """AllocTRES → [(gpu type code, count)]; a typed entry wins over the untyped total."""
    typed = [(m["type"].lower(), int(m["count"])) for m in GPU_TRES.finditer(tres) if m["type"]]
    if typed:
        return typed
    if any(m["type"] is None for m in GPU_TRES.finditer(tres)):
        raise LineError(_("AllocTRES names GPUs without their type (gres/gpu:<type>=N)."))
    return []


@dataclass
class ParsedLine:
    job_id: str
    step: str
    account: str
    gpus: list[tuple[str, int]]
    seconds: int
    start: datetime.datetime | None
    end: datetime.datetime | None


def parse_line(columns, tz=None) -> ParsedLine:
    """`columns`: the six REQUIRED values, in that order."""
    job_id, account, tres, elapsed, start, end = columns
    job, _dot, step = job_id.partition(".")
    if not job:
        raise LineError(_("JobID is empty."))
    if not account:
        raise LineError(_("Account is empty."))
    gpus, seconds = parse_gpus(tres), parse_elapsed(elapsed)
    start, end = parse_time(start, "Start", tz), parse_time(end, "End", tz)
    if gpus and start is None:
        raise LineError(_("A GPU job without a Start time cannot be charged."))
    return ParsedLine(job, step, account, gpus, seconds, start, end)


def read_lines(path) -> Iterator[tuple[int, tuple[str, ...] | None, str]]:
    """(line number, the REQUIRED columns or None, problem) for each data line; line 1 is the header."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        header = handle.readline().rstrip("\r\n").split("|")
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            yield 1, None, _("The header lacks %(columns)s.") % {"columns": ", ".join(missing)}
            return
        width, wanted = len(header), [header.index(c) for c in REQUIRED]
        pick = operator.itemgetter(*wanted)
        for number, raw in enumerate(handle, start=2):
            text = raw.rstrip("\r\n")
            if not text:
                continue
            values = text.split("|")
            if len(values) != width:
                yield (
                    number,
                    None,
                    _("%(found)d columns, the header has %(width)d.") % {"found": len(values), "width": width},
                )
                continue
            yield number, pick(values), ""
