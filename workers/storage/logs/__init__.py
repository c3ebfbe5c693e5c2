"""Log records in ClickHouse: the reads behind `GET /logs`."""
