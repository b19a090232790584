"""Running code that a model wrote, inside a sandbox (bubblewrap), for coding benchmarks.

limits.py   the limits a suite asks for (part of its digest)
outcomes.py what a sample's test did: passed, failed, timed out, killed by a limit
inside.py   the launcher that runs inside the sandbox (standard library only)
execute.py  one program in one fresh sandbox, from the evaluation process
code_eval.py the harness's `code_eval` metric, offline and sandboxed (pass@k as the harness computes it)
hook.py     how the evaluation child routes the harness's code execution here
"""
