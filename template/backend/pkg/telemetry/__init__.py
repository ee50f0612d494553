"""Traces, error reports and metrics: `setup_telemetry(role)` and `setup_error_reports(role)`
once per process (the API, each worker), beside `setup_logging()`; `setup_metrics()` in the API.
Modules make spans through the OpenTelemetry API (`trace.get_tracer(__name__)`), which costs
nothing while tracing is off."""

from pkg.telemetry.errors import setup_error_reports
from pkg.telemetry.metrics import setup_metrics
from pkg.telemetry.tracing import record_job, setup_telemetry, tracing_enabled

__all__ = [
    "record_job",
    "setup_error_reports",
    "setup_metrics",
    "setup_telemetry",
    "tracing_enabled",
]
