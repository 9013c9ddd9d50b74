import { AdminApiError } from '../shared/admin-client.ts';

/** What a failed admin call means to the person at the console, in their words. */
export function explain(error: unknown): string {
  if (error instanceof AdminApiError) {
    if (error.status === 401)
      return 'That admin token was refused: check ADMIN_TOKEN and try again.';
    if (error.status === 404)
      return 'The console is off: this frontend was started without ADMIN_TOKEN.';
    if (error.status === 503) {
      // The frontend says which call logic did not answer, and how it failed.
      return error.serverMessage ?? 'Logic is not answering right now.';
    }
    return `The shop answered ${error.status}${error.serverMessage ? `: ${error.serverMessage}` : '.'}`;
  }
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return 'The shop did not answer in time.';
  }
  return 'The shop cannot be reached.';
}
