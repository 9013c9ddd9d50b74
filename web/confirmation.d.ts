/** Types of confirmation.js, for the TypeScript that imports it (the chaos checker). */
export interface ConfirmedOrder {
  id: string;
  quantity?: number;
  eventId?: string;
  servedBy?: string;
}

export function confirmedOrder(status: number, body: unknown): ConfirmedOrder | undefined;
