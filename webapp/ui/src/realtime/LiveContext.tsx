// The project's websocket and its live trace store, opened by the shell and shared by every page
// (live list, indicator, detail page pausing the stream).
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { LiveTraceStore } from "./liveTraces";
import { LiveSocket, liveUrl, type LiveState } from "./socket";

interface Live {
  socket: LiveSocket;
  traces: LiveTraceStore;
}

const LiveContext = createContext<Live | null>(null);

export function LiveProvider({ project, children }: { project: string; children: ReactNode }) {
  const [live, setLive] = useState<Live | null>(null);
  useEffect(() => {
    const socket = new LiveSocket(liveUrl(project));
    socket.start();
    setLive({ socket, traces: new LiveTraceStore(socket) });
    return () => socket.stop();
  }, [project]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLiveSocket(): LiveSocket | null {
  return useContext(LiveContext)?.socket ?? null;
}

/** The live trace store, re-rendering the caller on every change. */
export function useLiveTraces(): LiveTraceStore | null {
  const store = useContext(LiveContext)?.traces ?? null;
  useSyncExternalStore(
    (l) => (store ? store.subscribeChanges(l) : () => undefined),
    () => store?.version ?? -1,
  );
  return store;
}

export function useLiveState(): { state: LiveState; reason: string } {
  const socket = useLiveSocket();
  const state = useSyncExternalStore(
    (l) => (socket ? socket.onState(l) : () => undefined),
    () => socket?.state ?? "connecting",
  );
  return { state, reason: socket?.reason ?? "" };
}
