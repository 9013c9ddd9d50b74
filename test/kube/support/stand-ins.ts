// Stand-in docker, kind, kubectl and git executables for testing our scripts' logic without a
// container engine or a cluster. Each records its arguments in calls.log and acts from files
// in its state folder, which a test writes to set the scene ("cluster exists", "rollout
// times out", ...).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

const record = (tool: string) => `printf '%s\\n' "${tool} $*" >> "$FAKE_STATE/calls.log"`;

const STAND_INS: Record<string, string> = {
  docker: `#!/bin/sh
${record('docker')}
case "$1 $2" in
  "info "*)
    if [ -e "$FAKE_STATE/docker-down" ]; then
      echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2
      exit 1
    fi
    echo '{}' ;;
  "buildx version")
    if [ -e "$FAKE_STATE/no-buildx" ]; then echo "docker: unknown command: docker buildx" >&2; exit 1; fi
    echo 'github.com/docker/buildx v0.24.0' ;;
  "version --format") cat "$FAKE_STATE/client-version" 2>/dev/null || echo '28.2.2' ;;
  "build "*)
    echo "building $*"
    echo "\${DOCKER_BUILDKIT:-unset}" >> "$FAKE_STATE/buildkit-env" ;;
  "image inspect")
    case " $* " in
      *" postgres@sha256:"*)
        if [ ! -e "$FAKE_STATE/postgres-present" ]; then echo 'Error: No such image' >&2; exit 1; fi ;;
      *)
        if [ -e "$FAKE_STATE/image-not-loaded" ]; then echo 'Error: No such image' >&2; exit 1; fi ;;
    esac
    # Like BuildKit's provenance attestation: a new image id on every build, same sources or not.
    n=$(cat "$FAKE_STATE/image-ids" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$FAKE_STATE/image-ids"
    echo "sha256:f00d$n" ;;
  "image save")
    while [ "$1" != "-o" ]; do shift; done
    : > "$2" ;;
  "pull "*)
    if [ -e "$FAKE_STATE/pull-fails" ]; then
      echo 'Error response from daemon: toomanyrequests: You have reached your unauthenticated pull rate limit.' >&2
      exit 1
    fi ;;
esac
exit 0
`,
  podman: `#!/bin/sh
${record('podman')}
case "$1" in
  info) echo '{}' ;;
  image) echo 'sha256:f00dfeed' ;;
  save) : > "$3" ;;
esac
exit 0
`,
  kind: `#!/bin/sh
${record('kind')}
case "$1 $2" in
  "version ")
    if [ -e "$FAKE_STATE/kind-version" ]; then cat "$FAKE_STATE/kind-version"; else echo 'kind v0.33.0 go1.25.1 linux/amd64'; fi ;;
  "get clusters")
    if [ -s "$FAKE_STATE/clusters" ]; then cat "$FAKE_STATE/clusters"; else echo 'No kind clusters found.' >&2; fi ;;
  # Like kind: both make the new cluster kubectl's current context.
  "create cluster")
    echo "$4" >> "$FAKE_STATE/clusters"
    echo "kind-$4" > "$FAKE_STATE/current-context" ;;
  "export kubeconfig") echo "kind-$4" > "$FAKE_STATE/current-context" ;;
  "delete cluster") : > "$FAKE_STATE/clusters" ;;
  "load docker-image")
    if [ -e "$FAKE_STATE/load-docker-image-fails" ]; then
      echo 'ERROR: image: "x" not present locally' >&2
      exit 1
    fi ;;
esac
exit 0
`,
  kubectl: `#!/bin/sh
${record('kubectl')}
case " $* " in
  *" version --client "*) echo 'Client Version: v1.37.0' ;;
  *" config current-context "*)
    if [ -s "$FAKE_STATE/current-context" ]; then cat "$FAKE_STATE/current-context"; else echo 'error: current-context is not set' >&2; exit 1; fi ;;
  *" config use-context "*) for a; do last=$a; done; echo "$last" > "$FAKE_STATE/current-context" ;;
  *" wait "*)
    if [ -e "$FAKE_STATE/nodes-timeout" ]; then
      echo 'error: timed out waiting for the condition on nodes/flame-control-plane' >&2
      exit 1
    fi ;;
  *" get secret flame-credentials -o name "*)
    if [ -e "$FAKE_STATE/secret.json" ]; then
      echo 'secret/flame-credentials'
    else
      echo 'Error from server (NotFound): secrets "flame-credentials" not found' >&2
      exit 1
    fi ;;
  *" get secret "*" -o json "*) cat "$FAKE_STATE/secret-get.json" ;;
  *" get pvc data-postgres-0 -o name "*)
    if [ -e "$FAKE_STATE/pvc" ]; then
      echo 'persistentvolumeclaim/data-postgres-0'
    else
      echo 'Error from server (NotFound): persistentvolumeclaims "data-postgres-0" not found' >&2
      exit 1
    fi ;;
  *" get pvc data-postgres-0 -o jsonpath="*) cat "$FAKE_STATE/pvc-annotation" 2>/dev/null ;;
  *" annotate --overwrite pvc "*) for a; do last=$a; done; echo "\${last#*=}" > "$FAKE_STATE/pvc-annotation" ;;
  # The pods of \`npm run logs\`: there while log-streams has a stream left to play.
  *" get pods -l "*" -o name "*) if [ -s "$FAKE_STATE/log-streams" ]; then echo 'pod/flame-logic-a'; fi ;;
  *" get pods -o name "*) cat "$FAKE_STATE/pod-names" 2>/dev/null ;;
  *" get pods "*) cat "$FAKE_STATE/pods.json" ;;
  *" create -f - "*) cat > "$FAKE_STATE/secret.json" ;;
  *" apply -f - "*)
    n=$(cat "$FAKE_STATE/applies" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "$FAKE_STATE/applies"
    cat > "$FAKE_STATE/applied-$n.yaml"
    cp "$FAKE_STATE/applied-$n.yaml" "$FAKE_STATE/applied.yaml" ;;
  *" rollout status "*)
    if [ -e "$FAKE_STATE/rollout-seconds" ]; then sleep "$(cat "$FAKE_STATE/rollout-seconds")"; fi
    for workload in $(cat "$FAKE_STATE/rollout-timeout" 2>/dev/null); do
      case " $* " in *" $workload "*)
        echo "error: timed out waiting for the condition" >&2
        exit 1 ;;
      esac
    done ;;
  *" logs "*"--previous"*)
    echo 'Error from server (BadRequest): previous terminated container "logic" in pod not found' >&2
    exit 1 ;;
  *" logs "*"--selector"*)
    if [ -s "$FAKE_STATE/log-streams" ]; then
      # Plays the first stream left (one line), then ends, like kubectl when its pods are gone.
      head -n 1 "$FAKE_STATE/log-streams"
      tail -n +2 "$FAKE_STATE/log-streams" > "$FAKE_STATE/log-streams.rest"
      mv "$FAKE_STATE/log-streams.rest" "$FAKE_STATE/log-streams"
      exit 0
    fi
    echo 'error: no resources found in flame namespace.' >&2
    exit 1 ;;
  *" port-forward "*"service/"*)
    if [ -e "$FAKE_STATE/not-deployed" ]; then
      echo 'error: no resources found in flame namespace.' >&2
      exit 1
    fi ;;
  *" port-forward "*"pod/missing"*)
    echo 'error: pods "missing" not found' >&2
    exit 1 ;;
  *" port-forward "*"pod/"*)
    echo 'Forwarding from 127.0.0.1:43210 -> 8081'
    exec sleep 30 ;;
  *" get "*|*" describe "*|*" logs "*) echo "stand-in output of: kubectl $*" ;;
esac
exit 0
`,
  git: `#!/bin/sh
${record('git')}
case " $* " in
  *" rev-parse "*) echo '0123456789ab' ;;
  *" status --porcelain "*) cat "$FAKE_STATE/git-status" 2>/dev/null ;;
esac
exit 0
`,
};

