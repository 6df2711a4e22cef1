/**
 * The loopback Earth Engine simulator's list, time-based cancellation, quota enforcement and bulk helpers, over real
 * HTTP on loopback, and the plain-Node benchmark baseline (bench/baseline.ts) against it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startFakeEarthEngine,
  type FakeEarthEngine,
  type OperationScript,
  type QuotaOptions,
} from '../support/fake-earth-engine';
import { runBaseline } from '../../bench/baseline';
import type { EeOperation } from '../../src/shared';

const TOKEN = 'ya29.unit-test-token';
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

interface GoogleErrorJson {
  code: number;
  message: string;
  status: string;
  details?: { '@type'?: string; retryDelay?: string }[];
}

/** An Operation, a list page or an AIP-193 error. */
interface Body extends Omit<EeOperation, 'error'> {
  operations?: EeOperation[];
  nextPageToken?: string;
  error?: GoogleErrorJson;
}

interface Answer {
  status: number;
  body: Body;
}

async function request(
  ee: FakeEarthEngine,
  path: string,
  init: { method?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${ee.apiUrl}/${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? TOKEN}`, ...init.headers },
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Body };
}

const get = (ee: FakeEarthEngine, name: string) => request(ee, name);
const cancel = (ee: FakeEarthEngine, name: string) => request(ee, `${name}:cancel`, { method: 'POST' });
const list = (ee: FakeEarthEngine, project: string, query: Record<string, string> = {}) =>
  request(
    ee,
    `projects/${project}/operations${Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}`,
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every page of a project's operations, following nextPageToken. */
async function listAll(ee: FakeEarthEngine, project: string, pageSize?: number): Promise<EeOperation[][]> {
  const pages: EeOperation[][] = [];
  let pageToken: string | undefined;
  do {
    const answer = await list(ee, project, {
      ...(pageSize !== undefined && { pageSize: String(pageSize) }),
      ...(pageToken && { pageToken }),
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    pages.push(answer.body.operations ?? []);
    pageToken = answer.body.nextPageToken;
    assert.ok(pages.length <= 100, 'paging must end');
  } while (pageToken !== undefined);
  return pages;
}

function retryDelayOf(body: Body): string | undefined {
  return body.error?.details?.find((d) => d['@type'] === RETRY_INFO)?.retryDelay;
}

function seconds(delay: string | undefined): number {
  assert.match(delay ?? '', /^\d+(\.\d+)?s$/, `a google.protobuf.Duration, got ${delay}`);
  return Number(delay!.slice(0, -1));
}

async function withEe<T>(
  run: (ee: FakeEarthEngine) => Promise<T>,
  quota?: QuotaOptions,
  expectedToken = () => TOKEN,
): Promise<T> {
  const ee = await startFakeEarthEngine({ expectedToken, ...(quota && { quota }) });
  try {
    return await run(ee);
  } finally {
    await ee.close();
  }
}

describe('list', () => {
  let ee: FakeEarthEngine;
  const names: string[] = [];
  before(async () => {
    ee = await startFakeEarthEngine({ expectedToken: () => TOKEN });
    // Interleave the projects so that insertion order differs from per-project order only by the other project.
    for (let i = 0; i < 250; i++) {
      const name = `projects/paging/operations/T${String(i).padStart(4, '0')}-${(i * 7919) % 1000}`;
      names.push(name);
      ee.addOperation(name, {
        state: i % 3 === 0 ? 'PENDING' : 'RUNNING',
        ...(i % 10 === 9 && { done: true, state: 'SUCCEEDED' }),
      });
      if (i % 50 === 0) ee.addOperation(`projects/paging-other/operations/X${i}`, { state: 'RUNNING' });
    }
    ee.addOperation('projects/pagin/operations/PREFIX', { state: 'RUNNING' });
  });
  after(async () => {
    await ee?.close();
  });

  test('pages through 250 operations by 100: 3 pages, every name once, in insertion order', async () => {
    const before = ee.listCalls();
    const pages = await listAll(ee, 'paging', 100);
    assert.deepEqual(
      pages.map((p) => p.length),
      [100, 100, 50],
    );
    assert.deepEqual(
      pages.flat().map((o) => o.name),
      names,
    );
    assert.equal(ee.listCalls() - before, 3);
  });

  test('renders operations like get does (proto3 JSON: no done:false, exactly one of error/response when done)', async () => {
    const [first] = await listAll(ee, 'paging', 10);
    const listed = first![0]!;
    assert.equal('done' in listed, false);
    assert.deepEqual(listed, (await get(ee, names[0]!)).body);
    const done = first![9]!;
    assert.equal(done.done, true);
    assert.equal(done.metadata?.state, 'SUCCEEDED');
    assert.ok('response' in done && !('error' in done));
    assert.deepEqual(done, (await get(ee, names[9]!)).body);
  });

  test('the last page has no nextPageToken; a page size of exactly the count needs no second page', async () => {
    const answer = await list(ee, 'paging', { pageSize: '250' });
    assert.equal(answer.body.operations?.length, 250);
    assert.equal('nextPageToken' in answer.body, false);
    const last = await list(ee, 'paging', { pageSize: '249' });
    const next = await list(ee, 'paging', { pageSize: '249', pageToken: last.body.nextPageToken! });
    assert.deepEqual(
      next.body.operations?.map((o: EeOperation) => o.name),
      [names[249]],
    );
    assert.equal('nextPageToken' in next.body, false);
  });

  test('lists only that project: not another project, not a project whose name is a prefix', async () => {
    const listed = (await listAll(ee, 'paging', 1000)).flat().map((o) => o.name!);
    assert.equal(listed.length, 250);
    assert.ok(listed.every((n) => n.startsWith('projects/paging/operations/')));
    const other = (await listAll(ee, 'paging-other')).flat().map((o) => o.name);
    assert.deepEqual(
      other,
      ['X0', 'X50', 'X100', 'X150', 'X200'].map((id) => `projects/paging-other/operations/${id}`),
    );
    assert.deepEqual(
      (await listAll(ee, 'pagin')).flat().map((o) => o.name),
      ['projects/pagin/operations/PREFIX'],
    );
  });

  test('a project without operations lists as {} (proto3 omits empty fields)', async () => {
    const answer = await list(ee, 'nobody-here');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {});
  });

  test('pageSize: default 100, clamped to 1000, negative or not a number is a 400', async () => {
    await withEe(async (big) => {
      const added = big.addOperations('big', 1200, () => ({ state: 'RUNNING' }));
      const byDefault = await list(big, 'big');
      assert.equal(byDefault.body.operations?.length, 100);
      const zero = await list(big, 'big', { pageSize: '0' });
      assert.equal(zero.body.operations?.length, 100);
      const clamped = await list(big, 'big', { pageSize: '5000' });
      assert.equal(clamped.body.operations?.length, 1000);
      const rest = await list(big, 'big', { pageSize: '5000', pageToken: clamped.body.nextPageToken! });
      assert.equal(rest.body.operations?.length, 200);
      assert.equal(rest.body.nextPageToken, undefined);
      assert.deepEqual(
        [...clamped.body.operations, ...rest.body.operations].map((o: EeOperation) => o.name),
        added,
      );
      for (const bad of ['-1', 'ten', '1.5']) {
        const answer = await list(big, 'big', { pageSize: bad });
        assert.equal(answer.status, 400, bad);
        assert.equal(answer.body.error?.status, 'INVALID_ARGUMENT');
      }
    });
  });

  test('an invalid pageToken is a 400 INVALID_ARGUMENT: garbage, forged, out of range, or another project’s', async () => {
    const first = await list(ee, 'paging', { pageSize: '100' });
    const otherToken = (await list(ee, 'paging-other', { pageSize: '2' })).body.nextPageToken as string;
    assert.equal(typeof otherToken, 'string');
    const forged = (o: unknown) => Buffer.from(JSON.stringify({ p: 'paging', o })).toString('base64url');
    for (const pageToken of [
      'garbage!',
      'not-a-token',
      Buffer.from('100').toString('base64'),
      forged(-1),
      forged(0),
      forged(250),
      forged(10_000),
      forged(1.5),
      forged('100'),
      `${first.body.nextPageToken}x`,
      otherToken,
    ]) {
      const answer = await list(ee, 'paging', { pageToken });
      assert.equal(answer.status, 400, `pageToken ${pageToken}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error?.status, 'INVALID_ARGUMENT');
      assert.equal(answer.body.error?.code, 400);
    }
    assert.equal((await list(ee, 'paging', { pageToken: forged(100) })).status, 200, 'a well-formed token works');
  });

  test('filter is accepted, ignored and recorded in the request log; unknown parameters are a 400', async () => {
    const filter = 'metadata.state = "RUNNING"';
    const answer = await list(ee, 'paging', { pageSize: '1000', filter });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.operations?.length, 250, 'done and PENDING operations are listed too');
    const logged = ee.requests.at(-1)!;
    assert.equal(logged.filter, filter);
    assert.ok(logged.path.includes('filter='));
    const unknown = await list(ee, 'paging', { orderBy: 'name' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error?.message ?? '', /orderBy/);
  });

  test('get and cancel paths with a query string are still a 404; POST on the list path is a 404', async () => {
    assert.equal((await request(ee, `${names[0]}?alt=json`)).status, 404);
    assert.equal((await request(ee, `${names[1]}:cancel?x=1`, { method: 'POST' })).status, 404);
    assert.equal((await request(ee, 'projects/paging/operations', { method: 'POST' })).status, 404);
    assert.equal(ee.calls(names[1]!).cancel, 0);
  });

  test('listing needs the token and counts only lists that reached the method', async () => {
    const before = ee.listCalls();
    const denied = await request(ee, 'projects/paging/operations', { token: 'wrong' });
    assert.equal(denied.status, 401);
    assert.equal(ee.listCalls(), before);
  });
});

