import { prettyFactory } from 'pino-pretty';
import type { LineSink } from './child-process.ts';

/** Merged, human-readable logs: each child's JSON lines pretty-printed under its label. */
export function prettyLineSink(out: NodeJS.WritableStream = process.stdout): LineSink {
  const pretty = prettyFactory({
    colorize: 'isTTY' in out && Boolean(out.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,replica',
    messageFormat: '{replica} {msg}',
    singleLine: true,
  });
  return (label, line) => {
    if (line.startsWith('{')) {
      try {
        out.write(pretty(JSON.parse(line)));
        return;
      } catch {
        // not JSON after all: print it as it is
      }
    }
    out.write(`[${label}] ${line}\n`);
  };
}
