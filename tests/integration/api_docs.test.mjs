// docs/api.md is generated from docs/openapi.json by scripts/api_docs.mjs and
// must not drift from it: a spec change without a regenerated reference fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { render } from '../../scripts/api_docs.mjs';

const root = path.resolve(import.meta.dirname, '../..');

test('docs/api.md is up to date with docs/openapi.json', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/api_docs.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('docs/api.md names every operation and schema of the spec', () => {
  const spec = JSON.parse(fs.readFileSync(path.join(root, 'docs/openapi.json'), 'utf8'));
  const md = render(spec);
  for (const [p, item] of Object.entries(spec.paths)) {
    for (const m of ['get', 'put', 'post', 'patch', 'delete']) {
      if (item[m]) assert.ok(md.includes(`### \`${m.toUpperCase()} ${p}\``), `${m.toUpperCase()} ${p} missing`);
    }
  }
  for (const name of Object.keys(spec.components.schemas)) assert.ok(md.includes(`></a>${name}\n`), `schema ${name} missing`);
  // A changed spec changes the reference (the check above can fail).
  const changed = structuredClone(spec);
  changed.paths['/'].get.summary = 'something else entirely';
  assert.notEqual(render(changed), md);
});
