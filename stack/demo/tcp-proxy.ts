// A loopback TCP proxy in front of a real server (RabbitMQ, PostgreSQL), so that a chaos fault
// can make that server unreachable or slow for the demo's services alone: the servers themselves
// are shared by every test and session on the machine and are never touched.
//   refuse()      stop listening (new connections get ECONNREFUSED) and cut every open one,
//                 which is what a client sees when the server stops
//   accept()      listen again
//   latencyMs     every chunk, both ways, is forwarded that much later, in order
// Bytes flow through stream pipelines, so a slow reader slows its writer instead of filling
// memory; the delay holds at most DELAY_BUFFER_BYTES per direction before it pushes back.
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { Transform, type TransformCallback, pipeline } from 'node:stream';

export interface TcpProxyOptions {
  /** Where clients connect. @default '127.0.0.1' */
  host?: string;
  /** 0 = any free port. */
  port: number;
  targetHost: string;
  targetPort: number;
  /** Connections open at once; more are closed as they come. @default 256 */
  maxConnections?: number;
}

/** Bytes one direction of one connection holds while it delays them. */
const DELAY_BUFFER_BYTES = 1024 * 1024;

export class TcpProxy {
  /** Added to every chunk, both ways; 0 = forwarded at once. */
  latencyMs = 0;
  /** Connections accepted since the start. */
  accepted = 0;
  private readonly options: TcpProxyOptions;
  private readonly server: Server;
  /** Open connections: each client's socket and its socket to the target. */
  private readonly links = new Map<Socket, Socket>();
  private listening = false;
  /** The port it got (options.port 0: any free one), kept for a listen after refuse(). */
  private boundPort: number;

  constructor(options: TcpProxyOptions) {
    this.options = options;
    this.boundPort = options.port;
    this.server = createServer((client) => this.forward(client));
    this.server.maxConnections = options.maxConnections ?? 256;
  }

  /** Connections open now. */
  get connections(): number {
    return this.links.size;
  }

  get port(): number {
    return this.boundPort;
  }

  get refusing(): boolean {
    return !this.listening;
  }

  /** Listens (again); resolves once connections are accepted. */
  async accept(): Promise<void> {
    if (this.listening) return;
    // A restart listens where it listened before (the services' URLs name that port).
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.server.once('error', failed);
      this.server.listen(this.port, this.options.host ?? '127.0.0.1', () => {
        this.server.removeListener('error', failed);
        this.boundPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
    this.listening = true;
  }

  /** Stops listening and cuts every open connection; resolves once the port is closed. */
  async refuse(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const [client, upstream] of this.links) {
      client.destroy();
      upstream.destroy();
    }
    this.links.clear();
    await closed;
  }

  private forward(client: Socket): void {
    this.accepted++;
    const upstream = connect({ host: this.options.targetHost, port: this.options.targetPort });
    this.links.set(client, upstream);
    client.once('close', () => this.links.delete(client));
    // A failure on either side (the target refusing, a reset) breaks both, as it would end a
    // direct connection; a clean close (FIN) travels through and the other side closes in turn.
    const broken = (error: Error | null) => {
      if (!error) return;
      client.destroy();
      upstream.destroy();
    };
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    pipeline(client, new DelayStream(() => this.latencyMs), upstream, broken);
    pipeline(upstream, new DelayStream(() => this.latencyMs), client, broken);
  }
}

/**
 * Passes chunks through `latency()` ms after they arrived, in arrival order (a chunk never
 * overtakes an earlier one, even when the latency shrinks meanwhile). Chunks are not delayed one
 * after the other: a burst arrives one latency later, as it would over a slow link.
 */
class DelayStream extends Transform {
  private readonly latency: () => number;
  private readonly queue: Array<{ chunk: Buffer; due: number }> = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The writer waits while the queue is full. */
  private blocked: TransformCallback | undefined;
  private flushed: TransformCallback | undefined;

  constructor(latency: () => number) {
    super();
    this.latency = latency;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const latency = this.latency();
    if (latency <= 0 && this.queue.length === 0) {
      callback(null, chunk);
      return;
    }
    this.queue.push({ chunk, due: Date.now() + latency });
    this.queuedBytes += chunk.length;
    this.schedule();
    if (this.queuedBytes < DELAY_BUFFER_BYTES) callback();
    else this.blocked = callback;
  }

  override _flush(callback: TransformCallback): void {
    if (this.queue.length === 0) callback();
    else this.flushed = callback;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    callback(error);
  }

  private schedule(): void {
    const head = this.queue[0];
    if (this.timer || !head) return;
    this.timer = setTimeout(() => this.release(), Math.max(0, head.due - Date.now()));
  }

  private release(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.queue[0] && this.queue[0].due <= now) {
      const { chunk } = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
      this.push(chunk);
    }
    if (this.blocked && this.queuedBytes < DELAY_BUFFER_BYTES) {
      const callback = this.blocked;
      this.blocked = undefined;
      callback();
    }
    if (this.queue.length === 0 && this.flushed) this.flushed();
    this.schedule();
  }
}
