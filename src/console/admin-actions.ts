import type { RequestLog } from '../chaos/core/load/request-log.ts';
import { FAULT_MODES, type FaultMode, type FaultUpdate } from '../shared/admin-api.ts';
import type { AdminClient } from '../shared/admin-client.ts';
import { byId, setText } from './dom.ts';
import { explain } from './explain.ts';
import type { Marks } from './marks.ts';

function faultsFromForm(clear: boolean): FaultUpdate {
  const mode = byId<HTMLSelectElement>('fault-mode').value as FaultMode;
  const target = byId<HTMLSelectElement>('fault-target').value;
  const rate = clear ? 0 : Number(byId<HTMLInputElement>('fault-rate').value) / 100;
  const latencyMs = clear ? 0 : Number(byId<HTMLInputElement>('fault-latency').value);
  return {
    rate,
    latencyMs,
    mode: FAULT_MODES.includes(mode) ? mode : 'before',
    ...(target === 'all' || clear ? {} : { replica: target }),
  };
}

/** "after-commit 30 %", "delay 10 % +500 ms": what a fault does, without where. */
function faultWhat(update: FaultUpdate): string {
  const latency = update.latencyMs > 0 ? ` +${update.latencyMs} ms` : '';
  return `${update.mode} ${Math.round(update.rate * 1000) / 10} %${latency}`;
}

/** "after-commit 30 % on every replica", "faults cleared on logic-2": the event log's line. */
export function describeFaults(update: FaultUpdate): string {
  const where = update.replica ?? 'every replica';
  return update.rate === 0 ? `faults cleared on ${where}` : `${faultWhat(update)} on ${where}`;
}

/** The marker's label: "after-commit 30 %" on every replica, or "… on logic-2"; "cleared". */
function faultLabel(update: FaultUpdate): string {
  if (update.rate === 0) return 'cleared';
  return update.replica ? `${faultWhat(update)} on ${update.replica}` : faultWhat(update);
}

/** Apply the form's faults, or clear them: said in the status line and marked on the charts. */
export async function applyFaults(admin: AdminClient, marks: Marks, clear: boolean): Promise<void> {
  const update = faultsFromForm(clear);
  const button = byId<HTMLButtonElement>(clear ? 'clear-faults' : 'apply-faults');
  button.disabled = true;
  setText('faults-status', clear ? 'Clearing faults…' : 'Applying faults…');
  try {
    await admin.putFaults(update);
    const where = update.replica ?? 'every logic replica';
    setText(
      'faults-status',
      update.rate === 0
        ? `No faults on ${where}.`
        : `${Math.round(update.rate * 1000) / 10}% of requests on ${where}: ${update.mode}` +
            (update.latencyMs > 0 ? `, ${update.latencyMs} ms` : '') +
            '. Every replica applies it within a second.',
    );
    marks.add(update.rate === 0 ? 'clear' : 'fault', describeFaults(update), faultLabel(update));
  } catch (error) {
    setText('faults-status', `Not changed: ${explain(error)}`);
  } finally {
    button.disabled = false;
  }
}

/** A crashed replica, until the buyers see it answer again. */
export class CrashWatch {
  #crashed: { replica: string; at: number } | undefined;

  async crash(admin: AdminClient, marks: Marks): Promise<void> {
    try {
      const { crashing } = await admin.crash();
      this.#crashed = { replica: crashing, at: Date.now() };
      marks.add('crash', `${crashing} crashed`, `${crashing} crashed`);
      setText('crash-status', `${crashing} crashed. Watch it restart and serve again.`);
    } catch (error) {
      setText('crash-status', `No crash: ${explain(error)}`);
    }
  }

  /** Back when a request sent after the crash was served by it. */
  watch(log: RequestLog, marks: Marks): void {
    const crashed = this.#crashed;
    if (!crashed) return;
    const since = crashed.at - log.startedAt;
    const served = log.requests.find(
      (r) => r.servedBy === crashed.replica && r.start > since && r.end >= 0,
    );
    if (!served) return;
    this.#crashed = undefined;
    const text = `${crashed.replica} back`;
    marks.add('back', text, text, log.startedAt + served.end);
    setText('crash-status', `${crashed.replica} is back and serving again.`);
  }
}
