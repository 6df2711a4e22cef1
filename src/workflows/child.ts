/**
 * For other teams' workflow code: run a cancellation as a child workflow and get its typed result.
 *
 *   import { cancelOperationAsChild } from 'ee-cancel/src/workflows/child';
 *   const result = await cancelOperationAsChild({ name, reason: 'superseded' });
 *
 * One cancellation per operation: the child's workflow ID comes from the operation name. If a cancellation of the
 * same operation is already running (started by a client or another parent), we attach to it through an activity
 * on ee-cancel's task queue and return its result; no second cancel request is sent.
 */
import { WorkflowExecutionAlreadyStartedError, type Duration } from '@temporalio/common';
import { ParentClosePolicy, executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE, type CancelOperationInput, type CancelOperationResult } from '../shared';
import { startOptionsFor } from '../domain/start-options';
import type { cancelOperation } from './cancel-operation';

export interface ChildCancellationOptions {
  /** ee-cancel's task queue (where its worker runs). */
  taskQueue?: string;
  /**
   * What happens to the cancellation if the parent closes first. Default ABANDON: a cancellation, once asked
   * for, is carried to a true answer whatever happens to the workflow that asked.
   */
  parentClosePolicy?: ParentClosePolicy;
  /** Longest wait when attaching to a cancellation started elsewhere (default 11 days: an EE task lives 10). */
  attachTimeout?: Duration;
}

export async function cancelOperationAsChild(
  input: CancelOperationInput,
  options: ChildCancellationOptions = {},
): Promise<CancelOperationResult> {
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const { workflowId, ...metadata } = startOptionsFor(input) ?? {};
  try {
    return await executeChild<typeof cancelOperation>(WORKFLOW_TYPE, {
      args: [input],
      taskQueue,
      ...(workflowId && { workflowId }),
      parentClosePolicy: options.parentClosePolicy ?? ParentClosePolicy.ABANDON,
      ...metadata,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !workflowId) throw err;
    const { awaitCancellation } = proxyActivities<Activities>({
      taskQueue,
      summary: `Attach to the running cancellation ${workflowId}`,
      startToCloseTimeout: options.attachTimeout ?? '11 days',
      heartbeatTimeout: '1 minute',
      retry: { initialInterval: '1s', maximumInterval: '1 minute' },
    });
    return await awaitCancellation(workflowId);
  }
}
