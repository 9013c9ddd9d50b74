import { randomUUID } from 'node:crypto';

/**
 * This process's identity: a boot id new at every start, with its pid and start time. Logic
 * reports it on GET /healthz and as x-boot-id on every answer, so whoever watches from outside
 * (the chaos runner, a buyer through the frontend) can tell a restarted replica from the same
 * one still running under the same name.
 */
export const BOOT = Object.freeze({
  bootId: randomUUID().slice(0, 8),
  pid: process.pid,
  startedAt: new Date().toISOString(),
});
