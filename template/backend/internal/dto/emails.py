"""Requests and responses of the e-mail job endpoints."""

from typing import Literal

from pydantic import BaseModel, Field

from internal.entities.email import ADDRESS_PATTERN

# Every job is in one of these states, on every runner (internal/ports/jobs.py says when).
JobState = Literal["queued", "running", "succeeded", "failed", "unknown"]


class EmailJob(BaseModel):
    to: str = Field(pattern=ADDRESS_PATTERN, max_length=254)
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=100_000)


class JobReceipt(BaseModel):
    job_id: str
    runner: str
    state: JobState


class JobStatus(BaseModel):
    job_id: str
    state: JobState
    result: bool | None = None
    error: str | None = None