describe('list does not advance operations', () => {
  test('after an accepted cancel, lists show the operation as the last get left it; only get advances', async () => {
    await withEe(async (ee) => {
      const name = 'projects/adv/operations/A1';
      ee.addOperation(name, { state: 'RUNNING', onCancel: 'honour', effectAfterReads: 2 });
      assert.equal((await cancel(ee, name)).status, 200);
      for (let i = 0; i < 5; i++) {
        const [op] = (await list(ee, 'adv')).body.operations as EeOperation[];
        assert.equal(op!.done, undefined, `list ${i} must not finish it`);
      }
      assert.deepEqual(ee.calls(name), { get: 0, cancel: 1 });
      const first = await get(ee, name);
      assert.equal(first.body.metadata?.state, 'CANCELLING');
      const [listed] = (await list(ee, 'adv')).body.operations as EeOperation[];
      assert.equal(listed!.metadata?.state, 'CANCELLING');
      assert.equal(listed!.done, undefined);
      const second = await get(ee, name);
      assert.equal(second.body.done, true, 'the second get takes the effect: lists did not count as reads');
      assert.equal(second.body.error?.code, 1);
      assert.deepEqual((await list(ee, 'adv')).body.operations?.[0], second.body);
    });
  });
});

describe('effectAfterMs', () => {
  async function cancelAndRead(script: OperationScript, readAtMs: number[]): Promise<Answer[]> {
    return withEe(async (ee) => {
      const name = 'projects/timed/operations/T1';
      ee.addOperation(name, { state: 'RUNNING', ...script });
      const accepted = await cancel(ee, name);
      assert.equal(accepted.status, 200);
      const start = Date.now();
      const answers: Answer[] = [];
      for (const at of readAtMs) {
        await sleep(at - (Date.now() - start));
        answers.push(await get(ee, name));
      }
      return answers;
    });
  }

  test('honour: CANCELLING until the time has passed, then done with error.code 1', async () => {
    const [a, b, c, d] = await cancelAndRead({ onCancel: 'honour', effectAfterMs: 200 }, [0, 20, 80, 260]);
    for (const early of [a, b, c]) {
      assert.equal(early!.status, 200);
      assert.equal(early!.body.metadata?.state, 'CANCELLING');
      assert.equal(early!.body.done, undefined);
    }
    assert.equal(d!.body.done, true);
    assert.equal(d!.body.metadata?.state, 'CANCELLED');
    assert.deepEqual(d!.body.error, { code: 1, message: 'Cancelled.' });
  });

  test('the first read after the time takes the effect, even when it is the first read', async () => {
    const [a] = await cancelAndRead({ onCancel: 'honour', effectAfterMs: 200 }, [250]);
    assert.equal(a!.body.done, true);
  });

  test('statesAfterCancel are shown while waiting', async () => {
    const answers = await cancelAndRead(
      { onCancel: 'complete', effectAfterMs: 200, statesAfterCancel: ['RUNNING', 'CANCELLING'] },
      [0, 10, 20, 260],
    );
    assert.deepEqual(
      answers.map((a) => a.body.metadata?.state),
      ['RUNNING', 'CANCELLING', 'CANCELLING', 'SUCCEEDED'],
    );
    assert.ok('response' in answers[3]!.body);
  });

  test('fail and vanish take effect after the time too', async () => {
    const failed = await cancelAndRead({ onCancel: 'fail', effectAfterMs: 200 }, [0, 250]);
    assert.equal(failed[0]!.body.done, undefined);
    assert.equal(failed[1]!.body.error?.code, 13);
    const vanished = await cancelAndRead({ onCancel: 'vanish', effectAfterMs: 200 }, [0, 100, 250, 260]);
    assert.deepEqual(
      vanished.map((a) => a.status),
      [200, 200, 404, 404],
    );
  });

  test('with effectAfterReads, both must hold: enough reads and enough time', async () => {
    // Time passes first: reads are still missing.
    const readsMissing = await cancelAndRead(
      { onCancel: 'honour', effectAfterMs: 200, effectAfterReads: 3 },
      [0, 250, 260],
    );
    assert.deepEqual(
      readsMissing.map((a) => a.body.done === true),
      [false, false, true],
    );
    // Reads come first: time is still missing.
    const timeMissing = await cancelAndRead(
      { onCancel: 'honour', effectAfterMs: 200, effectAfterReads: 2 },
      [0, 10, 20, 30, 250],
    );
    assert.deepEqual(
      timeMissing.map((a) => a.body.done === true),
      [false, false, false, false, true],
    );
  });

  test('the time counts from the first accepted cancel; a second cancel does not restart it', async () => {
    await withEe(async (ee) => {
      const name = 'projects/timed/operations/T2';
      ee.addOperation(name, { state: 'RUNNING', onCancel: 'honour', effectAfterMs: 300 });
      await cancel(ee, name);
      await sleep(200);
      await cancel(ee, name);
      await sleep(150);
      assert.equal((await get(ee, name)).body.done, true);
    });
  });

  test('ignore still never takes effect', async () => {
    const answers = await cancelAndRead({ onCancel: 'ignore', effectAfterMs: 50 }, [0, 100, 150]);
    assert.ok(answers.every((a) => a.body.metadata?.state === 'CANCELLING' && a.body.done === undefined));
  });
});

