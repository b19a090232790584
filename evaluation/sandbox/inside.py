"""The launcher that runs inside the sandbox, as `python -I -S -c <this file> <limits>`.

Standard library only: the sandbox has the interpreter and nothing of the platform. The limits
are set here, after bubblewrap has made the user namespace, so the process limit counts this
sandbox's processes only. The program then runs as the harness's code_eval runs it: `exec` in a
fresh namespace. Success is reported on a private pipe with a token read (and closed) before the
program starts, so a program that merely exits with status 0 has not passed."""

import json
import os
import resource
import sys

EXIT_FAILED, EXIT_MEMORY = 1, 3
STARTED = b"S"


def _limit(kind: int, value: int) -> None:
    resource.setrlimit(kind, (value, value))


def main() -> None:
    limits = json.loads(sys.argv[1])
    status_fd = limits["status_fd"]
    token = os.read(limits["token_fd"], 64)
    os.close(limits["token_fd"])
    os.write(status_fd, STARTED)  # the sandbox works; what follows is the program's doing
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_time_s"], limits["cpu_time_s"] + 1))
    _limit(resource.RLIMIT_AS, limits["memory_mb"] * 1024 * 1024)
    _limit(resource.RLIMIT_NPROC, limits["processes"])
    _limit(resource.RLIMIT_NOFILE, limits["open_files"])
    _limit(resource.RLIMIT_FSIZE, limits["tmp_kb"] * 1024)
    _limit(resource.RLIMIT_CORE, 0)
    with open("/sample/program.py", encoding="utf-8") as handle:
        source = handle.read()
    code = EXIT_FAILED
    try:
        exec(compile(source, "<program>", "exec"), {})  # noqa: S102 - this is the sandbox
    except MemoryError:
        code = EXIT_MEMORY
    except BaseException as exc:  # noqa: BLE001 - like code_eval: any exception fails the test
        try:
            sys.stderr.write(f"\n{type(exc).__name__}: {exc}"[:2000] + "\n")
        except BaseException:  # noqa: BLE001
            pass
    else:
        os.write(status_fd, token)
        code = 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass
    os._exit(code)


main()
