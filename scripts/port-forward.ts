// npm run port-forward [-- --port N] — reach the frontend Service from localhost, for clusters
// without the kind port mapping (made elsewhere). Runs until Ctrl-C.
import { parseArgs } from 'node:util';
import {
  announce,
  flameTarget,
  followKubectl,
  loadSettings,
  requireTools,
  runScript,
  ScriptError,
} from '../src/kube/index.ts';

await runScript('port-forward', async () => {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ScriptError(`--port must be 1-65535 (got ${JSON.stringify(values.port)})`);
  }
  const settings = loadSettings();
  await requireTools(['kubectl']);
  announce(`Forwarding http://localhost:${port} to service/flame-frontend (Ctrl-C stops)`);
  await followKubectl(
    flameTarget(settings.kubeContext),
    ['port-forward', '--address', '127.0.0.1', 'service/flame-frontend', `${port}:8080`],
    `port ${port} taken? try --port 8090; is the app deployed?`,
  );
});
