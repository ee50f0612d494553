"""One place that turns settings into a Temporal client, for the worker, the API and scripts."""

from temporalio.client import Client
from temporalio.service import TLSConfig

from pkg.config.settings import Settings


def tls_config(settings: Settings) -> TLSConfig | bool:
    """Client certificates when configured; plain TLS when asked for or when an API key is set."""
    cert, key = settings.temporal_tls_client_cert_path, settings.temporal_tls_client_key_path
    if cert and key:
        return TLSConfig(client_cert=cert.read_bytes(), client_private_key=key.read_bytes())
    return settings.temporal_tls or settings.temporal_api_key is not None


async def connect(settings: Settings) -> Client:
    api_key = settings.temporal_api_key
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key.get_secret_value() if api_key else None,
        tls=tls_config(settings),
    )
