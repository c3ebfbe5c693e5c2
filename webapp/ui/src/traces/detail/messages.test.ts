import { expect, test } from "vitest";
import { PARSE_LIMIT, transcriptOf } from "./messages";

const base = { input_preview: "", output_preview: "" };

test("GenAI parts with a tool call and its answer", () => {
  const input = JSON.stringify([
    { role: "user", parts: [{ type: "text", content: "Weather in Oslo?" }] },
    { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "get_weather", arguments: { city: "Oslo" } }] },
    { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: "4°C, rain" }] },
  ]);
  const output = JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "It is 4°C and raining." }] }]);
  const t = transcriptOf({ ...base, attributes: { "gen_ai.input.messages": input, "gen_ai.output.messages": output } });
  expect(t.input.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
  expect(t.input[1]!.toolCalls).toEqual([{ id: "c1", name: "get_weather", arguments: '{\n  "city": "Oslo"\n}' }]);
  expect(t.input[2]).toMatchObject({ toolCallId: "c1", text: "4°C, rain" });
  expect(t.output[0]!.text).toBe("It is 4°C and raining.");
});

test("OpenAI-like messages with function tool calls", () => {
  const raw = JSON.stringify([{ role: "assistant", content: null, tool_calls: [{ id: "x", function: { name: "search", arguments: '{"q":"a"}' } }] }]);
  const t = transcriptOf({ ...base, attributes: { "gen_ai.input.messages": raw } });
  expect(t.input[0]!.toolCalls[0]).toEqual({ id: "x", name: "search", arguments: '{"q":"a"}' });
});

test("OpenInference indexed attributes keep their order", () => {
  const t = transcriptOf({ ...base, attributes: {
    "llm.input_messages.1.message.role": "user", "llm.input_messages.1.message.content": "second",
    "llm.input_messages.0.message.role": "system", "llm.input_messages.0.message.content": "first",
  } });
  expect(t.input.map((m) => m.text)).toEqual(["first", "second"]);
});

test("previews when nothing richer exists", () => {
  const t = transcriptOf({ attributes: {}, input_preview: "Hi", output_preview: "Hello!" });
  expect(t).toMatchObject({ source: "previews", input: [{ role: "user", text: "Hi" }], output: [{ role: "assistant", text: "Hello!" }] });
});

test("a payload above the gate is not parsed", () => {
  const huge = `[${'{"role":"user","content":"x"},'.repeat(PARSE_LIMIT / 20)}{"role":"user","content":"x"}]`;
  const t = transcriptOf({ attributes: { "gen_ai.input.messages": huge }, input_preview: "short", output_preview: "" });
  expect(t.oversized).toEqual([{ key: "gen_ai.input.messages", size: huge.length }]);
  expect(t.input[0]!.text).toBe("short");
});
