/**
 * Activities are thin: one HTTP call each, the answer mapped to a result or to a Temporal failure that says
 * whether another attempt can help. Retrying is Temporal's job (the workflow sets the retry policy).
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { FAILURE_TYPES, type CancelOperationResult, type EeOperation, type OperationSummary } from '../shared';
import { failureTypeOf, type ApiFault } from '../domain/api-errors';
import { retryDelayMs } from '../domain/activity-retry';
import { checkOperationName, checkProjectId } from '../domain/operation-name';
import { matchesFilter, summarize, type NormalizedFilter } from '../domain/batch';
import type { OperationsApi } from './ee-client';

export interface ActivityDeps {
  operations: OperationsApi;
  /** Projects the worker may touch; undefined means any. */
  allowedProjects?: ReadonlySet<string>;
  /** For `awaitCancellation` (parents attaching to a cancellation that is already running). */
  client?: Client;
}

const ATTACH_HEARTBEAT_MS = 10_000;

/** A fault that an earlier attempt of the same activity met, kept so that the audit trail can show retries. */
export interface RetriedFault {
  attempt: number;
  status: string;
  httpStatus?: number;
  message: string;
  retryAfterMs?: number;
}

interface AttemptInfo {
  /** 1 when the first attempt succeeded. */
  attempts: number;
  /** Faults of the earlier attempts (most recent last; at most a few are kept). */
  retried: RetriedFault[];
  /**
   * Earlier attempts that ended without an answer or a fault (the worker died, or the attempt timed out): their
   * request may have reached Earth Engine.
   */
  lostAttempts: number[];
}

interface AttemptMemory {
  retried: RetriedFault[];
  lostAttempts: number[];
  lastFaultAttempt: number;
}

export type ReadResult = AttemptInfo & ({ found: true; operation: EeOperation } | { found: false; message: string });

export type CancelAnswer = AttemptInfo &
  (
    | { answer: 'accepted' }
    | { answer: 'unimplemented' | 'not-found' | 'rejected'; status: string; httpStatus?: number; message: string }
  );

const KEPT_FAULTS = 5;

/** What earlier attempts left in their heartbeat details; attempts that left nothing were lost. */
function earlierAttempts(): AttemptMemory {
  const attempt = Context.current().info.attempt;
  const details = Context.current().info.heartbeatDetails as Partial<AttemptMemory> | undefined;
  const retried = Array.isArray(details?.retried) ? details.retried : [];
  const lastFaultAttempt = typeof details?.lastFaultAttempt === 'number' ? details.lastFaultAttempt : 0;
  const lostAttempts = Array.isArray(details?.lostAttempts) ? [...details.lostAttempts] : [];
  for (let a = lastFaultAttempt + 1; a < attempt; a++) lostAttempts.push(a);
  return { retried, lostAttempts, lastFaultAttempt };
}

/** Checks made again on the worker side (the workflow validated the input already): defence in depth. */
function guard(name: string, deps: ActivityDeps): void {
  const check = checkOperationName(name);
  if (!check.ok) {
    throw ApplicationFailure.create({ type: FAILURE_TYPES.invalidInput, nonRetryable: true, message: check.problem });
  }
  guardProject(check.project, deps, name);
}

function guardProject(project: string, deps: ActivityDeps, what: string): void {
  if (deps.allowedProjects && !deps.allowedProjects.has(project)) {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.projectNotAllowed,
      nonRetryable: true,
      message: `project "${project}" is not in this worker's EE_ALLOWED_PROJECTS; ${what} was not touched`,
    });
  }
}

export interface ListResult {
  matched: OperationSummary[];
  scanned: number;
  pages: number;
}

/**
 * Throws the Temporal failure for a fault. Transient faults are retried by the policy, waiting at least what the
 * server asked; the fault is remembered in the heartbeat details so the next attempt can report it.
 */
function fail(name: string, fault: ApiFault): never {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  const message = `${name}: ${fault.status}${fault.httpStatus ? ` (HTTP ${fault.httpStatus})` : ''}: ${fault.message}`;
  if (!fault.retryable) {
    const type =
      fault.status === 'PERMISSION_DENIED'
        ? FAILURE_TYPES.permissionDenied
        : fault.status === 'UNAUTHENTICATED'
          ? FAILURE_TYPES.unauthenticated
          : failureTypeOf(fault);
    throw ApplicationFailure.create({ type, nonRetryable: true, message, details: [fault] });
  }
  const earlier = earlierAttempts();
  const memory: AttemptMemory = {
    retried: [...earlier.retried, { attempt, ...fault }].slice(-KEPT_FAULTS),
    lostAttempts: earlier.lostAttempts,
    lastFaultAttempt: attempt,
  };
  ctx.heartbeat(memory);
  throw ApplicationFailure.create({
    type: failureTypeOf(fault),
    nonRetryable: false,
    message,
    details: [fault],
    nextRetryDelay: retryDelayMs(attempt, fault.retryAfterMs),
  });
}

