"""The control-plane records of alerting (one module per idea)."""

from webapp.alerting.models.alerts import Alert, AlertGroup
from webapp.alerting.models.muting import InhibitionRule, MaintenanceWindow, Silence
from webapp.alerting.models.rules import AlertRule

__all__ = ["Alert", "AlertGroup", "AlertRule", "InhibitionRule", "MaintenanceWindow", "Silence"]
