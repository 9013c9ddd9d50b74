import { byId } from './dom.ts';

/**
 * What a presenter did or saw happen: buyers started or stopped, faults changed or cleared, a
 * replica crashed or came back. Each is a marker on the charts' time axis and a line of the
 * event log, so what changed is next to what it did to the numbers.
 */
export type MarkKind = 'buyers' | 'fault' | 'clear' | 'crash' | 'back';

export interface Mark {
  /** Wall-clock time, ms since the epoch. */
  at: number;
  kind: MarkKind;
  /** The event log's line. */
  text: string;
  /** The marker's label on the chart: short, so close moments can stand side by side. */
  label: string;
}

/** 21:16:40, in the browser's time zone: the time a presenter sees on the wall. */
export function clockTime(at: number): string {
  const time = new Date(at);
  return [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

/** The marks of this page, in the order they happened, shown in the event log as they come. */
export class Marks {
  readonly all: Mark[] = [];

  add(kind: MarkKind, text: string, label: string, at = Date.now()): Mark {
    const mark = { at, kind, text, label };
    // Kept in time order: a replica's return is marked at the answer that showed it.
    const index = this.all.findIndex((m) => m.at > at);
    this.all.splice(index < 0 ? this.all.length : index, 0, mark);
    const item = document.createElement('li');
    item.className = `log-${kind}`;
    item.dataset.kind = kind;
    const time = document.createElement('time');
    time.dateTime = new Date(at).toISOString();
    time.textContent = clockTime(at);
    item.append(time, ` ${text}`);
    const log = byId('event-log');
    log.insertBefore(item, index < 0 ? null : (log.children[index] ?? null));
    log.scrollTop = log.scrollHeight;
    return mark;
  }

  /** Marks from `from` on (ms since the epoch), e.g. those of one buyer session. */
  since(from: number): Mark[] {
    return this.all.filter((m) => m.at >= from);
  }
}