function attemptInfo(): AttemptInfo {
  const { retried, lostAttempts } = earlierAttempts();
  return { attempts: Context.current().info.attempt, retried, lostAttempts };
}

export function createActivities(deps: ActivityDeps) {
  return {
    /** GET the operation. NOT_FOUND is an answer here, not a failure: the workflow turns it into an outcome. */
    async readOperation(name: string): Promise<ReadResult> {
      guard(name, deps);
      Context.current().log.info('Reading Earth Engine operation', { operation: name });
      const result = await deps.operations.get(name, Context.current().cancellationSignal);
      if (result.ok) return { ...attemptInfo(), found: true, operation: result.value };
      if (result.fault.status === 'NOT_FOUND' && result.fault.httpStatus === 404) {
        return { ...attemptInfo(), found: false, message: result.fault.message };
      }
      return fail(name, result.fault);
    },

    /** POST :cancel. UNIMPLEMENTED, NOT_FOUND and a refusal (4xx) are answers the workflow decides on. */
    async requestCancel(name: string): Promise<CancelAnswer> {
      guard(name, deps);
      Context.current().log.info('Requesting cancellation of Earth Engine operation', { operation: name });
      const result = await deps.operations.cancel(name, Context.current().cancellationSignal);
      if (result.ok) return { ...attemptInfo(), answer: 'accepted' };
      const { fault } = result;
      const answer = {
        status: fault.status,
        ...(fault.httpStatus && { httpStatus: fault.httpStatus }),
        message: fault.message,
      };
      if (fault.httpStatus === 501 || fault.status === 'UNIMPLEMENTED') {
        return { ...attemptInfo(), answer: 'unimplemented', ...answer };
      }
      if (fault.httpStatus === 404) return { ...attemptInfo(), answer: 'not-found', ...answer };
      if (
        !fault.retryable &&
        (fault.status === 'FAILED_PRECONDITION' || fault.status === 'INVALID_ARGUMENT') &&
        fault.httpStatus === 400
      ) {
        // Unverified in public docs: a cancel of an operation that just finished may be refused like this.
        return { ...attemptInfo(), answer: 'rejected', ...answer };
      }
      return fail(name, fault);
    },

    /**
     * Lists the project's operations page by page and keeps those the filter matches (only a summary of each, so
     * that 3000 of them stay small in workflow history).
     */
    async listMatchingOperations(project: string, filter: NormalizedFilter): Promise<ListResult> {
      const check = checkProjectId(project);
      if (!check.ok) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.invalidInput,
          nonRetryable: true,
          message: check.problem,
        });
      }
      guardProject(project, deps, `the operations of ${project}`);
      const ctx = Context.current();
      ctx.log.info('Listing Earth Engine operations', { project });
      const matched: OperationSummary[] = [];
      let scanned = 0;
      let pages = 0;
      let pageToken: string | undefined;
      do {
        const result = await deps.operations.list(project, pageToken, ctx.cancellationSignal);
        if (!result.ok) return fail(`projects/${project}/operations`, result.fault);
        pages++;
        const operations = Array.isArray(result.value.operations) ? result.value.operations : [];
        for (const operation of operations) {
          scanned++;
          const summary = summarize(operation);
          if (summary && matchesFilter(summary, filter)) matched.push(summary);
        }
        pageToken =
          typeof result.value.nextPageToken === 'string' && result.value.nextPageToken !== ''
            ? result.value.nextPageToken
            : undefined;
        ctx.heartbeat({ ...earlierAttempts(), pages });
      } while (pageToken !== undefined);
      return { matched, scanned, pages };
    },

    /**
     * Waits for the result of a cancellation workflow started elsewhere (following continue-as-new), heartbeating
     * so that a worker crash is noticed and the wait resumes on another worker.
     */
    async awaitCancellation(workflowId: string): Promise<CancelOperationResult> {
      if (!deps.client) throw ApplicationFailure.nonRetryable('this worker has no Temporal client', 'Misconfigured');
      const ctx = Context.current();
      const heartbeat = setInterval(() => ctx.heartbeat(), ATTACH_HEARTBEAT_MS);
      try {
        ctx.heartbeat();
        const result = deps.client.workflow.getHandle(workflowId).result() as Promise<CancelOperationResult>;
        return await Promise.race([result, ctx.cancelled]);
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
