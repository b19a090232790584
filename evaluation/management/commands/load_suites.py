from django.core.management.base import BaseCommand, CommandError

from evaluation.models import SuiteVersion
from evaluation.services.suites import suite_load, with_pinned_data
from evaluation.suite_files import SuiteDefinitionError, missing_harness_tasks, parse_suite, suite_files


class Command(BaseCommand):
    help = "Load evaluation/suites/*.yaml. Unchanged suites are left alone; a used version is never edited."

    def handle(self, *args, **options):
        try:
            definitions = [parse_suite(path) for path in suite_files()]
        except SuiteDefinitionError as exc:
            raise CommandError(str(exc)) from exc
        for definition in definitions:
            definition = with_pinned_data(definition)
            if not SuiteVersion.objects.filter(suite__slug=definition.slug, digest=definition.digest).exists():
                # Only a new or changed definition pays for building the harness's task index.
                missing = missing_harness_tasks(definition)
                if missing:
                    raise CommandError(f"{definition.slug}: the harness has no task named {', '.join(missing)}")
            version, outcome = suite_load(actor=None, definition=definition)
            if options["verbosity"]:
                missing = (
                    f"; no snapshot yet of {', '.join(definition.missing_data)}" if definition.missing_data else ""
                )
                self.stdout.write(f"{version}: {outcome} ({len(definition.tasks)} tasks{missing})")
