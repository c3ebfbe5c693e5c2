"""Feedback over REST: ground-truth labels and user scores on traces and spans (ClickHouse `feedback`)."""
