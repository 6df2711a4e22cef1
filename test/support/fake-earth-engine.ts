/**
 * A loopback Earth Engine Operations API that follows the REST contract in shared/reference: get, list and cancel
 * under /v1, /v1beta and /v1alpha, AIP-193 JSON errors, RetryInfo, proto3 JSON (`done: false` omitted). Each
 * operation is scripted; the server checks the bearer token, counts calls and keeps a request log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
}

export interface FakeEarthEngine {
  url: string;
  /** API root for EE_API_URL, e.g. http://127.0.0.1:PORT/v1 */
  apiUrl: string;
  addOperation(name: string, script: OperationScript): void;
  calls(name: string): { get: number; cancel: number };
  totalCalls(): number;
  requests: RequestLogEntry[];
  unauthorizedRequests(): number;
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

/** Advances an operation whose cancel was accepted, one read at a time. */
function advance(record: OperationRecord): void {
  const { script } = record;
  if (!record.cancelAccepted || script.done) return;
  record.readsAfterCancel++;
  const effectAfter = script.effectAfterReads ?? 1;
  if (script.onCancel === 'ignore' || record.readsAfterCancel < effectAfter) {
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

export async function startFakeEarthEngine(options: {
  expectedToken: () => string;
  version?: string;
}): Promise<FakeEarthEngine> {
  const operations = new Map<string, OperationRecord>();
  const vanished = new Set<string>();
  const requests: RequestLogEntry[] = [];
  const sockets = new Set<Socket>();
  const version = options.version ?? 'v1';

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

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorized = req.headers.authorization === `Bearer ${options.expectedToken()}`;
    const userProject = req.headers['x-goog-user-project'];
    requests.push({
      at: Date.now(),
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorized,
      ...(typeof userProject === 'string' && { userProject }),
      bodyLength: body.length,
    });
    if (!authorized) {
      googleError(
        res,
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token.',
      );
      return;
    }
    const prefix = `/${version}/`;
    if (!url.pathname.startsWith(prefix) || url.search !== '') {
      googleError(res, 404, 'NOT_FOUND', `Unknown path ${url.pathname}`);
      return;
    }
    let rest = decodeURIComponent(url.pathname.slice(prefix.length));
    const isCancel = req.method === 'POST' && rest.endsWith(':cancel');
    if (isCancel) rest = rest.slice(0, -':cancel'.length);
    if (!/^projects\/[^/]+\/operations\/.+$/.test(rest) || (req.method !== 'GET' && !isCancel)) {
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
      if (!record.script.done) record.cancelAccepted = true;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}\n');
      return;
    }
    record.calls.get++;
    const fault = record.script.faults?.get?.shift();
    if (fault) return serveFault(fault, req, res);
    const lateFault = record.cancelAccepted ? record.script.faultsAfterCancel?.shift() : undefined;
    if (lateFault) return serveFault(lateFault, req, res);
    advance(record);
    if (
      record.cancelAccepted &&
      record.script.onCancel === 'vanish' &&
      record.readsAfterCancel >= (record.script.effectAfterReads ?? 1)
    ) {
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
  return {
    url,
    apiUrl: `${url}/${version}`,
    addOperation(name, script) {
      operations.set(name, {
        script: structuredClone(script),
        cancelAccepted: false,
        readsAfterCancel: 0,
        calls: { get: 0, cancel: 0 },
      });
    },
    calls(name) {
      return { ...(operations.get(name)?.calls ?? { get: 0, cancel: 0 }) };
    },
    totalCalls: () => requests.length,
    requests,
    unauthorizedRequests: () => requests.filter((r) => !r.authorized).length,
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
