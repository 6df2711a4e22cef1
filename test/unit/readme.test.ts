/** The README's configuration table is the worker's: a variable added to one and not the other fails here. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WORKER_ENV } from '../../src/config';

const readme = readFileSync(resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');

test('the README configuration table lists every variable the worker reads, with its default', () => {
  const table = /<!-- config-table:start -->([\s\S]*?)<!-- config-table:end -->/.exec(readme);
  assert.ok(table, 'the README has the configuration table');
  const rows = new Map(
    [...table[1]!.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(.+?)\s*\|\s*(.+?)\s*\|$/gm)].map((m) => [
      m[1]!,
      { def: m[2]!, doc: m[3]! },
    ]),
  );
  assert.deepEqual([...rows.keys()].sort(), Object.keys(WORKER_ENV).sort());
  for (const [name, spec] of Object.entries(WORKER_ENV)) {
    const row = rows.get(name)!;
    const shown = row.def.replace(/^`|`$/g, '');
    assert.equal(shown, spec.default, `${name}: README says ${row.def}, the code ${spec.default}`);
    assert.equal(row.doc, spec.doc, `${name}: description differs`);
  }
});
