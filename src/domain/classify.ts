/** How an operation ended, in the terms of our result. Pure; used by the workflow. */
import type { EeOperation, Outcome } from '../shared';

/** google.rpc.Code.CANCELLED */
export const RPC_CODE_CANCELLED = 1;

// Earth Engine's legacy task state names, mapped to the Operation states.
const LEGACY_STATES: Record<string, string> = {
  READY: 'PENDING',
  CANCEL_REQUESTED: 'CANCELLING',
  COMPLETED: 'SUCCEEDED',
};

export function stateOf(operation: EeOperation): string {
  const raw = operation.metadata?.state;
  if (typeof raw !== 'string' || raw === '') return 'STATE_UNSPECIFIED';
  return Object.hasOwn(LEGACY_STATES, raw) ? LEGACY_STATES[raw]! : raw;
}

export function progressOf(operation: EeOperation): number | undefined {
  const p = operation.metadata?.progress;
  return typeof p === 'number' && Number.isFinite(p) ? p : undefined;
}

/** proto3 JSON omits `done: false`, so only an explicit `true` means done. */
export function isDone(operation: EeOperation): boolean {
  return operation.done === true;
}

export type EndKind = 'cancelled' | 'succeeded' | 'failed';

/**
 * What a done operation says about its end. The LRO contract sets exactly one of `error` and `response`; when a
 * misbehaving server sets neither, the metadata state decides, and a done operation with no error counts as
 * succeeded (AIP-151: an empty response is still a response).
 */
export function endOf(operation: EeOperation): EndKind {
  const error = operation.error;
  if (error && typeof error === 'object') {
    return error.code === RPC_CODE_CANCELLED ? 'cancelled' : 'failed';
  }
  if (operation.response !== undefined) return 'succeeded';
  const state = stateOf(operation);
  if (state === 'CANCELLED') return 'cancelled';
  if (state === 'FAILED') return 'failed';
  return 'succeeded';
}

/** The outcome of a done operation read after our cancel request was accepted. */
export function outcomeAfterCancel(operation: EeOperation): Outcome {
  switch (endOf(operation)) {
    case 'cancelled':
      return 'CANCELLED';
    case 'failed':
      return 'FAILED';
    case 'succeeded':
      return 'COMPLETED_DESPITE_CANCELLATION';
  }
}
