/** Batch input checks and the operation filter (applied on our side: the server's filter grammar is undocumented). */
import { checkCancelInput } from './input';
import { checkProjectId } from './operation-name';
import { stateOf } from './classify';
import type { PollingSchedule } from './backoff';
import type { EeOperation, OperationFilter, OperationSummary, PollingOptions } from '../shared';

export const DEFAULT_BATCH_STATES = ['PENDING', 'RUNNING'];
export const DEFAULT_MAX_CONCURRENT = 50;
export const MAX_MAX_CONCURRENT = 500;
const KNOWN_FIELDS = ['project', 'filter', 'dryRun', 'maxConcurrent', 'polling', 'reason', 'requestedBy'];
const KNOWN_FILTER_FIELDS = ['states', 'types', 'descriptionPrefix', 'createdBefore'];
const STATES = [
  'PENDING',
  'RUNNING',
  'CANCELLING',
  'SUCCEEDED',
  'CANCELLED',
  'FAILED',
  'READY',
  'CANCEL_REQUESTED',
  'COMPLETED',
];

export interface NormalizedFilter {
  states: string[];
  types?: string[];
  descriptionPrefix?: string;
  createdBeforeMs?: number;
}

export interface NormalizedBatchInput {
  project: string;
  filter: NormalizedFilter;
  dryRun: boolean;
  maxConcurrent: number;
  polling?: PollingOptions;
  pollingSchedule: PollingSchedule;
  reason?: string;
  requestedBy?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(field: string, value: unknown, problems: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === 'string' && /^[A-Z_]{1,64}$/.test(v))
  ) {
    problems.push(`filter.${field} must be a non-empty list of upper-case names like "RUNNING"`);
    return undefined;
  }
  return value as string[];
}

export function checkBatchInput(
  raw: unknown,
  extraArgs = 0,
): { ok: true; input: NormalizedBatchInput } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (extraArgs > 0) problems.push(`expected exactly one JSON input, got ${extraArgs + 1}`);
  if (!isObject(raw))
    return { ok: false, problems: [...problems, 'the input must be a JSON object like {"project": "my-project"}'] };
  const unknown = Object.keys(raw).filter((k) => !KNOWN_FIELDS.includes(k));
  if (unknown.length > 0)
    problems.push(
      `unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known: ${KNOWN_FIELDS.join(', ')}`,
    );
  const project = checkProjectId(raw.project);
  if (!project.ok) problems.push(project.problem);

  const filter: NormalizedFilter = { states: DEFAULT_BATCH_STATES };
  if (raw.filter !== undefined) {
    if (!isObject(raw.filter)) {
      problems.push('"filter" must be an object');
    } else {
      const f = raw.filter as OperationFilter & Record<string, unknown>;
      const unknownFilter = Object.keys(f).filter((k) => !KNOWN_FILTER_FIELDS.includes(k));
      if (unknownFilter.length > 0)
        problems.push(`unknown filter field(s) ${unknownFilter.join(', ')}; known: ${KNOWN_FILTER_FIELDS.join(', ')}`);
      const states = stringList('states', f.states, problems);
      if (states) {
        const bad = states.filter((s) => !STATES.includes(s));
        if (bad.length > 0)
          problems.push(`filter.states has unknown state(s) ${bad.join(', ')}; known: ${STATES.join(', ')}`);
        filter.states = states.map((s) => stateOf({ metadata: { state: s } }));
      }
      const types = stringList('types', f.types, problems);
      if (types) filter.types = types;
      if (f.descriptionPrefix !== undefined) {
        if (typeof f.descriptionPrefix !== 'string' || f.descriptionPrefix.length > 1000) {
          problems.push('filter.descriptionPrefix must be a string of at most 1000 characters');
        } else {
          filter.descriptionPrefix = f.descriptionPrefix;
        }
      }
      if (f.createdBefore !== undefined) {
        const ms =
          typeof f.createdBefore === 'string' && /^\d{4}-\d\d-\d\dT/.test(f.createdBefore)
            ? Date.parse(f.createdBefore)
            : NaN;
        if (Number.isNaN(ms))
          problems.push('filter.createdBefore must be an ISO-8601 date-time like "2026-12-01T00:00:00Z"');
        else filter.createdBeforeMs = ms;
      }
    }
  }
  if (raw.dryRun !== undefined && typeof raw.dryRun !== 'boolean') problems.push('"dryRun" must be true or false');
  let maxConcurrent = DEFAULT_MAX_CONCURRENT;
  if (raw.maxConcurrent !== undefined) {
    const m = raw.maxConcurrent;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_MAX_CONCURRENT) {
      problems.push(`"maxConcurrent" must be an integer from 1 to ${MAX_MAX_CONCURRENT}`);
    } else {
      maxConcurrent = m;
    }
  }
  // The per-operation options are checked exactly as a single cancellation would check them.
  const single = checkCancelInput({
    name: 'projects/placeholder/operations/X',
    ...(raw.polling !== undefined && { polling: raw.polling }),
    ...(raw.reason !== undefined && { reason: raw.reason }),
    ...(raw.requestedBy !== undefined && { requestedBy: raw.requestedBy }),
  });
  if (!single.ok) problems.push(...single.problems);
  if (problems.length > 0 || !project.ok || !single.ok) return { ok: false, problems };
  return {
    ok: true,
    input: {
      project: project.project,
      filter,
      dryRun: raw.dryRun === true,
      maxConcurrent,
      ...(raw.polling !== undefined && { polling: raw.polling as PollingOptions }),
      pollingSchedule: single.input.polling,
      ...(single.input.reason !== undefined && { reason: single.input.reason }),
      ...(single.input.requestedBy !== undefined && { requestedBy: single.input.requestedBy }),
    },
  };
}

export function summarize(operation: EeOperation): OperationSummary | undefined {
  if (typeof operation.name !== 'string') return undefined;
  const m = operation.metadata ?? {};
  return {
    name: operation.name,
    state: stateOf(operation),
    ...(typeof m.type === 'string' && { type: m.type }),
    ...(typeof m.description === 'string' && { description: m.description.slice(0, 200) }),
    ...(typeof m.createTime === 'string' && { createTime: m.createTime }),
  };
}

export function matchesFilter(op: OperationSummary, filter: NormalizedFilter): boolean {
  if (!filter.states.includes(op.state)) return false;
  if (filter.types && !(op.type !== undefined && filter.types.includes(op.type))) return false;
  if (filter.descriptionPrefix !== undefined && !(op.description ?? '').startsWith(filter.descriptionPrefix))
    return false;
  if (filter.createdBeforeMs !== undefined) {
    const created = op.createTime ? Date.parse(op.createTime) : NaN;
    if (!(created < filter.createdBeforeMs)) return false;
  }
  return true;
}
