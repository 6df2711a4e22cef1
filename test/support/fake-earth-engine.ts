/**
 * A loopback Earth Engine Operations API that follows the REST contract in shared/reference: get, list and cancel
 * under /v1, /v1beta and /v1alpha, AIP-193 JSON errors, RetryInfo, proto3 JSON (`done: false` omitted). Each
 * operation is scripted; the server checks the bearer token, counts calls and keeps a request log.
 *
 * `list` (`GET /{version}/projects/{project}/operations?pageSize=&pageToken=&filter=`) pages through the project's
 * operations in insertion order (pageSize default 100, at most 1000; opaque page tokens; `filter` is recorded but
 * ignored, as the server's grammar is undocumented) and never advances an operation: only `get` does.
 *
 * Optional quota enforcement (`quota`): every request (get, list, cancel, and those refused for auth) counts against
 * its project, the `X-Goog-User-Project` header or else the project in the path, in a sliding 1-second window and
 * while in flight; one beyond either limit is answered 429 RESOURCE_EXHAUSTED with a RetryInfo detail. The peaks are
 * measured with or without enforcement.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EeOperation } from '../../src/shared';

export type Fault =
  | { status: number; body?: string | object; headers?: Record<string, string>; delayMs?: number }
  /** Close the connection without an answer. */
  | { reset: true }
  /** Answer only after this long (past the client's timeout: a hung server). */
  | { hangMs: number }
  /** A 200 with this raw body (truncated JSON, HTML...). */
  | { raw200: string };

export type CancelBehaviour =
  /** The cancel takes effect: done with error.code 1 after `effectAfterReads` reads. */
  | 'honour'
  /** Accepted, but the operation finishes with a response anyway. */
  | 'complete'
  /** Accepted, but the operation fails on its own (error.code 13). */
  | 'fail'
  /** Accepted and never takes effect: CANCELLING forever. */
  | 'ignore'
  /** 501 UNIMPLEMENTED */
  | 'unimplemented'
  /** Accepted, then the operation disappears (404 on the next reads). */
  | 'vanish';

export interface OperationScript {
  state?: string;
  done?: boolean;
  error?: { code: number; message: string };
  response?: unknown;
  progress?: number;
  type?: string;
  description?: string;
  onCancel?: CancelBehaviour;
  /** Reads after the cancel request before its effect shows (default 1). */
  effectAfterReads?: number;
  /**
   * Milliseconds after the cancel request was accepted before its effect shows: until then reads show CANCELLING
   * (or `statesAfterCancel`), the first read after that takes the effect. With `effectAfterReads`, both must hold.
   */
  effectAfterMs?: number;
  /** States shown by the reads after the cancel request, before the effect (default CANCELLING). */
  statesAfterCancel?: string[];
  /** Faults served first, in order, one per request of that method. */
  faults?: { get?: Fault[]; cancel?: Fault[] };
  /** Faults served, in order, for the reads after the cancel request was accepted. */
  faultsAfterCancel?: Fault[];
}

interface OperationRecord {
  script: OperationScript;
  cancelAccepted: boolean;
  /** performance.now() when the first cancel request was accepted. */
  cancelAcceptedAt: number;
  readsAfterCancel: number;
  calls: { get: number; cancel: number };
}

export interface RequestLogEntry {
  /** Date.now() when the request arrived. */
  at: number;
  method: string;
  path: string;
  authorized: boolean;
  userProject?: string;
  bodyLength: number;
  /** The `filter` query parameter of a list request, as sent. */
  filter?: string;
  /** Answered 429 by the quota enforcement (before the token was looked at). */
  throttled?: boolean;
  /** For a throttled request: the RetryInfo delay it was given, in milliseconds. */
  retryDelayMs?: number;
}

export interface QuotaOptions {
  /** Requests per project in any sliding 1-second window (Earth Engine: 100). */
  requestsPerSecond: number;
  /** Requests per project in flight at once (Earth Engine: 40). */
  concurrentRequests: number;
}

