/** `cancelOperations`: list a project's operations, filter them on our side, cancel each as a verified child. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FAST_POLLING, startHarness, type Harness } from '../support/harness';
import {
  workflowIdFor,
  type BatchProgress,
  type CancelOperationsInput,
  type CancelOperationsResult,
} from '../../src/shared';

let h: Harness;
before(async () => {
  // A low continue-as-new suggestion makes the batch (and its children) hand over to new runs several times.
  h = await startHarness({ extraServerArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'] });
  await h.startWorker();
});
after(async () => {
  await h?.close();
});

function project(): string {
  return `batch-${randomUUID().slice(0, 8)}`;
}

function runBatch(input: CancelOperationsInput): Promise<CancelOperationsResult> {
  return h.client.workflow.execute('cancelOperations', {
    taskQueue: h.taskQueue,
    workflowId: `batch-${randomUUID()}`,
    args: [input],
  }) as Promise<CancelOperationsResult>;
}

test('dryRun lists, filters on our side and sends nothing', async () => {
  const p = project();
  const live = ['A', 'B', 'C'].map((id) => `projects/${p}/operations/${id}`);
  h.ee.addOperation(live[0]!, { state: 'RUNNING', type: 'EXPORT_IMAGE', description: 'nightly-ndvi' });
  h.ee.addOperation(live[1]!, { state: 'PENDING', type: 'EXPORT_TABLE', description: 'nightly-stats' });
  h.ee.addOperation(live[2]!, { state: 'READY', type: 'EXPORT_IMAGE', description: 'adhoc' });
  h.ee.addOperation(`projects/${p}/operations/DONE`, { done: true, state: 'SUCCEEDED' });
  h.ee.addOperation(`projects/${p}/operations/CANCELLING`, { state: 'CANCELLING' });
  h.ee.addOperation(`projects/other-${p}/operations/X`, { state: 'RUNNING' });

  const all = await runBatch({ project: p, dryRun: true });
  assert.equal(all.dryRun, true);
  assert.equal(all.scanned, 5);
  assert.deepEqual(
    all.wouldCancel?.map((o) => o.name),
    live,
    'PENDING and RUNNING (legacy READY too) by default',
  );
  assert.deepEqual(all.results, []);

  const filtered = await runBatch({
    project: p,
    dryRun: true,
    filter: { types: ['EXPORT_IMAGE'], descriptionPrefix: 'nightly-' },
  });
  assert.deepEqual(
    filtered.wouldCancel?.map((o) => o.name),
    [live[0]],
  );
  for (const name of live) assert.equal(h.ee.calls(name).cancel, 0);
});

test('a batch cancels every match as a child, bounded, with live progress; one failure does not fail it', async () => {
  const p = project();
  const names = Array.from({ length: 14 }, (_, i) => `projects/${p}/operations/OP${String(i).padStart(2, '0')}`);
  names.forEach((name, i) => {
    if (i === 3) h.ee.addOperation(name, { state: 'RUNNING', faults: { cancel: [{ status: 403 }] } });
    else if (i === 5) h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'complete', effectAfterReads: 2 });
    else if (i === 7) h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'unimplemented' });
    else
      h.ee.addOperation(name, {
        state: i % 2 ? 'RUNNING' : 'PENDING',
        onCancel: 'honour',
        effectAfterReads: 1 + (i % 4),
      });
  });
  h.ee.addOperation(`projects/${p}/operations/ZZ-DONE`, {
    done: true,
    state: 'FAILED',
    error: { code: 13, message: 'x' },
  });

  const handle = await h.client.workflow.start('cancelOperations', {
    taskQueue: h.taskQueue,
    workflowId: `batch-${randomUUID()}`,
    args: [
      {
        project: p,
        maxConcurrent: 3,
        polling: FAST_POLLING,
        reason: 'project shutdown',
      } satisfies CancelOperationsInput,
    ],
  });
  const seen: BatchProgress[] = [];
  const ended: { result?: CancelOperationsResult; failure?: unknown } = {};
  void handle.result().then(
    (r) => (ended.result = r as CancelOperationsResult),
    (e: unknown) => (ended.failure = e ?? new Error('failed')),
  );
  while (!ended.result && ended.failure === undefined) {
    const p = await handle.query<BatchProgress>('progress').catch(() => undefined);
    if (p) seen.push(p);
    await new Promise((r) => setTimeout(r, 150));
  }
  const result = ended.result;
  assert.ok(result, `the batch failed: ${String(ended.failure)}`);
  assert.ok(
    seen.some((s) => s.phase === 'cancelling' && s.done > 0 && s.done < 14),
    'progress was visible mid-way',
  );
  assert.ok(
    seen.every((s) => s.inFlight <= 3),
    `at most 3 at once (saw ${Math.max(...seen.map((s) => s.inFlight))})`,
  );
  assert.equal(result.matched, 14);
  assert.equal(result.results.length, 14);
  assert.deepEqual(result.counts, {
    CANCELLED: 11,
    COMPLETED_DESPITE_CANCELLATION: 1,
    CANCEL_UNSUPPORTED: 1,
    WORKFLOW_FAILED: 1,
  });
  assert.deepEqual(
    result.results.find((r) => r.name === names[3]),
    { name: names[3], outcome: 'WORKFLOW_FAILED', error: 'PermissionDenied' },
  );
  for (const name of names) assert.equal(h.ee.calls(name).cancel, 1, name);
  // Each child is the one-per-operation cancellation, with its own audit trail.
  const child = await h.client.workflow.getHandle(workflowIdFor(names[0]!)).result();
  assert.equal((child as { reason?: string; audit: { reason?: string }[] }).audit[0]?.reason, 'project shutdown');
  // This server suggests continue-as-new early: the batch handed over to at least one new run.
  const runs: string[] = [];
  for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(wf.runId);
  assert.ok(runs.length >= 2, `the batch ran in ${runs.length} runs`);
});

test('bad batch input is refused before any call', async () => {
  const before = h.ee.totalCalls();
  for (const input of [
    {},
    { project: 'Bad Project' },
    { project: 'my-project', filter: { states: ['running'] } },
    { project: 'my-project', filter: { createdBefore: 'yesterday' } },
    { project: 'my-project', maxConcurrent: 0 },
    { project: 'my-project', polling: { timeout: '-1s' } },
    { project: 'my-project', force: true },
  ]) {
    const err = await runBatch(input as CancelOperationsInput).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, JSON.stringify(input));
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidInput', JSON.stringify(input));
  }
  assert.equal(h.ee.totalCalls(), before);
});
