"""The drift REST API: monitors, reference sets, uploads and results."""