export interface CallsSummary {
  /** Operations added (addOperation / addOperations). */
  operations: number;
  /** get and cancel requests routed to an operation, over all operations (quota-refused ones are not). */
  gets: number;
  cancels: number;
  maxGetsPerOperation: number;
  maxCancelsPerOperation: number;
  /** Operations that received more than one cancel request. */
  operationsCancelledMoreThanOnce: number;
}

export interface FakeEarthEngine {
  url: string;
  /** API root for EE_API_URL, e.g. http://127.0.0.1:PORT/v1 */
  apiUrl: string;
  addOperation(name: string, script: OperationScript): void;
  /**
   * Adds `count` operations named `projects/{project}/operations/OP{n}` (n zero-padded to 6 digits, numbered on
   * from the operations the project already has) with `script(i)` for i = 0..count-1; returns the names in order.
   */
  addOperations(project: string, count: number, script: (i: number) => OperationScript): string[];
  calls(name: string): { get: number; cancel: number };
  /** Totals over all operations, computed on demand. */
  callsByOperation(): CallsSummary;
  /** Every request received (any method, path, outcome). */
  totalCalls(): number;
  /** List requests that reached the list method (authorized, valid path), including those answered 400. */
  listCalls(): number;
  requests: RequestLogEntry[];
  /** Requests answered 401. */
  unauthorizedRequests(): number;
  /** Requests answered 429 by the quota enforcement (0 when `quota` is not set). */
  quotaViolations(): number;
  /** Most requests accepted in any sliding 1-second window, for one project or the largest over all projects. */
  peakRequestsPerSecond(project?: string): number;
  /** Most accepted requests in flight at once, for one project or the largest over all projects. */
  peakConcurrency(project?: string): number;
  close(): Promise<void>;
}

function googleError(
  res: ServerResponse,
  httpStatus: number,
  status: string,
  message: string,
  details: object[] = [],
): void {
  res
    .writeHead(httpStatus, { 'content-type': 'application/json; charset=UTF-8' })
    .end(JSON.stringify({ error: { code: httpStatus, message, status, ...(details.length && { details }) } }));
}

function metadataFor(name: string, script: OperationScript, state: string): EeOperation['metadata'] {
  return {
    '@type': 'type.googleapis.com/google.earthengine.v1.OperationMetadata',
    state,
    description: script.description ?? `export ${name.split('/').pop()}`,
    type: script.type ?? 'EXPORT_IMAGE',
    priority: 100,
    createTime: '2026-12-01T10:00:00Z',
    updateTime: '2026-12-01T10:05:00Z',
    ...(script.progress !== undefined && { progress: script.progress }),
  };
}

/** The operation as proto3 JSON: `done` only when true, exactly one of error/response when done. */
function render(name: string, record: OperationRecord): EeOperation {
  const { script } = record;
  if (script.done) {
    return {
      name,
      metadata: metadataFor(name, script, script.state ?? 'SUCCEEDED'),
      done: true,
      ...(script.error
        ? { error: script.error }
        : { response: script.response ?? { '@type': 'type.googleapis.com/google.protobuf.Empty' } }),
    };
  }
  return { name, metadata: metadataFor(name, script, script.state ?? 'RUNNING') };
}

/** Whether the cancel request's effect is due: enough reads since it was accepted, and enough time. */
function effectDue(record: OperationRecord, now: number): boolean {
  const { script } = record;
  if (record.readsAfterCancel < (script.effectAfterReads ?? 1)) return false;
  return script.effectAfterMs === undefined || now - record.cancelAcceptedAt >= script.effectAfterMs;
}

