/** The few pieces of the Postgres wire protocol (v3) the embedded server reads and writes. */

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
export const PROTOCOL_3 = 196608;

/** Startup packets are small; anything claiming more is not a Postgres client. */
const MAX_STARTUP_LENGTH = 10_000;

/**
 * Frontend messages this server passes to PGlite after start-up: simple and extended query,
 * Sync, Flush and Terminate. Everything else is refused with the connection: CopyData, CopyDone
 * and CopyFail only belong to COPY FROM STDIN, which is refused; password and SASL messages
 * to an authentication PGlite never asks for; FunctionCall ('F') is a legacy path no client
 * here needs. An unexpected type (a PasswordMessage after start-up) put PGlite into a loop of
 * fatal errors at full CPU.
 */
export const SERVED_TYPES = new Set(['Q', 'P', 'B', 'E', 'D', 'C', 'S', 'H', 'X']);

export type Frame = { message: Buffer; type: string } | 'incomplete' | 'invalid';

/**
 * The next whole message in the buffer: startup-phase packets have no type byte (length,
 * then a code), later messages are a type byte and a length that counts itself.
 */
export function nextFrame(buffer: Buffer, started: boolean): Frame {
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

function wireMessage(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

export function queryMessage(sql: string): Uint8Array {
  return new Uint8Array(wireMessage('Q', Buffer.from(`${sql}\0`, 'utf8')));
}

/** An ErrorResponse: severity, SQLSTATE, message and an optional hint. */
export function errorResponse(
  severity: 'ERROR' | 'FATAL',
  code: string,
  message: string,
  hint?: string,
): Buffer {
  const fields = [`S${severity}`, `V${severity}`, `C${code}`, `M${message}`];
  if (hint) fields.push(`H${hint}`);
  return wireMessage('E', Buffer.from(`${fields.join('\0')}\0\0`, 'utf8'));
}

/** The SQL text of a simple Query or of a Parse (after the statement's name). */
export function sqlOf(type: string, message: Buffer): string | undefined {
  if (type === 'Q') return message.toString('utf8', 5, message.length - 1);
  if (type !== 'P') return undefined;
  const nameEnd = message.indexOf(0, 5);
  const sqlEnd = message.indexOf(0, nameEnd + 1);
  return message.toString('utf8', nameEnd + 1, sqlEnd);
}

/** The same Parse or Query, carrying other SQL (a Parse keeps its name and parameter types). */
export function withSql(type: string, message: Buffer, sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  if (type === 'Q') return wireMessage('Q', text);
  const nameEnd = message.indexOf(0, 5);
  const sqlEnd = message.indexOf(0, nameEnd + 1);
  const name = message.subarray(5, nameEnd + 1);
  const rest = message.subarray(sqlEnd + 1);
  return wireMessage('P', Buffer.concat([name, text, rest]));
}

/** What the server watches for in PGlite's replies. */
export interface BackendEvents {
  /** A FATAL or PANIC error: PGlite's one session is gone. */
  fatal?: string;
  /** client_encoding was changed (ParameterStatus). */
  clientEncoding?: string;
}

/** Reads PGlite's reply stream message by message, across chunk boundaries. */
export class BackendScanner {
  #carry: Buffer = Buffer.alloc(0);
  readonly events: BackendEvents = {};

  feed(chunk: Uint8Array): void {
    let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#carry.length > 0) buffer = Buffer.concat([this.#carry, buffer]);
    let at = 0;
    while (buffer.length - at >= 5) {
      const end = at + 1 + buffer.readInt32BE(at + 1);
      if (end > buffer.length) break;
      const type = buffer[at];
      if (type === 0x45) this.#error(buffer.subarray(at + 5, end));
      else if (type === 0x53) this.#parameter(buffer.subarray(at + 5, end));
      at = end;
    }
    this.#carry = at === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(at));
  }

  #error(body: Buffer): void {
    const fields = new Map<string, string>();
    for (const field of body.toString('utf8').split('\0')) {
      if (field) fields.set(field[0] as string, field.slice(1));
    }
    const severity = fields.get('V') ?? fields.get('S');
    if (severity === 'FATAL' || severity === 'PANIC') {
      this.events.fatal ??= `${severity}: ${fields.get('M') ?? 'unknown error'}`;
    }
  }

  #parameter(body: Buffer): void {
    const [name, value] = body.toString('utf8').split('\0');
    if (name === 'client_encoding' && value !== undefined) this.events.clientEncoding = value;
  }
}
