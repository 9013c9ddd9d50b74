// A strict reader of the Prometheus text exposition format (0.0.4), for tests. The npm parser
// (parse-prometheus-text-format, unchanged since 2019) merges labelled histogram series into
// one and drops their labels, so it cannot check what we expose; this one refuses anything a
// Prometheus server would refuse, and more: every family needs HELP and TYPE, histograms must
// be cumulative with +Inf = _count, and no series may appear twice.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const VALUE = String.raw`[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|NaN)`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (${VALUE})(?: (-?\\d+))?$`, 'i');
const LABEL_PAIR = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"(,|$)`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = LABEL_PAIR.exec(rest);
    if (!match) throw new Error(`bad labels in: ${line}`);
    const [whole, key = '', raw = ''] = match;
    if (key in labels) throw new Error(`label ${key} twice in: ${line}`);
    labels[key] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/** The family a sample name belongs to: itself, or a histogram's/summary's base name. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const own = families.get(name);
  if (own) return own;
  for (const family of families.values()) {
    const suffixes = SUFFIXES[family.type] ?? [];
    if (suffixes.some((suffix) => `${family.name}${suffix}` === name)) return family;
  }
  return undefined;
}

function readComment(line: string, families: Map<string, Family>): void {
  const match = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line);
  if (!match) return; // other comments are allowed and mean nothing
  const [, keyword, name = '', text = ''] = match;
  const family = families.get(name) ?? { name, help: '', type: 'untyped', samples: [] };
  families.set(name, family);
  if (keyword === 'HELP') {
    if (family.help) throw new Error(`HELP for ${name} twice`);
    family.help = text.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    return;
  }
  if (!TYPES.has(text)) throw new Error(`unknown TYPE ${text} for ${name}`);
  if (family.samples.length > 0) throw new Error(`TYPE for ${name} after its samples`);
  family.type = text as Family['type'];
}

/** Parses a /metrics page; throws on the first line or family that is not right. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      readComment(line, families);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name = '', labelText = '', value = ''] = match;
    const family = familyOf(name, families);
    if (!family) throw new Error(`sample ${name} has no TYPE before it`);
    const labels = parseLabels(labelText, line);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`series twice: ${line}`);
    seen.add(series);
    family.samples.push({
      name,
      labels,
      value: Number(value.replace(/^([+-]?)inf$/i, '$1Infinity')),
    });
  }
  for (const family of families.values()) checkFamily(family);
  return families;
}

function checkFamily(family: Family): void {
  if (!family.help) throw new Error(`${family.name} has no HELP`);
  if (family.type === 'untyped') throw new Error(`${family.name} has no TYPE`);
  if (family.type === 'histogram') checkHistogram(family);
}

/** Per series (labels without le): cumulative buckets, +Inf = _count, a _sum. */
function checkHistogram(family: Family): void {
  const groups = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const [key, samples] of groups) {
    const where = `${family.name}${key}`;
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`);
    const bounds = buckets.map((s) => Number((s.labels.le ?? '').replace(/^\+?Inf$/, 'Infinity')));
    if (bounds.some((bound, i) => Number.isNaN(bound) || (i > 0 && bound <= (bounds[i - 1] ?? 0))))
      throw new Error(`${where}: bucket bounds are not increasing numbers`);
    if (buckets.some((s, i) => i > 0 && s.value < (buckets[i - 1]?.value ?? 0)))
      throw new Error(`${where}: buckets are not cumulative`);
    const count = samples.find((s) => s.name === `${family.name}_count`);
    if (bounds[bounds.length - 1] !== Number.POSITIVE_INFINITY || !count)
      throw new Error(`${where}: no +Inf bucket or no _count`);
    if (buckets[buckets.length - 1]?.value !== count.value)
      throw new Error(`${where}: +Inf bucket != _count`);
    if (!samples.some((s) => s.name === `${family.name}_sum`)) throw new Error(`${where}: no _sum`);
  }
}
