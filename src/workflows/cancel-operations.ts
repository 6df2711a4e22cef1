/**
 * The `cancelOperations` workflow: cancel every operation of a project that matches a filter, one verified
 * `cancelOperation` child per operation, a bounded number at a time. The Earth Engine quota is kept by Temporal
 * (the task-queue rate limit the workers set), not here. Continues-as-new so that 3000 children stay within
 * history limits.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  FAILURE_TYPES,
  PROGRESS_QUERY,
  SEARCH_ATTRIBUTES,
  type BatchItemOutcome,
  type BatchItemResult,
  type BatchProgress,
  type CancelOperationsInput,
  type CancelOperationsResult,
} from '../shared';
import { checkBatchInput } from '../domain/batch';
import { ACTIVITY_RETRY } from '../domain/activity-retry';
import { cancelOperationAsChild } from './child';

export const progressQuery = defineQuery<BatchProgress>(PROGRESS_QUERY);

/** What a run hands to the next one. Internal. */
export interface BatchCarried {
  kind: 'ee-cancel/batch-carried-v1';
  startedAtMs: number;
  scanned: number;
  matched: number;
  pending: string[];
  results: BatchItemResult[];
}

// Each child adds about six events to this history: 400 per run keeps a run near 3,000 events.
const CHILDREN_PER_RUN = 400;

function isBatchCarried(value: unknown): value is BatchCarried {
  const c = value as Partial<BatchCarried> | undefined;
  return (
    typeof c === 'object' &&
    c !== null &&
    c.kind === 'ee-cancel/batch-carried-v1' &&
    Array.isArray(c.pending) &&
    Array.isArray(c.results) &&
    typeof c.startedAtMs === 'number'
  );
}

function errorTypeOf(err: unknown): string {
  let cause: unknown = err;
  while ((cause instanceof ChildWorkflowFailure || cause instanceof ActivityFailure) && cause.cause)
    cause = cause.cause;
  if (cause instanceof ApplicationFailure) return cause.type ?? 'ApplicationFailure';
  return cause instanceof Error ? cause.name : 'Error';
}

export async function cancelOperations(
  input: CancelOperationsInput,
  ...rest: unknown[]
): Promise<CancelOperationsResult> {
  const carried = rest.length === 1 && isBatchCarried(rest[0]) ? rest[0] : undefined;
  const check = checkBatchInput(input, carried ? 0 : rest.length);
  if (!check.ok) {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalidInput,
      nonRetryable: true,
      message: `Invalid input for cancelling the operations of ${JSON.stringify((input as { project?: unknown })?.project ?? null)}: ${check.problems.join('; ')}`,
      details: [{ problems: check.problems }],
    });
  }
  const { project, filter, dryRun, maxConcurrent, polling, reason, requestedBy } = check.input;
  const startedAtMs = carried?.startedAtMs ?? Date.now();
  const results: BatchItemResult[] = carried ? [...carried.results] : [];
  let pending: string[] = carried ? [...carried.pending] : [];
  let scanned = carried?.scanned ?? 0;
  let matched = carried?.matched ?? 0;
  let phase: BatchProgress['phase'] = carried ? 'cancelling' : 'listing';
  let inFlight = 0;

  const counts = (): Partial<Record<BatchItemOutcome, number>> => {
    const byOutcome: Partial<Record<BatchItemOutcome, number>> = {};
    for (const r of results) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
    return byOutcome;
  };
  const progress = (): BatchProgress => ({
    phase,
    dryRun,
    scanned,
    matched,
    started: results.length + inFlight,
    done: results.length,
    inFlight,
    byOutcome: counts(),
  });
  const showDetails = (): void => {
    const p = progress();
    const outcomes = Object.entries(p.byOutcome).map(([k, v]) => `| ${k} | ${v} |`);
    setCurrentDetails(
      [
        `**${phase === 'done' ? 'Finished' : phase === 'listing' ? 'Listing operations' : 'Cancelling'}** operations of \`${project}\`${dryRun ? ' (dry run)' : ''}`,
        '',
        '| | |',
        '|---|---|',
        `| matched | ${p.matched} of ${p.scanned} listed |`,
        `| sent | ${p.started} |`,
        `| done | ${p.done} |`,
        `| in flight | ${p.inFlight} |`,
        ...outcomes,
      ].join('\n'),
    );
  };
  setHandler(progressQuery, progress);
  const finish = (extra: Pick<CancelOperationsResult, 'wouldCancel'> = {}): CancelOperationsResult => {
    phase = 'done';
    showDetails();
    return {
      project,
      dryRun,
      scanned,
      matched,
      ...extra,
      counts: counts(),
      results,
      startedAt: new Date(startedAtMs).toISOString(),
      finishedAt: new Date(Date.now()).toISOString(),
    };
  };

  if (!carried) {
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.project, value: project }]);
    showDetails();
    const { listMatchingOperations } = proxyActivities<Activities>({
      summary: `List the operations of ${project}`,
      startToCloseTimeout: '10 minutes',
      heartbeatTimeout: '1 minute',
      retry: {
        initialInterval: ACTIVITY_RETRY.initialIntervalMs,
        backoffCoefficient: ACTIVITY_RETRY.backoffCoefficient,
        maximumInterval: ACTIVITY_RETRY.maximumIntervalMs,
        maximumAttempts: 20,
        nonRetryableErrorTypes: Object.values(FAILURE_TYPES),
      },
    });
    const listing = await listMatchingOperations(project, filter);
    scanned = listing.scanned;
    matched = listing.matched.length;
    if (dryRun) return finish({ wouldCancel: listing.matched });
    pending = listing.matched.map((op) => op.name);
  }
  phase = 'cancelling';
  showDetails();

  const taskQueue = workflowInfo().taskQueue;
  let startedThisRun = 0;
  const launch = (name: string): void => {
    inFlight++;
    startedThisRun++;
    void cancelOperationAsChild(
      { name, ...(polling && { polling }), ...(reason && { reason }), ...(requestedBy && { requestedBy }) },
      { taskQueue },
    )
      .then(
        (result) => results.push({ name, outcome: result.outcome }),
        // A single failed cancellation (PermissionDenied, ...) is a result, not a failure of the batch.
        (err: unknown) => results.push({ name, outcome: 'WORKFLOW_FAILED', error: errorTypeOf(err) }),
      )
      .finally(() => {
        inFlight--;
        showDetails();
      });
  };

  for (;;) {
    // Once this run has started enough children (or the server suggests it), it stops launching, lets the
    // children in flight finish, and hands the rest to a new run.
    const timeToContinue = startedThisRun >= CHILDREN_PER_RUN || workflowInfo().continueAsNewSuggested;
    while (!timeToContinue && inFlight < maxConcurrent && pending.length > 0) launch(pending.shift()!);
    if (inFlight === 0 && pending.length === 0) break;
    if (timeToContinue && inFlight === 0) {
      await condition(allHandlersFinished);
      const next: BatchCarried = {
        kind: 'ee-cancel/batch-carried-v1',
        startedAtMs,
        scanned,
        matched,
        pending,
        results,
      };
      return await continueAsNew<typeof cancelOperations>(input, next);
    }
    const doneBefore = results.length;
    await condition(() => results.length > doneBefore);
  }
  return finish();
}