/** Advances an operation whose cancel was accepted, one read at a time. */
function advance(record: OperationRecord, now: number): void {
  const { script } = record;
  if (!record.cancelAccepted || script.done) return;
  record.readsAfterCancel++;
  if (script.onCancel === 'ignore' || !effectDue(record, now)) {
    const states = script.statesAfterCancel ?? ['CANCELLING'];
    script.state = states[Math.min(record.readsAfterCancel - 1, states.length - 1)] ?? 'CANCELLING';
    return;
  }
  switch (script.onCancel ?? 'honour') {
    case 'honour':
      Object.assign(script, { done: true, state: 'CANCELLED', error: { code: 1, message: 'Cancelled.' } });
      break;
    case 'complete':
      Object.assign(script, {
        done: true,
        state: 'SUCCEEDED',
        progress: 1,
        response: { '@type': 'type.googleapis.com/google.protobuf.Empty' },
      });
      break;
    case 'fail':
      Object.assign(script, { done: true, state: 'FAILED', error: { code: 13, message: 'Internal error in export.' } });
      break;
    default:
      break;
  }
}

/** Default and largest page size of `list` (AIP-158: 0 or absent means the default; larger values are clamped). */
export const LIST_DEFAULT_PAGE_SIZE = 100;
export const LIST_MAX_PAGE_SIZE = 1000;

// Google's system parameters, accepted on any method; any other unknown query parameter is a 400.
const SYSTEM_QUERY_PARAMETERS = new Set(['alt', '$alt', 'prettyPrint', 'fields', '$fields', 'key', 'quotaUser']);
const LIST_QUERY_PARAMETERS = new Set(['pageSize', 'pageToken', 'filter']);
const OPERATION_NAME = /^projects\/([^/]+)\/operations\/.+$/;
const LIST_PATH = /^projects\/([^/]+)\/operations$/;

/** Page tokens: base64url of JSON `{p: project, o: offset}`, bound to the project they were issued for. */
function encodePageToken(project: string, offset: number): string {
  return Buffer.from(JSON.stringify({ p: project, o: offset }), 'utf8').toString('base64url');
}

function decodePageToken(token: string, project: string, listed: number): number | undefined {
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.toString('base64url') !== token) return undefined; // Node's decoder skips junk silently
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { p, o } = parsed as { p?: unknown; o?: unknown };
  // We only ever issue tokens for 0 < offset < number of operations listed, and operations are never removed.
  if (p !== project || typeof o !== 'number' || !Number.isInteger(o) || o <= 0 || o >= listed) return undefined;
  return o;
}

/** A google.protobuf.Duration in JSON form, rounded up to the millisecond: 250 -> "0.25s". */
function protoDuration(ms: number): string {
  return `${Number((Math.ceil(ms) / 1000).toFixed(3))}s`;
}

const WINDOW_MS = 1000;
const MIN_RETRY_DELAY_MS = 100;

/** Accepted requests of one project: start times in the last second, in flight, and the peaks. */
class ProjectLoad {
  private times: number[] = [];
  private head = 0;
  inFlight = 0;
  peakRate = 0;
  peakConcurrency = 0;

  /** Start times of the accepted requests in (now - 1 s, now]. */
  windowCount(now: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - WINDOW_MS) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** How long until the oldest request in the window leaves it. */
  msUntilWindowFrees(now: number): number {
    const oldest = this.times[this.head];
    return oldest === undefined ? 0 : oldest + WINDOW_MS - now;
  }

  accept(now: number): void {
    this.times.push(now);
    this.peakRate = Math.max(this.peakRate, this.windowCount(now));
    this.inFlight++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.inFlight);
  }
}

