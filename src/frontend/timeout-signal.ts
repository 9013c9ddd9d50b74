/** An abort signal with a time limit, whose timer and listener are released when done. */
export interface TimeoutSignal {
  signal: AbortSignal;
  /** Stops the timer and detaches from the parent; call it once the work has finished. */
  release(): void;
}

/**
 * Aborts after `ms` with a TimeoutError, or when `parent` aborts, with the parent's reason.
 * `AbortSignal.timeout` and `AbortSignal.any` do the same, but their timers can't be cleared:
 * every call to logic left two timers behind that fired seconds later, each making a
 * DOMException nobody read — a visible share of the frontend's CPU under load.
 */
export function timeoutSignal(ms: number, parent?: AbortSignal): TimeoutSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
  }, ms);
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
