import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  Backoff,
  CodecRegistry,
  Watch,
  jsonCodec,
  NegotiationError,
  WatchExpiredError,
  WatchHttpError,
  cborCodec,
  compareResourceVersions,
  createRegistry,
  decodeStatusBody,
  isNewerResourceVersion,
  listObjects,
  watch,
  type WatchEvent,
} from 'watchwire';
import { FAST_BACKOFF, FORMATS, SignalLog, pod, podsUrl, rvOf, serverChanges, take, watchPods, withServer } from './helpers/replay-client.ts';

test('resourceVersion comparison agrees with BigInt order on decimal integers of any size (property)', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.bigInt({ min: 0n, max: 2n ** 80n }), (a, b) => {
      assert.equal(compareResourceVersions(String(a), String(b)), a < b ? -1 : a > b ? 1 : 0);
    }),
    { seed: 6001, numRuns: 2000 },
  );
  for (const bad of ['', '-1', '1.0', '1e3', ' 1', '01', '١٢']) assert.equal(compareResourceVersions(bad, '5'), undefined, bad);
});

test('resourceVersion comparison: decimal integers by value, opaque ones only by equality', () => {
  assert.equal(compareResourceVersions('9', '10'), -1);
  assert.equal(compareResourceVersions('18446744073709551615', '18446744073709551614'), 1);
  assert.equal(compareResourceVersions('abc', 'abd'), undefined);
  assert.equal(compareResourceVersions('007', '7'), undefined);
  assert.equal(isNewerResourceVersion('10', '9'), true);
  assert.equal(isNewerResourceVersion('9', '9'), false);
  assert.equal(isNewerResourceVersion('8', '9'), false);
  assert.equal(isNewerResourceVersion('x', 'y'), true);
  assert.equal(isNewerResourceVersion('x', 'x'), false);
});

test('backoff: grows by the factor from 800 ms to the 30 s cap, jitter only takes away, reset starts over', () => {
  const top = new Backoff({ random: () => 0 });
  assert.deepEqual(
    Array.from({ length: 8 }, () => top.next()),
    [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000],
  );
  const low = new Backoff({ random: () => 0.999999 });
  const lows = Array.from({ length: 8 }, () => low.next());
  assert.deepEqual(lows, [400, 800, 1600, 3200, 6400, 12800, 15000, 15000]);
  top.reset();
  assert.equal(top.next(), 800);
  const seq = [0.1, 0.7, 0.3];
  const jittered = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.2, random: () => seq.shift() ?? 0 });
  assert.deepEqual([jittered.next(), jittered.next(), jittered.next()], [98, 172, 376]);
  assert.throws(() => new Backoff({ jitter: 2 }), RangeError);
});

for (const format of FORMATS) {
  test(`negotiation through fetch: ${format} in, the same events as the server's changes out`, async () => {
    await withServer({ generate: { pods: 5 } }, async (server) => {
      const { w, signals, collect } = watchPods(server, { formats: [format], resourceVersion: '100' });
      const events = await collect((_e, all) => all.length === 5);
      assert.equal(signals.of('connected')[0]!.format, format);
      assert.deepEqual(events, serverChanges(server, 100));
      assert.equal(server.requests[0]!.accept, w.acceptHeader);
    });
  });

  test(`resume after a mid-frame drop without loss or duplicate (${format})`, async () => {
    // Drops at several points: inside the first frame, after 1, after 3, and at the first byte.
    const plans = [{ dropAfterEvents: 0 }, { dropAfterEvents: 1, dropAtByte: 1 }, { dropAfterEvents: 3 }];
    await withServer({ generate: { pods: 8 }, faults: (r) => plans[r.index] }, async (server) => {
      const { w, signals, collect } = watchPods(server, { formats: [format], resourceVersion: '100', backoff: FAST_BACKOFF });
      const events = await collect((e) => rvOf(e) === '108');
      assert.deepEqual(events, serverChanges(server, 100));
      assert.equal(signals.of('resumed').length, 3);
      // Each reconnection asked for the changes after the last event delivered.
      assert.deepEqual(
        server.requests.map((r) => new URL(r.url, server.url).searchParams.get('resourceVersion')),
        ['100', '100', '101', '104'],
      );
    });
  });
}

