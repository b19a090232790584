"""The rate in force: the latest rate of a (GPU type, provider) pair effective on or before a day."""

import bisect
import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budget.models import GpuType, Provider, Rate


def rate_in_force(*, gpu_type: GpuType, provider: Provider, on: datetime.date) -> int:
    rate = (
        Rate.objects.filter(gpu_type=gpu_type, provider=provider, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("krw_per_gpu_hour", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            {
                "gpu_type": _("No rate for %(type)s at %(provider)s on %(day)s.")
                % {"type": gpu_type, "provider": provider, "day": on.isoformat()}
            }
        )
    return rate


class RateCard:
    """The whole rate card of one provider in memory, for imports (one query, then bisect)."""

    def __init__(self, provider: Provider):
        self._by_type: dict[int, tuple[list[datetime.date], list[int]]] = {}
        for type_id, day, rate in (
            Rate.objects.filter(provider=provider)
            .order_by("gpu_type_id", "effective_from")
            .values_list("gpu_type_id", "effective_from", "krw_per_gpu_hour")
        ):
            days, rates = self._by_type.setdefault(type_id, ([], []))
            days.append(day)
            rates.append(rate)

    def at(self, gpu_type_id: int, day: datetime.date) -> int | None:
        days, rates = self._by_type.get(gpu_type_id, ((), ()))
        index = bisect.bisect_right(days, day) - 1
        return rates[index] if index >= 0 else None


def charge_krw(*, gpu_count: int, seconds: int, krw_per_gpu_hour: int) -> int:
    """GPU-seconds × rate, in whole won, rounded half up (integers only)."""
    return (gpu_count * seconds * krw_per_gpu_hour + 1800) // 3600


def reservation_krw(*, gpu_count: int, start: datetime.date, end: datetime.date, krw_per_gpu_hour: int) -> int:
    """A reservation holds its GPUs around the clock, both end days included."""
    hours = ((end - start).days + 1) * 24
    return gpu_count * hours * krw_per_gpu_hour
