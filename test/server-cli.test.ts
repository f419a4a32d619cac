/** `watchwire demo` (npm start), `watchwire watch` and `watchwire serve` as a user runs them. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startReplayServer } from 'watchwire/server';
import { podsUrl } from './helpers/replay-client.ts';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function run(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('demo: every servable format through the replay server, a drop and a resume, the same events, exits 0 by itself', async () => {
  const started = performance.now();
  const { code, stdout, stderr } = await run(['demo']);
  assert.equal(code, 0, stderr);
  assert.ok(performance.now() - started < 15_000);
  const sections = stdout.split(/^# /m).filter((s) => s !== '');
  const formats = sections.map((s) => s.split(':')[0]);
  assert.deepEqual([...formats].sort(), ['cbor', 'json', 'protobuf']);
  const eventLines = sections.map((s) => s.split('\n').filter((l) => /^ {2}(ADDED|MODIFIED|DELETED)/.test(l)));
  for (const lines of eventLines) {
    assert.equal(lines.length, 8);
    assert.deepEqual(lines, eventLines[0]);
  }
  const stats = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert.equal(stats.length, 3);
  for (const s of stats) {
    assert.equal(s.events, 8);
    assert.equal(s.connections, 2);
    assert.equal(s.duplicates, 0);
  }
  assert.equal((stdout.match(/# resumed after rv=1003/g) ?? []).length, 3);
});

test('watch URL prints events and a stats line; a refused watch exits 1 with the Status message', async () => {
  const server = await startReplayServer({ generate: { pods: 3 } });
  try {
    const ok = await run(['watch', podsUrl(server), '--format', 'cbor', '--resource-version', '100', '--max-events', '3']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(ok.stdout.trim().split('\n'), ['ADDED    Pod default/pod-0000 rv=101', 'ADDED    Pod default/pod-0001 rv=102', 'ADDED    Pod default/pod-0002 rv=103']);
    assert.match(ok.stderr, /# connected: cbor \(application\/cbor-seq\)/);
    assert.equal(JSON.parse(ok.stderr.trim().split('\n').at(-1)!).events, 3);
    // The default formats: protobuf first, its groups loaded as the stream needs them.
    const protobuf = await run(['watch', podsUrl(server), '--resource-version', '100', '--max-events', '3']);
    assert.equal(protobuf.code, 0, protobuf.stderr);
    assert.deepEqual(protobuf.stdout, ok.stdout);
    assert.match(protobuf.stderr, /# connected: protobuf \(application\/vnd\.kubernetes\.protobuf;stream=watch\)/);
    const refused = await run(['watch', podsUrl(server), '--format', 'yaml']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 406 Not Acceptable/);
    const usage = await run(['watch']);
    assert.equal(usage.code, 2);
  } finally {
    await server.close();
  }
});

test('serve listens on loopback, answers a LIST, and stops on SIGINT', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', '--pods', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /replay server on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('close', () => reject(new Error(`serve exited: ${out}`)));
    });
    const list = await (await fetch(`${url}/api/v1/pods`)).json();
    assert.equal(list.items.length, 2);
  } finally {
    const closed = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    assert.equal(await closed, 0);
  }
});
