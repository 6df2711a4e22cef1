/**
 * The baseline of the throughput benchmark: what a careful plain Node script (no Temporal) does to cancel every
 * PENDING or RUNNING operation of a project.
 *
 * 1. List the project's operations (pageSize 500, following nextPageToken, filtering on the client side as the
 *    official clients do) and keep those whose `metadata.state` is one of `states` (legacy names mapped).
 * 2. For each of them, concurrently: POST `{name}:cancel` with an empty body, then GET it on ee-cancel's polling
 *    schedule (`pollDelayMs`, jittered with Math.random) until it is `done`, and classify the end as the workflow does
 *    (`outcomeAfterCancel`); `DEADLINE_EXCEEDED` when `polling.timeoutMs` (counted from the start of that operation's
 *    cancellation) runs out.
 *
 * Every request goes through one shared limiter: request starts spaced by at least 1000/ratePerSecond ms (a token
 * bucket of size 1: no bursts) and at most `maxConcurrent` in flight. A 429 waits its RetryInfo / Retry-After delay
 * (1 s without one), pauses the whole limiter as long (the quota is shared), and retries; 5xx, network errors,
 * timeouts and unparsable 2xx bodies are retried with the activities' backoff (1 s doubling to 60 s, never sooner
 * than the server asks) until the deadline; a 401 is retried once with a fresh token. Other 4xx answers are final.
 *
 * Pure Node: global fetch, and ee-cancel's pure domain modules (no Temporal at run time).
 */
import { performance } from 'node:perf_hooks';
import type { EeOperation } from '../src/shared';
import { pollDelayMs } from '../src/domain/backoff';
import { isDone, outcomeAfterCancel, stateOf } from '../src/domain/classify';
import { failureTypeOf, faultFromHttp } from '../src/domain/api-errors';
import { retryDelayMs } from '../src/domain/activity-retry';
import { checkOperationName, checkProjectId } from '../src/domain/operation-name';

export interface BaselineOptions {
  /** API root, e.g. http://127.0.0.1:PORT/v1 */
  apiUrl: string;
  /** The access token; called before every request (cache it on your side). */
  token: () => Promise<string> | string;
  project: string;
  ratePerSecond: number;
  maxConcurrent: number;
  polling: { initialIntervalMs: number; maxIntervalMs: number; backoffCoefficient: number; timeoutMs: number };
  /** States to cancel (default PENDING and RUNNING). */
  states?: string[];
}

export interface BaselineResult {
  wallMs: number;
  /** Operations that matched `states` and were cancelled. */
  operations: number;
  /** HTTP requests sent (list + cancels + gets), retries and throttled ones included. */
  apiCalls: number;
  list: number;
  cancels: number;
  gets: number;
  status429: number;
  /** By outcome (CANCELLED, ..., DEADLINE_EXCEEDED) or failure type (CancelRejected, PermissionDenied, ...). */
  outcomes: Record<string, number>;
}

const PAGE_SIZE = 500;
const REQUEST_TIMEOUT_MS = 20_000;
const DEFAULT_429_DELAY_MS = 1_000;
const LIST_DEADLINE_MS = 10 * 60_000;

const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/** Starts spaced by `intervalMs` (no bursts), at most `maxConcurrent` at once, FIFO. */
class Limiter {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private nextStartAt = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly maxConcurrent: number,
  ) {}

  async acquire(): Promise<void> {
    if (this.inFlight < this.maxConcurrent && this.waiters.length === 0) this.inFlight++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve)); // the releaser hands its slot over
    // Reserve a start time only once we hold a slot, so that reserved starts are never bunched by a wait for one.
    const now = performance.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + this.intervalMs;
    await sleep(startAt - now);
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** No request starts before `until` (performance.now() time). */
  pauseUntil(until: number): void {
    this.nextStartAt = Math.max(this.nextStartAt, until);
  }
}

type Kind = 'list' | 'cancel' | 'get';

interface Answer {
  status: number;
  /** Parsed body of a 2xx answer (always a JSON object). */
  json: Record<string, unknown>;
  text: string;
}

type Attempt =
  | { kind: 'final'; answer: Answer }
  | { kind: 'throttled'; hintMs: number | undefined }
  | { kind: 'transient'; hintMs: number | undefined };

class GaveUp extends Error {}

