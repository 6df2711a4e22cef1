/**
 * Starting a cancellation from application code (not from a workflow: see `workflows/child.ts` for that).
 * One cancellation per operation: the workflow ID comes from the operation name and a second start for the same
 * operation attaches to the running one (USE_EXISTING) instead of sending a second cancel request.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { startOptionsFor } from './domain/start-options';
import { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE, type CancelOperationInput, type CancelOperationResult } from './shared';
import type { cancelOperation } from './workflows';

export interface StartCancellationOptions {
  taskQueue?: string;
  /** Overrides the derived workflow ID (then the one-per-operation guarantee is yours to keep). */
  workflowId?: string;
}

export function startCancellation(
  client: Client,
  input: CancelOperationInput,
  options: StartCancellationOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof cancelOperation>> {
  const { workflowId, ...metadata } = startOptionsFor(input) ?? {};
  return client.workflow.start<typeof cancelOperation>(WORKFLOW_TYPE, {
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    // An invalid name still starts a workflow, which fails as InvalidInput and keeps the reason in its history.
    workflowId:
      options.workflowId ?? workflowId ?? `ee-cancel/invalid/${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...metadata,
  });
}

/** Starts (or joins) the cancellation of an operation and waits for its result. */
export async function cancelOperationAndWait(
  client: Client,
  input: CancelOperationInput,
  options: StartCancellationOptions = {},
): Promise<CancelOperationResult> {
  const handle = await startCancellation(client, input, options);
  return handle.result();
}
