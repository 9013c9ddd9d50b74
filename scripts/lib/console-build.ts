import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, stop } from 'esbuild';

const ENTRY = fileURLToPath(new URL('../../src/console/main.ts', import.meta.url));
/** Served by the frontend with the rest of the web UI; made, never committed. */
export const CONSOLE_BUNDLE = fileURLToPath(new URL('../../web/console.js', import.meta.url));

/** How the console is bundled: one ES module for the browser, minified, with a source map. */
export const CONSOLE_BUILD: BuildOptions = Object.freeze({
  entryPoints: [ENTRY],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: CONSOLE_BUNDLE,
  sourcemap: true,
  minify: true,
  // Stylesheets the bundle imports (uPlot's) come in as text; the page adopts them.
  loader: { '.css': 'text' as const },
  logLevel: 'warning',
});

/**
 * Bundles the console for the browser: the page runs the chaos runner's own load generator and
 * invariant checker, so what it shows is judged by the same code as `npm run chaos`.
 */
export async function buildConsole(): Promise<string> {
  try {
    await build(CONSOLE_BUILD);
  } finally {
    // esbuild keeps a service process for further builds; there are none, and a runner must
    // not leave a child of its own behind.
    await stop();
  }
  return CONSOLE_BUNDLE;
}
