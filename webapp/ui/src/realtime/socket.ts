// One websocket to /ws per project, authenticated by the session cookie the browser sends with the
// upgrade (the project is named in the URL; nothing secret is). Reconnects with backoff, replays
// subscriptions after a reconnect, and reports its state for the header's indicator.

export type LiveState = "connecting" | "open" | "reconnecting" | "refused" | "closed";

export interface LiveMessage {
  type: string;
  [key: string]: unknown;
}

type Listener = (message: LiveMessage) => void;

const REFUSED_CODES = new Set([4401, 4403]); // the server's "who are you" / "not allowed": retrying won't help
const MAX_BACKOFF_MS = 15_000;

export function liveUrl(project: string, loc: Pick<Location, "protocol" | "host"> = location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws?project=${encodeURIComponent(project)}`;
}

export class LiveSocket {
  state: LiveState = "closed";
  reason = "";
  private ws: WebSocket | null = null;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly channels = new Map<string, number>(); // channel → subscriber count
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<() => void>();

  constructor(private readonly url: string) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
    this.setState("closed");
  }

  /** Receive every message; returns the unsubscribe function. */
  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Join channels (reference-counted, so two views can share one); returns the leave function. */
  subscribe(channels: string[]): () => void {
    const fresh = channels.filter((c) => {
      const n = this.channels.get(c) ?? 0;
      this.channels.set(c, n + 1);
      return n === 0;
    });
    if (fresh.length) this.send({ action: "subscribe", channels: fresh });
    return () => {
      const gone = channels.filter((c) => {
        const n = (this.channels.get(c) ?? 1) - 1;
        if (n <= 0) this.channels.delete(c);
        else this.channels.set(c, n);
        return n <= 0;
      });
      if (gone.length) this.send({ action: "unsubscribe", channels: gone });
    };
  }

  private send(message: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private open(): void {
    this.setState(this.attempts ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onmessage = (event) => {
      let message: LiveMessage;
      try {
        message = JSON.parse(String(event.data)) as LiveMessage;
      } catch {
        return;
      }
      if (message.type === "connected") {
        this.attempts = 0;
        this.setState("open");
        if (this.channels.size) this.send({ action: "subscribe", channels: [...this.channels.keys()] });
      } else if (message.type === "error" && typeof message.error === "string") {
        this.reason = message.error;
      }
      this.listeners.forEach((l) => l(message));
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (REFUSED_CODES.has(event.code)) {
        this.setState("refused");
        return;
      }
      this.attempts += 1;
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.attempts, 5));
      this.setState("reconnecting");
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  private setState(state: LiveState): void {
    this.state = state;
    this.stateListeners.forEach((l) => l());
  }
}
