import http from 'node:http';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status it was answered with; null while held open (mode "hang"). */
  status: number | null;
}

export type ReceiverMode = 'ok' | 'hang' | { failFirst: number; status?: number } | { always: number; echo?: boolean };

/**
 * A real HTTP receiver on 127.0.0.1 and a port the OS picks, for the channels' tests: it keeps
 * every request it got, answers 200, fails the first N with 500, answers a fixed status, or
 * holds every request open without answering ("hang").
 */
export interface Receiver {
  port: number;
  url(path?: string): string;
  requests: Received[];
  setMode(mode: ReceiverMode): void;
  /** Resolves once `count` requests have arrived (their bodies read). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(mode: ReceiverMode = 'ok'): Promise<Receiver> {
  let current = mode;
  const requests: Received[] = [];
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), status: null };
      requests.push(entry);
      if (current === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      let status = 200;
      if (typeof current === 'object' && 'failFirst' in current) status = requests.length <= current.failFirst ? (current.status ?? 500) : 200;
      else if (typeof current === 'object') status = current.always;
      entry.status = status;
      // A careless receiver that echoes what it was sent, secrets included, in its error.
      const echo = typeof current === 'object' && 'echo' in current && current.echo;
      const body = status === 200 ? 'ok' : echo ? `refused ${req.url} with ${String(req.headers.authorization)}` : 'internal';
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    requests,
    setMode(next) {
      current = next;
    },
    async waitFor(count, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > until) throw new Error(`receiver on ${port}: ${requests.length} of ${count} requests within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return requests.slice(0, count);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
