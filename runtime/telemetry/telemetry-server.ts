import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../core/errors';
import type { Readiness } from './readiness';

/** Where the server listens. */
export interface TelemetryServerAddress {
  /** Interface to bind; 127.0.0.1 unless the operator opens it up (e.g. 0.0.0.0 in a container). */
  readonly host: string;
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
}

/** Serves a Prometheus scrape: writes the current metrics to the response. */
export type MetricsHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Serves the GET and HEAD requests under a mounted path prefix (interactive queries). */
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * The process's one HTTP endpoint for operators:
 * - `GET /metrics`: Prometheus text format,
 * - `GET /healthz`: 200 while the process is alive (event loop answering),
 * - `GET /readyz`: 200 when tasks are assigned and restored, else 503, with a JSON body,
 * - whatever is {@link TelemetryServer.mount}ed (`/v1/stores`: interactive queries).
 *
 * Only GET and HEAD are served: every route is read-only.
 */
export class TelemetryServer {
  private constructor(private readonly server: http.Server, private readonly address: AddressInfo, private readonly mounts: Map<string, RouteHandler>) {}

  /** Bind and start serving. Fails with a {@link ConfigError} when the address cannot be bound. */
  static async start(at: TelemetryServerAddress, metrics: MetricsHandler, readiness: Readiness): Promise<TelemetryServer> {
    if (!Number.isInteger(at.port) || at.port < 0 || at.port > 65535) {
      throw new ConfigError(`metrics port must be an integer from 0 to 65535, got ${String(at.port)}`);
    }
    const mounts = new Map<string, RouteHandler>();
    const server = http.createServer((req, res) => route(req, res, metrics, readiness, mounts));
    // Scrapers keep connections alive; do not let them hold shutdown hostage.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`;
        reject(new ConfigError(`metrics endpoint ${at.host}:${at.port} ${why}; choose another port or set prometheus: false`, undefined, { cause: err }));
      });
      server.listen(at.port, at.host, () => resolve());
    });
    return new TelemetryServer(server, server.address() as AddressInfo, mounts);
  }

  /** Serve `prefix` and the paths under it (`prefix/...`) with `handler`; a later mount of the same prefix replaces it. */
  mount(prefix: string, handler: RouteHandler): void {
    if (!/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/.test(prefix) || ['/metrics', '/healthz', '/readyz'].includes(prefix)) {
      throw new ConfigError(`cannot mount '${prefix}': a prefix is an absolute path without a trailing slash, other than /metrics, /healthz and /readyz`);
    }
    this.mounts.set(prefix, handler);
  }

  /** Stop serving a mounted prefix (404 from then on). */
  unmount(prefix: string): void {
    this.mounts.delete(prefix);
  }

  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  get url(): string {
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  /** The bound port (useful when started with port 0). */
  get port(): number {
    return this.address.port;
  }

  /** Stop accepting and close open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function route(req: http.IncomingMessage, res: http.ServerResponse, metrics: MetricsHandler, readiness: Readiness, mounts: ReadonlyMap<string, RouteHandler>): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  for (const [prefix, handler] of mounts) {
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      handler(req, res);
      return;
    }
  }
  switch (path) {
    case '/metrics':
      metrics(req, res);
      return;
    case '/healthz':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    case '/readyz': {
      const status = readiness.status();
      res.writeHead(status.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(status)}\n`);
      return;
    }
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: try /metrics, /healthz, /readyz${[...mounts.keys()].map((p) => ` or ${p}`).join('')}\n`);
  }
}
