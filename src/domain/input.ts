/**
 * Validation and normalisation of the workflow's input. Pure and workflow-safe: it runs as the first step of the
 * workflow, before any activity, so bad input never reaches Earth Engine.
 */
import { msToNumber, type Duration } from '@temporalio/common';
import type { DurationInput } from '../shared';
import { checkOperationName } from './operation-name';
import { DEFAULT_POLLING, type PollingSchedule } from './backoff';

export interface NormalizedInput {
  name: string;
  project: string;
  reason?: string;
  requestedBy?: string;
  polling: PollingSchedule;
}

export type InputCheck = { ok: true; input: NormalizedInput } | { ok: false; problems: string[] };

const KNOWN_FIELDS = ['name', 'reason', 'requestedBy', 'polling'];
const KNOWN_POLLING_FIELDS = ['initialInterval', 'maxInterval', 'backoffCoefficient', 'timeout'];
const MAX_TEXT_LENGTH = 1000;

// Bounds that catch typos (a timeout of "5ms", an interval of "1y") without getting in the way of real use.
const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 24 * 60 * 60 * 1000;
const MIN_TIMEOUT_MS = 1000;
// An Earth Engine task lives at most 10 days, so waiting longer than that for it to end cannot help.
const MAX_TIMEOUT_MS = 11 * 24 * 60 * 60 * 1000;
const MAX_BACKOFF_COEFFICIENT = 10;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function parseDuration(
  field: string,
  value: DurationInput | undefined,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' && typeof value !== 'number') {
    problems.push(
      `polling.${field} must be a duration string like "30s" or a number of milliseconds, got ${describe(value)}`,
    );
    return fallback;
  }
  let ms: number;
  try {
    ms = msToNumber(value as Duration);
  } catch {
    problems.push(`polling.${field} ${describe(value)} is not a duration; use e.g. "30s", "5 minutes" or 30000`);
    return fallback;
  }
  if (!Number.isFinite(ms) || ms < min || ms > max) {
    problems.push(`polling.${field} ${describe(value)} is out of range; it must be between ${min} ms and ${max} ms`);
    return fallback;
  }
  return ms;
}

function optionalText(field: string, value: unknown, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.push(`"${field}" must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (value.length > MAX_TEXT_LENGTH) {
    problems.push(`"${field}" is longer than ${MAX_TEXT_LENGTH} characters`);
    return undefined;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param extraArgs how many arguments the workflow got beyond the input (the CLI's repeated `--input`), which we
 *   refuse rather than silently ignore.
 */
export function checkCancelInput(raw: unknown, extraArgs = 0): InputCheck {
  const problems: string[] = [];
  if (extraArgs > 0) {
    problems.push(`expected exactly one JSON input, got ${extraArgs + 1} (pass a single --input)`);
  }
  if (!isPlainObject(raw)) {
    problems.push(`the input must be a JSON object like {"name": "projects/P/operations/ID"}, got ${describe(raw)}`);
    return { ok: false, problems };
  }
  const unknown = Object.keys(raw).filter((k) => !KNOWN_FIELDS.includes(k));
  if (unknown.length > 0) {
    problems.push(
      `unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known: ${KNOWN_FIELDS.join(', ')}`,
    );
  }
  const nameCheck = checkOperationName(raw.name);
  if (!nameCheck.ok) problems.push(nameCheck.problem);
  const reason = optionalText('reason', raw.reason, problems);
  const requestedBy = optionalText('requestedBy', raw.requestedBy, problems);

  let polling: PollingSchedule = { ...DEFAULT_POLLING };
  if (raw.polling !== undefined) {
    if (!isPlainObject(raw.polling)) {
      problems.push(`"polling" must be an object, got ${describe(raw.polling)}`);
    } else {
      const p = raw.polling as PollingSchedule & Record<string, unknown>;
      const unknownPolling = Object.keys(p).filter((k) => !KNOWN_POLLING_FIELDS.includes(k));
      if (unknownPolling.length > 0) {
        problems.push(
          `unknown polling field(s) ${unknownPolling.map((k) => JSON.stringify(k)).join(', ')}; known: ${KNOWN_POLLING_FIELDS.join(', ')}`,
        );
      }
      const problemsBefore = problems.length;
      const initialIntervalMs = parseDuration(
        'initialInterval',
        p.initialInterval as DurationInput,
        DEFAULT_POLLING.initialIntervalMs,
        MIN_INTERVAL_MS,
        MAX_INTERVAL_MS,
        problems,
      );
      const maxIntervalMs = parseDuration(
        'maxInterval',
        p.maxInterval as DurationInput,
        Math.max(DEFAULT_POLLING.maxIntervalMs, initialIntervalMs),
        MIN_INTERVAL_MS,
        MAX_INTERVAL_MS,
        problems,
      );
      const timeoutMs = parseDuration(
        'timeout',
        p.timeout as DurationInput,
        DEFAULT_POLLING.timeoutMs,
        MIN_TIMEOUT_MS,
        MAX_TIMEOUT_MS,
        problems,
      );
      let backoffCoefficient = DEFAULT_POLLING.backoffCoefficient;
      if (p.backoffCoefficient !== undefined) {
        const c = p.backoffCoefficient as unknown;
        if (typeof c !== 'number' || !Number.isFinite(c) || c < 1 || c > MAX_BACKOFF_COEFFICIENT) {
          problems.push(
            `polling.backoffCoefficient must be a number from 1 to ${MAX_BACKOFF_COEFFICIENT}, got ${describe(c)}`,
          );
        } else {
          backoffCoefficient = c;
        }
      }
      const intervalsParsed = problems.length === problemsBefore;
      if (intervalsParsed && maxIntervalMs < initialIntervalMs) {
        problems.push(
          `polling.maxInterval (${maxIntervalMs} ms) is shorter than polling.initialInterval (${initialIntervalMs} ms)`,
        );
      }
      polling = { initialIntervalMs, maxIntervalMs, backoffCoefficient, timeoutMs };
    }
  }

  if (problems.length > 0 || !nameCheck.ok) return { ok: false, problems };
  return {
    ok: true,
    input: {
      name: nameCheck.name,
      project: nameCheck.project,
      ...(reason !== undefined && { reason }),
      ...(requestedBy !== undefined && { requestedBy }),
      polling,
    },
  };
}

export function inputProblemMessage(raw: unknown, problems: string[]): string {
  const name =
    isPlainObject(raw) && typeof raw.name === 'string' ? JSON.stringify(raw.name.slice(0, 120)) : '(no valid name)';
  return `Invalid input for cancelling operation ${name}: ${problems.join('; ')}`;
}
