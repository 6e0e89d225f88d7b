/** A screen for feed-server tests: a socket.io client that subscribes, keeps every live event (validated) and resolves on its snapshot or replay. */
import { io as connect, type Socket } from 'socket.io-client';
import { Hello, parseFeedEvent, Replay, Snapshot, WIRE, type FeedEvent, type Subscribe } from '../../data-pipelines/contracts/events.ts';

export interface Screen {
  socket: Socket;
  hello: Hello;
  snapshot: Snapshot | null;
  replay: Replay | null;
  events: FeedEvent[];
}

export function screen(url: string, sub: Subscribe = { epoch: null, since: {} }): Promise<Screen> {
  return new Promise((resolve, reject) => {
    const socket = connect(url, { transports: ['websocket'], reconnection: false });
    const events: FeedEvent[] = [];
    let hello: Hello | null = null;
    socket.on(WIRE.hello, (h: unknown) => {
      hello = Hello.parse(h);
      socket.emit(WIRE.subscribe, sub);
    });
    socket.on(WIRE.events, (evs: unknown[]) => {
      for (const e of evs) {
        const r = parseFeedEvent(e);
        if (!r.ok) reject(new Error(r.error));
        else events.push(r.value);
      }
    });
    socket.once(WIRE.snapshot, (s: unknown) => resolve({ socket, hello: hello!, snapshot: Snapshot.parse(s), replay: null, events }));
    socket.once(WIRE.replay, (r: unknown) => resolve({ socket, hello: hello!, snapshot: null, replay: Replay.parse(r), events }));
    socket.on('connect_error', reject);
  });
}
