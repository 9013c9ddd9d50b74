import { randomUUID } from 'node:crypto';

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A plain HTTP call that returns status, headers and the parsed JSON body. */
export async function request<T = Record<string, unknown>>(
  url: string,
  init: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

export function newKey(): string {
  return `test-${randomUUID()}`;
}

export interface OrderBody {
  order: {
    id: string;
    eventId: string;
    quantity: number;
    idempotencyKey: string;
    servedBy: string;
  };
}
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}
export interface EventsBody {
  events: { id: string; capacity: number; available: number }[];
  stale?: boolean;
}