/** Real programs the scripts and stand-ins need; everything else is absent from PATH. */
const REAL_TOOLS = ['bash', 'sh', 'cat', 'sleep', 'head', 'tail', 'mv', 'cp'];

export interface StandIns {
  /** Folder on PATH holding the stand-ins. */
  bin: string;
  /** Folder of calls.log and the scene files. */
  state: string;
  /** Writes a scene file, e.g. scene('clusters', 'flame\n'). */
  scene(file: string, content?: string): Promise<void>;
  /** Every recorded call, one string each ("kind create cluster --name flame ..."). */
  calls(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Makes stand-ins for `tools` (default all four); leave one out to test "missing tool". */
export async function makeStandIns(
  tools: readonly string[] = Object.keys(STAND_INS),
): Promise<StandIns> {
  const root = await mkdtemp(join(tmpdir(), 'flame-kind-test-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  await mkdir(bin);
  await mkdir(state);
  for (const tool of tools) {
    const script = STAND_INS[tool];
    if (script === undefined) throw new Error(`no stand-in for ${tool}`);
    await writeFile(join(bin, tool), script);
    await chmod(join(bin, tool), 0o755);
  }
  await symlink(process.execPath, join(bin, 'node'));
  for (const tool of REAL_TOOLS) await symlink(await whichReal(tool), join(bin, tool));
  return {
    bin,
    state,
    scene: (file, content = '') => writeFile(join(state, file), content),
    calls: async () => {
      const log = await readFile(join(state, 'calls.log'), 'utf8').catch(() => '');
      return log.split('\n').filter(Boolean);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

async function whichReal(tool: string): Promise<string> {
  for (const dir of ['/usr/bin', '/bin', '/usr/local/bin']) {
    const path = join(dir, tool);
    try {
      await readFile(path);
      return path;
    } catch {
      // not here
    }
  }
  throw new Error(`${tool} not found in /usr/bin or /bin`);
}

/**
 * One V8 compile cache for every script this test process starts: about a third less CPU
 * per run. Removed when the test process exits.
 */
let compileCache: string | undefined;
function sharedCompileCache(): string {
  if (compileCache === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'flame-kind-test-cache-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    compileCache = dir;
  }
  return compileCache;
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/<name>.ts with only the stand-ins (and a few real tools and node) on PATH. */
export function runScript(
  name: string,
  standIns: StandIns,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<ScriptRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      // Node's own type stripping, not tsx: the same code in half the start-up time.
      [join(REPO_ROOT, 'scripts', `${name}.ts`), ...args],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: standIns.bin,
          HOME: standIns.state,
          FAKE_STATE: standIns.state,
          NODE_NO_WARNINGS: '1',
          NODE_COMPILE_CACHE: sharedCompileCache(),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
