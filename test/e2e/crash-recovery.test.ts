/**
 * Faults of our own side: the worker process killed with SIGKILL at different points, the dev server stopped and
 * restarted on the same SQLite file, the metadata server failing for a while. Every cancellation still reaches
 * its true outcome, with one cancel request per operation unless an answer was lost (and then the audit says so).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import {
  FAST_POLLING,
  opName,
  requireTemporalCli,
  startHarness,
  workflowBundle,
  type Harness,
} from '../support/harness';
import { workerProcesses, type WorkerProcess } from '../support/worker-process';
import { startFakeEarthEngine, type FakeEarthEngine, type OperationScript } from '../support/fake-earth-engine';
import { startFakeMetadata, useFakeMetadataForAdc, type FakeMetadata } from '../support/fake-metadata';
import { startDevServer } from '../../scripts/dev-server';
import { createWorker } from '../../src/worker';
import type { CancelOperationResult, Outcome } from '../../src/shared';
import { freePort } from '../support/net';

/** The audit trail of one run, checked for gaps and duplicates. */
export function assertAuditConsistent(result: CancelOperationResult): void {
  const events = result.audit.map((e) => e.event);
  assert.equal(events[0], 'started', result.name);
  assert.equal(events.at(-1), 'finished', result.name);
  for (const once of ['started', 'snapshot', 'finished']) {
    assert.equal(events.filter((e) => e === once).length, 1, `${result.name}: one ${once}`);
  }
  assert.ok(events.filter((e) => e === 'cancel-sent').length <= 1, `${result.name}: at most one cancel-sent entry`);
  assert.equal(
    new Set(result.audit.map((e) => JSON.stringify(e))).size,
    result.audit.length,
    `${result.name}: no duplicate`,
  );
  // No gap: each state change starts where the previous one (or the snapshot) ended, and ends at the final state.
  let state = result.audit.find((e) => e.event === 'snapshot')?.state;
  for (const change of result.audit.filter((e) => e.event === 'state-changed')) {
    assert.equal(change.from, state, `${result.name}: state chain`);
    state = change.to;
  }
  if (result.operation?.metadata?.state)
    assert.equal(state, result.operation.metadata.state, `${result.name}: last state`);
  let previous = '';
  for (const entry of result.audit) {
    assert.ok(entry.at >= previous, `${result.name}: time goes forward`);
    previous = entry.at;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker killed with SIGKILL', () => {
  let h: Harness;
  const workers = workerProcesses(() => h);
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await workers.killAll();
    await h?.close();
  });

  test('killed before the cancel answer, between reads and during a retry wait: every outcome is right', async () => {
    const taskQueue = `crash-${randomUUID()}`;
    const spawn = (): WorkerProcess => workers.start(taskQueue);
    const slow = { initialInterval: '300ms', maxInterval: '300ms', backoffCoefficient: 1, timeout: '5m' };
    const scenarios: [string, OperationScript, Outcome][] = [
      // The first cancel request's answer comes late: the worker dies waiting for it.
      [
        'lost-answer',
        {
          state: 'RUNNING',
          onCancel: 'honour',
          effectAfterReads: 4,
          faults: { cancel: [{ status: 200, body: {}, delayMs: 3_000 }] },
        },
        'CANCELLED',
      ],
      ['long-1', { state: 'RUNNING', progress: 0.1, onCancel: 'honour', effectAfterReads: 18 }, 'CANCELLED'],
      ['long-2', { state: 'PENDING', onCancel: 'complete', effectAfterReads: 22 }, 'COMPLETED_DESPITE_CANCELLATION'],
      ['long-3', { state: 'RUNNING', onCancel: 'fail', effectAfterReads: 26 }, 'FAILED'],
      // Retry waits of 2-3 s (Retry-After) while the kills happen.
      [
        'retry-wait',
        {
          state: 'RUNNING',
          onCancel: 'honour',
          effectAfterReads: 10,
          faults: {
            get: [
              { status: 503, headers: { 'retry-after': '3' } },
              { status: 503, headers: { 'retry-after': '3' } },
            ],
          },
        },
        'CANCELLED',
      ],
      [
        'regresses',
        {
          state: 'RUNNING',
          onCancel: 'honour',
          effectAfterReads: 16,
          statesAfterCancel: ['CANCELLING', 'CANCELLING', 'RUNNING', 'RUNNING', 'CANCELLING'],
        },
        'CANCELLED',
      ],
    ];
    let first = spawn();
    await first.ready;
    const handles = await Promise.all(
      scenarios.map(async ([label, script]) => {
        const name = opName(label);
        h.ee.addOperation(name, script);
        return {
          label,
          name,
          handle: await h.start({ name, reason: `crash test ${label}`, polling: slow }, undefined, taskQueue),
        };
      }),
    );
    const lost = handles[0]!.name;
    // Kill 1: while the first cancel request of `lost-answer` waits for its answer.
    while (h.ee.calls(lost).cancel === 0) await sleep(20);
    assert.equal(await first.stop('SIGKILL'), null);
    let kills = 1;
    // Kills 2-4: at different moments of the reads and the retry waits.
    for (const pause of [1_700, 2_300, 1_100]) {
      first = spawn();
      await first.ready;
      await sleep(pause);
      await first.stop('SIGKILL');
      kills++;
    }
    first = spawn();
    const results = await Promise.all(
      handles.map(async ({ handle }) => (await handle.result()) as CancelOperationResult),
    );
    assert.equal(kills, 4);
    for (const [i, result] of results.entries()) {
      const [label, , expected] = scenarios[i]!;
      assert.equal(result.outcome, expected, label);
      assertAuditConsistent(result);
      const calls = h.ee.calls(handles[i]!.name);
      // A cancel request is sent again only when an attempt's answer was lost with a killed worker, and then the
      // audit trail says so. (Which requests were in flight at a kill depends on timing; the rule does not.)
      const retried = result.audit.find((e) => e.event === 'retried' && e.activity === 'requestCancel');
      const lostAttempts = (retried?.answerLostOnAttempts as number[] | undefined) ?? [];
      // (An attempt lost before its request left the worker is reported too: "may have been sent".)
      assert.ok(
        calls.cancel >= 1 && calls.cancel <= 1 + lostAttempts.length,
        `${label}: ${calls.cancel} cancel requests, ${lostAttempts.length} answers reported lost`,
      );
      if (label === 'lost-answer') {
        assert.equal(calls.cancel, 2, 'the request whose answer was lost was sent again');
        assert.deepEqual(lostAttempts, [1], 'and the audit trail says so');
      }
    }
  });
});

