import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { SessionLock } from './session-lock.ts';
import { DEFAULT_LIMITS, type SessionLimits } from './wire-limits.ts';
import {
  BackendScanner,
  CANCEL_REQUEST_CODE,
  errorResponse,
  GSSENC_REQUEST_CODE,
  nextFrame,
  PROTOCOL_3,
  queryMessage,
  SERVED_TYPES,
  SSL_REQUEST_CODE,
  sqlOf,
  withSql,
} from './wire-messages.ts';
import { raisingSql, refusalFor } from './wire-sql-guard.ts';

export interface WireServerOptions {
  limits?: SessionLimits;
  /** Called once when PGlite reports a FATAL or PANIC error: its one session is then gone. */
  onFatal?: (error: Error) => void;
  /** Told when each batch starts and ends; see batch-watchdog.ts. */
  watchdog?: { batchStarted(): void; batchEnded(): void };
}

/** One client connection. */
interface Connection {
  socket: Socket;
  /** Set once the connection is being dropped: nothing more of it runs. */
  gone: boolean;
  idleTimer?: NodeJS.Timeout | undefined;
}

/** Run between two clients so nothing one set (SET, LISTEN, PREPARE, temp tables) reaches the next. */
const RESET_SESSION = queryMessage('DISCARD ALL');

/**
 * Serves a PGlite database on the Postgres wire protocol to many clients at once.
 *
 * PGlite is a single Postgres session, so clients must take turns. pglite-socket (0.2.17)
 * takes turns per *message*, which is unsafe for the extended protocol: one client's Parse can
 * replace another's unnamed statement between its Bind and Execute, so results cross between
 * connections (our chaos runs caught a confirmed order answered to the wrong buyer). Here a
 * client holds the session for a whole batch — every message up to its Sync or simple Query —
 * and keeps it while it has a transaction open; a client that disconnects mid-transaction is
 * rolled back. People point psql and their own scripts at the URL `npm start` prints, and one
 * such client could take the whole shop down through the shared session; so only the message
 * types and statements we can serve get through, the session is reset between clients, and a
 * client idle in a transaction is cut off.
 */
export class PgliteWireServer {
  readonly #db: PGlite;
  readonly #lock = new SessionLock();
  readonly #connections = new Set<Connection>();
  readonly #limits: SessionLimits;
  readonly #options: WireServerOptions;
  /** The connection whose batch ran last: another one gets a reset session first. */
  #lastUser: Connection | undefined;
  #server: Server | undefined;
  #closing = false;
  #fatal = false;

  constructor(db: PGlite, options: WireServerOptions = {}) {
    this.#db = db;
    this.#options = options;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
  }

  /** Connections waiting for the one session (another holds it, e.g. in a transaction). */
  get waitingClients(): number {
    return this.#lock.waiting;
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
    for (const connection of this.#connections) {
      clearTimeout(connection.idleTimer);
      connection.socket.destroy();
    }
    if (!this.#server) return;
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  #serve(socket: Socket): void {
    const connection: Connection = { socket, gone: false };
    this.#connections.add(connection);
    socket.setNoDelay(true);
    // A client whose machine vanished is noticed by the kernel, and its transaction rolled back.
    socket.setKeepAlive(true, 10_000);
    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    let batch: Buffer[] = [];
    // Batches of one connection run in order, one after the other.
    let queue = Promise.resolve();
    const run = (messages: Buffer[]) => {
      queue = queue
        .then(() => this.#runBatch(connection, messages))
        .catch(() => this.#drop(connection));
    };

    socket.on('data', (chunk: Buffer) => {
      if (connection.gone) return;
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      while (!connection.gone) {
        const frame = nextFrame(buffer, started);
        if (frame === 'incomplete') return;
        if (frame === 'invalid') return this.#drop(connection);
        const { message, type } = frame;
        buffer = buffer.subarray(message.length);
        if (!started) {
          started = this.#startup(connection, message, run);
          continue;
        }
        const batchEnds = this.#accept(connection, type, message, batch);
        if (batchEnds) {
          run(batch);
          batch = [];
        }
      }
    });

    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      connection.gone = true;
      clearTimeout(connection.idleTimer);
      this.#connections.delete(connection);
      queue = queue.then(() => this.#abandon(connection)).catch(() => undefined);
    });
  }

  /** A startup-phase packet: true once the session started (drops the connection on others). */
  #startup(connection: Connection, message: Buffer, run: (messages: Buffer[]) => void): boolean {
    const code = message.readInt32BE(4);
    if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
      connection.socket.write('N');
      return false;
    }
    if (code === PROTOCOL_3) {
      run([message]);
      return true;
    }
    // PGlite runs a statement on this thread to the end; nothing can interrupt it, so a cancel
    // is answered the way Postgres answers one it cannot match: by hanging up.
    if (code === CANCEL_REQUEST_CODE) this.#drop(connection);
    else {
      this.#drop(connection, errorResponse('FATAL', '08P01', `unsupported startup code ${code}`));
    }
    return false;
  }

