"""The benchmark data page: the snapshots the platform holds, and an import form (programme admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.idempotency import FormAlreadySent, submit_once
from core.permissions import Action, require

from .benchmark_data import SnapshotError
from .forms import BenchmarkImportForm
from .models import BenchmarkSnapshot
from .services.benchmark_data import import_folder_allowed, snapshot_import


@login_required
def benchmark_data(request):
    require(request.user, Action.MANAGE_REGISTRY)
    form = BenchmarkImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)

        def run_import():
            folder = import_folder_allowed(values.pop("folder"))
            return snapshot_import(actor=request.user, folder=folder, **values)

        try:
            snapshot, created = submit_once(request, run_import)
        except SnapshotError as error:
            form.add_error(None, str(error))
        except FormAlreadySent as sent:
            messages.info(request, sent.message)
            return redirect("benchmark-data")
        else:
            messages.success(
                request,
                (_("Imported %(key)s.") if created else _("%(key)s is already held: nothing was added."))
                % {"key": snapshot.key},
            )
            return redirect("benchmark-data")
    return render(
        request,
        "evaluation/benchmark_data.html",
        {"form": form, "snapshots": BenchmarkSnapshot.objects.select_related("imported_by")},
    )
