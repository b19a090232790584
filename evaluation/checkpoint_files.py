"""Reading a submitted checkpoint folder: where it is, what it holds, and its manifest.
No database here; every refusal is a CheckpointProblem with a reason a person understands."""

import hashlib
import json
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

HF_SOURCE = re.compile(r"^hf://(?P<repo>[\w.-]+/[\w.-]+)@(?P<commit>[0-9a-f]{40})$")
PICKLE_SUFFIXES = {".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"}
TOKENIZER_FILES = {"tokenizer.json", "tokenizer.model", "vocab.json", "spiece.model"}
MAX_HEADER_BYTES = 100 * 1024 * 1024
CHUNK = 1024 * 1024


class CheckpointProblem(Exception):
    """The checkpoint cannot be accepted; `str(problem)` is shown to the submitter."""


# Safetensors dtype names -> the precision the model is evaluated in.
PRECISION_OF_DTYPE = {"BF16": "bfloat16", "F16": "float16", "F32": "float32"}
CHAT_TEMPLATE_FILES = ("chat_template.jinja", "chat_template.json")


@dataclass
class Inspection:
    architecture: str
    parameter_count: int
    dtypes: dict[str, int] = field(default_factory=dict)
    has_chat_template: bool = False

    @property
    def precision(self) -> str:
        """The floating-point type that holds most parameters: bf16 weights are evaluated in bf16.
        Weights in none of these (quantised, float64) are evaluated in float32."""
        floats = {PRECISION_OF_DTYPE[d]: n for d, n in self.dtypes.items() if d in PRECISION_OF_DTYPE}
        return max(sorted(floats), key=floats.get) if floats else "float32"


def has_chat_template(path: Path) -> bool:
    """Whether the tokenizer carries a chat template (its own file, or tokenizer_config.json's key)."""
    if any((path / name).is_file() for name in CHAT_TEMPLATE_FILES):
        return True
    try:
        config = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(config, dict) and bool(config.get("chat_template"))


HUB_FILES = ["*.json", "*.safetensors", "tokenizer*", "*.model", "*.txt", "*.tiktoken"]


def _download(repo: str, commit: str, target: Path) -> Path:
    """The files of one pinned hub commit, into the team's folder (weights as safetensors only)."""
    from huggingface_hub import snapshot_download

    try:
        snapshot_download(repo_id=repo, revision=commit, local_dir=target, allow_patterns=HUB_FILES)
    except Exception as exc:  # noqa: BLE001 - any hub failure is the submitter's to read
        raise CheckpointProblem(
            _("Could not download %(repo)s@%(commit)s: %(error)s") % {"repo": repo, "commit": commit, "error": exc}
        ) from None
    return target


def containment_root(source: str, *, team_slug: str, root: Path) -> Path:
    """The folder a checkpoint's files must stay inside: the team's own folder, or, for a hub
    source, the platform's download folder for it (outside anything a team can write)."""
    match = HF_SOURCE.match(source)
    if match:
        return (root / ".hub" / team_slug / f"{match['repo'].replace('/', '--')}@{match['commit']}").resolve()
    return (root / team_slug).resolve()


def resolve_source(source: str, *, team_slug: str, root: Path, allow_hub: bool = False) -> Path:
    """A folder under root/<team-slug>/, with symlinks resolved; it must stay inside it.
    hf://org/name@<commit> is downloaded into root/.hub/<team-slug>/ where a hub is reachable."""
    if source.startswith("hf://"):
        match = HF_SOURCE.match(source)
        if not match:
            raise CheckpointProblem(_("Hub sources look like hf://org/name@<40-hex commit>."))
        if not allow_hub:
            raise CheckpointProblem(_("hf:// sources need a reachable model hub, and this deployment has none."))
        return _download(match["repo"], match["commit"], containment_root(source, team_slug=team_slug, root=root))
    team_root = (root / team_slug).resolve()
    candidate = Path(source)
    try:
        path = (candidate if candidate.is_absolute() else team_root / candidate).resolve()
    except (RuntimeError, OSError):  # a symlink loop
        raise CheckpointProblem(_("The path cannot be resolved (a symlink loop?).")) from None
    if not path.is_relative_to(team_root):
        raise CheckpointProblem(_("The path leaves your team's folder."))
    if not path.is_dir():
        raise CheckpointProblem(_("Folder not found: %(path)s") % {"path": source})
    return path


def _files(path: Path) -> list[Path]:
    """Every file of the checkpoint. A linked folder is refused: its contents would escape
    the manifest (a directory walk does not follow it)."""
    found = []
    for folder, subfolders, names in os.walk(path, followlinks=False):
        for name in subfolders:
            if (Path(folder) / name).is_symlink():
                raise CheckpointProblem(_("%(name)s is a link to a folder; submit real files.") % {"name": name})
        found.extend(Path(folder) / name for name in names)
    return sorted(f for f in found if f.is_file())


