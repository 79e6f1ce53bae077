import type http from 'node:http';
import type { EngineHandle } from '../common/api.js';
import type { State } from '../common/state.js';
import { BASE_HEADERS, HttpError } from './serve-http.js';

/** `GET /events`: the State over Server-Sent Events, one stream per page, capped. */

export const HEARTBEAT_MS = 15_000;
const MAX_EVENT_CLIENTS = 32;
/** A client this far behind is not reading; dropping it keeps its backlog out of our memory. */
const MAX_CLIENT_BACKLOG_BYTES = 4 * 1024 * 1024;

/** What the streams share: the engine they follow, the streams open now, the log and the heartbeat. */
export interface EventStreams {
  engine: EngineHandle;
  open: Set<{ end(): void }>;
  log: (line: string) => void;
  heartbeatMs: number;
}

/** An event stream: the State now, then each new one, with a heartbeat; a client that stops reading is dropped. */
export function openEvents(req: http.IncomingMessage, res: http.ServerResponse, streams: EventStreams): void {
  const { engine, open, log, heartbeatMs } = streams;
  if (open.size >= MAX_EVENT_CLIENTS) throw new HttpError(503, 'too many event streams open');
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write('retry: 3000\n\n');
  const send = (state: State) => {
    if (res.writableLength > MAX_CLIENT_BACKLOG_BYTES) {
      log(`event stream dropped: client is not reading (${Math.round(res.writableLength / 1024)} KiB waiting)`);
      stream.end();
      return;
    }
    // JSON.stringify escapes newlines, so one data line carries the whole State.
    res.write(`event: state\ndata: ${JSON.stringify(state)}\n\n`);
  };
  let closed = false;
  const stream = {
    end() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(stream);
      res.end();
    },
  };
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
  const unsubscribe = engine.subscribe(send);
  open.add(stream);
  req.on('close', () => stream.end());
  send(engine.currentState());
}
