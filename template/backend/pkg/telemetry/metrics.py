"""Prometheus metrics of the API, served on GET /metrics (api/http/metrics.py): FastAPI's own
request metrics (`http_server_request_duration_seconds`, by route template, method and status, as
OpenTelemetry names them) and the counters made with prometheus_client."""

from opentelemetry import metrics
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider


def setup_metrics() -> None:
    """Once per process: FastAPI records through the global meter provider, which this one
    publishes in prometheus_client's registry."""
    if isinstance(metrics.get_meter_provider(), MeterProvider):
        return
    metrics.set_meter_provider(MeterProvider(metric_readers=[PrometheusMetricReader()]))
