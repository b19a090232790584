"""One artefact store for every host: the per-sample logs and harness logs that workers write
and the web tier reads. PostgreSQL by default (the `Artefact` table, reached by every host
that reaches the database); S3-compatible object storage where a deployment sets
ARTEFACT_S3_BUCKET (django-storages, settings.STORAGES["artefacts"]). Both behind Django's
Storage API, so nothing else knows which one it is."""

import gzip
import io
import json
import zlib
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection, transaction
from django.utils.deconstruct import deconstructible


@deconstructible
class DatabaseStorage(Storage):
    """Files as rows of evaluation.Artefact. Names are unique; saving a name twice keeps the
    first (a re-delivered shard writes the same bytes under the same name)."""

    def _model(self):
        from evaluation.models import Artefact

        return Artefact

    def _open(self, name, mode="rb"):
        row = self._model().objects.filter(name=name).only("content").first()
        if row is None:
            raise FileNotFoundError(name)
        return ContentFile(bytes(row.content), name=name)

    def _save(self, name, content):
        data = content.read()
        with transaction.atomic():
            self._model().objects.get_or_create(name=name, defaults={"content": data, "size": len(data)})
        return name

    def get_available_name(self, name, max_length=None):
        return name  # names are chosen by the platform and unique per shard attempt

    def exists(self, name):
        return self._model().objects.filter(name=name).exists()

    def delete(self, name):
        self._model().objects.filter(name=name).delete()

    def size(self, name):
        return self._model().objects.filter(name=name).values_list("size", flat=True).first() or 0

    def url(self, name):
        raise NotImplementedError("artefacts are served through the platform's own pages, never by URL")


def store():
    return storages["artefacts"]


def save(name: str, data: bytes) -> str:
    return store().save(name, ContentFile(data))


def read(name: str) -> bytes:
    with store().open(name) as handle:
        return handle.read()


def read_text(name: str) -> str:
    return read(name).decode("utf-8", "replace") if name else ""


def iter_gunzipped(name: str, block: int = 1 << 20) -> Iterator[bytes]:
    """A gzip artefact's content, decompressed block by block, never held whole: from the
    database by slices of the stored value (gzip does not compress again, so PostgreSQL keeps it
    uncompressed and reads only the slice's pages), elsewhere by the storage's chunks."""
    storage = store()
    if isinstance(storage, DatabaseStorage):
        table = storage._model()._meta.db_table

        def pieces():
            start = 1
            while True:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT substr(content, %s, %s) FROM {table} WHERE name = %s", [start, block, name])
                    row = cursor.fetchone()
                piece = bytes(row[0]) if row and row[0] is not None else b""
                if not piece:
                    return
                yield piece
                start += len(piece)
    else:

        def pieces():
            with storage.open(name) as handle:
                yield from handle.chunks(block)

    inflate = zlib.decompressobj(wbits=31)
    for piece in pieces():
        while piece:
            data = inflate.decompress(piece)
            if data:
                yield data
            piece = b""
            if inflate.eof:  # the next gzip member, if the file holds several
                piece, inflate = inflate.unused_data, zlib.decompressobj(wbits=31)
    if not inflate.eof and inflate.unconsumed_tail:
        yield inflate.flush()


def iter_jsonl_gz(name: str) -> Iterator[dict]:
    return _lines(read(name))


def _lines(data: bytes) -> Iterator[dict]:
    # The artefact is read before the first line is asked for: a caller may be using the
    # database connection (a COPY) while it iterates.
    with gzip.open(io.BytesIO(data), "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)
