import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Mark, MarkKind } from '../../src/console/marks.ts';
import { faultWindow, targetOfReplicas } from '../../src/console/session-report.ts';

const T0 = 1_000_000;
const marks = (...list: [MarkKind, number][]): Mark[] =>
  list.map(([kind, at]) => ({ kind, at: T0 + at, text: kind, label: kind }));

/** The console's report has one fault window, from the marks a presenter made. */
describe("the console session's fault window", () => {
  it('runs from the first fault to the clear', () => {
    const window = faultWindow(marks(['buyers', 0], ['fault', 5000], ['clear', 9000]), T0, 20_000);
    assert.deepEqual(window, { start: 5000, end: 9000 });
  });

  it('runs from a crash to the return, and covers a fault cleared before the return', () => {
    const list = marks(['fault', 3000], ['crash', 4000], ['clear', 6000], ['back', 8000]);
    assert.deepEqual(faultWindow(list, T0, 20_000), { start: 3000, end: 8000 });
  });

  it('runs to the end when a fault came back after a clear', () => {
    const list = marks(['fault', 3000], ['clear', 6000], ['fault', 9000]);
    assert.deepEqual(faultWindow(list, T0, 20_000), { start: 3000, end: 20_000 });
  });

  it('is empty, at the end, when nothing was broken', () => {
    assert.deepEqual(faultWindow(marks(['buyers', 0]), T0, 20_000), { start: 20_000, end: 20_000 });
  });
});

describe("the console session's target, from the replicas that answered", () => {
  it('tells npm start, containers:up and kind apart by the names they give logic', () => {
    assert.equal(targetOfReplicas(['logic-1', 'logic-2']), 'local');
    assert.equal(targetOfReplicas(['flametickets-logic-1', 'flametickets-logic-2']), 'docker');
    assert.equal(
      targetOfReplicas(['flame-logic-7d9f8b6c5-x2k4q', 'flame-logic-7d9f8b6c5-p9z']),
      'kind',
    );
  });
});