describe('quota', () => {
  test('off by default: 150 requests at once all pass, and the peaks are still measured', async () => {
    await withEe(async (ee) => {
      const [name] = ee.addOperations('free', 1, () => ({ state: 'RUNNING' }));
      const answers = await Promise.all(Array.from({ length: 150 }, () => get(ee, name!)));
      assert.ok(answers.every((a) => a.status === 200));
      assert.equal(ee.quotaViolations(), 0);
      assert.ok(ee.peakRequestsPerSecond() > 100, `peak ${ee.peakRequestsPerSecond()}`);
      assert.ok(ee.peakConcurrency() >= 1);
    });
  });

  test('150 requests at once with 100/s: the excess is 429 RESOURCE_EXHAUSTED with RetryInfo, counted', async () => {
    await withEe(
      async (ee) => {
        const names = ee.addOperations('busy', 50, () => ({ state: 'RUNNING' }));
        const answers = await Promise.all(
          Array.from({ length: 150 }, (_, i) =>
            i % 3 === 0
              ? list(ee, 'busy', { pageSize: '5' })
              : i % 3 === 1
                ? get(ee, names[i % 50]!)
                : cancel(ee, names[i % 50]!),
          ),
        );
        const throttled = answers.filter((a) => a.status === 429);
        const passed = answers.filter((a) => a.status === 200);
        assert.equal(throttled.length + passed.length, 150);
        assert.ok(throttled.length >= 50, `${throttled.length} throttled`);
        assert.ok(passed.length <= 100);
        for (const { body } of throttled) {
          assert.equal(body.error?.code, 429);
          assert.equal(body.error?.status, 'RESOURCE_EXHAUSTED');
          const delay = seconds(retryDelayOf(body));
          assert.ok(delay >= 0.1 && delay <= 1, `retryDelay ${delay}`);
        }
        assert.equal(ee.quotaViolations(), throttled.length);
        assert.ok(ee.peakRequestsPerSecond() <= 100, `peak ${ee.peakRequestsPerSecond()}`);
        assert.equal(ee.peakRequestsPerSecond('busy'), passed.length);
        assert.equal(ee.requests.filter((r) => r.throttled).length, throttled.length);
        const summary = ee.callsByOperation();
        assert.equal(summary.gets + summary.cancels + ee.listCalls(), passed.length, 'refused requests reach nothing');
      },
      { requestsPerSecond: 100, concurrentRequests: 1000 },
    );
  });

  test('get, list and cancel share the window; after the RetryInfo delay a request passes again', async () => {
    await withEe(
      async (ee) => {
        const [name] = ee.addOperations('mixed', 1, () => ({ state: 'RUNNING', onCancel: 'ignore' }));
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await get(ee, name!)).status);
        for (let i = 0; i < 3; i++) statuses.push((await list(ee, 'mixed')).status);
        for (let i = 0; i < 3; i++) statuses.push((await cancel(ee, name!)).status);
        assert.deepEqual(statuses, Array(10).fill(200));
        const refused = await get(ee, name!);
        assert.equal(refused.status, 429);
        assert.equal((await list(ee, 'mixed')).status, 429);
        assert.equal((await cancel(ee, name!)).status, 429);
        const delay = seconds(retryDelayOf(refused.body));
        assert.ok(delay >= 0.1 && delay <= 1);
        await sleep(delay * 1000 + 20);
        assert.equal((await get(ee, name!)).status, 200, 'the window freed after retryDelay');
        assert.equal(ee.quotaViolations(), 3);
        assert.ok(ee.peakRequestsPerSecond() <= 10);
      },
      { requestsPerSecond: 10, concurrentRequests: 40 },
    );
  });

  test('requests refused for auth (401) count; projects are counted apart', async () => {
    await withEe(
      async (ee) => {
        const [mine] = ee.addOperations('auth-a', 1, () => ({ state: 'RUNNING' }));
        const [theirs] = ee.addOperations('auth-b', 1, () => ({ state: 'RUNNING' }));
        for (let i = 0; i < 5; i++) assert.equal((await request(ee, mine!, { token: 'stale' })).status, 401);
        assert.equal(ee.unauthorizedRequests(), 5);
        assert.equal((await get(ee, mine!)).status, 429, 'the 401s used the window up');
        assert.equal((await get(ee, theirs!)).status, 200, 'another project has its own window');
        assert.equal((await get(ee, theirs!)).status, 200, 'charged to the path project without X-Goog-User-Project');
        const charged = await request(ee, theirs!, { headers: { 'x-goog-user-project': 'auth-a' } });
        assert.equal(charged.status, 429, 'X-Goog-User-Project decides the project charged');
        assert.equal(ee.unauthorizedRequests(), 5);
        assert.equal(ee.quotaViolations(), 2);
      },
      { requestsPerSecond: 5, concurrentRequests: 40 },
    );
  });

  test('concurrency: with slow answers, requests beyond the limit in flight are refused at once', async () => {
    await withEe(
      async (ee) => {
        const slow = (i: number): OperationScript => ({
          state: 'RUNNING',
          faults: { get: [{ status: 200, body: { name: `slow-${i}`, metadata: { state: 'RUNNING' } }, delayMs: 400 }] },
        });
        const names = ee.addOperations('slow', 8, slow);
        const started = Date.now();
        const answers = await Promise.all(
          names.map(async (name) => {
            const answer = await get(ee, name);
            return { ...answer, ms: Date.now() - started };
          }),
        );
        const passed = answers.filter((a) => a.status === 200);
        const throttled = answers.filter((a) => a.status === 429);
        assert.equal(passed.length, 3);
        assert.equal(throttled.length, 5);
        assert.ok(
          passed.every((a) => a.ms >= 380),
          'the accepted ones were slow',
        );
        assert.ok(
          throttled.every((a) => a.ms < 380),
          'the refused ones were answered at once',
        );
        for (const { body } of throttled) {
          assert.match(body.error?.message ?? '', /concurrent/);
          assert.ok(seconds(retryDelayOf(body)) >= 0.1);
        }
        assert.equal(ee.peakConcurrency(), 3);
        assert.equal(ee.peakConcurrency('slow'), 3);
        assert.equal(ee.quotaViolations(), 5);
        // The answers are done: their slots are free again.
        const again = await Promise.all(names.slice(0, 3).map((name) => get(ee, name)));
        assert.deepEqual(
          again.map((a) => a.status),
          [200, 200, 200],
        );
        assert.equal(ee.peakConcurrency(), 3);
      },
      { requestsPerSecond: 100, concurrentRequests: 3 },
    );
  });

  test('rejects limits that are not numbers >= 1', async () => {
    for (const quota of [
      { requestsPerSecond: 0, concurrentRequests: 1 },
      { requestsPerSecond: 10, concurrentRequests: Number.NaN },
    ]) {
      await assert.rejects(startFakeEarthEngine({ expectedToken: () => TOKEN, quota }), RangeError);
    }
  });
});