function increment(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  if (!(options.ratePerSecond > 0) || !(options.maxConcurrent >= 1)) {
    throw new RangeError('ratePerSecond must be > 0 and maxConcurrent >= 1');
  }
  const projectCheck = checkProjectId(options.project);
  if (!projectCheck.ok) throw new TypeError(projectCheck.problem);
  const startedAt = performance.now();
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  // Legacy task names (READY, ...) mean the same as the Operation states they map to.
  const states = new Set((options.states ?? ['PENDING', 'RUNNING']).map((state) => stateOf({ metadata: { state } })));
  const limiter = new Limiter(1000 / options.ratePerSecond, Math.floor(options.maxConcurrent));
  const counts: Record<Kind, number> = { list: 0, cancel: 0, get: 0 };
  let status429 = 0;
  const outcomes: Record<string, number> = {};

  /** One HTTP request through the limiter. */
  const attempt = async (kind: Kind, method: 'GET' | 'POST', url: string): Promise<Attempt> => {
    await limiter.acquire();
    try {
      counts[kind]++;
      const token = await options.token();
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'x-goog-user-project': options.project,
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.ok) {
        let json: unknown;
        try {
          json = text.trim() === '' ? {} : JSON.parse(text);
        } catch {
          return { kind: 'transient', hintMs: undefined }; // truncated or not JSON
        }
        if (typeof json !== 'object' || json === null || Array.isArray(json)) {
          return { kind: 'transient', hintMs: undefined };
        }
        return { kind: 'final', answer: { status: response.status, json: json as Record<string, unknown>, text } };
      }
      const retryAfter = response.headers.get('retry-after') ?? undefined;
      const fault = faultFromHttp(
        {
          httpStatus: response.status,
          bodyText: text,
          ...(retryAfter !== undefined && { retryAfterHeader: retryAfter }),
        },
        Date.now(),
      );
      if (response.status === 429) {
        status429++;
        return { kind: 'throttled', hintMs: fault.retryAfterMs };
      }
      if (response.status >= 500 && response.status !== 501) return { kind: 'transient', hintMs: fault.retryAfterMs };
      return { kind: 'final', answer: { status: response.status, json: {}, text } };
    } catch {
      return { kind: 'transient', hintMs: undefined }; // network error or timeout
    } finally {
      limiter.release();
    }
  };

  /** A request with its retries: the first final answer, or GaveUp when the next try would be past the deadline. */
  const call = async (kind: Kind, method: 'GET' | 'POST', url: string, deadline: number): Promise<Answer> => {
    let failures = 0;
    let refreshed = false;
    for (;;) {
      const result = await attempt(kind, method, url);
      let waitMs: number;
      if (result.kind === 'final') {
        if (result.answer.status !== 401 || refreshed) return result.answer;
        refreshed = true; // a 401: fetch a fresh token and try once more
        waitMs = 0;
      } else if (result.kind === 'throttled') {
        waitMs = result.hintMs ?? DEFAULT_429_DELAY_MS;
        limiter.pauseUntil(performance.now() + waitMs); // the quota is shared: everyone waits
      } else {
        failures++;
        waitMs = retryDelayMs(failures, result.hintMs);
      }
      if (performance.now() + waitMs > deadline) throw new GaveUp(`${method} ${url}: no answer before the deadline`);
      await sleep(waitMs);
    }
  };

  /** The outcome name for a final non-2xx answer: the failure type the workflow would fail with. */
  const failureOf = (answer: Answer): string =>
    failureTypeOf(faultFromHttp({ httpStatus: answer.status, bodyText: answer.text }, Date.now()));

  // 1. List.
  const matching: string[] = [];
  const listDeadline = performance.now() + LIST_DEADLINE_MS;
  let pageToken: string | undefined;
  do {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE), ...(pageToken && { pageToken }) });
    const url = `${apiUrl}/projects/${projectCheck.project}/operations?${query.toString()}`;
    const answer = await call('list', 'GET', url, listDeadline);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`listing ${options.project} failed: HTTP ${answer.status} (${failureOf(answer)})`);
    }
    const operations = Array.isArray(answer.json.operations) ? (answer.json.operations as EeOperation[]) : [];
    for (const operation of operations) {
      if (typeof operation?.name === 'string' && states.has(stateOf(operation))) matching.push(operation.name);
    }
    pageToken = typeof answer.json.nextPageToken === 'string' ? answer.json.nextPageToken : undefined;
  } while (pageToken);

  // 2. Cancel and wait, every operation at once; the limiter paces the requests.
  const cancelOne = async (name: string): Promise<string> => {
    const check = checkOperationName(name);
    if (!check.ok) return 'InvalidInput';
    const deadline = performance.now() + options.polling.timeoutMs;
    const url = `${apiUrl}/${check.name}`;
    try {
      const cancel = await call('cancel', 'POST', `${url}:cancel`, deadline);
      if (cancel.status === 404) return 'NOT_FOUND';
      if (cancel.status === 501) return 'CANCEL_UNSUPPORTED';
      if (cancel.status === 400 || cancel.status === 409) {
        // It may have finished between the listing and the request: one read tells.
        const after = await call('get', 'GET', url, deadline);
        if (after.status === 404) return 'NOT_FOUND';
        if (after.status >= 200 && after.status <= 299 && isDone(after.json)) return 'ALREADY_DONE';
        return 'CancelRejected';
      }
      if (cancel.status < 200 || cancel.status > 299) return failureOf(cancel);
      for (let pollIndex = 0; ; pollIndex++) {
        const now = performance.now();
        if (now >= deadline) return 'DEADLINE_EXCEEDED';
        await sleep(Math.min(pollDelayMs(pollIndex, options.polling, Math.random()), deadline - now));
        const read = await call('get', 'GET', url, deadline);
        if (read.status === 404) return 'NOT_FOUND';
        if (read.status < 200 || read.status > 299) return failureOf(read);
        if (isDone(read.json)) return outcomeAfterCancel(read.json);
      }
    } catch (err) {
      if (err instanceof GaveUp) return 'DEADLINE_EXCEEDED';
      throw err;
    }
  };
  const ends = await Promise.all(matching.map(cancelOne));
  for (const end of ends) increment(outcomes, end);

  return {
    wallMs: Math.round(performance.now() - startedAt),
    operations: matching.length,
    apiCalls: counts.list + counts.cancel + counts.get,
    list: counts.list,
    cancels: counts.cancel,
    gets: counts.get,
    status429,
    outcomes,
  };
}
