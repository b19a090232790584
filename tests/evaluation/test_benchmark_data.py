"""Importing benchmark data snapshots: layouts, all-or-nothing errors with their reasons,
idempotence, and a snapshot changed after import caught before a run reads it."""

import json
import os
import stat

import pandas as pd
import pytest

from audit.models import AuditEvent
from evaluation import benchmark_data, harness, offline_data
from evaluation.benchmark_data import SnapshotError
from evaluation.models import BenchmarkSnapshot
from evaluation.services.benchmark_data import import_folder_allowed, latest_snapshots, snapshot_import

from . import benchmark_snapshots


@pytest.fixture
def data_root(tmp_path, settings):
    settings.BENCHMARK_DATA_ROOT = tmp_path / "data-root"
    return settings.BENCHMARK_DATA_ROOT


def test_a_snapshot_records_its_source_splits_rows_and_every_files_hash(db, people, data_root, tmp_path):
    info = benchmark_snapshots.kobest_boolq(tmp_path / "boolq")
    snapshot, created = snapshot_import(
        actor=people["admin"],
        folder=tmp_path / "boolq",
        source=info["source"],
        config=info["config"],
        revision="a1b2c3",
        licence="CC BY-SA 4.0",
    )
    assert created and snapshot.key == "skt/kobest_v1:boolq" and snapshot.format == "parquet"
    assert snapshot.splits == {"test": 6, "train": 6, "validation": 6}
    assert snapshot.columns["test"] == ["paragraph", "question", "label"]
    assert {f["split"] for f in snapshot.files} == {"test", "train", "validation"}
    stored = data_root / snapshot.digest
    for entry in snapshot.files:
        assert benchmark_data.sha256(stored / entry["path"]) == entry["sha256"]
        assert stat.S_IMODE((stored / entry["path"]).stat().st_mode) == 0o444  # read-only for workers
    assert snapshot.imported_by == people["admin"] and snapshot.revision == "a1b2c3"
    assert AuditEvent.objects.filter(action="benchmark_data.import", target_id=str(snapshot.pk)).count() == 1


def test_importing_the_same_folder_again_adds_nothing(db, data_root, tmp_path):
    benchmark_snapshots.gsm8k(tmp_path / "gsm8k")
    first, created = snapshot_import(actor=None, folder=tmp_path / "gsm8k", source="openai/gsm8k", config="main")
    again, created_again = snapshot_import(actor=None, folder=tmp_path / "gsm8k", source="openai/gsm8k", config="main")
    assert created and not created_again and again.pk == first.pk
    assert BenchmarkSnapshot.objects.count() == 1 and len(list(data_root.iterdir())) == 1


@pytest.mark.parametrize(
    "make,expected",
    [
        # save_to_disk of a DatasetDict: one folder of Arrow files per split
        ("save_to_disk", {"test": 3, "validation": 2}),
        # a Hugging Face datasets cache copied from a connected machine: <name>-<split>[-NNNNN-of-NNNNN].arrow
        ("cache", {"test": 5, "train": 2}),
        # CSV files per split
        ("csv", {"test": 2}),
    ],
)
def test_the_layouts_an_operator_brings_are_understood(db, data_root, tmp_path, make, expected):
    import datasets

    folder = tmp_path / make
    if make == "save_to_disk":
        datasets.DatasetDict(
            {
                "test": datasets.Dataset.from_dict({"q": ["a", "b", "c"]}),
                "validation": datasets.Dataset.from_dict({"q": ["d", "e"]}),
            }
        ).save_to_disk(folder)
    elif make == "cache":
        built = tmp_path / "built"
        datasets.Dataset.from_dict({"q": list("abc")}).save_to_disk(built / "t1")
        datasets.Dataset.from_dict({"q": list("de")}).save_to_disk(built / "t2")
        datasets.Dataset.from_dict({"q": list("xy")}).save_to_disk(built / "t3")
        folder.mkdir()
        for source, name in [
            ("t1", "hae_rae_bench-test-00000-of-00002.arrow"),
            ("t2", "hae_rae_bench-test-00001-of-00002.arrow"),
            ("t3", "hae_rae_bench-train.arrow"),
        ]:
            (folder / name).write_bytes(next((built / source).glob("*.arrow")).read_bytes())
        (folder / "dataset_info.json").write_text("{}")
    else:
        folder.mkdir()
        pd.DataFrame({"q": ["a", "b"]}).to_csv(folder / "test.csv", index=False)
    snapshot, _ = snapshot_import(actor=None, folder=folder, source="org/name")
    assert snapshot.splits == expected


