/**
 * How another team's worker uses ee-cancel: re-export our workflow next to theirs (so one worker serves both), and
 * call `cancelOperationAsChild` from their own workflows. This file is also the example parent in the README.
 */
import { cancelOperationAsChild } from '../../src/workflows/child';
import type { CancelOperationResult, Outcome, PollingOptions } from '../../src/shared';

export { cancelOperation } from '../../src/workflows';

export interface CancelManyInput {
  names: string[];
  reason: string;
  taskQueue: string;
  polling?: PollingOptions;
}

export interface CancelManyResult {
  outcomes: Record<string, Outcome>;
  /** Operations that finished anyway: their outputs exist, so the work they did must be undone or re-queued. */
  requeue: string[];
  /** Operations that could not be cancelled at all: a person should look. */
  needsAttention: string[];
}

/** Example parent: cancel a set of operations and react to each outcome. */
export async function cancelMany(input: CancelManyInput): Promise<CancelManyResult> {
  const results = await Promise.all(
    input.names.map((name) =>
      cancelOperationAsChild(
        { name, reason: input.reason, ...(input.polling && { polling: input.polling }) },
        { taskQueue: input.taskQueue },
      ),
    ),
  );
  const outcomes: Record<string, Outcome> = {};
  for (const r of results) outcomes[r.name] = r.outcome;
  return {
    outcomes,
    requeue: results.filter((r) => r.outcome === 'COMPLETED_DESPITE_CANCELLATION').map((r) => r.name),
    needsAttention: results
      .filter((r) => r.outcome === 'CANCEL_UNSUPPORTED' || r.outcome === 'DEADLINE_EXCEEDED')
      .map((r) => r.name),
  };
}

/** A parent that cancels one operation as a child (used to show that a second start attaches). */
export async function cancelOneAsChild(input: {
  name: string;
  taskQueue: string;
  polling?: PollingOptions;
}): Promise<CancelOperationResult> {
  return cancelOperationAsChild(
    { name: input.name, ...(input.polling && { polling: input.polling }) },
    { taskQueue: input.taskQueue },
  );
}
