/**
 * The `cancelOperation` workflow: ask Earth Engine to cancel an operation, then read it until it is known how the
 * operation really ended. Deterministic: time, randomness and sleeps come from the workflow API.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities, CancelAnswer, ReadResult } from '../activities';
import {
  AUDIT_TRAIL_QUERY,
  FAILURE_TYPES,
  SEARCH_ATTRIBUTES,
  STATUS_QUERY,
  type AuditEntry,
  type CancelOperationInput,
  type CancelOperationResult,
  type CancelOperationStatus,
  type EeOperation,
  type Outcome,
  type Phase,
} from '../shared';
import { checkCancelInput, inputProblemMessage } from '../domain/input';
import { isDone, outcomeAfterCancel, progressOf, stateOf } from '../domain/classify';
import { nextWaitMs } from '../domain/backoff';
import { ACTIVITY_RETRY } from '../domain/activity-retry';

export const auditTrailQuery = defineQuery<AuditEntry[]>(AUDIT_TRAIL_QUERY);
export const statusQuery = defineQuery<CancelOperationStatus>(STATUS_QUERY);

/** What a run hands to the next one when it continues-as-new. Internal: not part of the public input. */
export interface Carried {
  kind: 'ee-cancel/carried-v1';
  startedAtMs: number;
  audit: AuditEntry[];
  polls: number;
  unchangedPolls: number;
  cancelRequested: boolean;
  lastOperation?: EeOperation;
  runs: number;
}

// A safety net beside the server's own suggestion (`continueAsNewSuggested`), well under the 10,240-event warning.
const MAX_HISTORY_EVENTS_PER_RUN = 5_000;
// Progress moves in small steps on long tasks; recording every step would grow the trail without telling more.
const PROGRESS_STEP_RECORDED = 0.01;
const MIN_ACTIVITY_WINDOW_MS = 60_000;

const NON_RETRYABLE_TYPES = Object.values(FAILURE_TYPES) as string[];

function isCarried(value: unknown): value is Carried {
  const c = value as Partial<Carried> | undefined;
  return (
    typeof c === 'object' &&
    c !== null &&
    c.kind === 'ee-cancel/carried-v1' &&
    typeof c.startedAtMs === 'number' &&
    Array.isArray(c.audit) &&
    typeof c.polls === 'number' &&
    typeof c.unchangedPolls === 'number' &&
    typeof c.cancelRequested === 'boolean' &&
    typeof c.runs === 'number'
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function describeOperation(operation: EeOperation): Record<string, unknown> {
  const progress = progressOf(operation);
  return {
    state: stateOf(operation),
    done: isDone(operation),
    ...(progress !== undefined && { progress }),
    ...(operation.error && { error: { code: operation.error.code, message: operation.error.message } }),
  };
}

/** Only our own failure types survive; anything else is described without internals. */
function failureInfo(err: unknown): { type: string; message: string; timedOut: boolean } {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message, timedOut: false };
  }
  if (cause instanceof TimeoutFailure) {
    // The attempts' last fault, kept in the heartbeat details, says why the retries never succeeded.
    const memory = cause.lastHeartbeatDetails as { retried?: { status?: string; message?: string }[] } | undefined;
    const last = Array.isArray(memory?.retried) ? memory.retried[memory.retried.length - 1] : undefined;
    return {
      type: 'Timeout',
      message: `Earth Engine did not answer in time (${String(cause.timeoutType)} timeout)${last ? `; last fault: ${last.status}: ${last.message}` : ''}`,
      timedOut: true,
    };
  }
  return { type: 'Error', message: err instanceof Error ? err.message : String(err), timedOut: false };
}

function percent(progress: number | undefined): string {
  return progress === undefined ? '–' : `${Math.round(progress * 100)}%`;
}

