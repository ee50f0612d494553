"""One place that turns settings into a Temporal client, for the worker, the API and scripts.

The settings are mapped onto the SDK's own client profile (`temporalio.envconfig`), so TLS and
API-key handling follow the same rules as the SDK and the `temporal` CLI.
"""

from temporalio.client import Client, Interceptor
from temporalio.envconfig import ClientConfigProfile, ClientConfigTLS, ClientConnectConfig
from temporalio.runtime import Runtime

from pkg.config.jobs import JobSettings
from pkg.telemetry import tracing_enabled


def _tls(settings: JobSettings) -> ClientConfigTLS | None:
    """None leaves TLS to the SDK's rule: on exactly when an API key is set."""
    files = (
        settings.temporal_tls_server_ca_cert_path,
        settings.temporal_tls_client_cert_path,
        settings.temporal_tls_client_key_path,
    )
    explicit = settings.temporal_tls is not None or settings.temporal_tls_server_name
    if not explicit and not any(files):
        return None
    return ClientConfigTLS(
        disabled=settings.temporal_tls is False,
        server_name=settings.temporal_tls_server_name,
        server_root_ca_cert=files[0],
        client_cert=files[1],
        client_private_key=files[2],
    )


def connect_config(settings: JobSettings) -> ClientConnectConfig:
    """Keyword arguments for `Client.connect`, from the TEMPORAL_* settings."""
    api_key = settings.temporal_api_key
    profile = ClientConfigProfile(
        address=settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key.get_secret_value() if api_key else None,
        tls=_tls(settings),
    )
    return profile.to_client_connect_config()


def interceptors() -> list[Interceptor]:
    """With tracing on, spans for starting a workflow and running it and its activities, joined
    across processes (the interceptor applies to the client's workers too)."""
    if not tracing_enabled():
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]


async def connect(settings: JobSettings, runtime: Runtime | None = None) -> Client:
    """A client; `runtime` for one of its own (the worker's, with metrics)."""
    return await Client.connect(
        **connect_config(settings), interceptors=interceptors(), runtime=runtime
    )
