"""The copy a run evaluates: exactly the manifest's files, hashed as they are copied into
platform storage and made read-only, so what is scored is what was hashed."""

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from evaluation.checkpoint_files import CHUNK, CheckpointProblem


def stage_checkpoint(
    source: Path,
    target: Path,
    *,
    manifest: list[dict],
    team_root: Path,
    on_progress: Callable[[int], None] | None = None,
) -> str:
    """Copy exactly the manifest's files from the team's folder into `target` (platform storage),
    hashing the bytes as they are copied, and make the copy read-only. Returns the digest of what
    was copied: equal to the manifest's digest only if every byte is the one hashed at submission.
    The evaluation then loads the copy, so a file the team swaps in later is never scored; files
    not in the manifest are never copied. A path that leaves the team's folder (a file replaced by
    a link) is refused."""
    team_root = team_root.resolve()
    total = sum(item["size"] for item in manifest) or 1
    done, copied = 0, []
    target.mkdir(parents=True)
    for item in manifest:
        relative = Path(item["path"])
        origin = source / relative
        if relative.is_absolute() or ".." in relative.parts or not origin.resolve().is_relative_to(team_root):
            raise CheckpointProblem(_("%(file)s links outside your team's folder.") % {"file": relative.name})
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            handle = os.open(origin, os.O_RDONLY | os.O_NOFOLLOW)  # a link swapped in after the check
        except FileNotFoundError:
            raise CheckpointProblem(_("%(file)s is missing.") % {"file": item["path"]}) from None
        with os.fdopen(handle, "rb") as inp, destination.open("wb") as out:
            while chunk := inp.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
                done += len(chunk)
                if on_progress:
                    on_progress(min(100, done * 100 // total))
        copied.append({"path": item["path"], "size": size, "sha256": digest.hexdigest()})
    for path in sorted(target.rglob("*"), reverse=True):  # files first, then their folders
        path.chmod(0o555 if path.is_dir() else 0o444)
    target.chmod(0o555)
    return hashlib.sha256(json.dumps(copied, sort_keys=True).encode()).hexdigest()


def remove_staged(target: Path) -> None:
    """Delete a staged (read-only) copy."""
    if not target.exists():
        return
    for path in [target, *target.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(target, ignore_errors=True)


class Changed(Exception):
    """The team's files no longer match the manifest hashed at submission."""


def host_copy(
    run_id: int,
    source: Path,
    *,
    runs_dir: Path,
    manifest: list[dict],
    manifest_digest: str,
    team_root: Path,
    on_progress: Callable[[int], None] | None = None,
) -> Path:
    """This host's read-only copy of a run's checkpoint, staged (and hashed) by the first of the
    run's shards that this host executes and reused by the next; a lock file keeps two shards of
    one host from copying at once. Raises Changed when the bytes differ from the manifest."""
    import fcntl

    folder = runs_dir / "staged" / str(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    model_dir, marker = folder / "model", folder / "digest"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if model_dir.exists() and marker.exists() and marker.read_text() == manifest_digest:
            return model_dir
        remove_staged(model_dir)  # a copy that a lost attempt left half made
        try:
            digest = stage_checkpoint(
                source, model_dir, manifest=manifest, team_root=team_root, on_progress=on_progress
            )
        except BaseException:
            remove_staged(model_dir)
            raise
        if digest != manifest_digest:
            remove_staged(model_dir)
            raise Changed
        marker.write_text(digest)
    return model_dir


def remove_host_copies(runs_dir: Path, keep: Callable[[list[int]], set[int]]) -> None:
    """Delete this host's copies of runs that no longer need them (`keep` says which of the
    given run ids are still running)."""
    folder = runs_dir / "staged"
    if not folder.is_dir():
        return
    ids = [int(p.name) for p in folder.iterdir() if p.name.isdigit()]
    for run_id in set(ids) - keep(ids):
        remove_staged(folder / str(run_id) / "model")
        shutil.rmtree(folder / str(run_id), ignore_errors=True)