def test_an_empty_split_is_refused_and_nothing_is_kept(db, data_root, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    pd.DataFrame({"q": ["a"]}).to_parquet(folder / "train.parquet")
    pd.DataFrame({"q": pd.Series([], dtype=str)}).to_parquet(folder / "test.parquet")
    with pytest.raises(SnapshotError, match="Split test is empty"):
        snapshot_import(actor=None, folder=folder, source="org/name")
    assert not BenchmarkSnapshot.objects.exists() and not data_root.exists()


def test_an_unreadable_file_is_refused_with_its_name(db, data_root, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "test.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(SnapshotError, match=r"split 'test' \(test.parquet\) cannot be read"):
        snapshot_import(actor=None, folder=folder, source="org/name")
    assert not BenchmarkSnapshot.objects.exists()


def test_columns_the_task_reads_that_the_data_lacks_are_named(db, data_root, tmp_path):
    info = benchmark_snapshots.kobest_copa(tmp_path / "copa")  # COPA's columns, imported as BoolQ
    with pytest.raises(SnapshotError, match="kobest_boolq reads the column 'paragraph'"):
        snapshot_import(
            actor=None, folder=tmp_path / "copa", source="skt/kobest_v1", config="boolq", tasks=("kobest_boolq",)
        )
    assert not BenchmarkSnapshot.objects.exists()
    snapshot, _ = snapshot_import(
        actor=None, folder=tmp_path / "copa", source=info["source"], config=info["config"], tasks=(info["task"],)
    )
    assert snapshot.key == "skt/kobest_v1:copa"


def test_a_snapshot_changed_after_import_is_never_read(db, data_root, tmp_path):
    benchmark_snapshots.kobest_boolq(tmp_path / "boolq")
    snapshot, _ = snapshot_import(actor=None, folder=tmp_path / "boolq", source="skt/kobest_v1", config="boolq")
    spec = {"snapshots": latest_snapshots()}
    harness.use_snapshots(spec)  # intact: accepted
    offline_data.uninstall()
    changed = data_root / snapshot.digest / snapshot.files[0]["path"]
    os.chmod(changed, 0o644)
    changed.write_bytes(changed.read_bytes() + b"\0")
    with pytest.raises(offline_data.BenchmarkDataMissing, match="changed since it was imported"):
        harness.use_snapshots(spec)
    changed.unlink()
    with pytest.raises(offline_data.BenchmarkDataMissing, match="is missing"):
        harness.use_snapshots(spec)


def test_data_is_never_fetched_from_a_hub(db, data_root):
    import datasets

    offline_data.install({})
    try:
        with pytest.raises(offline_data.BenchmarkDataMissing, match="no snapshot of skt/kobest_v1:boolq"):
            datasets.load_dataset("skt/kobest_v1", "boolq", split="test")
    finally:
        offline_data.uninstall()


def test_pages_and_the_api_import_only_from_the_import_folder(settings, tmp_path):
    settings.BENCHMARK_IMPORT_ROOT = tmp_path / "import"
    (tmp_path / "import" / "kobest").mkdir(parents=True)
    assert import_folder_allowed("kobest") == (tmp_path / "import" / "kobest").resolve()
    (tmp_path / "import" / "escape").symlink_to("/etc")
    for folder in ("../", "/etc", "escape", "missing"):
        with pytest.raises(SnapshotError):
            import_folder_allowed(folder)


def test_a_suite_pins_the_latest_snapshot_and_names_what_is_missing(db, data_root, tmp_path):
    from evaluation.services.suites import with_pinned_data
    from evaluation.suite_files import SuiteDefinition

    benchmark_snapshots.kobest_boolq(tmp_path / "boolq")
    snapshot, _ = snapshot_import(actor=None, folder=tmp_path / "boolq", source="skt/kobest_v1", config="boolq")
    task = {
        "task": "kobest_boolq",
        "n_shot": 0,
        "metric": "acc,none",
        "higher_is_better": True,
        "category": "nia",
        "weight": "1",
        "random_baseline": 0.5,
        "hidden": False,
        "protocol": {},
    }
    bare = SuiteDefinition(slug="s", name_ko="s", name_en="s", tasks=(task, {**task, "task": "gsm8k"}))
    pinned = with_pinned_data(bare)
    assert pinned.data == {"kobest_boolq": {"kobest_boolq": {"skt/kobest_v1:boolq": snapshot.digest}}}
    assert pinned.missing_data == ("openai/gsm8k:main",)
    assert pinned.digest != bare.digest  # the data is part of what makes a version
    assert json.loads(json.dumps(pinned.task_protocol(task)))["data"] == pinned.data["kobest_boolq"]


def test_the_export_of_a_connected_machine_imports_with_the_same_rows(db, data_root, tmp_path):
    """`benchmark_data export` saves what the tasks read as the hub serves it (here: served from a
    snapshot, as no hub is reachable) in folders that import as they are."""
    benchmark_snapshots.kobest_boolq(tmp_path / "boolq")
    original, _ = snapshot_import(actor=None, folder=tmp_path / "boolq", source="skt/kobest_v1", config="boolq")
    exported = harness.export_datasets(["kobest_boolq"], tmp_path / "export", snapshots=latest_snapshots())
    assert [item["key"] for item in exported] == ["skt/kobest_v1:boolq"]
    again, created = snapshot_import(
        actor=None,
        folder=tmp_path / "export" / "skt__kobest_v1__boolq",
        source="skt/kobest_v1",
        config="boolq",
        tasks=("kobest_boolq",),
    )
    assert created and again.format == "arrow" and again.splits == original.splits
    assert again.columns == original.columns