def _read_config(path: Path) -> dict:
    config_file = path / "config.json"
    if not config_file.is_file():
        raise CheckpointProblem(_("config.json missing"))
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise CheckpointProblem(_("config.json is not valid JSON")) from None
    if not isinstance(config, dict):
        raise CheckpointProblem(_("config.json is not valid JSON"))
    architectures = config.get("architectures", [])
    if not isinstance(architectures, list) or not all(isinstance(a, str) for a in architectures):
        raise CheckpointProblem(_("config.json: 'architectures' must be a list of names"))
    if "auto_map" in config:
        raise CheckpointProblem(_("config.json asks for custom code (auto_map); trust_remote_code is not allowed."))
    return config


def safetensors_header(file: Path) -> tuple[dict, int]:
    """A safetensors file's header (tensor name → dtype, shape, data_offsets; `__metadata__`
    left out) and the offset where its data begins. Every tensor must be well described and lie
    inside the file. The one reader: originality's fingerprints read headers through it too."""
    size = file.stat().st_size
    with file.open("rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise CheckpointProblem(_("%(file)s: too short to be a safetensors file") % {"file": file.name})
        (length,) = struct.unpack("<Q", prefix)
        if length > min(MAX_HEADER_BYTES, size - 8):
            raise CheckpointProblem(_("%(file)s: header length is impossible") % {"file": file.name})
        raw = handle.read(length)
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise CheckpointProblem(_("%(file)s: header is not valid JSON") % {"file": file.name}) from None
    if not isinstance(header, dict):
        raise CheckpointProblem(_("%(file)s: header is not valid JSON") % {"file": file.name})
    header.pop("__metadata__", None)
    data_size = size - 8 - length
    for name, info in header.items():
        try:
            start, end = info["data_offsets"]
            well_formed = (
                isinstance(info["dtype"], str)
                and isinstance(start, int)
                and isinstance(end, int)
                and isinstance(info["shape"], list)
                and all(isinstance(d, int) and d >= 0 for d in info["shape"])
            )
        except (KeyError, TypeError, ValueError):
            well_formed = False
        if not well_formed:
            raise CheckpointProblem(
                _("%(file)s: tensor %(name)s is described wrongly") % {"file": file.name, "name": name}
            )
        if not 0 <= start <= end <= data_size:
            raise CheckpointProblem(
                _("%(file)s: tensor %(name)s lies outside the file (truncated?)") % {"file": file.name, "name": name}
            )
    return header, 8 + length


def _check_shard_index(path: Path, files: list[Path]) -> None:
    """Every shard an index names must be a file of this checkpoint (and so in its manifest)."""
    present = {f.relative_to(path).as_posix() for f in files}
    for index in (f for f in files if f.name.endswith(".safetensors.index.json")):
        try:
            weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
            shards = set(weight_map.values())
        except (ValueError, AttributeError, TypeError):
            raise CheckpointProblem(_("%(file)s is not a valid shard index") % {"file": index.name}) from None
        missing = sorted(str(s) for s in shards if str(s) not in present)
        if missing:
            raise CheckpointProblem(
                _("%(file)s names shards that are not in the checkpoint: %(shards)s")
                % {"file": index.name, "shards": ", ".join(missing[:5])}
            )


def inspect_checkpoint(path: Path) -> Inspection:
    """Parameter count and dtypes from the safetensors headers, without loading weights."""
    config = _read_config(path)
    files = _files(path)
    pickles = [f.name for f in files if f.suffix in PICKLE_SUFFIXES]
    if pickles:
        raise CheckpointProblem(
            _("Pickle weights are refused (%(files)s): submit .safetensors only.") % {"files": ", ".join(pickles)}
        )
    weights = [f for f in files if f.suffix == ".safetensors"]
    if not weights:
        raise CheckpointProblem(_("No .safetensors weights found."))
    if not any(f.name in TOKENIZER_FILES for f in files):
        raise CheckpointProblem(_("Tokenizer files missing (tokenizer.json or tokenizer.model)."))
    dtypes: dict[str, int] = {}
    for file in weights:
        header, _data_start = safetensors_header(file)
        for info in header.values():
            count = 1
            for dim in info["shape"]:
                count *= int(dim)
            dtypes[info["dtype"]] = dtypes.get(info["dtype"], 0) + count
    _check_shard_index(path, files)
    architectures = config.get("architectures") or [str(config.get("model_type", "unknown"))]
    return Inspection(
        architecture=str(architectures[0]),
        parameter_count=sum(dtypes.values()),
        dtypes=dtypes,
        has_chat_template=has_chat_template(path),
    )


def build_manifest(path: Path, *, team_root: Path, on_progress: Callable[[int], None] | None = None):
    """SHA-256 of every file (streamed) and one digest over the list. Returns (manifest, digest, bytes)."""
    team_root = team_root.resolve()
    files = _files(path)
    for file in files:
        if not file.resolve().is_relative_to(team_root):
            raise CheckpointProblem(_("%(file)s links outside your team's folder.") % {"file": file.name})
    total = sum(f.stat().st_size for f in files) or 1
    done, manifest = 0, []
    for file in files:
        digest = hashlib.sha256()
        with file.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                done += len(chunk)
                if on_progress:
                    on_progress(done * 100 // total)
        manifest.append(
            {"path": file.relative_to(path).as_posix(), "size": file.stat().st_size, "sha256": digest.hexdigest()}
        )
    overall = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
    return manifest, overall, sum(item["size"] for item in manifest)
