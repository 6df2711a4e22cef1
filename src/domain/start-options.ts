/**
 * What every start of a cancellation carries, whether from a client or as a child: the one-per-operation workflow
 * ID, the Web UI's summary and details, and the search attributes. Pure and workflow-safe.
 */
import { checkOperationName } from './operation-name';
import { SEARCH_ATTRIBUTES, workflowIdFor, type CancelOperationInput } from '../shared';

/** Undefined when the name is invalid: the workflow then fails as InvalidInput and records why. */
export function startOptionsFor(input: CancelOperationInput) {
  const check = checkOperationName(input?.name);
  if (!check.ok) return undefined;
  const details = [
    `Cancel Earth Engine operation \`${check.name}\` and verify how it ended.`,
    '',
    ...(input.reason ? [`- reason: ${input.reason}`] : []),
    ...(input.requestedBy ? [`- requested by: ${input.requestedBy}`] : []),
    ...(input.polling
      ? [
          `- polling: ${Object.entries(input.polling)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', ')}`,
        ]
      : []),
  ];
  return {
    workflowId: workflowIdFor(check.name),
    staticSummary: `Cancel ${check.name}`,
    staticDetails: details.join('\n'),
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.operation, value: check.name },
      { key: SEARCH_ATTRIBUTES.project, value: check.project },
    ],
  };
}
