"""Register an open-weight reference model from a local HF-format folder (its fingerprints
are stored, not its weights); every ready checkpoint is checked against it afterwards."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from originality.services import reference_register


class Command(BaseCommand):
    help = "Fingerprint a local HF-format folder as an originality reference (e.g. Qwen2.5-7B)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="folder with config.json and *.safetensors (sharded or not)")
        parser.add_argument("--name", required=True, help="unique reference name, e.g. Qwen2.5-VL-7B")
        parser.add_argument("--family", default="", help="e.g. Qwen, Llama, Gemma")
        parser.add_argument("--as-user", required=True, help="username of the programme admin registering it")

    def handle(self, *args, path, name, family, as_user, **options):
        actor = get_user_model().objects.filter(username=as_user).first()
        if actor is None:
            raise CommandError(f"no user named {as_user}")
        try:
            reference = reference_register(actor=actor, name=name, path=path, family=family)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        except PermissionDenied:
            raise CommandError(f"{as_user} is not a programme admin") from None
        self.stdout.write(
            f"registered {reference.name}: {reference.tensor_count} tensors, {reference.parameter_count} parameters"
        )
