import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css';
import { clockTime, type Mark } from './marks.ts';
import type { SecondSeries } from './series.ts';

/**
 * uPlot's own stylesheet, adopted as a constructed sheet: no file of its own to serve and no
 * inline <style>, which the shop's CSP (style-src 'self') would refuse.
 */
function adoptChartStyles(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(uPlotCss);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

interface Line {
  label: string;
  values: (number | null)[];
  color: string;
}

interface ChartSpec {
  id: string;
  lines(series: SecondSeries): Line[];
  /** The y range, given the data's: e.g. success always reaches 100 %. */
  range?: (min: number, max: number) => [number, number];
}

const REPLICA_COLORS = ['#3b6fd8', '#d8763b', '#2e9e6b', '#a04bc4', '#c43b5a', '#5b6577'];

function statusColor(status: string): string {
  if (status === 'no answer') return '#8a8f98';
  if (status === '409') return '#c77c02';
  if (status === '503') return '#8e44ad';
  if (status.startsWith('5')) return '#d64545';
  if (status === '201') return '#1f9d55';
  if (status.startsWith('2')) return '#7c93b8';
  return '#5b6577';
}

const byKey = (map: Map<string, (number | null)[]>, color: (key: string, i: number) => string) =>
  [...map.keys()]
    .sort()
    .map((key, i) => ({ label: key, values: map.get(key) ?? [], color: color(key, i) }));

const SPECS: ChartSpec[] = [
  {
    id: 'confirmed',
    lines: (s) => [{ label: 'confirmed / s', values: s.confirmed, color: '#1f9d55' }],
  },
  {
    id: 'success',
    lines: (s) => [{ label: 'user success %', values: s.successPercent, color: '#3b6fd8' }],
    range: (min) => [Math.min(90, Math.floor(min)), 100],
  },
  {
    id: 'latency',
    lines: (s) => [
      { label: 'p50 ms', values: s.p50, color: '#3b6fd8' },
      { label: 'p99 ms', values: s.p99, color: '#d64545' },
    ],
  },
  { id: 'status', lines: (s) => byKey(s.byStatus, statusColor) },
  {
    id: 'replica',
    lines: (s) => byKey(s.byReplica, (_, i) => REPLICA_COLORS[i % REPLICA_COLORS.length] ?? '#000'),
  },
];

/** Rows of marker labels on the first chart, and a label's width per character (0.7rem). */
const LABEL_ROWS = 4;
const LABEL_CHAR_PX = 6.5;

/**
 * Vertical lines over the plot, as elements (a test can find them where they are drawn). The
 * first chart labels them, each label in the first row where it overlaps no other; a label in
 * the right half reads leftwards, to stay in the plot.
 */
function drawMarks(plot: uPlot, marks: readonly Mark[], labelled: boolean): void {
  for (const old of plot.over.querySelectorAll('.mark')) old.remove();
  const [min, max] = [plot.scales.x?.min ?? 0, plot.scales.x?.max ?? 0];
  const rowsEnd = Array.from({ length: LABEL_ROWS }, () => Number.NEGATIVE_INFINITY);
  for (const mark of marks) {
    const at = mark.at / 1000;
    if (at < min || at > max) continue;
    const x = plot.valToPos(at, 'x');
    const line = document.createElement('div');
    line.className = `mark mark-${mark.kind}`;
    line.dataset.at = String(mark.at);
    line.title = `${clockTime(mark.at)} ${mark.text}`;
    line.style.left = `${x.toFixed(1)}px`;
    if (labelled) {
      const leftwards = (at - min) / (max - min) > 0.5;
      const width = mark.label.length * LABEL_CHAR_PX + 6;
      const [from, to] = leftwards ? [x - width, x] : [x, x + width];
      const free = rowsEnd.findIndex((end) => end < from);
      const row = free < 0 ? rowsEnd.indexOf(Math.min(...rowsEnd)) : free;
      rowsEnd[row] = to;
      const label = document.createElement('span');
      label.className = `mark-label${leftwards ? ' leftwards' : ''}`;
      label.style.top = `${row * 1.1}rem`;
      label.textContent = mark.label;
      line.append(label);
    }
    plot.over.append(line);
  }
}

/** One small time chart per measure, redrawn every second; a chart's lines may come and go. */
export class LiveCharts {
  readonly #plots = new Map<string, { plot: uPlot; labels: string }>();
  #marks: readonly Mark[] = [];
  /** The time axis, in seconds since the epoch: the window shown, whatever the data. */
  #x: [number, number] = [0, 1];

  constructor() {
    adoptChartStyles();
    new ResizeObserver(() => {
      for (const [id, { plot }] of this.#plots) plot.setSize(this.#size(id));
    }).observe(document.getElementById('charts') ?? document.body);
  }

  #size(id: string): { width: number; height: number } {
    const host = document.querySelector<HTMLElement>(`[data-chart="${id}"]`);
    return { width: Math.max(200, host?.clientWidth ?? 300), height: 140 };
  }

  /**
   * New data and marks over the window `fromMs`–`toMs`; the marks are placed when uPlot has
   * drawn (its `draw` hook), where the time axis puts them.
   */
  show(series: SecondSeries, marks: readonly Mark[], fromMs: number, toMs: number): void {
    this.#marks = marks;
    this.#x = [fromMs / 1000, Math.max(toMs, fromMs + 1000) / 1000];
    for (const spec of SPECS) {
      const lines = spec.lines(series);
      const data: uPlot.AlignedData = [series.x, ...lines.map((l) => l.values)];
      const labels = lines.map((l) => l.label).join('|');
      let entry = this.#plots.get(spec.id);
      if (entry?.labels !== labels) {
        entry?.plot.destroy();
        entry = { plot: this.#create(spec, lines, data), labels };
        this.#plots.set(spec.id, entry);
      } else {
        entry.plot.setData(data);
      }
    }
  }

  #create(spec: ChartSpec, lines: Line[], data: uPlot.AlignedData): uPlot {
    const host = document.querySelector<HTMLElement>(`[data-chart="${spec.id}"]`);
    if (!host) throw new Error(`the console page has no chart "${spec.id}"`);
    host.replaceChildren();
    const { range } = spec;
    const labelled = spec.id === SPECS[0]?.id;
    return new uPlot(
      {
        ...this.#size(spec.id),
        series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2 }))],
        scales: {
          x: { time: true, range: () => this.#x },
          y: range ? { range: (_u, min, max) => range(min, max) } : {},
        },
        axes: [
          { values: (_u, splits) => splits.map((s) => clockTime(s * 1000)), space: 70 },
          { size: 52 },
        ],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        hooks: { draw: [(plot) => drawMarks(plot, this.#marks, labelled)] },
      },
      data,
      host,
    );
  }
}
