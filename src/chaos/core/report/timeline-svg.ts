import type { ScenarioResult } from '../result.ts';
import { escapeHtml } from './escape.ts';

const WIDTH = 880;
const HEIGHT = 220;
const PAD = { left: 48, right: 56, top: 18, bottom: 34 };

function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

/**
 * Requests per second (ok stacked over failed) through one scenario, with the fault window
 * shaded, the moment it ended and the moment steady state came back, and p99 latency as a line.
 * Pure inline SVG: the report opens without any network.
 */
export function timelineSvg(result: ScenarioResult): string {
  const scale = scaleFor(result);
  const { x, y, plotH } = scale;
  const { fault } = result.phases;
  const parts: string[] = [
    `<rect class="fault" x="${x(fault.start).toFixed(1)}" y="${PAD.top}" width="${(x(fault.end) - x(fault.start)).toFixed(1)}" height="${plotH}"/>`,
    `<text class="fault-label" x="${(x(fault.start) + 6).toFixed(1)}" y="${PAD.top + 14}">fault</text>`,
    ...gridLines(scale),
    ...timeTicks(scale),
    ...rateBars(result, scale),
  ];
  const line = result.timeline.buckets
    .filter((b) => b.p99 !== null)
    .map((b) => `${(x(b.t) + scale.barW / 2).toFixed(1)},${scale.yLatency(b.p99 ?? 0).toFixed(1)}`)
    .join(' ');
  if (line) parts.push(`<polyline class="latency" points="${line}"/>`);
  parts.push(marker(x(fault.end), 'fault ended', PAD.top + plotH));
  if (result.recoverySeconds !== null && result.recoverySeconds > 0) {
    parts.push(marker(x(fault.end + result.recoverySeconds * 1000), 'steady', PAD.top + plotH, 28));
  }
  parts.push(
    `<line class="baseline" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(0)}" y2="${y(0)}"/>`,
    `<text class="axis-title" x="12" y="${PAD.top + plotH / 2}" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle">requests/s</text>`,
    `<text class="axis-title latency-axis" x="${WIDTH - 8}" y="${PAD.top + plotH / 2}" transform="rotate(90 ${WIDTH - 8} ${PAD.top + plotH / 2})" text-anchor="middle">p99 latency</text>`,
  );
  const label = `Requests per second in ${result.name}, failures in red, fault window shaded`;
  return `<svg class="timeline" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(label)}">${parts.join('')}</svg>`;
}

/** Where a time, a rate and a latency fall on the plot. */
interface Scale {
  x: (ms: number) => number;
  y: (rate: number) => number;
  yLatency: (ms: number) => number;
  plotH: number;
  barW: number;
  maxRate: number;
  maxLatency: number;
  totalMs: number;
  perSecond: number;
}

function scaleFor(result: ScenarioResult): Scale {
  const { buckets, bucketMs } = result.timeline;
  const totalMs = Math.max(result.phases.after.end, bucketMs);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const perSecond = 1000 / bucketMs;
  // Multiples of 4, so the four grid lines fall on round numbers.
  const maxRate = 4 * niceCeiling(Math.max(1, ...buckets.map((b) => b.requests * perSecond)) / 4);
  const maxLatency = 4 * niceCeiling(Math.max(100, ...buckets.map((b) => b.p99 ?? 0)) / 4);
  return {
    x: (ms) => PAD.left + (Math.min(ms, totalMs) / totalMs) * plotW,
    y: (rate) => PAD.top + plotH - (rate / maxRate) * plotH,
    yLatency: (ms) => PAD.top + plotH - (ms / maxLatency) * plotH,
    plotH,
    barW: Math.max(1, (bucketMs / totalMs) * plotW - 1.5),
    maxRate,
    maxLatency,
    totalMs,
    perSecond,
  };
}

/** Four horizontal grid lines, rates on the left axis and latencies on the right. */
function gridLines({ y, maxRate, maxLatency }: Scale): string[] {
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const rate = (maxRate / 4) * i;
    const yy = y(rate).toFixed(1);
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${yy}" y2="${yy}"/>`,
      `<text class="axis" x="${PAD.left - 6}" y="${yy}" text-anchor="end" dy="4">${Math.round(rate)}</text>`,
      `<text class="axis latency-axis" x="${WIDTH - PAD.right + 6}" y="${yy}" dy="4">${formatMs((maxLatency / 4) * i)}</text>`,
    );
  }
  return parts;
}

/** About ten ticks on the time axis, in seconds. */
function timeTicks({ x, totalMs }: Scale): string[] {
  const parts: string[] = [];
  const tickEvery = niceCeiling(totalMs / 1000 / 10);
  for (let s = 0; s * 1000 <= totalMs; s += tickEvery) {
    parts.push(
      `<text class="axis" x="${x(s * 1000).toFixed(1)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${Number(s.toFixed(1))}s</text>`,
    );
  }
  return parts;
}

/** One bar per time bucket: ok requests, failed ones stacked on top. */
function rateBars(result: ScenarioResult, { x, y, barW, perSecond }: Scale): string[] {
  const parts: string[] = [];
  for (const b of result.timeline.buckets) {
    const okRate = (b.requests - b.failed) * perSecond;
    const failedRate = b.failed * perSecond;
    const left = x(b.t).toFixed(1);
    if (okRate > 0) {
      parts.push(
        `<rect class="ok" x="${left}" y="${y(okRate).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(0) - y(okRate)).toFixed(1)}"><title>${b.t / 1000}s: ${b.requests - b.failed} ok</title></rect>`,
      );
    }
    if (failedRate > 0) {
      parts.push(
        `<rect class="failed" x="${left}" y="${y(okRate + failedRate).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(okRate) - y(okRate + failedRate)).toFixed(1)}"><title>${b.t / 1000}s: ${b.failed} failed</title></rect>`,
      );
    }
  }
  return parts;
}

function marker(atX: number, text: string, bottom: number, dy = 14): string {
  return (
    `<line class="marker" x1="${atX.toFixed(1)}" x2="${atX.toFixed(1)}" y1="${PAD.top}" y2="${bottom}"/>` +
    `<text class="marker-label" x="${(atX + 4).toFixed(1)}" y="${PAD.top + dy}">${escapeHtml(text)}</text>`
  );
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)}s`;
  return `${Math.round(ms)}ms`;
}
