import { describe, expect, test } from "vitest";
import { BUFFER, channelFor, LiveTraceStore } from "./liveTraces";
import type { LiveSocket } from "./socket";

class FakeSocket {
  subscribed: string[][] = [];
  left: string[][] = [];
  onMessage() {
    return () => undefined;
  }
  subscribe(channels: string[]) {
    this.subscribed.push(channels);
    return () => this.left.push(channels);
  }
}

const msg = (id: string, status = "ok") => ({ type: "trace", payload: { trace_id: id, models: ["m"], status, duration_ms: 5 } });

describe("live trace store", () => {
  test("a filter change swaps the subscription on the same socket", () => {
    const socket = new FakeSocket();
    const store = new LiveTraceStore(socket as unknown as LiveSocket);
    store.setEnabled(true, channelFor(undefined));
    store.setEnabled(true, channelFor("gpt-4o"));
    expect(socket.subscribed).toEqual([["traces:*"], ["traces:gpt-4o"]]);
    expect(socket.left).toEqual([["traces:*"]]);
    store.setEnabled(false, "traces:gpt-4o");
    expect(socket.left).toEqual([["traces:*"], ["traces:gpt-4o"]]);
  });
  test("pause (by the user or an open trace) holds events until resumed, newest first", () => {
    const store = new LiveTraceStore(new FakeSocket() as unknown as LiveSocket);
    store.setEnabled(true, "traces:*");
    store.receive(msg("a"));
    const close = store.traceOpened();
    store.receive(msg("b"));
    store.setUserPaused(true);
    store.receive(msg("c", "error"));
    expect(store.rows.map((r) => r.trace_id)).toEqual(["a"]);
    expect(store.pending.map((r) => r.trace_id)).toEqual(["c", "b"]);
    close();
    expect(store.rows.map((r) => r.trace_id)).toEqual(["a"]); // still paused by the user
    store.setUserPaused(false);
    expect(store.rows.map((r) => [r.trace_id, r.status])).toEqual([["c", "error"], ["b", "ok"], ["a", "ok"]]);
    expect(store.pending).toEqual([]);
  });
  test("the buffer rolls: only the newest BUFFER traces are kept", () => {
    const store = new LiveTraceStore(new FakeSocket() as unknown as LiveSocket);
    store.setEnabled(true, "traces:*");
    for (let i = 0; i < BUFFER + 5; i++) store.receive(msg(`t${i}`));
    expect(store.rows.length).toBe(BUFFER);
    expect(store.rows[0]!.trace_id).toBe(`t${BUFFER + 4}`);
    expect(store.rows.at(-1)!.trace_id).toBe("t5");
  });
  test("other messages and a disabled stream are ignored", () => {
    const store = new LiveTraceStore(new FakeSocket() as unknown as LiveSocket);
    store.receive(msg("early"));
    store.setEnabled(true, "traces:*");
    store.receive({ type: "subscribed" });
    expect(store.rows).toEqual([]);
  });
  test("model names a channel cannot carry fall back to every trace", () => {
    expect(channelFor("my model")).toBe("traces:*");
    expect(channelFor("gpt-4o")).toBe("traces:gpt-4o");
  });
});
