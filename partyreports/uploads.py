"""Uploads stop being stored at UPLOAD_MAX_BYTES.

Django applies DATA_UPLOAD_MAX_MEMORY_SIZE to form fields only: a file part is
streamed to memory or a temporary file whatever its size, and the importers'
size check (organizations.imports.file_problem_of) used to run only after the
whole upload had been stored. This handler, first in FILE_UPLOAD_HANDLERS,
passes a file's chunks on to Django's handlers until the file passes the limit
(or at once when the request's Content-Length already says it will), then drops
the rest and hands the view an empty file that knows its real size, so the
importer answers with its usual Vietnamese "Tệp quá lớn (… MB)" on the form.

The rest of the body is still read and thrown away, so the browser gets the
page rather than a reset connection.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

#: Room for the form's other fields and the multipart boundaries around a file
#: that is exactly at the limit.
FORM_OVERHEAD = 64 * 1024


class TooLargeUpload(UploadedFile):
    """A file refused for its size: no content, its size as received."""

    def __init__(self, *, name: str, content_type: str, size: int) -> None:
        super().__init__(
            file=io.BytesIO(), name=name, content_type=content_type, size=size
        )


class LimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: object,
        META: dict[str, object],  # noqa: N803 - Django's name
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.limit = settings.UPLOAD_MAX_BYTES
        self.declared_too_large = content_length > self.limit + FORM_OVERHEAD

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)
        self.refused = self.declared_too_large

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.refused and start + len(raw_data) > self.limit:
            self.refused = True
            # What the next handlers stored so far (at most the limit) goes.
            for handler in self._later_handlers():
                handler.upload_interrupted()
        return None if self.refused else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.refused:
            return None  # Django's own handlers made the file
        return TooLargeUpload(
            name=self.file_name or "",
            content_type=self.content_type or "",
            size=file_size,
        )

    def _later_handlers(self) -> list[FileUploadHandler]:
        handlers = getattr(self.request, "upload_handlers", [])
        return [handler for handler in handlers if handler is not self]
