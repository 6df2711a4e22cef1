/**
 * Maps Earth Engine's answers (AIP-193 JSON errors, HTTP statuses, RetryInfo, Retry-After) and transport faults to
 * a retry decision. Pure; the activities turn the result into Temporal failures.
 */
import { redact, truncate } from './redact';

export interface ApiFault {
  /** Canonical google.rpc code name, or NETWORK_ERROR / MALFORMED_RESPONSE for faults below HTTP. */
  status: string;
  httpStatus?: number;
  /** Safe to show: redacted and truncated. */
  message: string;
  retryable: boolean;
  /** The server's hint (RetryInfo or Retry-After): wait at least this long before trying again. */
  retryAfterMs?: number;
}

const CANONICAL_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

// Transient by HTTP status: throttling, timeouts and server-side faults, except "not implemented", which will not
// change by asking again. `get` and `cancel` are idempotent, so repeating them is safe.
function isRetryableHttpStatus(httpStatus: number): boolean {
  if (httpStatus === 501) return false;
  return httpStatus === 408 || httpStatus === 409 || httpStatus === 429 || httpStatus >= 500;
}

/** Parses a google.protobuf.Duration in JSON form ("30s", "1.5s"). */
export function parseProtoDurationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * 1000);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parses a Retry-After header: delay-seconds or an HTTP date. */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only the IMF-fixdate form of RFC 9110 (`Sun, 06 Nov 1994 08:49:37 GMT`): Date.parse accepts too much.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

interface GoogleErrorBody {
  error?: { code?: unknown; message?: unknown; status?: unknown; details?: unknown };
}

function retryInfoDelayMs(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    if (
      detail &&
      typeof detail === 'object' &&
      (detail as Record<string, unknown>)['@type'] === 'type.googleapis.com/google.rpc.RetryInfo'
    ) {
      const ms = parseProtoDurationMs((detail as Record<string, unknown>).retryDelay);
      if (ms !== undefined) return ms;
    }
  }
  return undefined;
}

export interface HttpAnswer {
  httpStatus: number;
  bodyText: string;
  retryAfterHeader?: string;
}

/** Classifies a non-2xx answer. */
export function faultFromHttp(answer: HttpAnswer, nowMs: number, secrets: readonly string[] = []): ApiFault {
  let parsed: GoogleErrorBody | undefined;
  try {
    parsed = JSON.parse(answer.bodyText) as GoogleErrorBody;
  } catch {
    parsed = undefined;
  }
  const error = parsed && typeof parsed === 'object' ? parsed.error : undefined;
  const canonicalFromBody =
    typeof error?.status === 'string' && /^[A-Z_]+$/.test(error.status) ? error.status : undefined;
  const status =
    canonicalFromBody ?? CANONICAL_BY_HTTP[answer.httpStatus] ?? (answer.httpStatus >= 500 ? 'UNAVAILABLE' : 'UNKNOWN');
  const rawMessage =
    typeof error?.message === 'string' && error.message !== ''
      ? error.message
      : `HTTP ${answer.httpStatus}${answer.bodyText ? ` with a body that is not a Google JSON error` : ''}`;
  const hints = [retryInfoDelayMs(error?.details), parseRetryAfterMs(answer.retryAfterHeader, nowMs)].filter(
    (v): v is number => v !== undefined,
  );
  const retryAfterMs = hints.length > 0 ? Math.max(...hints) : undefined;
  return {
    status,
    httpStatus: answer.httpStatus,
    message: truncate(redact(rawMessage, secrets)),
    retryable: isRetryableHttpStatus(answer.httpStatus),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  };
}

/** A fault below HTTP: connection refused or reset, DNS, timeout. Always worth another try. */
export function faultFromTransport(
  code: string | undefined,
  message: string,
  secrets: readonly string[] = [],
): ApiFault {
  return {
    status: 'NETWORK_ERROR',
    message: truncate(redact(`${code ?? 'network error'}: ${message}`, secrets)),
    retryable: true,
  };
}

/** A 2xx answer whose body is not the JSON we expect (truncated by a proxy, HTML error page...). */
export function faultFromMalformedBody(httpStatus: number, why: string): ApiFault {
  return { status: 'MALFORMED_RESPONSE', httpStatus, message: `HTTP ${httpStatus} with ${why}`, retryable: true };
}

/** The Temporal failure type for a fault: the canonical name in PascalCase (`PERMISSION_DENIED` -> `PermissionDenied`). */
export function failureTypeOf(fault: ApiFault): string {
  return fault.status
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
