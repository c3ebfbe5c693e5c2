// schema.d.ts must be what openapi-typescript makes of the committed openapi.json today
// (tests/webapp/test_ui_api_types.py checks openapi.json against the server's code).
import { readFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import { expect, test } from "vitest";

const strip = (text: string) => text.replace(/^\/\*\*[\s\S]*?\*\/\s*/, "").trim();

test("generated API types are current (npm run gen:api)", async () => {
  const spec = new URL("../../openapi.json", import.meta.url);
  const fresh = astToString(await openapiTS(spec));
  const committed = readFileSync(new URL("./schema.d.ts", import.meta.url), "utf-8");
  expect(strip(committed), "src/api/schema.d.ts is stale: run `npm run gen:api` and commit it").toBe(strip(fresh));
}, 60_000);
