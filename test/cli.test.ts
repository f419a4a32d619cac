/**
 * The CLI contract (other tools script against it), by running the built
 * `node dist/cli/main.js` as a user would: decode/encode/transcode, exit codes
 * 0/1/2, one error line `watchwire: CODE at frame I (byte OFFSET): DETAIL`
 * after every event decoded before the fault, --stats also after a failure.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type WatchEvent, encodeAll, jsonCodec, protobufCodec, yamlCodec } from 'watchwire';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'watchwire-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], stdin: string | Uint8Array = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading everything
    child.stdin.end(stdin);
  });
}

const ev = (n: number): WatchEvent => ({
  type: n % 3 === 2 ? 'DELETED' : 'ADDED',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${n}`, namespace: 'ns', resourceVersion: String(100 + n), creationTimestamp: '2024-01-02T03:04:05Z' } },
});
const events = (count: number) => Array.from({ length: count }, (_, i) => ev(i));
const jsonLines = (list: WatchEvent[]) => list.map((e) => JSON.stringify(e) + '\n').join('');
const parseLines = (text: string) => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);
const ERROR_LINE = /^watchwire: ([a-z-]+) at frame (\d+) \(byte (\d+)\): \S.*$/;

/** stderr is exactly one error line with this code, frame and offset, and no stack trace. */
function assertErrorLine(stderr: string, code: string, frame: number, offset: number): void {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `stderr: ${stderr}`);
  const m = ERROR_LINE.exec(lines[0]!);
  assert.ok(m, `stderr: ${lines[0]}`);
  assert.deepStrictEqual([m[1], Number(m[2]), Number(m[3])], [code, frame, offset]);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('watchwire decode', () => {
  test('JSON from stdin and from FILE: one JSON event per line', async () => {
    const input = jsonLines(events(5));
    const fromStdin = await cli(['decode', '--content-type', 'json'], input);
    assert.deepStrictEqual([fromStdin.code, fromStdin.stderr], [0, '']);
    assert.equal(fromStdin.stdout, input);
    const file = join(dir, 'watch.json');
    writeFileSync(file, input);
    const fromFile = await cli(['decode', '--content-type', 'application/json; charset=utf-8', file]);
    assert.deepStrictEqual([fromFile.code, fromFile.stdout], [0, input]);
  });

  test('YAML (kubectl --output-watch-events) from FILE and stdin', async () => {
    const yaml = encodeAll(yamlCodec, events(4));
    const file = join(dir, 'watch.yaml');
    writeFileSync(file, yaml);
    for (const r of [await cli(['decode', '--content-type', 'yaml', file]), await cli(['decode', '--content-type', 'application/yaml'], yaml)]) {
      assert.equal(r.code, 0, r.stderr);
      assert.deepStrictEqual(parseLines(r.stdout), events(4));
    }
  });

  test('--objects prints one bare object per line (YAML documents, pretty JSON documents)', async () => {
    const objects = events(3).map((e) => e.object);
    const yaml = objects.map((o, i) => (i ? '---\n' : '') + `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${o.metadata!.name}\n`).join('');
    const r = await cli(['decode', '--content-type', 'yaml', '--objects'], yaml);
    assert.equal(r.code, 0, r.stderr);
    assert.deepStrictEqual(parseLines(r.stdout), objects.map((o) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: o.metadata!.name } })));
    const json = await cli(['decode', '--content-type', 'json', '--objects'], objects.map((o) => JSON.stringify(o, null, 2)).join('\n'));
    assert.equal(json.code, 0, json.stderr);
    assert.deepStrictEqual(parseLines(json.stdout), objects);
  });

  test('--output none decodes without printing; --stats prints one JSON line on stderr', async () => {
    const input = jsonLines(events(7));
    const r = await cli(['decode', '--content-type', 'json', '--output', 'none', '--stats'], input);
    assert.deepStrictEqual([r.code, r.stdout], [0, '']);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1);
    const stats = JSON.parse(lines[0]!) as Record<string, number>;
    assert.deepStrictEqual(Object.keys(stats), ['events', 'bytes', 'seconds']);
    assert.equal(stats.events, 7);
    assert.equal(stats.bytes, Buffer.byteLength(input));
    assert.ok(typeof stats.seconds === 'number' && stats.seconds >= 0);
  });

  test('bad JSON: events before the fault first, then exit 1 with one error line and no stack', async () => {
    const good = jsonLines(events(3));
    const r = await cli(['decode', '--content-type', 'json'], good + '{"type":"ADDED","object":{]}\n' + jsonLines(events(2)));
    assert.equal(r.code, 1);
    assert.deepStrictEqual(parseLines(r.stdout), events(3));
    assertErrorLine(r.stderr, 'invalid-json', 3, Buffer.byteLength(good));
  });

  test('bad YAML and a truncated JSON stream', async () => {
    const yaml = new TextDecoder().decode(encodeAll(yamlCodec, events(2)));
    const r = await cli(['decode', '--content-type', 'yaml'], yaml + '---\ntype: ADDED\nobject: {metadata: [unclosed\n');
    assert.equal(r.code, 1);
    assert.deepStrictEqual(parseLines(r.stdout), events(2));
    assertErrorLine(r.stderr, 'invalid-yaml', 2, Buffer.byteLength(yaml));
    const good = jsonLines(events(2));
    const t = await cli(['decode', '--content-type', 'json'], good + JSON.stringify(ev(2)).slice(0, 30));
    assert.equal(t.code, 1);
    assert.deepStrictEqual(parseLines(t.stdout), events(2));
    assertErrorLine(t.stderr, 'truncated', 2, Buffer.byteLength(good));
  });

  test('--stats is printed after a failure too', async () => {
    const r = await cli(['decode', '--content-type', 'json', '--stats'], jsonLines(events(2)) + 'nope\n');
    assert.equal(r.code, 1);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 2, r.stderr);
    assert.equal((JSON.parse(lines[0]!) as { events: number }).events, 2);
    assert.match(lines[1]!, ERROR_LINE);
  });

  test('hostile input ends with exit 1 and one line: deep nesting, alias bombs, frames over --max-frame-bytes', async () => {
    const deep = await cli(['decode', '--content-type', 'json'], `{"type":"ADDED","object":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}\n`);
    assert.equal(deep.code, 1);
    assertErrorLine(deep.stderr, 'nesting-too-deep', 0, 0);
    let bomb = 'type: ADDED\nobject:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 9; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      bomb += `  ${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    }
    const started = performance.now();
    const b = await cli(['decode', '--content-type', 'yaml'], bomb);
    assert.ok(performance.now() - started < 5000);
    assert.equal(b.code, 1);
    assertErrorLine(b.stderr, 'limit-exceeded', 0, 0);
    const first = JSON.stringify(ev(0)) + '\n';
    const big = await cli(['decode', '--content-type', 'json', '--max-frame-bytes', '300'], first + JSON.stringify({ type: 'ADDED', object: { data: 'x'.repeat(500) } }) + '\n');
    assert.equal(big.code, 1);
    assert.deepStrictEqual(parseLines(big.stdout), [ev(0)]);
    assertErrorLine(big.stderr, 'frame-too-large', 1, Buffer.byteLength(first));
  });

  test('--skip-bad-frames goes on after a bad JSON line', async () => {
    const r = await cli(['decode', '--content-type', 'json', '--skip-bad-frames'], jsonLines(events(2)) + 'nope\n' + jsonLines([ev(5)]));
    assert.equal(r.code, 0, r.stderr);
    assert.deepStrictEqual(parseLines(r.stdout), [...events(2), ev(5)]);
  });

  test('usage errors exit 2: unknown flag, unknown or missing content type, bad number, unknown command', async () => {
    for (const args of [
      ['decode', '--content-type', 'json', '--bogus'],
      ['decode', '--content-type', 'xml'],
      ['decode', '--content-type', 'text/html'],
      ['decode'],
      ['decode', '--content-type', 'json', '--max-frame-bytes', '12k'],
      ['decode', '--content-type', 'json', '--output', 'yaml'],
      ['encode', '--content-type', 'nope'],
      ['transcode', '--from', 'json'],
      ['frobnicate'],
    ]) {
      const r = await cli(args, '');
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^watchwire: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(r.stdout, '');
    }
  });

  test('--protobuf-tier: every tier prints the same events, from FILE and stdin; a bad value or another format is a usage error', async () => {
    const input = encodeAll(protobufCodec, events(7));
    const file = join(dir, 'watch.pb');
    writeFileSync(file, input);
    // What protobuf gives back (Go's zero structs added): the same events by name, whatever the tier.
    const reference = await cli(['decode', '--content-type', 'protobuf'], input);
    const expected = reference.stdout;
    assert.deepStrictEqual(
      parseLines(expected).map((e) => (e as WatchEvent).object.metadata?.name),
      events(7).map((e) => e.object.metadata?.name),
    );
    for (const tier of [undefined, 'auto', 'table', 'compiled']) {
      const flags = tier === undefined ? [] : ['--protobuf-tier', tier];
      for (const [args, stdin] of [[[file], ''], [[], input]] as const) {
        const run = await cli(['decode', '--content-type', 'protobuf', ...flags, ...args], stdin);
        assert.deepStrictEqual([run.code, run.stderr, run.stdout], [0, '', expected], `tier ${tier} ${args.length > 0 ? 'FILE' : 'stdin'}`);
      }
    }
    const viaMediaType = await cli(['decode', '--content-type', 'application/vnd.kubernetes.protobuf;stream=watch', '--protobuf-tier', 'table', file]);
    assert.deepStrictEqual([viaMediaType.code, viaMediaType.stdout], [0, expected]);
    const badValue = await cli(['decode', '--content-type', 'protobuf', '--protobuf-tier', 'fast', file]);
    assert.equal(badValue.code, 2);
    assert.match(badValue.stderr, /--protobuf-tier must be auto, table or compiled/);
    const otherFormat = await cli(['decode', '--content-type', 'json', '--protobuf-tier', 'table'], jsonLines(events(1)));
    assert.equal(otherFormat.code, 2);
    assert.match(otherFormat.stderr, /--protobuf-tier applies to protobuf, not json/);
  });

  test('a missing FILE is exit 1 with one line', async () => {
    const r = await cli(['decode', '--content-type', 'json', join(dir, 'absent.json')]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1);
    assert.match(r.stderr, /^watchwire: .*absent\.json/);
  });
});

