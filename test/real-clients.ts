/**
 * Shared by the real-client tests (test/real-*.test.ts): `watchwire serve`
 * as a child process, and where the clients nobody on this project wrote
 * are installed. A client that is not installed makes its tests skip with
 * the reason (`.ci/run` installs them; see README "Use it with kubectl /
 * Python / client-node").
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
/** Where .ci/run (scripts/install-real-clients.sh) unpacks Debian's kubernetes-client. */
export const CACHED_KUBECTL = fileURLToPath(new URL('../node_modules/.cache/watchwire-kubectl/usr/bin/kubectl', import.meta.url));

export interface Serve {
  url: string;
  banner: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `watchwire serve ARGS` and resolves once its banner names the URL. */
export function startServe(args: readonly string[]): Promise<Serve> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${out}${err}`));
    }, 15_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /replay server on (http:\/\/[^ ]+) /.exec(out);
      // The banner is written at once; wait for its last line.
      if (match && out.endsWith('\n')) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          banner: out,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('close', () => done());
              child.kill('SIGINT');
            }),
        });
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${out}${err}`));
    });
  });
}

/** Runs a program to completion; never rejects (the result says what happened). */
export function run(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(e) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A kubectl found on this machine: its path and `kubectl version --client` line. */
export interface Kubectl {
  path: string;
  version: string;
}

function clientVersion(path: string): string | undefined {
  try {
    const out = execFileSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
  } catch {
    return undefined;
  }
}

/**
 * Every working kubectl: `$WATCHWIRE_KUBECTL` (colon-separated paths), the
 * Debian kubernetes-client .ci/run unpacks, and `kubectl` on the PATH
 * (each binary once).
 */
export function findKubectls(): Kubectl[] {
  const candidates = [...(process.env.WATCHWIRE_KUBECTL ?? '').split(':'), CACHED_KUBECTL, ...(process.env.PATH ?? '').split(':').map((dir) => `${dir}/kubectl`)];
  const seen = new Set<string>();
  const found: Kubectl[] = [];
  for (const candidate of candidates) {
    if (candidate === '' || !existsSync(candidate)) continue;
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const version = clientVersion(candidate);
    if (version !== undefined) found.push({ path: candidate, version });
  }
  return found;
}

/**
 * The Python that has Debian's python3-kubernetes: `$WATCHWIRE_PYTHON`, else
 * /usr/bin/python3 (not a pyenv python3 that may come first on the PATH).
 * Undefined, with the reason, when none imports `kubernetes`.
 */
export function findPython(): { python: string; version: string } | { reason: string } {
  const python = process.env.WATCHWIRE_PYTHON ?? '/usr/bin/python3';
  try {
    const version = execFileSync(python, ['-c', 'import kubernetes; print(kubernetes.__version__)'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    return { python, version };
  } catch (e) {
    return { reason: `${python} cannot import kubernetes (apt-get install python3-kubernetes; .ci/run does): ${String((e as Error).message).split('\n')[0]}` };
  }
}