describe('dev server stopped and restarted', () => {
  let metadata: FakeMetadata;
  let ee: FakeEarthEngine;
  before(async () => {
    metadata = await startFakeMetadata();
    useFakeMetadataForAdc(process.env, metadata.host, mkdtempSync(join(tmpdir(), 'ee-cancel-home-')));
    ee = await startFakeEarthEngine({ expectedToken: () => metadata.token });
  });
  after(async () => {
    await ee?.close();
    await metadata?.close();
  });

  test('cancellations resume after the server restarts on the same SQLite file', async () => {
    const cli = requireTemporalCli();
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const dbFile = join(mkdtempSync(join(tmpdir(), 'ee-cancel-restart-')), 'temporal.db');
    let server = await startDevServer({ cli, address, dbFile, headless: true, log: 'ignore' });
    const connection = await NativeConnection.connect({ address });
    const taskQueue = `restart-${randomUUID()}`;
    const worker = await createWorker({
      connection,
      namespace: 'default',
      taskQueue,
      ee: { apiUrl: ee.apiUrl, requestTimeoutMs: 2_000 },
      workflowBundle: await workflowBundle(),
    });
    const running = worker.run();
    const clientConnection = await Connection.connect({ address });
    const client = new Client({ connection: clientConnection });
    try {
      const names = [opName('restart-a'), opName('restart-b'), opName('restart-c')];
      names.forEach((name, i) =>
        ee.addOperation(name, {
          state: 'RUNNING',
          onCancel: i === 1 ? 'complete' : 'honour',
          effectAfterReads: 12 + i,
        }),
      );
      const polling = { initialInterval: '300ms', maxInterval: '300ms', backoffCoefficient: 1, timeout: '5m' };
      const ids = await Promise.all(
        names.map(
          async (name) =>
            (
              await client.workflow.start('cancelOperation', {
                taskQueue,
                workflowId: `restart-${randomUUID()}`,
                args: [{ name, polling }],
              })
            ).workflowId,
        ),
      );
      await sleep(1_500);
      const readsBefore = names.map((n) => ee.calls(n).get);
      await server.stop();
      await sleep(3_000);
      server = await startDevServer({ cli, address, dbFile, headless: true, log: 'ignore' });
      const results = await Promise.all(
        ids.map((id) => client.workflow.getHandle(id).result() as Promise<CancelOperationResult>),
      );
      assert.deepEqual(
        results.map((r) => r.outcome),
        ['CANCELLED', 'COMPLETED_DESPITE_CANCELLATION', 'CANCELLED'],
      );
      for (const [i, r] of results.entries()) {
        assertAuditConsistent(r);
        assert.ok(readsBefore[i]! > 0 && readsBefore[i]! < 12, 'the restart happened mid-wait');
        assert.equal(ee.calls(names[i]!).cancel, 1);
      }
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
      await clientConnection.close();
      await server.stop();
    }
  });
});

describe('credentials', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  test('the metadata server answers 500 for a while: the reads are retried, then it works', async () => {
    const taskQueue = `creds-${randomUUID()}`;
    // A fresh worker has no token yet: its first calls need the metadata server.
    h.metadata.failTokenRequests(6, 500);
    await h.startWorker({}, taskQueue);
    const name = opName('creds-flaky');
    h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'honour' });
    const result = (await (
      await h.start({ name, polling: FAST_POLLING }, undefined, taskQueue)
    ).result()) as CancelOperationResult;
    assert.equal(result.outcome, 'CANCELLED');
    const retried = result.audit.find((e) => e.event === 'retried');
    const statuses = (retried?.faults as { status: string }[]).map((f) => f.status);
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'CREDENTIALS_UNAVAILABLE'), statuses.join());
    assert.equal(h.ee.unauthorizedRequests(), 0, 'no request went out without a token');
    assert.equal(h.ee.calls(name).cancel, 1);
  });
});
