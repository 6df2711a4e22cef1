/** Retry policy of the Earth Engine activities, shared by the workflow (which sets it) and the activities (which
 * stretch a retry to honour the server's RetryInfo / Retry-After hint). */
export const ACTIVITY_RETRY = {
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
} as const;

/** The wait Temporal's retry policy would use after failed attempt number `attempt` (1-based). */
export function policyDelayMs(attempt: number): number {
  return Math.min(
    ACTIVITY_RETRY.maximumIntervalMs,
    ACTIVITY_RETRY.initialIntervalMs * Math.pow(ACTIVITY_RETRY.backoffCoefficient, Math.max(0, attempt - 1)),
  );
}

/** A server hint longer than this is treated as this long: a bogus `Retry-After` must not park a cancellation. */
export const MAX_SERVER_HINT_MS = 10 * 60_000;

/** Never retry sooner than the policy would, nor sooner than the server asked (within reason). */
export function retryDelayMs(attempt: number, serverHintMs: number | undefined): number {
  return Math.max(policyDelayMs(attempt), Math.min(serverHintMs ?? 0, MAX_SERVER_HINT_MS));
}
