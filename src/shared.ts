/**
 * Names and types shared by clients, the worker and workflows. Keep this module free of heavy imports: workflow
 * code and other teams' code import it.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'ee-operations';
export const WORKFLOW_TYPE = 'cancelOperation';
export const AUDIT_TRAIL_QUERY = 'auditTrail';
export const STATUS_QUERY = 'status';

/** A Temporal duration string (`"5s"`, `"2 minutes"`) or a number of milliseconds. */
export type DurationInput = string | number;

export interface PollingOptions {
  /** First wait between two reads of the operation. */
  initialInterval?: DurationInput;
  /** Cap on the wait between two reads. */
  maxInterval?: DurationInput;
  /** Growth of the wait after each unchanged read (>= 1). */
  backoffCoefficient?: number;
  /** How long to keep reading before answering DEADLINE_EXCEEDED, counted from the workflow's start. */
  timeout?: DurationInput;
}

export interface CancelOperationInput {
  /** `projects/{project}/operations/{id}` */
  name: string;
  reason?: string;
  requestedBy?: string;
  polling?: PollingOptions;
}

export const OUTCOMES = [
  'CANCELLED',
  'COMPLETED_DESPITE_CANCELLATION',
  'FAILED',
  'ALREADY_DONE',
  'CANCEL_UNSUPPORTED',
  'NOT_FOUND',
  'DEADLINE_EXCEEDED',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Failure types a caller can match on (`ApplicationFailure.type`); all of them are non-retryable. */
export const FAILURE_TYPES = {
  invalidInput: 'InvalidInput',
  permissionDenied: 'PermissionDenied',
  unauthenticated: 'Unauthenticated',
  projectNotAllowed: 'ProjectNotAllowed',
  cancelRejected: 'CancelRejected',
} as const;

/** google.rpc.Status as Earth Engine returns it inside a done Operation. */
export interface RpcStatus {
  code?: number;
  message?: string;
  details?: unknown[];
}

/** google.longrunning.Operation with Earth Engine's OperationMetadata (fields we read; the rest is kept). */
export interface EeOperation {
  name?: string;
  done?: boolean;
  error?: RpcStatus;
  response?: unknown;
  metadata?: {
    state?: string;
    description?: string;
    type?: string;
    progress?: number;
    createTime?: string;
    updateTime?: string;
    startTime?: string;
    endTime?: string;
    [key: string]: unknown;
  };
}

export interface AuditEntry {
  /** ISO-8601, from workflow time. */
  at: string;
  event: string;
  [detail: string]: unknown;
}

export type Phase = 'reading' | 'requesting-cancel' | 'waiting' | 'polling' | 'done' | 'failed' | 'cancelled';

export interface CancelOperationStatus {
  phase: Phase;
  outcome?: Outcome;
  lastState?: string;
  polls: number;
  nextPollAt?: string;
}

export interface CancelOperationResult {
  name: string;
  outcome: Outcome;
  /** True when Earth Engine accepted our cancel request. */
  cancelRequested: boolean;
  /** The last Operation read (absent when it was never found). */
  operation?: EeOperation;
  polls: number;
  startedAt: string;
  finishedAt: string;
  audit: AuditEntry[];
}

/**
 * One cancellation per operation: the workflow ID is derived from the operation name, so a second start for the
 * same operation finds the first one instead of sending a second cancel request.
 */
export function workflowIdFor(operationName: string): string {
  return `ee-cancel/${operationName}`;
}

/** Search attributes (all Keyword) that the run command registers on the dev server; clusters register them with
 * `temporal operator search-attribute create`. */
export const SEARCH_ATTRIBUTE_NAMES = {
  operation: 'EeOperation',
  project: 'EeProject',
  operationState: 'EeOperationState',
  outcome: 'EeCancelOutcome',
} as const;

export const SEARCH_ATTRIBUTES = {
  operation: defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.operation, SearchAttributeType.KEYWORD),
  project: defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.project, SearchAttributeType.KEYWORD),
  operationState: defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.operationState, SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.outcome, SearchAttributeType.KEYWORD),
};

export const BATCH_WORKFLOW_TYPE = 'cancelOperations';
export const PROGRESS_QUERY = 'progress';

export interface OperationFilter {
  /** Operation states to cancel (legacy task names accepted). Default: PENDING and RUNNING. */
  states?: string[];
  /** `metadata.type` values, e.g. EXPORT_IMAGE, INGEST_IMAGE. */
  types?: string[];
  descriptionPrefix?: string;
  /** ISO-8601: only operations created before this instant. */
  createdBefore?: string;
}

export interface CancelOperationsInput {
  project: string;
  filter?: OperationFilter;
  /** Report what would be cancelled; send nothing. */
  dryRun?: boolean;
  /** Cancellations running at once (default 50). */
  maxConcurrent?: number;
  polling?: PollingOptions;
  reason?: string;
  requestedBy?: string;
}

/** What the listing keeps of each matching operation. */
export interface OperationSummary {
  name: string;
  state: string;
  type?: string;
  description?: string;
  createTime?: string;
}

/** `WORKFLOW_FAILED`: the child cancellation failed (e.g. PermissionDenied); its failure type is in `error`. */
export type BatchItemOutcome = Outcome | 'WORKFLOW_FAILED';

export interface BatchItemResult {
  name: string;
  outcome: BatchItemOutcome;
  error?: string;
}

export interface BatchProgress {
  phase: 'listing' | 'cancelling' | 'done';
  dryRun: boolean;
  scanned: number;
  matched: number;
  started: number;
  done: number;
  inFlight: number;
  byOutcome: Partial<Record<BatchItemOutcome, number>>;
}

export interface CancelOperationsResult {
  project: string;
  dryRun: boolean;
  scanned: number;
  matched: number;
  /** dryRun only: what would be cancelled. */
  wouldCancel?: OperationSummary[];
  counts: Partial<Record<BatchItemOutcome, number>>;
  results: BatchItemResult[];
  startedAt: string;
  finishedAt: string;
}
