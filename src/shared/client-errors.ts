import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from './errors.ts';

/** Node's parser codes for a request too big to read: headers, or a chunk extension. */
const TOO_LARGE: Record<string, AppError> = {
  HPE_HEADER_OVERFLOW: new AppError('HEADERS_TOO_LARGE'),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: new AppError('PAYLOAD_TOO_LARGE'),
};

/** The raw HTTP/1.1 answer: the socket is closed after it, as Node does for these errors. */
function rawAnswer(error: AppError): string {
  const body = JSON.stringify(error.toBody());
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Requests Node's HTTP parser refuses (headers over its 16 KB limit, a malformed request
 * line) never reach Express: Node answers them itself, with an empty body. This answers them
 * in the API's error format instead, with a stable code. A request that timed out keeps
 * Node's plain 408; a connection already gone is just closed.
 */
export function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    // As Node's own handler: never write into a response already under way on this socket.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (inFlight?.headersSent) return void socket.destroy();
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      return void socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    }
    const error =
      TOO_LARGE[err.code ?? ''] ??
      new AppError('INVALID_REQUEST', 'The request could not be parsed as HTTP/1.1.');
    socket.end(rawAnswer(error));
  });
}
