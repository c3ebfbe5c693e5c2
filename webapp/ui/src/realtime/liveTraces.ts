// Live trace stream for the explorer, kept per project for the life of the shell (so the buffer
// survives opening a trace and coming back). One websocket subscription, swapped when the model
// filter changes (no reconnect). Paused by the user or while a trace is open: events then wait
// in `pending` and join the list on resume. Rolling buffer of the newest BUFFER traces.
import type { LiveMessage, LiveSocket } from "./socket";

export const BUFFER = 1000;

export interface LiveTrace {
  trace_id: string;
  model_id: string;
  models: string[];
  status: string;
  duration_ms: number;
  timestamp: string;
  root_name: string;
  service: string;
  receivedAt: number;
}

export function channelFor(model: string | undefined): string {
  return model && /^[^\s:]+$/.test(model) ? `traces:${model}` : "traces:*";
}

function asLiveTrace(message: LiveMessage, now: number): LiveTrace | null {
  if (message.type !== "trace" || !message.payload || typeof message.payload !== "object") return null;
  const p = message.payload as Record<string, unknown>;
  if (typeof p.trace_id !== "string") return null;
  return {
    trace_id: p.trace_id,
    model_id: String(p.model_id ?? ""),
    models: Array.isArray(p.models) ? p.models.map(String) : [],
    status: p.status === "error" ? "error" : "ok",
    duration_ms: Number(p.duration_ms ?? 0),
    timestamp: String(p.timestamp ?? ""),
    root_name: String(p.root_name ?? ""),
    service: String(p.service ?? ""),
    receivedAt: now,
  };
}

export class LiveTraceStore {
  rows: LiveTrace[] = [];
  pending: LiveTrace[] = [];
  enabled = false;
  userPaused = false;
  openTraces = 0;
  version = 0;
  private channel: string | null = null;
  private leave: (() => void) | null = null;
  private stopListening: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly socket: LiveSocket) {}

  get paused(): boolean {
    return this.userPaused || this.openTraces > 0;
  }

  subscribeChanges(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Turn live mode on (with the channel of the current model filter) or off. */
  setEnabled(on: boolean, channel: string): void {
    if (on === this.enabled && channel === this.channel) return;
    this.enabled = on;
    if (!on) {
      this.leave?.();
      this.stopListening?.();
      this.leave = this.stopListening = null;
      this.channel = null;
    } else {
      this.stopListening ??= this.socket.onMessage((m) => this.receive(m));
      if (channel !== this.channel) {
        const previous = this.leave;
        this.leave = this.socket.subscribe([channel]);
        previous?.(); // subscribe first, then leave: no gap in between
        this.channel = channel;
      }
    }
    this.changed();
  }

  setUserPaused(paused: boolean): void {
    this.userPaused = paused;
    this.flushIfRunning();
    this.changed();
  }

  traceOpened(): () => void {
    this.openTraces += 1;
    this.changed();
    return () => {
      this.openTraces -= 1;
      this.flushIfRunning();
      this.changed();
    };
  }

  clear(): void {
    this.rows = [];
    this.pending = [];
    this.changed();
  }

  receive(message: LiveMessage, now = Date.now()): void {
    const trace = asLiveTrace(message, now);
    if (!trace || !this.enabled) return;
    if (this.paused) this.pending = [trace, ...this.pending].slice(0, BUFFER);
    else this.rows = [trace, ...this.rows.filter((r) => r.trace_id !== trace.trace_id)].slice(0, BUFFER);
    this.changed();
  }

  private flushIfRunning(): void {
    if (this.paused || !this.pending.length) return;
    const ids = new Set(this.pending.map((p) => p.trace_id));
    this.rows = [...this.pending, ...this.rows.filter((r) => !ids.has(r.trace_id))].slice(0, BUFFER);
    this.pending = [];
  }

  private changed(): void {
    this.version += 1;
    this.listeners.forEach((l) => l());
  }
}
