import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST_CODE = 80877103;
const CANCEL_REQUEST_CODE = 80877102;
const PROTOCOL_3 = 196608;

/** Startup packets are small; anything claiming more is not a Postgres client. */
const MAX_STARTUP_LENGTH = 10_000;

/**
 * The next whole message in the buffer: startup-phase packets have no type byte (length,
 * then a code), later messages are a type byte and a length that counts itself.
 */
function nextFrame(
  buffer: Buffer,
  started: boolean,
): { message: Buffer; type: string } | 'incomplete' | 'invalid' {
  const header = started ? 5 : 8;
  if (buffer.length < header) return 'incomplete';
  const length = started ? 1 + buffer.readInt32BE(1) : buffer.readInt32BE(0);
  if (started ? length < 5 : length < 8 || length > MAX_STARTUP_LENGTH) return 'invalid';
  if (buffer.length < length) return 'incomplete';
  return {
    message: buffer.subarray(0, length),
    type: started ? String.fromCharCode(buffer[0] as number) : '',
  };
}

/**
 * Who may talk to the one PGlite session right now. A connection holds it for a whole batch of
 * messages (up to Sync or a simple Query) and for as long as the session stays in a
 * transaction it opened.
 */
class SessionLock {
  #owner: object | undefined;
  readonly #waiting: { who: object; grant: () => void }[] = [];

  async acquire(who: object): Promise<void> {
    if (this.#owner === who) return;
    if (this.#owner === undefined) {
      this.#owner = who;
      return;
    }
    await new Promise<void>((grant) => this.#waiting.push({ who, grant }));
  }

  release(who: object): void {
    if (this.#owner !== who) return;
    const next = this.#waiting.shift();
    this.#owner = next?.who;
    next?.grant();
  }

  /** Drops a connection that went away, whether it held the lock or was still waiting. */
  forget(who: object): void {
    const index = this.#waiting.findIndex((w) => w.who === who);
    if (index >= 0) this.#waiting.splice(index, 1);
    this.release(who);
  }
}

/**
 * Serves a PGlite database on the Postgres wire protocol to many clients at once.
 *
 * PGlite is a single Postgres session, so clients must take turns. pglite-socket (0.2.17)
 * takes turns per *message*, which is unsafe for the extended protocol: one client's Parse can
 * replace another's unnamed statement between its Bind and Execute, so results cross between
 * connections (our chaos runs caught a confirmed order answered to the wrong buyer). Here a
 * client holds the session for a whole batch — every message up to its Sync or simple Query —
 * and keeps it while it has a transaction open; a client that disconnects mid-transaction is
 * rolled back.
 */
export class PgliteWireServer {
  readonly #db: PGlite;
  readonly #lock = new SessionLock();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #closing = false;

  constructor(db: PGlite) {
    this.#db = db;
  }

  async listen(port: number, host: string): Promise<number> {
    const server = createServer((socket) => this.#serve(socket));
    this.#server = server;
    server.listen(port, host);
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  /** Stops serving; the caller closes the database afterwards. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const socket of this.#sockets) socket.destroy();
    if (!this.#server) return;
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    const connection = {};
    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    let batch: Buffer[] = [];
    // Batches of one connection run in order, one after the other.
    let queue = Promise.resolve();

    const run = (messages: Buffer[]) => {
      queue = queue
        .then(() => this.#runBatch(connection, socket, messages))
        .catch(() => {
          socket.destroy();
        });
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (true) {
        const frame = nextFrame(buffer, started);
        if (frame === 'incomplete') return;
        if (frame === 'invalid') {
          socket.destroy();
          return;
        }
        const { message, type } = frame;
        buffer = buffer.subarray(message.length);
        if (!started) {
          const code = message.readInt32BE(4);
          if (code === SSL_REQUEST_CODE) socket.write('N');
          else if (code === CANCEL_REQUEST_CODE) return void socket.end();
          else if (code === PROTOCOL_3) {
            started = true;
            run([message]);
          } else return void socket.destroy();
          continue;
        }
        if (type === 'X') return void socket.end();
        batch.push(message);
        // Only Sync and a simple Query end a batch: pg never uses COPY or password messages
        // here (PGlite trusts every client), so nothing else needs to.
        if (type === 'S' || type === 'Q') {
          run(batch);
          batch = [];
        }
      }
    });

    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#sockets.delete(socket);
      queue = queue.then(() => this.#abandon(connection)).catch(() => undefined);
    });
  }

  async #runBatch(connection: object, socket: Socket, messages: Buffer[]): Promise<void> {
    await this.#lock.acquire(connection);
    try {
      if (this.#closing) return;
      for (const message of messages) {
        await this.#db.execProtocolRawStream(new Uint8Array(message), {
          onRawData: (data) => {
            if (socket.writable) socket.write(data);
          },
        });
      }
    } finally {
      if (this.#closing || !this.#db.isInTransaction()) this.#lock.release(connection);
    }
  }

  async #abandon(connection: object): Promise<void> {
    if (this.#closing) return;
    await this.#lock.acquire(connection);
    try {
      if (this.#db.isInTransaction()) await this.#db.exec('ROLLBACK');
    } finally {
      this.#lock.forget(connection);
    }
  }
}
