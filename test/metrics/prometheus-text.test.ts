import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { Scrape } from '../support/prometheus.ts';
import { parsePrometheusText } from '../support/prometheus-text.ts';

const GOOD = `# HELP flame_x_total Things.
# TYPE flame_x_total counter
flame_x_total{mode="a"} 3
# HELP flame_h_seconds Time.
# TYPE flame_h_seconds histogram
flame_h_seconds_bucket{le="0.1",route="/a"} 1
flame_h_seconds_bucket{le="+Inf",route="/a"} 2
flame_h_seconds_sum{route="/a"} 0.3
flame_h_seconds_count{route="/a"} 2
`;

describe('the strict Prometheus text reader used by the metrics tests', () => {
  it('reads what prom-client writes, labelled histogram series kept apart', async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: 'flame_t_seconds',
      help: 'h',
      labelNames: ['route'],
      registers: [registry],
    });
    h.labels('/a').observe(0.05);
    h.labels('/b').observe(0.5);
    h.labels('/b').observe(0.7);
    new Counter({ name: 'flame_c_total', help: 'c', registers: [registry] }).inc(2);
    const page = new Scrape(await registry.metrics());
    assert.equal(page.count('flame_t_seconds', { route: '/a' }), 1);
    assert.equal(page.count('flame_t_seconds', { route: '/b' }), 2);
    assert.equal(page.value('flame_c_total'), 2);
  });

  const broken: [string, string][] = [
    ['a family without HELP', GOOD.replace('# HELP flame_x_total Things.\n', '')],
    ['a family without TYPE', GOOD.replace('# TYPE flame_x_total counter\n', '')],
    [
      'a value that is no number',
      GOOD.replace('flame_x_total{mode="a"} 3', 'flame_x_total{mode="a"} three'),
    ],
    ['an unquoted label value', GOOD.replace('{mode="a"}', '{mode=a}')],
    [
      'the same series twice',
      GOOD.replace(
        'flame_x_total{mode="a"} 3',
        'flame_x_total{mode="a"} 3\nflame_x_total{mode="a"} 4',
      ),
    ],
    ['buckets that shrink', GOOD.replace('le="+Inf",route="/a"} 2', 'le="+Inf",route="/a"} 0')],
    [
      '+Inf bucket != _count',
      GOOD.replace('flame_h_seconds_count{route="/a"} 2', 'flame_h_seconds_count{route="/a"} 5'),
    ],
    ['a histogram without _sum', GOOD.replace('flame_h_seconds_sum{route="/a"} 0.3\n', '')],
  ];
  for (const [what, text] of broken) {
    it(`refuses ${what}`, () => assert.throws(() => parsePrometheusText(text)));
  }

  it('refuses a flame_ counter whose name does not end in _total', () => {
    assert.throws(() => new Scrape(GOOD.replaceAll('flame_x_total', 'flame_x')), /_total/);
  });
});
