/** The polling schedule: capped exponential backoff with jitter. Pure; workflows pass their deterministic random. */

export interface PollingSchedule {
  initialIntervalMs: number;
  maxIntervalMs: number;
  backoffCoefficient: number;
  /** Counted from the start of the workflow (the first run, across continue-as-new). */
  timeoutMs: number;
}

/**
 * Defaults for real Earth Engine tasks. A PENDING task is usually cancelled within seconds and a RUNNING export
 * within a minute or two, but some ingestions stay CANCELLING for tens of minutes. A first read after 5 s catches
 * the quick cases with little lag; growing x1.5 reaches the 5-minute cap after about ten reads (~15 minutes in),
 * so an hour-long wait costs about 20 reads where google-gax's schedule (100 ms x1.3, cap 60 s) makes about 80.
 * After 24 hours something is wrong enough that a person should look: the workflow answers DEADLINE_EXCEEDED.
 */
export const DEFAULT_POLLING: PollingSchedule = {
  initialIntervalMs: 5_000,
  maxIntervalMs: 5 * 60_000,
  backoffCoefficient: 1.5,
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