/** Markdown for the Web UI's "current details": what it is doing and why, without opening the history. */
export function currentDetails(view: {
  name: string;
  phase: Phase;
  outcome?: Outcome;
  operation?: EeOperation;
  polls: number;
  unchangedPolls: number;
  cancelRequested: boolean;
  nextPollAt?: string;
  last?: AuditEntry;
}): string {
  const state = view.operation ? stateOf(view.operation) : '–';
  const headline = view.outcome
    ? `**Finished: ${view.outcome}**`
    : {
        reading: '**Reading the operation**',
        'requesting-cancel': '**Sending the cancel request**',
        waiting: '**Waiting for the cancellation to take effect**',
        polling: '**Reading the operation**',
        done: '**Finished**',
        failed: '**Failed**',
        cancelled: '**Stopped: this workflow was cancelled**',
      }[view.phase];
  const rows = [
    ['operation', `\`${view.name}\``],
    ['state', state],
    ['progress', percent(view.operation ? progressOf(view.operation) : undefined)],
    ['cancel requested', view.cancelRequested ? 'yes' : 'no'],
    ['reads after the request', `${view.polls} (${view.unchangedPolls} unchanged since the last change)`],
    ...(view.phase === 'waiting' && view.nextPollAt ? [['next read', view.nextPollAt]] : []),
    ...(view.last ? [['last event', `${view.last.event} at ${view.last.at}`]] : []),
  ];
  return [headline, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

const REMEDIES: Record<string, string> = {
  [FAILURE_TYPES.permissionDenied]:
    "grant the worker's service account Earth Engine access to the project (e.g. roles/earthengine.writer) and serviceusage.services.use on the quota project",
  [FAILURE_TYPES.unauthenticated]: "check the worker's Application Default Credentials",
  [FAILURE_TYPES.projectNotAllowed]:
    "add the project to the worker's EE_ALLOWED_PROJECTS, or use a worker that serves it",
};

export async function cancelOperation(input: CancelOperationInput, ...rest: unknown[]): Promise<CancelOperationResult> {
  const carried = rest.length === 1 && isCarried(rest[0]) ? rest[0] : undefined;
  const extraArgs = carried ? 0 : rest.length;

  const audit: AuditEntry[] = carried ? [...carried.audit] : [];
  const startedAtMs = carried?.startedAtMs ?? Date.now();
  let polls = carried?.polls ?? 0;
  let unchangedPolls = carried?.unchangedPolls ?? 0;
  let cancelRequested = carried?.cancelRequested ?? false;
  let lastOperation: EeOperation | undefined = carried?.lastOperation;
  let phase: Phase = 'reading';
  let outcome: Outcome | undefined;
  let nextPollAt: string | undefined;

  let name = typeof input?.name === 'string' ? input.name : '(invalid input)';
  const showDetails = (): void =>
    setCurrentDetails(
      currentDetails({
        name,
        phase,
        ...(outcome && { outcome }),
        ...(lastOperation && { operation: lastOperation }),
        polls,
        unchangedPolls,
        cancelRequested,
        ...(nextPollAt && { nextPollAt }),
        ...(audit.length > 0 && { last: audit[audit.length - 1] }),
      }),
    );
  const record = (event: string, details: Record<string, unknown> = {}): void => {
    audit.push({ at: iso(Date.now()), event, ...details });
    showDetails();
  };

  setHandler(auditTrailQuery, () => audit);
  setHandler(statusQuery, () => ({
    phase,
    ...(outcome && { outcome }),
    ...(lastOperation && { lastState: stateOf(lastOperation) }),
    polls,
    ...(phase === 'waiting' && nextPollAt && { nextPollAt }),
  }));

  if (!carried) {
    const raw = input as unknown as Record<string, unknown> | null;
    record('started', {
      name:
        typeof raw?.name === 'string'
          ? raw.name.slice(0, 200)
          : raw?.name === undefined
            ? null
            : JSON.stringify(raw.name)?.slice(0, 200),
      ...(typeof raw?.reason === 'string' && { reason: raw.reason.slice(0, 1000) }),
      ...(typeof raw?.requestedBy === 'string' && { requestedBy: raw.requestedBy.slice(0, 200) }),
    });
  }

  const check = checkCancelInput(input, extraArgs);
  if (!check.ok) {
    phase = 'failed';
    const message = inputProblemMessage(input, check.problems);
    record('rejected', { failureType: FAILURE_TYPES.invalidInput, problems: check.problems });
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.invalidInput,
      nonRetryable: true,
      message,
      details: [{ problems: check.problems, audit }],
    });
  }
  const { polling } = check.input;
  name = check.input.name;
  const deadlineMs = startedAtMs + polling.timeoutMs;
  if (!carried) {
    // Starts through our client helpers set these already; a plain CLI start does not.
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.operation, value: name },
      { key: SEARCH_ATTRIBUTES.project, value: check.input.project },
    ]);
  }
  let indexedState: string | undefined = lastOperation ? stateOf(lastOperation) : undefined;
  const indexState = (operation: EeOperation): void => {
    const state = stateOf(operation);
    if (state !== indexedState) {
      indexedState = state;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.operationState, value: state }]);
    }
  };

  const activities = (scheduleToCloseMs: number, summary: string): Activities =>
    proxyActivities<Activities>({
      summary,
      // One HTTP call with its own 20 s timeout; the margin covers token refreshes.
      startToCloseTimeout: '30s',
      // Retries go on until the polling deadline (with a floor so that the last read still gets a fair chance).
      scheduleToCloseTimeout: Math.max(MIN_ACTIVITY_WINDOW_MS, scheduleToCloseMs),
      retry: {
        initialInterval: ACTIVITY_RETRY.initialIntervalMs,
        backoffCoefficient: ACTIVITY_RETRY.backoffCoefficient,
        maximumInterval: ACTIVITY_RETRY.maximumIntervalMs,
        nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
      },
    } satisfies ActivityOptions);

  const noteRetries = (
    activity: string,
    result: { attempts: number; retried: unknown[]; lostAttempts?: number[] },
  ): void => {
    if (result.attempts > 1) {
      const lost = result.lostAttempts ?? [];
      record('retried', {
        activity,
        attempts: result.attempts,
        faults: result.retried,
        // Such an attempt's request may have reached Earth Engine, so the retry may have sent it a second time.
        ...(lost.length > 0 && {
          answerLostOnAttempts: lost,
          note: 'an earlier attempt ended without an answer (worker crash or timeout); its request may have been sent',
        }),
      });
    }
  };

  const finish = (result: Outcome, operation: EeOperation | undefined): CancelOperationResult => {
    outcome = result;
    phase = 'done';
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.outcome, value: result }]);
    record('finished', { outcome: result, polls, cancelRequested });
    return {
      name,
      outcome: result,
      cancelRequested,
      ...(operation && { operation }),
      polls,
      startedAt: iso(startedAtMs),
      finishedAt: iso(Date.now()),
      audit,
    };
  };

  const read = async (purpose: string): Promise<ReadResult> => {
    const result = await activities(deadlineMs - Date.now(), `Read ${name} (${purpose})`).readOperation(name);
    if (result.found) indexState(result.operation);
    noteRetries(`readOperation (${purpose})`, result);
    return result;
  };

  try {
    if (!carried) {
      const snapshot = await read('snapshot');
      if (!snapshot.found) {
        record('snapshot', { found: false, message: snapshot.message });
        return finish('NOT_FOUND', undefined);
      }
      lastOperation = snapshot.operation;
      record('snapshot', describeOperation(snapshot.operation));
      if (isDone(snapshot.operation)) return finish('ALREADY_DONE', snapshot.operation);

      phase = 'requesting-cancel';
      const answer: CancelAnswer = await activities(
        deadlineMs - Date.now(),
        `Request cancellation of ${name}`,
      ).requestCancel(name);
      noteRetries('requestCancel', answer);
      record('cancel-sent', {
        answer: answer.answer,
        ...(answer.answer !== 'accepted' && {
          status: answer.status,
          httpStatus: answer.httpStatus,
          message: answer.message,
        }),
      });
      switch (answer.answer) {
        case 'accepted':
          cancelRequested = true;
          break;
        case 'unimplemented':
          return finish('CANCEL_UNSUPPORTED', lastOperation);
        case 'not-found':
          return finish('NOT_FOUND', lastOperation);
        case 'rejected': {
          // The operation may have finished between our read and our request; a fresh read tells.
          const after = await read('after refusal');
          if (!after.found) return finish('NOT_FOUND', lastOperation);
          lastOperation = after.operation;
          record('read', describeOperation(after.operation));
          if (isDone(after.operation)) return finish('ALREADY_DONE', after.operation);
          throw ApplicationFailure.create({
            type: FAILURE_TYPES.cancelRejected,
            nonRetryable: true,
            message: `Earth Engine refused to cancel ${name} (${answer.status}: ${answer.message}) and the operation is still running`,
          });
        }
      }
    }

    // The poll loop. Each iteration: one timer, one read. Unchanged reads are only counted.
    for (let pollIndex = polls; ; pollIndex++) {
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS_PER_RUN) {
        record('continued-as-new', { historyLength: info.historyLength, run: (carried?.runs ?? 0) + 2 });
        await condition(allHandlersFinished);
        const next: Carried = {
          kind: 'ee-cancel/carried-v1',
          startedAtMs,
          audit,
          polls,
          unchangedPolls,
          cancelRequested,
          ...(lastOperation && { lastOperation }),
          runs: (carried?.runs ?? 0) + 1,
        };
        return await continueAsNew<typeof cancelOperation>(input, next);
      }
      const now = Date.now();
      if (now >= deadlineMs) {
        record('deadline-reached', { timeoutMs: polling.timeoutMs, unchangedPolls });
        return finish('DEADLINE_EXCEEDED', lastOperation);
      }
      const waitMs = nextWaitMs(pollIndex, polling, Math.random(), now, deadlineMs);
      nextPollAt = iso(now + waitMs);
      phase = 'waiting';
      showDetails();
      await sleep(waitMs, {
        summary: `Wait ${Math.round(waitMs / 100) / 10} s before read ${polls + 1}${unchangedPolls > 0 ? ` (${unchangedPolls} unchanged)` : ''}`,
      });
      phase = 'polling';

      let result: ReadResult;
      try {
        result = await read(`poll ${polls + 1}`);
      } catch (err) {
        const info = failureInfo(err);
        if (!isCancellation(err) && info.timedOut && Date.now() >= deadlineMs - 1000) {
          record('read-failed', { failureType: info.type, message: info.message });
          continue; // the deadline check above ends the loop
        }
        throw err;
      }
      polls++;
      if (!result.found) {
        record('vanished', { message: result.message, polls });
        return finish('NOT_FOUND', lastOperation);
      }
      const before = lastOperation;
      lastOperation = result.operation;
      const state = stateOf(result.operation);
      const previousState = before ? stateOf(before) : undefined;
      const progress = progressOf(result.operation);
      const previousProgress = before ? progressOf(before) : undefined;
      if (state !== previousState) {
        record('state-changed', {
          from: previousState,
          to: state,
          ...(progress !== undefined && { progress }),
          unchangedPollsBefore: unchangedPolls,
          // An operation that goes back from CANCELLING to RUNNING may have dropped our request.
          ...(previousState === 'CANCELLING' && (state === 'RUNNING' || state === 'PENDING') && { regressed: true }),
        });
        unchangedPolls = 0;
      } else if (
        progress !== undefined &&
        (previousProgress === undefined || Math.abs(progress - previousProgress) >= PROGRESS_STEP_RECORDED)
      ) {
        record('progress', { state, progress, unchangedPollsBefore: unchangedPolls });
        unchangedPolls = 0;
      } else {
        unchangedPolls++;
      }
      if (isDone(result.operation)) {
        return finish(outcomeAfterCancel(result.operation), result.operation);
      }
    }
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        phase = 'cancelled';
        record('workflow-cancelled', { cancelRequested, polls });
      });
      throw err;
    }
    phase = 'failed';
    const { type, message } = failureInfo(err);
    record('failed', { failureType: type, message });
    const remedy = REMEDIES[type];
    throw ApplicationFailure.create({
      type,
      nonRetryable: true,
      message: `Cancelling ${name} failed: ${message}${remedy ? `. To fix: ${remedy}` : ''}`,
      details: [{ audit }],
      cause: err instanceof Error ? err : undefined,
    });
  }
}
