/** Speaks just enough of the Postgres wire protocol to misbehave on purpose. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

export const sync = () => message('S');
export const terminate = () => message('X');
export const query = (sql: string) => message('Q', Buffer.from(`${sql}\0`, 'utf8'));

function startupPacket(params: Record<string, string>): Buffer {
  const body = Buffer.from(
    `${Object.entries(params)
      .map(([k, v]) => `${k}\0${v}\0`)
      .join('')}\0`,
    'utf8',
  );
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(196608, 4);
  return Buffer.concat([header, body]);
}

export interface BackendMessage {
  type: string;
  body: Buffer;
}

/** The fields of an ErrorResponse: S severity, C code, M message, H hint. */
export function errorFields(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of body.toString('utf8').split('\0')) {
    if (field) fields[field[0] as string] = field.slice(1);
  }
  return fields;
}

/** One raw connection: send bytes, read backend messages, see the server hang up. */
export class RawClient {
  readonly socket: Socket;
  readonly received: BackendMessage[] = [];
  /** The server hung up (FIN or reset). */
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.once('end', resolve);
      socket.once('close', resolve);
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 5) {
        const end = 1 + this.#buffer.readInt32BE(1);
        if (this.#buffer.length < end) break;
        this.received.push({
          type: String.fromCharCode(this.#buffer[0] as number),
          body: this.#buffer.subarray(5, end),
        });
        this.#buffer = this.#buffer.subarray(end);
      }
      for (const wake of this.#waiters) wake();
    });
    socket.on('close', () => {
      for (const wake of this.#waiters) wake();
    });
  }

  /** Connects and completes the start-up (up to the first ReadyForQuery). */
  static async connect(
    port: number,
    params: Record<string, string> = { user: 'postgres', database: 'postgres' },
    /** Keep our side open when the server hangs up, as a client that never closes would. */
    { holdOpen = false } = {},
  ): Promise<RawClient> {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: holdOpen });
    await once(socket, 'connect');
    const client = new RawClient(socket);
    socket.write(startupPacket(params));
    await client.waitFor('Z');
    return client;
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  /** The first not yet consumed message of this type; rejects if the server hangs up first. */
  async waitFor(type: string, timeoutMs = 10_000): Promise<BackendMessage> {
    return (await this.until(type, timeoutMs)).at(-1) as BackendMessage;
  }

  /** Consumes and returns every message up to and including the first one of this type. */
  async until(type: string, timeoutMs = 10_000): Promise<BackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const index = this.received.findIndex((m) => m.type === type);
      if (index >= 0) return this.received.splice(0, index + 1);
      if (this.socket.destroyed || this.socket.readableEnded) {
        throw new Error(`connection closed before a '${type}' message`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${type}' message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.#waiters;
        waiters.add(done);
      });
    }
  }

  /** Runs a simple query and returns what came back up to ReadyForQuery. */
  async simpleQuery(sql: string): Promise<BackendMessage[]> {
    this.send(query(sql));
    return this.until('Z');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Connects on the raw protocol, sends a Parse that fails and no Sync, then vanishes. */
export async function abandonFailedParse(port: number): Promise<void> {
  const client = await RawClient.connect(port);
  client.send(message('P', Buffer.from('\0SELEKT 1\0\0\0', 'latin1')));
  // Hang up after the Parse, and wait until the server has closed its side: by then it has
  // read the Parse (bytes before the FIN) and seen the client go.
  const closed = once(client.socket, 'close');
  client.socket.end();
  await closed;
}

/** Sends a message whose length field is negative; resolves when the server hangs up. */
export async function sendNegativeLength(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])); // SSLRequest, answered 'N'
  await once(socket, 'data');
  socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 3, 0, 0]));
  await once(socket, 'close');
}