export async function startFakeEarthEngine(options: {
  expectedToken: () => string;
  version?: string;
  /** Enforce Earth Engine's per-project quotas (off by default). */
  quota?: QuotaOptions;
}): Promise<FakeEarthEngine> {
  const operations = new Map<string, OperationRecord>();
  /** Operation names by project, in insertion order (for list). */
  const byProject = new Map<string, string[]>();
  const vanished = new Set<string>();
  const requests: RequestLogEntry[] = [];
  const sockets = new Set<Socket>();
  const version = options.version ?? 'v1';
  const { quota } = options;
  if (
    quota &&
    !(
      Number.isFinite(quota.requestsPerSecond) &&
      quota.requestsPerSecond >= 1 &&
      Number.isFinite(quota.concurrentRequests) &&
      quota.concurrentRequests >= 1
    )
  ) {
    throw new RangeError(`quota limits must be finite numbers >= 1, got ${JSON.stringify(quota)}`);
  }
  const loads = new Map<string, ProjectLoad>();
  let unauthorized = 0;
  let violations = 0;
  let lists = 0;

  const loadOf = (project: string): ProjectLoad => {
    let load = loads.get(project);
    if (!load) loads.set(project, (load = new ProjectLoad()));
    return load;
  };

  /** The project a request is charged to: the quota project header, else the project in the path. */
  const chargedProject = (req: IncomingMessage, pathname: string): string => {
    const header = req.headers['x-goog-user-project'];
    if (typeof header === 'string' && header !== '') return header;
    const match = /^\/[^/]+\/projects\/([^/]+)\//.exec(pathname) ?? /^\/[^/]+\/projects\/([^/]+)$/.exec(pathname);
    if (!match) return '';
    try {
      return decodeURIComponent(match[1]!);
    } catch {
      return match[1]!;
    }
  };

  /** Admits the request (counting it as in flight until its answer is done) or answers 429 and returns the delay. */
  const admit = (req: IncomingMessage, res: ServerResponse, pathname: string): true | { retryDelayMs: number } => {
    const load = loadOf(chargedProject(req, pathname));
    const now = performance.now();
    if (quota) {
      const overRate = load.windowCount(now) >= quota.requestsPerSecond;
      const overConcurrency = load.inFlight >= quota.concurrentRequests;
      if (overRate || overConcurrency) {
        violations++;
        const delayMs = Math.max(MIN_RETRY_DELAY_MS, overRate ? load.msUntilWindowFrees(now) : 0);
        googleError(
          res,
          429,
          'RESOURCE_EXHAUSTED',
          overRate
            ? `Quota exceeded: more than ${quota.requestsPerSecond} requests per second for this project.`
            : `Too many concurrent requests: more than ${quota.concurrentRequests} for this project.`,
          [retryInfo(protoDuration(delayMs))],
        );
        return { retryDelayMs: Math.ceil(delayMs) };
      }
    }
    load.accept(now);
    res.once('close', () => load.inFlight--);
    return true;
  };

  const serveFault = async (fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if ('reset' in fault) {
      req.socket.destroy();
      return;
    }
    if ('hangMs' in fault) {
      await new Promise((r) => setTimeout(r, fault.hangMs));
      if (!res.destroyed) googleError(res, 503, 'UNAVAILABLE', 'The service is currently unavailable.');
      return;
    }
    if ('raw200' in fault) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(fault.raw200);
      return;
    }
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    const body =
      fault.body === undefined
        ? JSON.stringify({
            error: { code: fault.status, message: `simulated HTTP ${fault.status}`, status: statusName(fault.status) },
          })
        : typeof fault.body === 'string'
          ? fault.body
          : JSON.stringify(fault.body);
    res.writeHead(fault.status, { 'content-type': 'application/json; charset=UTF-8', ...fault.headers }).end(body);
  };

  /** One page of the project's operations, as they are now: listing never advances an operation. */
  const serveList = (res: ServerResponse, project: string, query: URLSearchParams): void => {
    lists++;
    for (const key of query.keys()) {
      if (!LIST_QUERY_PARAMETERS.has(key) && !SYSTEM_QUERY_PARAMETERS.has(key)) {
        googleError(
          res,
          400,
          'INVALID_ARGUMENT',
          `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter.`,
        );
        return;
      }
    }
    const rawSize = query.get('pageSize') ?? '';
    if (rawSize !== '' && !/^-?\d+$/.test(rawSize.trim())) {
      googleError(res, 400, 'INVALID_ARGUMENT', `Invalid value at 'page_size' (TYPE_INT32), "${rawSize}"`);
      return;
    }
    const requested = rawSize === '' ? 0 : Number(rawSize.trim());
    if (requested < 0) {
      googleError(res, 400, 'INVALID_ARGUMENT', 'page_size must not be negative.');
      return;
    }
    const pageSize = requested === 0 ? LIST_DEFAULT_PAGE_SIZE : Math.min(requested, LIST_MAX_PAGE_SIZE);
    const names = byProject.get(project) ?? [];
    const token = query.get('pageToken') ?? '';
    const offset = token === '' ? 0 : decodePageToken(token, project, names.length);
    if (offset === undefined) {
      googleError(res, 400, 'INVALID_ARGUMENT', 'Invalid page token.');
      return;
    }
    const end = Math.min(names.length, offset + pageSize);
    const page: EeOperation[] = [];
    for (let i = offset; i < end; i++) {
      const name = names[i]!;
      const record = operations.get(name);
      if (record && !vanished.has(name)) page.push(render(name, record));
    }
    // proto3 JSON: an empty repeated field and an empty string are omitted.
    const body = {
      ...(page.length > 0 && { operations: page }),
      ...(end < names.length && { nextPageToken: encodePageToken(project, end) }),
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorized = req.headers.authorization === `Bearer ${options.expectedToken()}`;
    const userProject = req.headers['x-goog-user-project'];
    const filter = url.searchParams.get('filter');
    const entry: RequestLogEntry = {
      at: Date.now(),
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorized,
      ...(typeof userProject === 'string' && { userProject }),
      bodyLength: body.length,
      ...(filter !== null && { filter }),
    };
    requests.push(entry);
    const admitted = admit(req, res, url.pathname);
    if (admitted !== true) {
      Object.assign(entry, { throttled: true, retryDelayMs: admitted.retryDelayMs });
      return;
    }
    if (!authorized) {
      unauthorized++;
      googleError(
        res,
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token.',
      );
      return;
    }
    const prefix = `/${version}/`;
    if (!url.pathname.startsWith(prefix)) {
      googleError(res, 404, 'NOT_FOUND', `Unknown path ${url.pathname}`);
      return;
    }
    let rest = decodeURIComponent(url.pathname.slice(prefix.length));
    const listMatch = req.method === 'GET' ? LIST_PATH.exec(rest) : null;
    if (listMatch) return serveList(res, listMatch[1]!, url.searchParams);
    if (url.search !== '') {
      googleError(res, 404, 'NOT_FOUND', `Unknown path ${url.pathname}`);
      return;
    }
    const isCancel = req.method === 'POST' && rest.endsWith(':cancel');
    if (isCancel) rest = rest.slice(0, -':cancel'.length);
    if (!OPERATION_NAME.test(rest) || (req.method !== 'GET' && !isCancel)) {
      googleError(res, 404, 'NOT_FOUND', `Method not found: ${req.method} ${url.pathname}`);
      return;
    }
    const record = operations.get(rest);
    if (!record || vanished.has(rest)) {
      googleError(res, 404, 'NOT_FOUND', `Operation ${rest} not found.`);
      return;
    }
    if (isCancel) {
      record.calls.cancel++;
      if (body !== '' && body !== '{}') {
        googleError(res, 400, 'INVALID_ARGUMENT', 'The request body must be empty.');
        return;
      }
      const fault = record.script.faults?.cancel?.shift();
      if (fault) return serveFault(fault, req, res);
      if (record.script.onCancel === 'unimplemented') {
        googleError(res, 501, 'UNIMPLEMENTED', 'Operation cancellation is not supported.');
        return;
      }
      if (!record.script.done && !record.cancelAccepted) {
        record.cancelAccepted = true;
        record.cancelAcceptedAt = performance.now();
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}\n');
      return;
    }
    record.calls.get++;
    const fault = record.script.faults?.get?.shift();
    if (fault) return serveFault(fault, req, res);
    const lateFault = record.cancelAccepted ? record.script.faultsAfterCancel?.shift() : undefined;
    if (lateFault) return serveFault(lateFault, req, res);
    const now = performance.now();
    advance(record, now);
    if (record.cancelAccepted && record.script.onCancel === 'vanish' && effectDue(record, now)) {
      vanished.add(rest);
      googleError(res, 404, 'NOT_FOUND', `Operation ${rest} not found.`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(render(rest, record)));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        if (!res.headersSent) googleError(res, 500, 'INTERNAL', String(err));
      });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const addOperation = (name: string, script: OperationScript): void => {
    const project = OPERATION_NAME.exec(name)?.[1];
    if (project !== undefined && !operations.has(name)) {
      let names = byProject.get(project);
      if (!names) byProject.set(project, (names = []));
      names.push(name);
    }
    operations.set(name, {
      script: structuredClone(script),
      cancelAccepted: false,
      cancelAcceptedAt: 0,
      readsAfterCancel: 0,
      calls: { get: 0, cancel: 0 },
    });
  };

  const peak = (project: string | undefined, of: (load: ProjectLoad) => number): number => {
    if (project !== undefined) {
      const load = loads.get(project);
      return load ? of(load) : 0;
    }
    let max = 0;
    for (const load of loads.values()) max = Math.max(max, of(load));
    return max;
  };

  return {
    url,
    apiUrl: `${url}/${version}`,
    addOperation,
    addOperations(project, count, script) {
      if (!/^[^/]+$/.test(project)) throw new TypeError(`invalid project ${JSON.stringify(project)}`);
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number, got ${count}`);
      const first = byProject.get(project)?.length ?? 0;
      const names: string[] = [];
      for (let i = 0; i < count; i++) {
        const name = `projects/${project}/operations/OP${String(first + i).padStart(6, '0')}`;
        if (operations.has(name)) throw new Error(`operation ${name} already exists`);
        addOperation(name, script(i));
        names.push(name);
      }
      return names;
    },
    calls(name) {
      return { ...(operations.get(name)?.calls ?? { get: 0, cancel: 0 }) };
    },
    callsByOperation() {
      const summary: CallsSummary = {
        operations: operations.size,
        gets: 0,
        cancels: 0,
        maxGetsPerOperation: 0,
        maxCancelsPerOperation: 0,
        operationsCancelledMoreThanOnce: 0,
      };
      for (const { calls } of operations.values()) {
        summary.gets += calls.get;
        summary.cancels += calls.cancel;
        summary.maxGetsPerOperation = Math.max(summary.maxGetsPerOperation, calls.get);
        summary.maxCancelsPerOperation = Math.max(summary.maxCancelsPerOperation, calls.cancel);
        if (calls.cancel > 1) summary.operationsCancelledMoreThanOnce++;
      }
      return summary;
    },
    totalCalls: () => requests.length,
    listCalls: () => lists,
    requests,
    unauthorizedRequests: () => unauthorized,
    quotaViolations: () => violations,
    peakRequestsPerSecond: (project) => peak(project, (load) => load.peakRate),
    peakConcurrency: (project) => peak(project, (load) => load.peakConcurrency),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function statusName(httpStatus: number): string {
  return (
    {
      400: 'INVALID_ARGUMENT',
      401: 'UNAUTHENTICATED',
      403: 'PERMISSION_DENIED',
      404: 'NOT_FOUND',
      429: 'RESOURCE_EXHAUSTED',
      500: 'INTERNAL',
      501: 'UNIMPLEMENTED',
      503: 'UNAVAILABLE',
      504: 'DEADLINE_EXCEEDED',
    }[httpStatus] ?? 'UNKNOWN'
  );
}

export function retryInfo(delay: string): object {
  return { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: delay };
}
