import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Audit } from '../../shared/admin-api.ts';
import type { RequestRecord } from '../core/model.ts';
import { reportFiles } from '../core/report/report-files.ts';
import type { ChaosReport } from '../core/result.ts';

export interface WrittenReport {
  json: string;
  html: string;
  requests: string;
}

/**
 * report.json, report.html, requests.jsonl (every request the load generator sent) and
 * audit-<scenario>.json (the database state each verdict was checked against).
 */
export async function writeReport(
  dir: string,
  report: ChaosReport,
  requests: readonly RequestRecord[],
  audits: ReadonlyMap<string, Audit> = new Map(),
): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const paths = {
    json: join(dir, 'report.json'),
    html: join(dir, 'report.html'),
    requests: join(dir, 'requests.jsonl'),
  };
  const files = reportFiles(report);
  await writeFile(paths.json, files.json);
  await writeFile(paths.html, files.html);
  await writeFile(paths.requests, `${requests.map((r) => JSON.stringify(r)).join('\n')}\n`);
  for (const [scenario, audit] of audits) {
    await writeFile(join(dir, `audit-${scenario}.json`), `${JSON.stringify(audit)}\n`);
  }
  return paths;
}
