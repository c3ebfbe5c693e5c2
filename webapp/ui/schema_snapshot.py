"""The OpenAPI document the UI's typed client is generated from, as the committed file holds it.

`python -m webapp.ui.schema_snapshot` rewrites webapp/ui/openapi.json from the code; then
`npm run gen:api` (in webapp/ui) regenerates src/api/schema.d.ts from it. The test command fails
when either file is stale (tests/webapp/test_ui_api_types.py and src/api/schema.test.ts).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from workers.env import default_django_settings

SNAPSHOT = Path(__file__).resolve().parent / "openapi.json"


def current_schema_json() -> str:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    default_django_settings()
    import django

    django.setup()
    SNAPSHOT.write_text(current_schema_json(), encoding="utf-8")
    print(f"wrote {SNAPSHOT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
