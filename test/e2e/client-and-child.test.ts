/** ee-cancel from application code (client helper) and from other workflows (child helper), one per operation. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NativeConnection } from '@temporalio/worker';
import { FAST_POLLING, opName, startHarness, type Harness } from '../support/harness';
import { createWorker } from '../../src/worker';
import { startCancellation } from '../../src/client';
import { workflowIdFor, type CancelOperationResult } from '../../src/shared';
import type { CancelManyResult } from '../support/user-workflows';

let h: Harness;
let stopUserWorker: () => Promise<void>;

before(async () => {
  h = await startHarness();
  // A user's worker: their workflows and ours in one bundle, on one task queue.
  const connection = await NativeConnection.connect({ address: h.address });
  const worker = await createWorker({
    connection,
    namespace: h.namespace,
    taskQueue: h.taskQueue,
    ee: { apiUrl: h.ee.apiUrl, requestTimeoutMs: 2_000 },
    workerOptions: { workflowsPath: require.resolve('../support/user-workflows') },
  });
  const running = worker.run();
  stopUserWorker = async () => {
    worker.shutdown();
    await running;
    await connection.close();
  };
});
after(async () => {
  await stopUserWorker?.();
  await h?.close();
});

test('client: a second start for the same operation attaches to the first; one cancel request', async () => {
  const name = opName('client-twice');
  h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'honour', effectAfterReads: 4 });
  const input = { name, reason: 'duplicate export', polling: FAST_POLLING };
  const [first, second] = await Promise.all([
    startCancellation(h.client, input, { taskQueue: h.taskQueue }),
    startCancellation(h.client, input, { taskQueue: h.taskQueue }),
  ]);
  assert.equal(first.workflowId, workflowIdFor(name));
  assert.equal(second.workflowId, first.workflowId);
  assert.equal(second.firstExecutionRunId, first.firstExecutionRunId);
  const third = await startCancellation(h.client, input, { taskQueue: h.taskQueue });
  assert.equal(third.firstExecutionRunId, first.firstExecutionRunId, 'a later start while it runs attaches too');
  const [a, b] = await Promise.all([first.result(), third.result()]);
  assert.equal(a.outcome, 'CANCELLED');
  assert.deepEqual(b, a);
  assert.equal(h.ee.calls(name).cancel, 1);

  const description = await first.describe();
  assert.equal(await description.staticSummary(), `Cancel ${name}`);
  assert.match((await description.staticDetails()) ?? '', /duplicate export/);
  assert.deepEqual(description.searchAttributes.EeOperation, [name]);
  assert.deepEqual(description.searchAttributes.EeProject, ['ee-cancel-tests']);
  assert.deepEqual(description.searchAttributes.EeOperationState, ['CANCELLED']);
  assert.deepEqual(description.searchAttributes.EeCancelOutcome, ['CANCELLED']);
});

test('child: a parent whose child start finds the cancellation running attaches and gets its result', async () => {
  const name = opName('child-attach');
  h.ee.addOperation(name, { state: 'RUNNING', onCancel: 'complete', effectAfterReads: 8 });
  const fromClient = await startCancellation(
    h.client,
    { name, polling: { ...FAST_POLLING, initialInterval: '400ms', backoffCoefficient: 1 } },
    { taskQueue: h.taskQueue },
  );
  const parent = await h.client.workflow.start('cancelOneAsChild', {
    taskQueue: h.taskQueue,
    workflowId: `parent-${name}`,
    args: [{ name, taskQueue: h.taskQueue, polling: FAST_POLLING }],
  });
  const [viaParent, viaClient] = await Promise.all([
    parent.result() as Promise<CancelOperationResult>,
    fromClient.result(),
  ]);
  assert.equal(viaClient.outcome, 'COMPLETED_DESPITE_CANCELLATION');
  assert.deepEqual(viaParent, viaClient);
  assert.equal(h.ee.calls(name).cancel, 1, 'the parent sent no second cancel request');
  const history = JSON.stringify(await parent.fetchHistory());
  assert.match(history, /awaitCancellation/, 'the parent attached through the activity');
});

test('example parent: cancels a set of operations and reacts to each outcome', async () => {
  const cancelled = opName('batch-cancelled');
  const finished = opName('batch-finished');
  const unsupported = opName('batch-unsupported');
  h.ee.addOperation(cancelled, { state: 'PENDING', onCancel: 'honour' });
  h.ee.addOperation(finished, { state: 'RUNNING', progress: 0.97, onCancel: 'complete', effectAfterReads: 2 });
  h.ee.addOperation(unsupported, { state: 'RUNNING', onCancel: 'unimplemented' });
  const result = (await h.client.workflow.execute('cancelMany', {
    taskQueue: h.taskQueue,
    workflowId: `cancel-many-${Date.now()}`,
    args: [
      {
        names: [cancelled, finished, unsupported],
        reason: 'bad parameters',
        taskQueue: h.taskQueue,
        polling: FAST_POLLING,
      },
    ],
  })) as CancelManyResult;
  assert.deepEqual(result.outcomes, {
    [cancelled]: 'CANCELLED',
    [finished]: 'COMPLETED_DESPITE_CANCELLATION',
    [unsupported]: 'CANCEL_UNSUPPORTED',
  });
  assert.deepEqual(result.requeue, [finished]);
  assert.deepEqual(result.needsAttention, [unsupported]);
  // Each child is findable by its operation.
  const child = await h.client.workflow.getHandle(workflowIdFor(finished)).describe();
  assert.equal(await child.staticSummary(), `Cancel ${finished}`);
});
