// A full span as the span panel shows it (GET /traces/{id}/span-details), without the nesting.
import type { Schemas } from "../../api/client";

export type Span = Omit<Schemas["SpanNode"], "children">;