describe('addOperations and callsByOperation', () => {
  test('3000 operations: padded names in order, script(i), listed in 3 pages of 1000, totals summed', async () => {
    await withEe(async (ee) => {
      const heapBefore = process.memoryUsage().heapUsed;
      const names = ee.addOperations('bulk', 3000, (i) => ({
        state: i % 2 ? 'RUNNING' : 'PENDING',
        onCancel: i === 7 ? 'complete' : 'honour',
        progress: i / 3000,
      }));
      const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
      assert.ok(heapGrowthMb < 50, `3000 operations took ${heapGrowthMb.toFixed(1)} MB`);
      assert.equal(names.length, 3000);
      assert.equal(names[0], 'projects/bulk/operations/OP000000');
      assert.equal(names[2999], 'projects/bulk/operations/OP002999');
      assert.equal(new Set(names).size, 3000);
      const pages = await listAll(ee, 'bulk', 1000);
      assert.equal(pages.length, 3);
      assert.deepEqual(
        pages.flat().map((o) => o.name),
        names,
      );
      assert.equal(pages[0]![1]!.metadata?.state, 'RUNNING');
      assert.equal(pages[0]![1]!.metadata?.progress, 1 / 3000);

      assert.deepEqual(ee.callsByOperation(), {
        operations: 3000,
        gets: 0,
        cancels: 0,
        maxGetsPerOperation: 0,
        maxCancelsPerOperation: 0,
        operationsCancelledMoreThanOnce: 0,
      });
      await cancel(ee, names[7]!);
      await cancel(ee, names[7]!);
      await cancel(ee, names[8]!);
      const ended = await get(ee, names[7]!);
      assert.equal(ended.body.metadata?.state, 'SUCCEEDED', 'script(7) was used for OP000007');
      await get(ee, names[8]!);
      await get(ee, names[8]!);
      await get(ee, names[9]!);
      assert.deepEqual(ee.callsByOperation(), {
        operations: 3000,
        gets: 4,
        cancels: 3,
        maxGetsPerOperation: 2,
        maxCancelsPerOperation: 2,
        operationsCancelledMoreThanOnce: 1,
      });
      assert.deepEqual(ee.calls(names[8]!), { get: 2, cancel: 1 });

      const more = ee.addOperations('bulk', 2, () => ({ state: 'RUNNING' }));
      assert.deepEqual(more, ['projects/bulk/operations/OP003000', 'projects/bulk/operations/OP003001']);
      assert.deepEqual(
        ee.addOperations('bulk-2', 1, () => ({})),
        ['projects/bulk-2/operations/OP000000'],
      );
      assert.throws(() => ee.addOperations('bad/project', 1, () => ({})), TypeError);
    });
  });

  test('each operation gets its own copy of the script', async () => {
    await withEe(async (ee) => {
      const shared: OperationScript = { state: 'RUNNING', onCancel: 'honour' };
      const [a, b] = ee.addOperations('copies', 2, () => shared);
      await cancel(ee, a!);
      assert.equal((await get(ee, a!)).body.done, true);
      assert.equal((await get(ee, b!)).body.done, undefined);
      assert.equal(shared.done, undefined);
    });
  });
});

