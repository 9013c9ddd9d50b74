// `npm run bench -- [--quick] [--only GROUP,...] [--json FILE]`: measures the shop locally
// side by side with bare reference servers and prints a table. The work is in src/bench/.
import { benchCommand } from '../src/bench/command.ts';

process.exitCode = await benchCommand(process.argv.slice(2), process.env);