describe('watchwire encode and transcode', () => {
  test('encode JSON events to YAML writes kubectl output; transcode back gives the events', async () => {
    const input = jsonLines(events(4));
    const yaml = await cli(['encode', '--content-type', 'yaml'], input);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.equal(yaml.stdout, new TextDecoder().decode(encodeAll(yamlCodec, events(4))));
    assert.ok(!yaml.stdout.startsWith('---'));
    // YAML sorts keys; the events are the same.
    const back = await cli(['transcode', '--from', 'yaml', '--to', 'json'], yaml.stdout);
    assert.equal(back.code, 0, back.stderr);
    assert.deepStrictEqual(parseLines(back.stdout), events(4));
  });

  test('transcode json -> yaml -> json is the identity; encode json is canonical JSON lines', async () => {
    const input = jsonLines(events(6));
    const yaml = await cli(['transcode', '--from', 'application/json', '--to', 'application/yaml'], input);
    assert.equal(yaml.code, 0, yaml.stderr);
    const json = await cli(['transcode', '--from', 'yaml', '--to', 'json'], yaml.stdout);
    assert.equal(json.code, 0, json.stderr);
    assert.deepStrictEqual(parseLines(json.stdout), events(6));
    const reordered = events(2).map((e) => JSON.stringify({ object: e.object, type: e.type })).join('\n');
    const canonical = await cli(['encode', '--content-type', 'json'], reordered);
    assert.deepStrictEqual([canonical.code, canonical.stdout], [0, new TextDecoder().decode(encodeAll(jsonCodec, events(2)))]);
  });

  test('encode with bad input: what came before is written, then exit 1 with one line', async () => {
    const r = await cli(['encode', '--content-type', 'yaml'], jsonLines(events(1)) + '{"type":"NOPE","object":{}}\n');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, new TextDecoder().decode(encodeAll(yamlCodec, events(1))));
    assertErrorLine(r.stderr, 'unknown-event-type', 1, Buffer.byteLength(jsonLines(events(1))));
  });

  test('a reader that closes stdout early is not a failure', async () => {
    const child = spawn(process.execPath, [MAIN, 'decode', '--content-type', 'json'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.on('error', () => {});
    child.stdin.end(jsonLines(events(20_000)));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
  });
});
