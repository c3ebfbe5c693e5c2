// Silence matchers as the API takes them (name="value", with =, !=, =~, !~; regexes fully anchored
// by the server) and the "silence this" pre-fill: one `=` matcher per label of the alert.

export type MatchOp = "=" | "!=" | "=~" | "!~";
export const MATCH_OPS: MatchOp[] = ["=", "!=", "=~", "!~"];

export interface MatcherRow { name: string; op: MatchOp; value: string }

const NAME = /^[a-zA-Z_][a-zA-Z0-9_.]*$/;
// name, operator, then a quoted value (\" and \\ escapes) or a bare one — the server's grammar
const MATCHER = /^\s*([^\s=!~]+)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s",]*))\s*$/s;

/** The text the API stores for one matcher; the value is always quoted so any character survives. */
export function formatMatcher(m: MatcherRow): string {
  const escaped = m.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  return `${m.name}${m.op}"${escaped}"`;
}

/** A matcher text back into its parts (null when it is not one). */
export function parseMatcher(text: string): MatcherRow | null {
  const found = MATCHER.exec(text);
  if (!found) return null;
  const [, name, op, quoted, bare] = found;
  const value = quoted !== undefined ? quoted.replace(/\\(.)/gs, "$1") : (bare ?? "");
  return { name: name!, op: op as MatchOp, value };
}

/** What is wrong with one row, or null: the label name's shape and a regex that does not compile. */
export function matcherProblem(m: MatcherRow): string | null {
  if (!NAME.test(m.name)) return `“${m.name}” is not a label name (letters, digits, _ and ., not first a digit)`;
  if (m.op === "=~" || m.op === "!~") {
    try {
      new RegExp(`^(?:${m.value})$`);
    } catch {
      return `“${m.value}” is not a regular expression`;
    }
  }
  return null;
}

/** "Silence this": every label of the alert as an exact matcher, in a stable (name) order. */
export function matchersFromLabels(labels: Record<string, unknown>): MatcherRow[] {
  return Object.keys(labels)
    .filter((name) => NAME.test(name))
    .sort()
    .map((name) => ({ name, op: "=" as MatchOp, value: String(labels[name] ?? "") }));
}

/** Whether a set of matchers selects a label set, with the server's meaning (missing label = ""). */
export function matchesLabels(rows: MatcherRow[], labels: Record<string, unknown>): boolean {
  return rows.every((m) => {
    const actual = String(labels[m.name] ?? "");
    if (m.op === "=") return actual === m.value;
    if (m.op === "!=") return actual !== m.value;
    const hit = new RegExp(`^(?:${m.value})$`, "s").test(actual);
    return m.op === "=~" ? hit : !hit;
  });
}
