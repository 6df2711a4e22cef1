/**
 * Starting a cancellation from application code (not from a workflow: see `workflows/child.ts` for that).
 * One cancellation per operation: the workflow ID comes from the operation name and a second start for the same
 * operation attaches to the running one (USE_EXISTING) instead of sending a second cancel request.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { checkOperationName } from './domain/operation-name';
import {
  DEFAULT_TASK_QUEUE,
  SEARCH_ATTRIBUTES,
  WORKFLOW_TYPE,
  workflowIdFor,
  type CancelOperationInput,
  type CancelOperationResult,
} from './shared';
import type { cancelOperation } from './workflows';

export interface StartCancellationOptions {
  taskQueue?: string;
  /** Overrides the derived workflow ID (then the one-per-operation guarantee is yours to keep). */
  workflowId?: string;
}

/** The one-line summary and the details the Web UI shows for a cancellation from its start. */
export function staticMetadataFor(input: CancelOperationInput): { staticSummary: string; staticDetails: string } {
  const lines = [
    `Cancel Earth Engine operation \`${input.name}\` and verify how it ended.`,
    '',
    ...(input.reason ? [`- reason: ${input.reason}`] : []),
    ...(input.requestedBy ? [`- requested by: ${input.requestedBy}`] : []),
    ...(input.polling
      ? [
          `- polling: ${Object.entries(input.polling)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', ')}`,
        ]
      : []),
  ];
  return { staticSummary: `Cancel ${input.name}`, staticDetails: lines.join('\n') };
}

export function startCancellation(
  client: Client,
  input: CancelOperationInput,
  options: StartCancellationOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof cancelOperation>> {
  const check = checkOperationName(input?.name);
  // An invalid name still starts a workflow, which fails as InvalidInput and keeps the reason in its history.
  const workflowId = options.workflowId ?? (check.ok ? workflowIdFor(check.name) : undefined);
  return client.workflow.start<typeof cancelOperation>(WORKFLOW_TYPE, {
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowId: workflowId ?? `ee-cancel/invalid/${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...(check.ok && {
      ...staticMetadataFor(input),
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.operation, value: check.name },
        { key: SEARCH_ATTRIBUTES.project, value: check.project },
      ],
    }),
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
