"""The UI's typed API client is generated from webapp/ui/openapi.json: that file must be the
schema the code generates today (src/api/schema.test.ts checks the TypeScript against it)."""

from __future__ import annotations

from webapp.ui.schema_snapshot import SNAPSHOT, current_schema_json


def test_committed_openapi_snapshot_is_current() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8") == current_schema_json(), (
        "webapp/ui/openapi.json is stale: run `python -m webapp.ui.schema_snapshot` then `npm run gen:api` in "
        "webapp/ui, and commit both files"
    )
