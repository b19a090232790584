"""The limits a coding suite runs its tests under. A suite's `sandbox:` block (YAML) overrides
these defaults key by key; the effective limits are part of the suite digest, so a change makes
a new suite version and every run keeps the limits it was scored under."""

# Bump when the sandbox's layout or launcher changes in a way that could change an outcome:
# every coding suite then gets a new version.
POLICY = "bubblewrap-1"

DEFAULTS = {
    "cpu_time_s": 5,  # CPU seconds of each process (RLIMIT_CPU)
    "wall_time_s": 10,  # the whole sample, interpreter start included
    "memory_mb": 1024,  # address space of each process (RLIMIT_AS)
    "processes": 32,  # processes and threads inside one sandbox (RLIMIT_NPROC, per namespace)
    "output_kb": 1024,  # stdout and stderr together; more kills the sample
    "tmp_kb": 16384,  # the sample's writable /tmp (a fresh tmpfs)
    "open_files": 64,  # RLIMIT_NOFILE
}


class LimitsError(ValueError):
    pass


def parse(block, where: str) -> dict:
    """The effective limits of a suite's `sandbox:` block (`{}` or `true` for the defaults)."""
    if block is True or block is None:
        block = {}
    if not isinstance(block, dict):
        raise LimitsError(f"{where}: 'sandbox' must be a mapping of limits (or true)")
    unknown = set(block) - set(DEFAULTS)
    if unknown:
        raise LimitsError(f"{where}: unknown sandbox limits {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    limits = dict(DEFAULTS)
    for key, value in block.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise LimitsError(f"{where}: sandbox limit {key!r} must be a positive whole number")
        limits[key] = value
    if limits["cpu_time_s"] > limits["wall_time_s"]:
        raise LimitsError(f"{where}: sandbox cpu_time_s cannot exceed wall_time_s")
    return {"policy": POLICY, **limits}
