// The rows the purchase statements return: shared by the single and the batched statement.

export interface OrderRow {
  id: string;
  idempotency_key: string;
  event_id: string;
  quantity: number;
  email: string | null;
  served_by: string;
  created_at: Date;
}

/** A key's recorded outcome, with its order when it placed one. */
export type OutcomeRow = { status: 201 | 404 | 409; seats_left: number | null } & (
  | OrderRow
  | { [K in keyof OrderRow]: null }
);
