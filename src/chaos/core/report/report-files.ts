import type { ChaosReport } from '../result.ts';
import { renderHtmlReport } from './html-report.ts';

/**
 * report.json and report.html as text: written to disk by the chaos runner (write-report.ts),
 * and offered as downloads by the console in the browser — one format, from one piece of code.
 */
export function reportFiles(report: ChaosReport): { json: string; html: string } {
  return { json: `${JSON.stringify(report, null, 2)}\n`, html: renderHtmlReport(report) };
}
