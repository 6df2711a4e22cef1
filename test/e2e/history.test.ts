/**
 * Continue-as-new on a real server (told to suggest it after a few events), and the histories that the replay
 * test keeps as fixtures: with EE_CANCEL_RECORD_FIXTURES=1 this file (re)writes test/fixtures/histories/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { FAST_POLLING, opName, startHarness, workflowBundle, type Harness } from '../support/harness';
import type { OperationScript } from '../support/fake-earth-engine';
import type { CancelOperationResult } from '../../src/shared';

export const FIXTURES_DIR = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'histories');
const RECORD = process.env.EE_CANCEL_RECORD_FIXTURES === '1';
const SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS = 60;

let h: Harness;
before(async () => {
  h = await startHarness({
    extraServerArgs: [
      '--dynamic-config-value',
      `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS}`,
    ],
  });
  await h.startWorker();
});
after(async () => {
  await h?.close();
});

/** Fetches every run of a workflow (first to last) and replays each against the current workflow code. */
async function replayAllRuns(handle: WorkflowHandle, label: string): Promise<number> {
  const runs: { runId: string }[] = [];
  for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) {
    runs.push({ runId: wf.runId });
  }
  runs.reverse();
  const bundle = await workflowBundle();
  for (const [index, { runId }] of runs.entries()) {
    const history = await h.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: `${label}-${index}` }, history);
    if (RECORD) {
      mkdirSync(FIXTURES_DIR, { recursive: true });
      const file = runs.length > 1 ? `${label}.run${index + 1}.json` : `${label}.json`;
      // The CLI writes the same JSON that `temporal workflow show -o json` gives users: the usual fixture format.
      const json = execFileSync(
        h.cli,
        ['workflow', 'show', '--address', h.address, '-w', handle.workflowId, '-r', runId, '-o', 'json'],
        { encoding: 'utf8' },
      );
      writeFileSync(join(FIXTURES_DIR, file), json);
    }
  }
  return runs.length;
}

test('a long wait continues-as-new, carrying the audit trail and counters; one cancel request in all', async () => {
  const name = opName('long-wait');
  h.ee.addOperation(name, { state: 'RUNNING', progress: 0.1, onCancel: 'honour', effectAfterReads: 20 });
  const handle = await h.start({
    name,
    reason: 'continue-as-new fixture',
    polling: { initialInterval: '100ms', maxInterval: '150ms', backoffCoefficient: 1, timeout: '2m' },
  });
  const result = (await handle.result()) as CancelOperationResult;
  assert.equal(result.outcome, 'CANCELLED');
  assert.equal(result.polls, 20);
  assert.deepEqual(h.ee.calls(name), { get: 21, cancel: 1 });
  const events = result.audit.map((e) => e.event);
  assert.equal(events.filter((e) => e === 'started').length, 1);
  assert.equal(events.filter((e) => e === 'snapshot').length, 1);
  assert.equal(events.filter((e) => e === 'cancel-sent').length, 1);
  const continued = events.filter((e) => e === 'continued-as-new').length;
  assert.ok(continued >= 2, `continued-as-new ${continued} times`);
  assert.equal(new Set(result.audit.map((e) => JSON.stringify(e))).size, result.audit.length, 'no duplicate entry');
  // Started counts from the first run, not the last.
  assert.ok(Date.parse(result.finishedAt) - Date.parse(result.startedAt) >= 20 * 100);
  const runs = await replayAllRuns(handle, 'continued-as-new');
  assert.equal(runs, continued + 1);
});

const SCENARIOS: [string, OperationScript | undefined, object?][] = [
  ['cancelled', { state: 'RUNNING', onCancel: 'honour', effectAfterReads: 2 }],
  ['completed-despite-cancellation', { state: 'RUNNING', onCancel: 'complete' }],
  ['failed', { state: 'PENDING', onCancel: 'fail' }],
  ['already-done', { done: true, state: 'SUCCEEDED' }],
  ['cancel-unsupported', { state: 'RUNNING', onCancel: 'unimplemented' }],
  ['not-found', undefined],
  // Few reads, so that the run stays under the continue-as-new suggestion of this server.
  ['deadline-exceeded', { state: 'RUNNING', onCancel: 'ignore' }, { initialInterval: '1s', timeout: '1500ms' }],
  ['retried', { state: 'RUNNING', onCancel: 'honour', faults: { get: [{ status: 503 }], cancel: [{ status: 429 }] } }],
  ['permission-denied', { state: 'RUNNING', faults: { cancel: [{ status: 403 }] } }],
];

test('every outcome replays against the current workflow code', async () => {
  await Promise.all(
    SCENARIOS.map(async ([label, script, polling]) => {
      const name = opName(label);
      if (script) h.ee.addOperation(name, script);
      const handle = await h.start({ name, polling: { ...FAST_POLLING, ...polling } });
      await handle.result().catch(() => undefined);
      assert.equal(await replayAllRuns(handle, label), 1);
    }),
  );
  const invalid = await h.start({ name: 'projects/x/operations/bad' });
  await invalid.result().catch(() => undefined);
  await replayAllRuns(invalid, 'invalid-input');
});

test('a batch (cancelOperations) replays against the current workflow code', async () => {
  const project = `fixture-batch-${Date.now()}`;
  for (const id of ['A', 'B', 'C']) {
    h.ee.addOperation(`projects/${project}/operations/${id}`, {
      state: 'RUNNING',
      onCancel: id === 'B' ? 'complete' : 'honour',
    });
  }
  const batch = await h.client.workflow.start('cancelOperations', {
    taskQueue: h.taskQueue,
    workflowId: `fixture-batch-${Date.now()}`,
    args: [{ project, maxConcurrent: 2, polling: FAST_POLLING }],
  });
  const result = (await batch.result()) as { counts: Record<string, number> };
  assert.deepEqual(result.counts, { CANCELLED: 2, COMPLETED_DESPITE_CANCELLATION: 1 });
  assert.ok((await replayAllRuns(batch, 'batch')) >= 1);
});
