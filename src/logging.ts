/** The worker's runtime: structured logs (Temporal's runtime logger) and optional Prometheus metrics. */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { WorkerConfig } from './config';
import { redact } from './domain/redact';

function toJsonLine(entry: LogEntry): string {
  const meta = entry.meta ?? {};
  return JSON.stringify(
    {
      time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
      level: entry.level.toLowerCase(),
      msg: entry.message,
      ...meta,
    },
    (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
  );
}

/** Formats one log entry; every line goes through redaction, so a secret in a message never reaches the output. */
export function formatLogEntry(entry: LogEntry, format: WorkerConfig['log']['format']): string {
  const line =
    format === 'json'
      ? toJsonLine(entry)
      : `${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} [${entry.level}] ${entry.message} ${JSON.stringify(entry.meta ?? {})}`;
  return redact(line);
}

export function installRuntime(
  config: Pick<WorkerConfig, 'log' | 'metrics'>,
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): void {
  Runtime.install({
    logger: new DefaultLogger(config.log.level, (entry) => write(formatLogEntry(entry, config.log.format))),
    telemetryOptions: {
      logging: { filter: { core: config.log.level === 'TRACE' ? 'TRACE' : 'WARN', other: 'ERROR' }, forward: {} },
      ...(config.metrics && {
        metrics: { prometheus: { bindAddress: `${config.metrics.host}:${config.metrics.port}` } },
      }),
    },
  });
}
