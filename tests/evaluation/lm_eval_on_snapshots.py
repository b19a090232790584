"""`python -m tests.evaluation.lm_eval_on_snapshots SNAPSHOTS.json <lm_eval arguments>`: the harness's
own command line, in a process whose `datasets.load_dataset` reads these snapshots (as the
platform's evaluation processes do) — the reference the platform's stored metrics must equal."""

import json
import sys

from evaluation import offline_data

if __name__ == "__main__":
    offline_data.install(json.loads(open(sys.argv[1]).read()))
    from lm_eval.__main__ import cli_evaluate

    sys.argv = ["lm_eval", *sys.argv[2:]]
    cli_evaluate()