describe('bench/baseline.ts against the simulator', () => {
  const polling = { initialIntervalMs: 100, maxIntervalMs: 1000, backoffCoefficient: 1.5, timeoutMs: 30_000 };

  test('30 operations taking effect after ~300 ms, 50/s under a 100/s quota: all CANCELLED, no 429', async () => {
    await withEe(
      async (ee) => {
        const names = ee.addOperations('smoke-test', 30, (i) => ({
          state: i % 2 ? 'RUNNING' : 'PENDING',
          onCancel: 'honour',
          effectAfterMs: 300,
        }));
        // Not to be touched: done, already cancelling, or another project.
        ee.addOperation('projects/smoke-test/operations/DONE', { done: true, state: 'SUCCEEDED' });
        ee.addOperation('projects/smoke-test/operations/CANCELLING', { state: 'CANCELLING' });
        ee.addOperation('projects/smoke-other/operations/RUNNING', { state: 'RUNNING' });
        const result = await runBaseline({
          apiUrl: ee.apiUrl,
          token: async () => TOKEN,
          project: 'smoke-test',
          ratePerSecond: 50,
          maxConcurrent: 10,
          polling,
        });
        assert.deepEqual(result.outcomes, { CANCELLED: 30 });
        assert.equal(result.operations, 30);
        assert.equal(result.status429, 0);
        assert.equal(ee.quotaViolations(), 0);
        assert.equal(result.list, 1);
        assert.equal(result.cancels, 30);
        assert.ok(result.gets >= 30);
        assert.equal(result.apiCalls, result.list + result.cancels + result.gets);
        assert.equal(result.apiCalls, ee.totalCalls(), 'every call counted once');
        const summary = ee.callsByOperation();
        assert.equal(summary.cancels, 30);
        assert.equal(summary.gets, result.gets);
        assert.equal(summary.operationsCancelledMoreThanOnce, 0);
        for (const name of names) assert.equal(ee.calls(name).cancel, 1);
        for (const name of ['DONE', 'CANCELLING']) {
          assert.deepEqual(ee.calls(`projects/smoke-test/operations/${name}`), { get: 0, cancel: 0 });
        }
        assert.ok(ee.requests.every((r) => r.authorized && r.userProject === 'smoke-test'));
        assert.ok(
          ee.requests.filter((r) => r.method === 'POST').every((r) => r.bodyLength === 0),
          'cancel bodies are empty',
        );
        // The limiter: 1000/50 = 20 ms between starts (a little slack for loopback jitter), at most 10 in flight.
        assert.ok(ee.peakRequestsPerSecond() <= 52, `peak ${ee.peakRequestsPerSecond()}/s`);
        assert.ok(ee.peakConcurrency() <= 10, `peak concurrency ${ee.peakConcurrency()}`);
        const starts = ee.requests.map((r) => r.at);
        const spanMs = starts.at(-1)! - starts[0]!;
        assert.ok(spanMs >= ((starts.length - 1) * 1000) / 50 - 50, `${starts.length} requests in ${spanMs} ms`);
        assert.ok(result.wallMs >= 300);
      },
      { requestsPerSecond: 100, concurrentRequests: 40 },
    );
  });

  test('slow answers: never more than maxConcurrent requests in flight (no 429 under a concurrency quota of 3)', async () => {
    await withEe(
      async (ee) => {
        const names = ee.addOperations('slow-test', 12, (i) => ({
          state: 'RUNNING',
          faults: {
            get: [
              {
                status: 200,
                delayMs: 300,
                body: {
                  name: `projects/slow-test/operations/OP${String(i).padStart(6, '0')}`,
                  metadata: { state: 'CANCELLED' },
                  done: true,
                  error: { code: 1, message: 'Cancelled.' },
                },
              },
            ],
          },
        }));
        const result = await runBaseline({
          apiUrl: ee.apiUrl,
          token: () => TOKEN,
          project: 'slow-test',
          ratePerSecond: 50,
          maxConcurrent: 3,
          polling,
        });
        assert.deepEqual(result.outcomes, { CANCELLED: 12 });
        assert.equal(result.status429, 0);
        assert.equal(ee.quotaViolations(), 0);
        assert.equal(ee.peakConcurrency(), 3);
        assert.equal(result.gets, 12);
        assert.ok(result.wallMs >= (12 / 3) * 300, `${result.wallMs} ms`);
        for (const name of names) assert.deepEqual(ee.calls(name), { get: 1, cancel: 1 });
      },
      { requestsPerSecond: 100, concurrentRequests: 3 },
    );
  });

  test('429s are waited out (RetryInfo) and retried; faults are retried; outcomes are classified', async () => {
    let tokenCalls = 0;
    await withEe(
      async (ee) => {
        ee.addOperations('rough-test', 8, () => ({ state: 'RUNNING', onCancel: 'honour', effectAfterMs: 100 }));
        const [flaky] = ee.addOperations('rough-test', 1, () => ({
          state: 'RUNNING',
          onCancel: 'honour',
          faults: { cancel: [{ status: 503 }], get: [{ reset: true }] },
        }));
        ee.addOperations('rough-test', 1, () => ({ state: 'RUNNING', onCancel: 'complete' }));
        ee.addOperations('rough-test', 1, () => ({ state: 'PENDING', onCancel: 'fail' }));
        ee.addOperations('rough-test', 1, () => ({ state: 'RUNNING', onCancel: 'unimplemented' }));
        ee.addOperations('rough-test', 1, () => ({ state: 'RUNNING', onCancel: 'vanish' }));
        ee.addOperations('rough-test', 1, () => ({ state: 'RUNNING', onCancel: 'ignore' }));
        const result = await runBaseline({
          apiUrl: ee.apiUrl,
          // The first token is stale: one 401, then a fresh one.
          token: () => (tokenCalls++ === 0 ? 'stale' : TOKEN),
          project: 'rough-test',
          ratePerSecond: 50,
          maxConcurrent: 10,
          polling: { ...polling, timeoutMs: 6_000 },
        });
        assert.deepEqual(result.outcomes, {
          CANCELLED: 9,
          COMPLETED_DESPITE_CANCELLATION: 1,
          FAILED: 1,
          CANCEL_UNSUPPORTED: 1,
          NOT_FOUND: 1,
          DEADLINE_EXCEEDED: 1,
        });
        assert.equal(result.operations, 14);
        assert.ok(result.status429 > 0, 'the 20/s quota was hit');
        assert.equal(result.status429, ee.quotaViolations());
        assert.equal(result.list, 2, 'one 401, then the list');
        assert.equal(ee.unauthorizedRequests(), 1);
        assert.equal(ee.calls(flaky!).cancel, 2, 'the 503 was retried');
        assert.equal(result.apiCalls, ee.totalCalls());
        // Every 429 was waited out: the same request came back no sooner than its RetryInfo delay.
        assert.equal(ee.requests.filter((r) => r.throttled).length, result.status429);
        for (const [index, refused] of ee.requests.entries()) {
          if (!refused.throttled) continue;
          const retry = ee.requests
            .slice(index + 1)
            .find((r) => r.method === refused.method && r.path === refused.path);
          assert.ok(retry, `${refused.method} ${refused.path} was retried`);
          assert.ok(
            retry.at - refused.at >= refused.retryDelayMs! - 2,
            `retried after ${retry.at - refused.at} ms, asked ${refused.retryDelayMs} ms`,
          );
        }
      },
      { requestsPerSecond: 20, concurrentRequests: 40 },
    );
  });
});
