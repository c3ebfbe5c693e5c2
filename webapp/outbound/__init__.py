"""Outbound HTTP for notification channels (webhooks today, every later channel too), safe against
SSRF: destinations are checked after DNS resolution and again at connect time, the connection is
pinned to the checked address, redirects are never followed, and errors carry no connection details.

`OutboundClient(policy, resolver)` is the entry point; `client_from_settings()` builds the one the
server uses (PYFLARE_OUTBOUND_ALLOW_PRIVATE, PYFLARE_OUTBOUND_ALLOW_CIDRS).
"""

from webapp.outbound.client import OutboundClient, client_from_settings
from webapp.outbound.errors import DestinationRefused, OutboundError
from webapp.outbound.policy import OutboundPolicy

__all__ = ["DestinationRefused", "OutboundClient", "OutboundError", "OutboundPolicy", "client_from_settings"]