test('events at or before the last delivered resourceVersion are dropped, not delivered twice', async () => {
  await withServer({ generate: { pods: 6 }, faults: (r) => (r.index === 0 ? { dropAfterEvents: 4 } : undefined) }, async (server) => {
    // A real fetch whose second request asks from an older version, as a confused proxy or cache might.
    let calls = 0;
    const rewinding = (input: string, init: RequestInit): Promise<Response> => {
      const url = new URL(input);
      if (++calls === 2) url.searchParams.set('resourceVersion', '101');
      return fetch(url, init);
    };
    const { w, signals, collect } = watchPods(server, { fetch: rewinding, resourceVersion: '100', backoff: FAST_BACKOFF });
    const events = await collect((e) => rvOf(e) === '106');
    assert.deepEqual(events, serverChanges(server, 100));
    assert.deepEqual(signals.of('duplicate').map((s) => s.resourceVersion), ['102', '103', '104']);
    assert.equal(w.stats.duplicates, 3);
  });
});

test('410 as an ERROR event: expired signal, the caller re-lists, the watch goes on from the list version', async () => {
  await withServer({ generate: { pods: 3 } }, async (server) => {
    server.compact();
    const relists: string[] = [];
    const { w, signals, collect } = watchPods(server, {
      resourceVersion: '100',
      backoff: FAST_BACKOFF,
      relist: async ({ reason }) => {
        relists.push(reason);
        const list = await (await fetch(podsUrl(server))).json();
        setTimeout(() => server.append('ADDED', pod('after-relist')), 10);
        return list.metadata.resourceVersion as string;
      },
    });
    const events = await collect(() => true);
    assert.deepEqual(relists, ['expired']);
    assert.deepEqual(signals.types().filter((t) => ['expired', 'relist'].includes(t)), ['expired', 'relist']);
    assert.equal(signals.of('relist')[0]!.resourceVersion, '103');
    assert.equal(events[0]!.object.metadata?.name, 'after-relist');
    assert.equal(rvOf(events[0]!), '104');
  });
});

test('410 as an HTTP status, with onList: the client LISTs itself (same URL and selectors)', async () => {
  await withServer({ generate: { pods: 4, namespaces: ['x', 'y'] }, faults: (r) => (r.kind === 'watch' && r.index === 0 ? { status: { code: 410, reason: 'Gone' } } : undefined) }, async (server) => {
    const lists: { names: string[]; rv: string; reason: string }[] = [];
    const { collect } = watchPods(server, {
      url: `${podsUrl(server, 'x')}?labelSelector=app%3Dweb`,
      resourceVersion: '100',
      backoff: FAST_BACKOFF,
      onList: (list, reason) => {
        lists.push({ names: list.items.map((i) => `${i.kind}/${i.metadata?.name}`), rv: list.resourceVersion, reason });
        setTimeout(() => server.append('MODIFIED', { ...server.store.get('/pods', 'x', 'pod-0002')!, status: { phase: 'Failed' } }), 10);
      },
    });
    const events = await collect(() => true);
    assert.deepEqual(lists, [{ names: ['Pod/pod-0000', 'Pod/pod-0002'], rv: '104', reason: 'expired' }]);
    assert.equal(events[0]!.object.metadata?.name, 'pod-0002');
    const listRequest = server.requests.find((r) => r.kind === 'list')!;
    assert.equal(new URL(listRequest.url, server.url).searchParams.get('labelSelector'), 'app=web');
  });
});

test("onExpired 'initial-events': restart as a watch-list; no dedup until the end bookmark", async () => {
  await withServer({ generate: { pods: 3 } }, async (server) => {
    server.compact();
    const { w, signals, collect } = watchPods(server, { resourceVersion: '100', onExpired: 'initial-events', backoff: FAST_BACKOFF });
    const events = await collect((e) => e.type === 'BOOKMARK');
    assert.deepEqual(events.map((e) => `${e.type} ${rvOf(e)}`), ['ADDED 101', 'ADDED 102', 'ADDED 103', 'BOOKMARK 103']);
    assert.deepEqual(signals.of('restart'), [{ type: 'restart', reason: 'expired', sendInitialEvents: true }]);
    assert.equal(signals.of('initial-events-end')[0]!.resourceVersion, '103');
    assert.equal(new URL(server.requests.at(-1)!.url, server.url).searchParams.get('sendInitialEvents'), 'true');
  });
});

