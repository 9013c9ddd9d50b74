/** How long one client may keep the embedded database's one session from everyone else. */
export interface SessionLimits {
  /**
   * A client idle inside a transaction holds the session (and every lock) while it thinks;
   * past this it is rolled back and disconnected, like Postgres's
   * idle_in_transaction_session_timeout. Default 5 s: the services' transactions take
   * milliseconds, a person typing in psql takes longer.
   */
  idleInTransactionMs: number;
  /**
   * One batch (a simple Query, or the messages up to a Sync) may run this long. PGlite runs a
   * statement on Node's main thread and cannot be interrupted (statement_timeout and cancel
   * do nothing there), so only a watchdog thread can enforce it, by ending the database
   * process, which the local runner then restarts from its data folder. Default 15 s.
   */
  batchMs: number;
}

export const DEFAULT_LIMITS: Readonly<SessionLimits> = Object.freeze({
  idleInTransactionMs: 5_000,
  batchMs: 15_000,
});
