"""Drift monitoring: monitors and references (control plane), the windowed drift job, and its API."""