test('410 without any way to re-list: WatchExpiredError', async () => {
  await withServer({ generate: { pods: 2 } }, async (server) => {
    server.compact();
    await assert.rejects(async () => {
      for await (const _ of watch({ url: podsUrl(server), resourceVersion: '100' })) {
        // none
      }
    }, (e: unknown) => e instanceof WatchExpiredError && e.status?.code === 410 && e.resourceVersion === '100');
  });
});

test('a drop during a watch-list initial phase restarts it (no resume point yet)', async () => {
  await withServer({ generate: { pods: 4 }, faults: (r) => (r.index === 0 ? { dropAfterEvents: 2 } : undefined) }, async (server) => {
    const { w, signals, collect } = watchPods(server, { initialEvents: true, backoff: FAST_BACKOFF });
    const events = await collect((e) => e.type === 'BOOKMARK');
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata?.name ?? rvOf(e)}`), [
      'ADDED pod-0000',
      'ADDED pod-0001',
      'ADDED pod-0000',
      'ADDED pod-0001',
      'ADDED pod-0002',
      'ADDED pod-0003',
      'BOOKMARK 104',
    ]);
    assert.deepEqual(signals.of('restart'), [{ type: 'restart', reason: 'initial-state-incomplete', sendInitialEvents: true }]);
  });
});

test('429 honours Retry-After; 500 is retried with backoff', async () => {
  await withServer({
    generate: { pods: 2 },
    faults: (r) => (r.index === 0 ? { status: { code: 429, retryAfterSeconds: 1 } } : r.index === 1 ? { status: { code: 500 } } : undefined),
  }, async (server) => {
    const started = performance.now();
    const { w, signals, collect } = watchPods(server, { resourceVersion: '100', backoff: { initialMs: 50, random: () => 0 } });
    const events = await collect((_e, all) => all.length === 2);
    const elapsed = performance.now() - started;
    assert.equal(events.length, 2);
    assert.deepEqual(signals.of('backoff').map((b) => [b.reason, b.delayMs]), [['retry-after', 1000], ['error', 100]]);
    assert.ok(elapsed >= 1090, `waited ${elapsed} ms`);
    const errors = signals.of('error').map((s) => s.error as WatchHttpError);
    assert.deepEqual(errors.map((e) => [e.code, e.status?.reason, e.retryAfterMs]), [[429, 'TooManyRequests', 1000], [500, 'InternalError', undefined]]);
  });
});

for (const format of FORMATS) {
  test(`401/403/404/406 before the stream are typed errors with the Status (${format})`, async () => {
    for (const code of [401, 403, 404]) {
      await withServer({ faults: { status: { code, message: `no (${code})` } } }, async (server) => {
        await assert.rejects(
          async () => {
            for await (const _ of watch({ url: podsUrl(server), formats: [format] })) {
              // none
            }
          },
          (e: unknown) => e instanceof WatchHttpError && e.code === code && e.status?.code === code && e.status.message === `no (${code})`,
        );
      });
    }
  });
}

test('406 for a YAML-only watch is a WatchHttpError, not retried', async () => {
  await withServer({}, async (server) => {
    const signals = new SignalLog();
    await assert.rejects(async () => {
      for await (const _ of watch({ url: podsUrl(server), formats: ['yaml'], onSignal: signals.push })) {
        // none
      }
    }, (e: unknown) => e instanceof WatchHttpError && e.code === 406 && e.status?.reason === 'NotAcceptable');
    assert.equal(server.requests.length, 1);
    assert.deepEqual(signals.of('error').map((s) => s.willRetry), [false]);
  });
});

test('backoff grows and caps across consecutive failures, then resets after a healthy stream', async () => {
  await withServer({ generate: { pods: 1 }, faults: (r) => (r.index < 6 ? { status: { code: 503 } } : r.index === 6 ? { dropAfterEvents: 1 } : r.index === 7 ? { status: { code: 500 } } : undefined) }, async (server) => {
    const { w, signals, collect } = watchPods(server, {
      resourceVersion: '100',
      backoff: { initialMs: 2, maxMs: 16, jitter: 0, random: () => 0.5 },
    });
    setTimeout(() => server.append('ADDED', pod('late')), 300);
    await collect((e) => e.object.metadata?.name === 'late');
    // six 503s: 2, 4, 8, 16, 16, 16; the 7th connection delivered an event (healthy) then dropped: reset → 2; then a 500 → 4.
    assert.deepEqual(signals.of('backoff').map((b) => b.delayMs), [2, 4, 8, 16, 16, 16, 2, 4]);
  });
});

test('stall detection: no bytes for stallTimeoutMs → abort, stalled signal, resume', async () => {
  await withServer({ generate: { pods: 4 }, faults: (r) => (r.index === 0 ? { stallAfterEvents: 2 } : undefined) }, async (server) => {
    const { w, signals, collect } = watchPods(server, { resourceVersion: '100', stallTimeoutMs: 150, backoff: FAST_BACKOFF });
    const started = performance.now();
    const events = await collect((e) => rvOf(e) === '104');
    assert.ok(performance.now() - started >= 140);
    assert.deepEqual(events, serverChanges(server, 100));
    assert.deepEqual(signals.of('stalled'), [{ type: 'stalled', idleMs: 150 }]);
    assert.equal(w.stats.stalls, 1);
    assert.equal(signals.of('resumed')[0]!.resourceVersion, '102');
  });
});

test('a slow consumer is not a stall: the timer runs only while waiting for bytes', async () => {
  await withServer({ generate: { pods: 3 } }, async (server) => {
    const { w, signals, collect } = watchPods(server, { resourceVersion: '100', stallTimeoutMs: 60 });
    const events: WatchEvent[] = [];
    for await (const event of w) {
      events.push(event);
      await new Promise((r) => setTimeout(r, 100));
      if (events.length === 3) break;
    }
    assert.equal(events.length, 3);
    assert.deepEqual(signals.of('stalled'), []);
    assert.equal(w.stats.connections, 1);
  });
});

test('bookmarks move the resume point; a server-side timeout reconnects at once from there', async () => {
  await withServer({ generate: { pods: 2 }, bookmarkIntervalMs: 20 }, async (server) => {
    // Fractional timeoutSeconds (the replay server takes them; the URL builder keeps to integers).
    const { w, signals, collect } = watchPods(server, {
      resourceVersion: '100',
      fetch: (input, init) => fetch(input.replace('watch=1', 'watch=1&timeoutSeconds=0.1'), init),
    });
    // Another resource changes: the global version moves, and pod watchers learn it from a bookmark.
    setTimeout(() => server.append('ADDED', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', namespace: 'default' } }), 30);
    setTimeout(() => server.append('ADDED', pod('third')), 600);
    const events = await collect((e) => e.object.metadata?.name === 'third');
    // Bookmarks that do not move the version are not delivered again and again.
    assert.deepEqual(events.filter((e) => e.type === 'BOOKMARK').map(rvOf), ['103'], 'one bookmark, at the ConfigMap version');
    assert.equal(rvOf(events.at(-1)!), '104');
    const connecting = signals.of('connecting').map((s) => s.resourceVersion);
    assert.ok(connecting.length >= 3, JSON.stringify(signals.all.map((s) => [s.type, (s as { events?: number }).events, (s as { delayMs?: number }).delayMs])));
    assert.equal(connecting[0], '100');
    assert.ok(connecting.slice(2).every((rv) => rv === '103'), JSON.stringify(connecting));
    // Clean server-side ends after a healthy stream reconnect without waiting... unless the stream was empty.
    assert.ok(signals.of('disconnected').every((d) => d.reason === 'ended'));
  });
});

test('AbortSignal stops cleanly: mid-stream, while waiting for events, and during backoff; nothing left open', async () => {
  await withServer({ generate: { pods: 3 } }, async (server) => {
    // Mid-stream, with the consumer holding an event.
    const c1 = new AbortController();
    const seen: WatchEvent[] = [];
    for await (const event of watch({ url: podsUrl(server), resourceVersion: '100', signal: c1.signal })) {
      seen.push(event);
      c1.abort();
    }
    assert.equal(seen.length, 1);
    // While waiting for the next event (caught up, connection idle).
    const c2 = new AbortController();
    setTimeout(() => c2.abort(), 50);
    const all: WatchEvent[] = [];
    for await (const event of watch({ url: podsUrl(server), resourceVersion: '100', signal: c2.signal })) all.push(event);
    assert.equal(all.length, 3);
    // During a long backoff.
    server.setFaults({ status: { code: 503 } });
    const c3 = new AbortController();
    const started = performance.now();
    for await (const _ of watch({ url: podsUrl(server), signal: c3.signal, backoff: { initialMs: 60_000 }, onSignal: (s) => s.type === 'backoff' && c3.abort() })) {
      assert.fail('no events expected');
    }
    assert.ok(performance.now() - started < 2000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.activeWatches, 0);
  });
  // No timers or sockets of ours remain (the test process must be able to exit).
  await new Promise((r) => setTimeout(r, 20));
  const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap' && r !== 'FSReqCallback');
  assert.deepEqual(left.filter((r) => r === 'Timeout' || r === 'TCPSocketWrap' || r === 'TCPServerWrap'), []);
});

test('breaking out of the loop closes the connection', async () => {
  await withServer({ generate: { pods: 3 } }, async (server) => {
    for await (const _ of watch({ url: podsUrl(server), resourceVersion: '100' })) break;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.activeWatches, 0);
  });
});

test('start with relist when no resourceVersion is given; headers from a function on every request', async () => {
  await withServer({ generate: { pods: 2 } }, async (server) => {
    let tokens = 0;
    const controller = new AbortController();
    const w = watch({
      server: server.url,
      resource: { version: 'v1', resource: 'pods', namespace: 'default' },
      query: { labelSelector: { app: 'web' } },
      headers: () => ({ authorization: `Bearer t${++tokens}` }),
      signal: controller.signal,
      relist: async () => '101',
    });
    setTimeout(() => server.append('MODIFIED', { ...server.store.get('/pods', 'default', 'pod-0000')! }), 20);
    const events = await take(w, controller, (e) => e.type === 'MODIFIED');
    assert.deepEqual(events.map(rvOf), ['103']);
    const watchUrl = new URL(server.requests[0]!.url, server.url);
    assert.equal(watchUrl.pathname, '/api/v1/namespaces/default/pods');
    assert.equal(watchUrl.searchParams.get('resourceVersion'), '101');
    assert.equal(watchUrl.searchParams.get('labelSelector'), 'app=web');
    assert.equal(watchUrl.searchParams.get('allowWatchBookmarks'), 'true');
    assert.equal(tokens, 1);
  });
});

test('maxRetries: after that many consecutive failures the last error is thrown', async () => {
  await withServer({ faults: { status: { code: 503 } } }, async (server) => {
    const signals = new SignalLog();
    await assert.rejects(async () => {
      for await (const _ of watch({ url: podsUrl(server), maxRetries: 2, backoff: FAST_BACKOFF, onSignal: signals.push })) {
        // none
      }
    }, (e: unknown) => e instanceof WatchHttpError && e.code === 503);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(signals.of('error').map((s) => s.willRetry), [true, true, false]);
  });
});

test("a caller's URL keeps its resourceVersion, timeoutSeconds and selectors; query adds selectors", async () => {
  await withServer({ generate: { pods: 4 } }, async (server) => {
    const { collect } = watchPods(server, { url: `${podsUrl(server)}?resourceVersion=101&timeoutSeconds=30&fieldSelector=metadata.namespace%3Ddefault`, query: { labelSelector: { app: 'web' } } });
    const events = await collect((_e, all) => all.length === 1);
    assert.deepEqual(events.map(rvOf), ['103']);
    const sent = new URL(server.requests[0]!.url, server.url).searchParams;
    assert.deepEqual(
      [sent.get('resourceVersion'), sent.get('timeoutSeconds'), sent.get('fieldSelector'), sent.get('labelSelector')],
      ['101', '30', 'metadata.namespace=default', 'app=web'],
    );
  });
});

test('new Watch() takes only the codecs it is given; watch() offers every built-in codec', async () => {
  assert.throws(() => new Watch({ url: 'http://127.0.0.1:1/api/v1/pods' } as ConstructorParameters<typeof Watch>[0]), TypeError);
  await withServer({ generate: { pods: 2 } }, async (server) => {
    const asked: string[] = [];
    const spying = (input: string, init: RequestInit): Promise<Response> => {
      asked.push(new Headers(init.headers).get('accept') ?? '');
      return fetch(input, init);
    };
    for (const w of [
      new Watch({ url: podsUrl(server), registry: new CodecRegistry([jsonCodec]), fetch: spying, resourceVersion: '100' }),
      watch({ url: podsUrl(server), fetch: spying, resourceVersion: '100' }),
    ]) {
      // Leaving the loop ends the watch (return() aborts its connection).
      for await (const event of w) {
        assert.equal(event.object.kind, 'Pod');
        break;
      }
    }
    assert.equal(asked[0], 'application/json');
    assert.match(asked[1]!, /^application\/vnd\.kubernetes\.protobuf.*application\/cbor.*application\/json/);
  });
});

for (const format of [...FORMATS, 'yaml'] as const) {
  test(`listObjects in ${format}: the server answers that format, every page read, the items JSON gives; limit reads one page`, async () => {
    await withServer({ generate: { pods: 7 }, faults: (r) => (r.kind === 'list' && r.url.searchParams.get('labelSelector') === 'nope' ? { status: { code: 403, message: 'no lists' } } : undefined) }, async (server) => {
      const registry = createRegistry();
      const answered: string[] = [];
      const spying = async (input: string, init: RequestInit): Promise<Response> => {
        const response = await fetch(input, init);
        answered.push(response.headers.get('content-type') ?? '');
        return response;
      };
      const json = await listObjects({ url: podsUrl(server), registry });
      const list = await listObjects({ url: podsUrl(server), registry, formats: [format], pageSize: 3, fetch: spying });
      assert.equal(answered.length, 3, 'three pages of 3, 3 and 1');
      assert.ok(answered.every((type) => registry.forObjectContentType(type).name === format), answered.join(', '));
      assert.equal(list.items.length, 7);
      assert.deepEqual(list, json);
      assert.equal(list.items[0]!.kind, 'Pod');

      const first = await listObjects({ url: podsUrl(server), registry, formats: [format], limit: 4 });
      assert.deepEqual(first.items.map((i) => i.metadata?.name), json.items.slice(0, 4).map((i) => i.metadata?.name));
      assert.equal(typeof first.continue, 'string');
      const rest = await listObjects({ url: podsUrl(server), registry, formats: [format], continue: first.continue! });
      assert.deepEqual([...first.items, ...rest.items], json.items);
      assert.equal(rest.continue, undefined);

      // A refused LIST: the Status comes in the format asked for, and the error carries it.
      await assert.rejects(
        listObjects({ url: `${podsUrl(server)}?labelSelector=nope`, registry, formats: [format] }),
        (e: unknown) => e instanceof WatchHttpError && e.code === 403 && e.status?.message === 'no lists',
      );
    });
  });
}

test('the client imports no format: a registry of one codec is all listObjects and status bodies use', async () => {
  const onlyCbor = new CodecRegistry([cborCodec]);
  assert.equal(onlyCbor.acceptObjects(['cbor']), 'application/cbor');
  assert.equal(createRegistry().acceptObjects(['protobuf', 'cbor', 'json']), 'application/vnd.kubernetes.protobuf, application/cbor;q=0.9, application/json;q=0.8');
  assert.equal(createRegistry().forObjectContentType('application/cbor').name, 'cbor');
  assert.equal(createRegistry().forObjectContentType('application/vnd.kubernetes.protobuf').name, 'protobuf');
  assert.throws(() => onlyCbor.forObjectContentType('application/vnd.kubernetes.protobuf'), NegotiationError);
  await withServer({ generate: { pods: 2 } }, async (server) => {
    const list = await listObjects({ url: podsUrl(server), registry: onlyCbor });
    assert.equal(server.requests.at(-1)!.accept, 'application/cbor');
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['pod-0000', 'pod-0001']);
  });
  // A Status body in JSON is read whatever the registry holds (proxies answer JSON to anything).
  const json = new TextEncoder().encode('{"kind":"Status","code":503,"reason":"ServiceUnavailable"}');
  assert.equal(decodeStatusBody(onlyCbor, 'application/json', json)?.code, 503);
  assert.equal(decodeStatusBody(onlyCbor, 'text/html', new TextEncoder().encode('<html>')), undefined);
});