  /**
   * One message of a started session, added to the batch: true when it ends the batch. Only
   * Sync and a simple Query do (COPY FROM STDIN, the one sub-protocol with messages after a
   * Query, is refused). Terminate and unserved types drop the connection.
   */
  #accept(connection: Connection, type: string, message: Buffer, batch: Buffer[]): boolean {
    // Terminate: end now, rolling back, even if the client keeps its socket open.
    if (type === 'X') {
      this.#drop(connection);
      return false;
    }
    if (!SERVED_TYPES.has(type)) {
      this.#drop(
        connection,
        errorResponse(
          'FATAL',
          '08P01',
          `unsupported frontend message type '${type}' (0x${message[0]?.toString(16)}): the embedded database serves simple and extended queries only`,
        ),
      );
      return false;
    }
    batch.push(this.#guarded(type, message));
    return type === 'S' || type === 'Q';
  }

  /** The message itself, or one that fails with a clear error instead of breaking the session. */
  #guarded(type: string, message: Buffer): Buffer {
    const sql = sqlOf(type, message);
    const refusal = sql === undefined ? undefined : refusalFor(sql);
    return refusal ? withSql(type, message, raisingSql(refusal)) : message;
  }

  /** Sends a last error, if any, and closes; the 'close' handler rolls back and lets go. */
  #drop(connection: Connection, lastWords?: Buffer): void {
    if (connection.gone) return;
    connection.gone = true;
    clearTimeout(connection.idleTimer);
    const { socket } = connection;
    if (lastWords && socket.writable) socket.write(lastWords, () => socket.destroy());
    else socket.destroy();
  }

  async #runBatch(connection: Connection, messages: Buffer[]): Promise<void> {
    await this.#lock.acquire(connection);
    clearTimeout(connection.idleTimer);
    try {
      if (this.#closing || connection.gone) return;
      if (this.#lastUser !== connection) await this.#execute(RESET_SESSION);
      this.#lastUser = connection;
      const scanner = new BackendScanner();
      this.#options.watchdog?.batchStarted();
      try {
        for (const message of messages) {
          await this.#execute(new Uint8Array(message), (data) => {
            scanner.feed(data);
            if (connection.socket.writable) connection.socket.write(data);
          });
          if (this.#fatal) return;
        }
      } finally {
        this.#options.watchdog?.batchEnded();
      }
      await this.#refuseEncoding(connection, scanner.events.clientEncoding);
    } finally {
      this.#afterBatch(connection);
    }
  }

  /** Runs one message on PGlite; a FATAL in its reply means the session is lost. */
  async #execute(message: Uint8Array, onData?: (data: Uint8Array) => void): Promise<void> {
    const scanner = new BackendScanner();
    await this.#db.execProtocolRawStream(message, {
      onRawData: (data) => {
        scanner.feed(data);
        if (scanner.events.fatal && !this.#fatal) {
          this.#fatal = true;
          this.#options.onFatal?.(new Error(`PGlite reported ${scanner.events.fatal}`));
        }
        onData?.(data);
      },
    });
  }

  /**
   * A backstop for the SQL guard: PGlite hangs on its next reply after client_encoding leaves
   * UTF8 however it was set, so it is put back and the client, already told "SET", cut off.
   */
  async #refuseEncoding(connection: Connection, encoding: string | undefined): Promise<void> {
    if (encoding === undefined || encoding.toUpperCase() === 'UTF8') return;
    await this.#execute(queryMessage('RESET client_encoding'));
    this.#drop(
      connection,
      errorResponse(
        'FATAL',
        '0A000',
        `client_encoding ${encoding} is not supported by the embedded database: it speaks UTF8 only`,
      ),
    );
  }

  /** Lets go of the session, or keeps it for an open transaction, for a limited time. */
  #afterBatch(connection: Connection): void {
    if (this.#closing || connection.gone || !this.#db.isInTransaction()) {
      this.#lock.release(connection);
      return;
    }
    const limitMs = this.#limits.idleInTransactionMs;
    connection.idleTimer = setTimeout(() => {
      this.#drop(
        connection,
        errorResponse(
          'FATAL',
          '25P03',
          `terminating connection due to idle-in-transaction timeout (${limitMs} ms): the embedded database has one session, and this open transaction was holding up every other client`,
          'Commit or roll back promptly, or use a real PostgreSQL (DATABASE_URL) for long interactive transactions.',
        ),
      );
    }, limitMs);
  }

  async #abandon(connection: Connection): Promise<void> {
    if (this.#closing) return;
    if (this.#lock.owner !== connection) {
      this.#lock.forget(connection);
      return;
    }
    try {
      if (this.#db.isInTransaction()) await this.#execute(queryMessage('ROLLBACK'));
    } finally {
      this.#lock.forget(connection);
    }
  }
}
