/** The polling schedule: capped exponential backoff with jitter. Pure; workflows pass their deterministic random. */

export interface PollingSchedule {
  initialIntervalMs: number;
  maxIntervalMs: number;
  backoffCoefficient: number;
  /** Counted from the start of the workflow (the first run, across continue-as-new). */
  timeoutMs: number;
}

/**
 * Defaults for real Earth Engine tasks, chosen on the evidence of `npm run bench:schedule` (cancellations taking
 * effect after 2 s to 24 h, log-uniform): a first read after 0.5 s catches a PENDING task that is cancelled at once;
 * growing x1.2 keeps the wait at about a fifth of the time already waited, so the p95 detection lag stays under a
 * quarter of the time the cancellation took (0.22) for about 34 reads on average, where google-gax's schedule
 * (100 ms x1.3, cap 60 s) makes 155 with a p95 relative lag of 0.27. The 15-minute cap bounds the absolute lag on
 * hour-long waits. After 24 hours something is wrong enough that a person should look: DEADLINE_EXCEEDED.
 */
export const DEFAULT_POLLING: PollingSchedule = {
  initialIntervalMs: 500,
  maxIntervalMs: 15 * 60_000,
  backoffCoefficient: 1.2,
  timeoutMs: 24 * 60 * 60_000,
};

/** Jitter spreads the reads of many cancellations started together (a batch) so they do not hit the API in step. */
export const JITTER_RATIO = 0.1;

/**
 * How long to wait before read number `pollIndex` (0 = the first read after the cancel request).
 * @param random a number in [0, 1): the workflow's deterministic `Math.random()`.
 */
export function pollDelayMs(pollIndex: number, schedule: PollingSchedule, random: number): number {
  const exponent = Math.max(0, pollIndex);
  const base = Math.min(
    schedule.maxIntervalMs,
    schedule.initialIntervalMs * Math.pow(schedule.backoffCoefficient, exponent),
  );
  const jittered = base * (1 + JITTER_RATIO * (2 * random - 1));
  return Math.round(Math.min(schedule.maxIntervalMs, Math.max(1, jittered)));
}

/** The wait before the next read, shortened so that the last read happens right at the deadline. */
export function nextWaitMs(
  pollIndex: number,
  schedule: PollingSchedule,
  random: number,
  nowMs: number,
  deadlineMs: number,
): number {
  return Math.max(0, Math.min(pollDelayMs(pollIndex, schedule, random), deadlineMs - nowMs));
}
