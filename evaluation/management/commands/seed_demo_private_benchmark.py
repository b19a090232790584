import json
import random

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.models import User
from core.roles import BENCHMARK_AUTHOR_GROUP
from evaluation.demo_checkpoints import DEMO_PLAN
from evaluation.models import Checkpoint, CheckpointStatus, PrivateBenchmark
from evaluation.selectors import suite_version_current
from evaluation.services.private_benchmarks import SUITE_SLUG, private_benchmark_publish, private_benchmark_save
from evaluation.services.runs import run_request

SLUG = "demo-bigger-number"
TEMPLATE = "[데모 비공개 벤치마크] 두 수 중 더 큰 수를 고르시오: {{ choices[0] }}, {{ choices[1] }}\n답:"


def demo_items(count: int = 40, seed: int = 20251) -> list[dict]:
    """Written here, for the demo only (a real private benchmark's items are uploaded, never kept
    in the repository): which of two numbers is larger."""
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        a, b = rng.sample(range(10, 1000), 2)
        items.append({"question": f"{a}와 {b} 중 더 큰 수는?", "choices": [str(a), str(b)], "answer": int(b > a)})
    return items


class Command(BaseCommand):
    help = (
        "A demo private benchmark (labelled as demo data), written by the demo reviewer as a benchmark author, "
        "published in the nia-private suite, and the demo checkpoints scored on it. Idempotent."
    )

    def handle(self, *args, **options):
        author = User.objects.filter(username="reviewer").first()
        if author is None:
            self.stdout.write("  no demo reviewer (create_demo_users): skipped")
            return
        author.groups.add(Group.objects.get_or_create(name=BENCHMARK_AUTHOR_GROUP)[0])
        author = User.objects.get(pk=author.pk)
        benchmark = PrivateBenchmark.objects.filter(slug=SLUG).first()
        if benchmark is None:
            items = "\n".join(json.dumps(item, ensure_ascii=False) for item in demo_items()).encode()
            benchmark = private_benchmark_save(
                actor=author,
                slug=SLUG,
                name_ko="[데모] 더 큰 수 고르기",
                name_en="[Demo] Pick the larger number",
                kind="multiple_choice",
                prompt_template=TEMPLATE,
                items_file=("demo.jsonl", items),
                demo=True,
            )
        if benchmark.published_at is None:
            private_benchmark_publish(actor=author, benchmark=benchmark)
        version = suite_version_current(slug=SUITE_SLUG)
        names = [name for _team, name, _steps, _seed in DEMO_PLAN]
        for checkpoint in Checkpoint.objects.filter(source__in=names):
            if checkpoint.runs.filter(suite_version=version).exists():
                continue
            if checkpoint.status == CheckpointStatus.READY:
                run_request(actor=None, checkpoint=checkpoint, suite_version=version, official=True)
            elif SUITE_SLUG not in checkpoint.requested_suites:  # scored once validated
                Checkpoint.objects.filter(pk=checkpoint.pk).update(
                    requested_suites=[*checkpoint.requested_suites, SUITE_SLUG]
                )
        self.stdout.write(
            f"  {benchmark.name_en}: {benchmark.snapshot.rows} demo items in {version}; "
            f"the demo checkpoints are scored on it"
        )
