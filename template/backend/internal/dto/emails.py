"""Requests and responses of the e-mail job endpoints, and what the API accepts in them."""

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from internal.entities.email import ADDRESS_PATTERN

# Every job is in one of these states, on every runner (internal/ports/jobs.py says when).
JobState = Literal["queued", "running", "succeeded", "failed", "unknown"]

# An Idempotency-Key: ASCII letters, digits and . _ : -, up to 100 characters. It becomes part of
# the job id, which is a path segment (GET /emails/{job_id}), a workflow or task id and a file
# name, so nothing else may be in it.
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
# A subject is one line: no control character (a CR or LF would start a header of its own).
SUBJECT_PATTERN = r"^[^\x00-\x1f\x7f]+$"


class EmailJob(BaseModel):
    # A field the API does not know is refused, not dropped: a `cc` would vanish silently.
    model_config = ConfigDict(extra="forbid")

    to: str = Field(pattern=ADDRESS_PATTERN, max_length=254)
    subject: str = Field(min_length=1, max_length=200, pattern=SUBJECT_PATTERN)
    body: str = Field(default="", max_length=100_000)

    def fingerprint(self) -> str:
        """Stands for the request's content: the same key with other content is a conflict."""
        canonical = json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class JobReceipt(BaseModel):
    job_id: str
    runner: str
    state: JobState


class JobStatus(BaseModel):
    job_id: str
    state: JobState
    result: bool | None = None
    error: str | None = None
