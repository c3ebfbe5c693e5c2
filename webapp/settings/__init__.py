"""PyFlare's Django settings, composed from one module per topic (DJANGO_SETTINGS_MODULE=webapp.settings).

Every value comes from a `PYFLARE_*` environment variable with a typed default; see each module.
"""

from webapp.settings.alerting import *  # noqa: F403
from webapp.settings.api import *  # noqa: F403
from webapp.settings.auth import *  # noqa: F403
from webapp.settings.base import *  # noqa: F403
from webapp.settings.celery import *  # noqa: F403
from webapp.settings.channels import *  # noqa: F403
from webapp.settings.costs import *  # noqa: F403
from webapp.settings.database import *  # noqa: F403
from webapp.settings.security import *  # noqa: F403
from webapp.settings.storage import *  # noqa: F403
from webapp.settings.ui import *  # noqa: F403
