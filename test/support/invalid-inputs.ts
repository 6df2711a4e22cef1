/** Malformed inputs of `cancelOperation`, shared by the client and CLI tests. */

const good = 'projects/my-project/operations/ABCD1234';
export const GOOD_NAME = good;

/** [label, input, a fragment the failure message must contain] */
export const INVALID_INPUTS: [string, unknown, RegExp][] = [
  ['missing name', {}, /"name" is required/],
  ['null input', null, /must be a JSON object/],
  ['string input', good, /must be a JSON object/],
  ['array input', [good], /must be a JSON object/],
  ['numeric name', { name: 42 }, /must be a string/],
  ['empty name', { name: '' }, /empty/],
  ['no operations segment', { name: 'projects/my-project/ABCD1234' }, /must look like/],
  ['tasks instead of operations', { name: 'projects/my-project/tasks/ABCD1234' }, /must look like/],
  ['no project', { name: 'operations/ABCD1234' }, /must look like/],
  ['dot-dot segment', { name: 'projects/my-project/operations/../../v1/projects/x' }, /"\." or "\.\."/],
  ['encoded slash', { name: 'projects/my-project/operations/A%2FB' }, /"%"/],
  ['query', { name: `${good}?alt=media` }, /"\?"/],
  ['fragment', { name: `${good}#x` }, /"#"/],
  ['leading space', { name: ` ${good}` }, /whitespace/],
  ['newline', { name: `${good}\nHost: evil` }, /whitespace, control/],
  ['control character', { name: `${good}\u0000` }, /control/],
  ['cyrillic look-alike', { name: 'projects/my-prоject/operations/ABCD1234' }, /non-ASCII/],
  ['fullwidth slash', { name: 'projects/my-project／operations/ABCD1234' }, /non-ASCII/],
  ['empty segment', { name: 'projects/my-project//operations/ABCD1234' }, /empty path segment/],
  ['trailing slash', { name: `${good}/` }, /empty path segment/],
  ['over-long', { name: `projects/my-project/operations/${'A'.repeat(500)}` }, /at most 400/],
  ['uppercase project', { name: 'projects/My-Project/operations/ABCD1234' }, /not a valid Cloud project ID/],
  ['unknown field', { name: good, force: true }, /unknown field\(s\) "force"/],
  ['polling not an object', { name: good, polling: '5s' }, /"polling" must be an object/],
  ['negative interval', { name: good, polling: { initialInterval: '-5s' } }, /out of range/],
  ['zero timeout', { name: good, polling: { timeout: 0 } }, /out of range/],
  ['absurd timeout', { name: good, polling: { timeout: '1y' } }, /out of range/],
  ['not a duration', { name: good, polling: { maxInterval: 'soon' } }, /is not a duration/],
  ['coefficient below 1', { name: good, polling: { backoffCoefficient: 0.5 } }, /backoffCoefficient/],
  ['coefficient as string', { name: good, polling: { backoffCoefficient: '2' } }, /backoffCoefficient/],
  ['max below initial', { name: good, polling: { initialInterval: '1m', maxInterval: '10s' } }, /shorter than/],
  ['reason not a string', { name: good, reason: { text: 'x' } }, /"reason" must be a string/],
];
