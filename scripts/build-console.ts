import { buildConsole } from './lib/console-build.ts';

// npm run build:console — the control room's browser bundle (npm start builds it too).
const file = await buildConsole();
process.stdout.write(`console bundle: ${file}\n`);
