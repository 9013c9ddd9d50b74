// `npm run chaos -- [--target kind|local|docker] [--scenario NAME[,NAME] ...] [--duration S]
// [--seed N] [--report DIR] [--quick] [--data DIR] [--without-fault]` (each explained in USAGE,
// src/chaos/options.ts): breaks the shop on purpose under load and reports whether any order
// was lost, duplicated or oversold. The work is in src/chaos/.
import { chaosCommand } from '../src/chaos/command.ts';

process.exitCode = await chaosCommand(process.argv.slice(2));
