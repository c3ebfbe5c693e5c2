// The project's websocket, opened by the shell and shared by every page (live list, indicator).
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import { LiveSocket, liveUrl, type LiveState } from "./socket";

const LiveContext = createContext<LiveSocket | null>(null);

export function LiveProvider({ project, children }: { project: string; children: ReactNode }) {
  const [socket, setSocket] = useState<LiveSocket | null>(null);
  useEffect(() => {
    const s = new LiveSocket(liveUrl(project));
    s.start();
    setSocket(s);
    return () => s.stop();
  }, [project]);
  return <LiveContext.Provider value={socket}>{children}</LiveContext.Provider>;
}

export function useLiveSocket(): LiveSocket | null {
  return useContext(LiveContext);
}

export function useLiveState(): { state: LiveState; reason: string } {
  const socket = useLiveSocket();
  const state = useSyncExternalStore(
    (l) => (socket ? socket.onState(l) : () => undefined),
    () => socket?.state ?? "connecting",
  );
  return { state, reason: socket?.reason ?? "" };
}
