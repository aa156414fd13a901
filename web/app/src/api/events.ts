// The one live WebSocket per browser (/api/v1/events): every event the user may see, as it
// happens. Reconnects with ?since= so nothing is missed; a resync asks the views to reload.
export interface LiveEvent {
  type: string;
  event?: string;
  seq?: number;
  workspace_id?: string;
  data?: Record<string, unknown>;
}

export interface EventsConnection {
  close: () => void;
  // Tells the others (viewing, typing); dropped while disconnected.
  send: (message: Record<string, unknown>) => void;
}

export function connectEvents(onEvent: (event: LiveEvent) => void, onState: (connected: boolean) => void): EventsConnection {
  let socket: WebSocket | null = null;
  let epoch = '';
  let seq = 0;
  let retry = 500;
  let stopped = false;
  const open = () => {
    const url = new URL('/api/v1/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (epoch) url.searchParams.set('since', `${epoch}.${seq}`);
    socket = new WebSocket(url);
    socket.onopen = () => { retry = 500; onState(true); };
    socket.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as LiveEvent & { epoch?: string };
      if (event.type === 'hello') {
        if (epoch && event.epoch !== epoch) onEvent({ type: 'resync' });
        epoch = event.epoch ?? '';
        seq = event.seq ?? 0;
        return;
      }
      if (event.seq) seq = event.seq;
      onEvent(event);
    };
    socket.onclose = () => {
      onState(false);
      if (stopped) return;
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 15_000);
    };
  };
  open();
  return {
    close: () => { stopped = true; socket?.close(); },
    send: (message) => { if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message)); },
  };
}
