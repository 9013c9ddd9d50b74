import type { OperationKind, OperationRecord, Phase, RequestRecord } from '../model.ts';

export interface LiveCounts {
  requests: number;
  failedRequests: number;
  operations: number;
  failedOperations: number;
  inFlight: number;
}

/**
 * The load generator's record of everything it sent: the oracle the invariants are checked
 * against. A request is added when it is sent and completed when it ends (whatever way), so
 * nothing is missing when the generator stops. Scenario and phase are set by the runner.
 */
export class RequestLog {
  readonly #startedAt: number;
  readonly requests: RequestRecord[] = [];
  readonly operations: OperationRecord[] = [];
  scenario = '';
  #phase: Phase = 'before';
  #seq = 0;
  #operation = 0;
  #inFlight = 0;

  constructor(startedAt = Date.now()) {
    this.#startedAt = startedAt;
  }

  get phase(): Phase {
    return this.#phase;
  }

  /**
   * Moves to the next phase. Operations still in flight when the fault starts are counted in
   * the fault phase: the fault touched them, so they say nothing about the steady state.
   */
  set phase(next: Phase) {
    if (next === 'fault') {
      for (const o of this.operations) if (o.end < 0 && o.phase === 'before') o.phase = 'fault';
      for (const r of this.requests) if (r.end < 0 && r.phase === 'before') r.phase = 'fault';
    }
    this.#phase = next;
  }

  /** Milliseconds since the run started: the time axis of every record. */
  now(): number {
    return Date.now() - this.#startedAt;
  }

  get startedAt(): number {
    return this.#startedAt;
  }

  openOperation(kind: OperationKind): OperationRecord {
    const operation: OperationRecord = {
      id: ++this.#operation,
      scenario: this.scenario,
      phase: this.phase,
      kind,
      start: this.now(),
      end: -1,
      ok: false,
      finalStatus: 0,
      finalCode: null,
      stale: false,
      requests: 0,
    };
    this.operations.push(operation);
    return operation;
  }

  closeOperation(operation: OperationRecord, ok: boolean, last: RequestRecord | undefined): void {
    operation.end = this.now();
    operation.ok = ok;
    operation.finalStatus = last?.status ?? 0;
    operation.finalCode = last?.errorCode ?? null;
    operation.stale = last?.stale === true;
  }

  /** A new request record, already in the log with end = -1 until `close`. */
  openRequest(
    operation: OperationRecord,
    fields: Pick<RequestRecord, 'buyer' | 'attempt' | 'key' | 'eventId' | 'quantity'>,
  ): RequestRecord {
    const record: RequestRecord = {
      seq: ++this.#seq,
      scenario: operation.scenario,
      phase: this.phase,
      kind: operation.kind,
      operation: operation.id,
      start: this.now(),
      end: -1,
      status: 0,
      errorCode: null,
      errorMessage: null,
      retryAfter: null,
      orderId: null,
      servedBy: null,
      servedBoot: null,
      replayed: false,
      stale: null,
      ...fields,
    };
    operation.requests++;
    this.#inFlight++;
    this.requests.push(record);
    return record;
  }

  closeRequest(record: RequestRecord): void {
    record.end = this.now();
    this.#inFlight--;
  }

  /** Records of one scenario (every phase). */
  requestsOf(scenario: string): RequestRecord[] {
    return this.requests.filter((r) => r.scenario === scenario);
  }

  operationsOf(scenario: string): OperationRecord[] {
    return this.operations.filter((o) => o.scenario === scenario);
  }

  /** Counts for the progress line, for the current scenario. */
  live(): LiveCounts {
    const requests = this.requestsOf(this.scenario);
    const operations = this.operationsOf(this.scenario);
    return {
      requests: requests.length,
      failedRequests: requests.filter((r) => r.end >= 0 && !requestOk(r)).length,
      operations: operations.length,
      failedOperations: operations.filter((o) => o.end >= 0 && !o.ok).length,
      inFlight: this.#inFlight,
    };
  }
}

/**
 * A request got a definite answer: a 2xx whose body arrived whole, or a purchase told the
 * event is sold out. A 2xx cut off mid-body showed the buyer no confirmation: not ok.
 */
export function requestOk(record: RequestRecord): boolean {
  if (record.status >= 200 && record.status < 300) return record.errorCode !== 'BAD_BODY';
  return record.kind === 'purchase' && record.status === 409 && record.errorCode === 'SOLD_OUT';
}
