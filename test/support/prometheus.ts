// One scrape of a /metrics page, parsed strictly, with the naming rules of our own metrics
// checked on top (flame_ prefix; counters, and only counters, end in _total).
import assert from 'node:assert/strict';
import { type Family, parsePrometheusText, type Sample } from './prometheus-text.ts';

function namingProblems(family: Family): string[] {
  if (!family.name.startsWith('flame_')) return [];
  const isCounter = family.type === 'counter';
  return isCounter === family.name.endsWith('_total')
    ? []
    : [`${family.name}: counters, and only counters, end in _total`];
}

export class Scrape {
  readonly families: ReadonlyMap<string, Family>;

  constructor(text: string) {
    this.families = parsePrometheusText(text);
    const problems = [...this.families.values()].flatMap(namingProblems);
    assert.deepEqual(problems, [], 'our metrics follow the Prometheus naming rules');
  }

  /** Samples named exactly `name` (e.g. x_count of histogram x) whose labels include `labels`. */
  samples(name: string, labels: Record<string, string> = {}): Sample[] {
    return [...this.families.values()]
      .flatMap((family) => family.samples)
      .filter(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
      );
  }

  /** The value of the one sample of `name` with these labels; 0 when it has none yet. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples(name, labels);
    assert.ok(found.length <= 1, `at most one ${name} sample for ${JSON.stringify(labels)}`);
    return found[0]?.value ?? 0;
  }

  /** Observations of histogram `name` with these labels, summed over its matching series. */
  count(name: string, labels: Record<string, string>): number {
    return this.samples(`${name}_count`, labels).reduce((sum, sample) => sum + sample.value, 0);
  }
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `GET ${url}`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return new Scrape(await response.text());
}
