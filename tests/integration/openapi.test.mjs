// docs/openapi.json against the validator, the router and the real server:
// - it is a valid OpenAPI 3.1 document whose every $ref resolves;
// - the router's routes (`fortfail-orchestrator routes`) and the document's
//   operations are the same set of (method, path);
// - public endpoints say `security: []`, the others inherit bearer auth and
//   document 401; lists document limit/offset and X-Total-Count;
// - what the running orchestrator answers matches the documented schemas, and
//   GET /openapi.json serves this file byte for byte.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { binDir, orchestratorBin, startOrchestrator } from '../support/orchestrator.mjs';

const specPath = path.resolve(import.meta.dirname, '../../docs/openapi.json');
const specText = fs.readFileSync(specPath, 'utf8');
const spec = JSON.parse(specText);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
// Endpoints that need no token (docs/api.md, `security: []`), plus the asset
// subpaths of /control and /docs, and /ws whose token travels in the query.
const PUBLIC = new Set(['/auth/token', '/auth/enroll', '/health/live', '/health/ready', '/', '/control', '/control/{path}',
  '/docs', '/docs/{path}', '/openapi.json', '/ws']);

const operations = () =>
  Object.entries(spec.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path: p, op: item[m], item })));

function resolvePointer(doc, ref) {
  assert.ok(ref.startsWith('#/'), `only local $refs are used: ${ref}`);
  return ref.slice(2).split('/').reduce((node, part) => {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    assert.ok(node && Object.hasOwn(node, key), `unresolved $ref ${ref}`);
    return node[key];
  }, doc);
}

function collectRefs(node, out = []) {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') out.push(node.$ref);
    Object.values(node).forEach((n) => collectRefs(n, out));
  }
  return out;
}

const deref = (node) => (node && node.$ref ? deref(resolvePointer(spec, node.$ref)) : node);

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    assert.match(spec.openapi, /^3\.1\.\d+$/);
    const v = new Validator();
    const res = await v.validate(structuredClone(spec));
    assert.equal(v.version, '3.1');
    assert.ok(res.valid, `invalid OpenAPI document:\n${JSON.stringify(res.errors, null, 2)}`);
    v.resolveRefs(); // throws on a dangling reference
  });

  it('resolves every $ref', () => {
    const refs = collectRefs(spec);
    assert.ok(refs.length > 50);
    for (const ref of new Set(refs)) resolvePointer(spec, ref);
  });

  it('has a unique operationId, a tag, a summary and a success response on every operation', () => {
    const ids = new Set();
    for (const { method, path: p, op } of operations()) {
      const where = `${method} ${p}`;
      assert.ok(op.operationId, `${where}: operationId`);
      assert.ok(!ids.has(op.operationId), `${where}: duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      assert.ok(op.tags?.length, `${where}: tags`);
      assert.ok(op.summary, `${where}: summary`);
      assert.ok(Object.keys(op.responses).some((s) => /^(2\d\d|101)$/.test(s)), `${where}: a success response`);
    }
  });

  it('declares bearer auth globally and marks the public endpoints security: []', () => {
    assert.deepEqual(spec.components.securitySchemes.bearerAuth, {
      type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: spec.components.securitySchemes.bearerAuth.description,
    });
    assert.deepEqual(spec.security, [{ bearerAuth: [] }]);
    for (const { method, path: p, op } of operations()) {
      const where = `${method} ${p}`;
      if (PUBLIC.has(p)) {
        assert.deepEqual(op.security, [], `${where} is public`);
      } else {
        assert.equal(op.security, undefined, `${where} needs the bearer token`);
        const r401 = deref(op.responses['401']);
        assert.ok(r401, `${where}: 401`);
        assert.ok(r401.headers?.['WWW-Authenticate'], `${where}: 401 with WWW-Authenticate`);
      }
    }
  });

  it('documents errors as {"detail"} with Retry-After on 429 and 503', () => {
    for (const { method, path: p, op } of operations()) {
      for (const [status, resp] of Object.entries(op.responses)) {
        if (!/^[45]\d\d$/.test(status) || p === '/health/ready') continue;
        const r = deref(resp);
        const schema = deref(r.content?.['application/json']?.schema);
        assert.ok(schema?.required?.includes('detail'), `${method} ${p} ${status}: {"detail"} body`);
        if (status === '429' || status === '503') assert.ok(r.headers?.['Retry-After'], `${method} ${p} ${status}: Retry-After`);
      }
    }
    const object = spec.paths['/snapshots/{id}/object'];
    assert.ok(object.get.responses['206'] && object.get.responses['416'], 'Range -> 206 / 416');
    assert.ok(object.post.requestBody.content['multipart/form-data'].schema.properties.file, 'multipart field "file"');
    assert.ok(object.put.requestBody.content['application/octet-stream'], 'raw PUT upload');
  });

  it('paginates lists with limit (1..1000, default 100) and offset, counted in X-Total-Count', () => {
    for (const p of ['/snapshots', '/restore-jobs', '/backup-jobs']) {
      const op = spec.paths[p].get;
      const params = op.parameters.map(deref);
      const limit = params.find((x) => x.name === 'limit');
      assert.deepEqual(limit.schema, { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, p);
      assert.ok(params.find((x) => x.name === 'offset'), `${p}: offset`);
      assert.ok(op.responses['200'].headers['X-Total-Count'], `${p}: X-Total-Count`);
      assert.equal(op.responses['200'].content['application/json'].schema.type, 'array');
    }
  });
});

describe('OpenAPI document and the router', () => {
  it('list the same (method, path) set', () => {
    assert.ok(fs.existsSync(orchestratorBin), `${orchestratorBin} is missing (FF_BIN_DIR=${binDir}); build it first`);
    const out = execFileSync(orchestratorBin, ['routes'], { encoding: 'utf8', timeout: 30000 });
    const routes = JSON.parse(out);
    assert.ok(Array.isArray(routes) && routes.length > 10, 'routes prints a JSON array');
    // The router's "{name+}" (rest of the path) is OpenAPI's "{name}".
    const key = (m, p) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\+\}/g, '{$1}')}`;
    const fromRouter = new Set(routes.map((r) => key(r.method, r.path)));
    const fromDoc = new Set(operations().map((o) => key(o.method, o.path)));
    const missingInDoc = [...fromRouter].filter((k) => !fromDoc.has(k)).sort();
    const missingInRouter = [...fromDoc].filter((k) => !fromRouter.has(k)).sort();
    assert.deepEqual({ missingInDoc, missingInRouter }, { missingInDoc: [], missingInRouter: [] });
  });
});

describe('OpenAPI document and the running orchestrator', () => {
  let orch, op, agentTok, ajv;
  const agent = `oa-${randomBytes(3).toString('hex')}`;

  before(async () => {
    orch = await startOrchestrator({ db: 'sqlite' });
    op = await orch.operatorToken();
    agentTok = await orch.agentToken(agent);
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('binary', true);
    ajv.addSchema({ ...spec, $id: 'https://fortfail.invalid/openapi.json' });
  });
  after(async () => { await orch?.stop(); });

  // Validates a response against the schema the document gives for it.
  function conforms(method, template, r) {
    const item = spec.paths[template];
    assert.ok(item?.[method.toLowerCase()], `${method} ${template} is documented`);
    const resp = deref(item[method.toLowerCase()].responses[String(r.status)]);
    assert.ok(resp, `${method} ${template}: status ${r.status} is documented (body: ${r.text.slice(0, 200)})`);
    for (const h of Object.keys(resp.headers ?? {})) {
      if (['WWW-Authenticate', 'Retry-After', 'X-Total-Count', 'ETag'].includes(h)) {
        assert.ok(r.headers.get(h) !== null, `${method} ${template} ${r.status}: header ${h}`);
      }
    }
    if (!resp.content) return;
    const type = (r.headers.get('content-type') || '').split(';')[0].trim();
    assert.ok(resp.content[type], `${method} ${template} ${r.status}: content type ${type} is documented`);
    if (type !== 'application/json') return;
    const schema = resp.content[type].schema;
    const ref = schema.$ref ?? null;
    const validate = ref
      ? ajv.getSchema(`https://fortfail.invalid/openapi.json${ref}`)
      : (ajv.getSchema(`https://fortfail.invalid/inline/${method}${template.replace(/[{}]/g, '_')}/${r.status}`) ??
        ajv.compile({ $id: `https://fortfail.invalid/inline/${method}${template.replace(/[{}]/g, '_')}/${r.status}`, ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"https://fortfail.invalid/openapi.json#/components')) }));
    assert.ok(validate(r.json), `${method} ${template} ${r.status}: body does not match the schema:\n` +
      `${JSON.stringify(validate.errors, null, 2)}\nbody: ${r.text.slice(0, 500)}`);
  }

  it('answers in the documented shapes', async () => {
    const call = async (method, template, p, opts = {}) => {
      const r = await orch.api(method, p, opts);
      conforms(method, template, r);
      return r;
    };
    await call('GET', '/', '/');
    await call('GET', '/health/live', '/health/live');
    await call('GET', '/health/ready', '/health/ready');
    await call('POST', '/auth/token', '/auth/token', { json: { registration_secret: orch.regSecret } });
    await call('POST', '/auth/token', '/auth/token', { json: { registration_secret: 'wrong' } });
    await call('POST', '/auth/token', '/auth/token', { json: {} });
    const key = await call('POST', '/api-keys', '/api-keys', { token: op, json: { name: 'oa-key', role: 'viewer' } });
    await call('POST', '/api-keys', '/api-keys', { token: op, json: { name: 'oa-key', role: 'root' } });
    await call('GET', '/api-keys', '/api-keys', { token: op });
    await call('POST', '/auth/token', '/auth/token', { json: { api_key: key.json.key } });
    await call('DELETE', '/api-keys/{id}', `/api-keys/${key.json.id}`, { token: op });
    await call('DELETE', '/api-keys/{id}', '/api-keys/key-none', { token: op });
    await call('GET', '/metrics', '/metrics', { token: op });
    await call('GET', '/metrics', '/metrics', { token: agentTok });
    const hookBody = { url: 'http://127.0.0.1:9/hook', events: ['job.failed'], secret: 'oa-secret-0123456789' };
    const hook = await call('POST', '/webhooks', '/webhooks', { token: op, json: hookBody });
    await call('POST', '/webhooks', '/webhooks', { token: op, json: { ...hookBody, events: ['job.nope'] } });
    await call('POST', '/webhooks', '/webhooks', { token: op, json: { ...hookBody, url: 'ftp://x/' } });
    await call('GET', '/webhooks', '/webhooks', { token: op });
    await call('GET', '/webhooks/{id}', `/webhooks/${hook.json.id}`, { token: op });
    await call('DELETE', '/webhooks/{id}', `/webhooks/${hook.json.id}`, { token: op });
    await call('GET', '/webhooks/{id}', `/webhooks/${hook.json.id}`, { token: op });
    const sched = await call('POST', '/schedules', '/schedules', {
      token: op,
      json: { agent_id: agent, kind: 'backup', cron: '0 3 * * *', paths: ['/srv'], retention: { keep_daily: 7 } },
    });
    await call('POST', '/schedules', '/schedules', { token: op, json: { agent_id: agent, kind: 'backup', interval_seconds: 5 } });
    await call('POST', '/schedules', '/schedules', { token: op, json: { agent_id: 'oa-ghost', kind: 'backup', interval_seconds: 60 } });
    await call('GET', '/schedules', '/schedules', { token: op });
    await call('PATCH', '/schedules/{id}', `/schedules/${sched.json.id}`, { token: op, json: { interval_seconds: 60, retention: null } });
    await call('GET', '/schedules/{id}', `/schedules/${sched.json.id}`, { token: op });
    await call('DELETE', '/schedules/{id}', `/schedules/${sched.json.id}`, { token: op });
    await call('GET', '/schedules/{id}', `/schedules/${sched.json.id}`, { token: op });
    const enr = await call('POST', '/agents/{id}/enrollment', '/agents/oa-enrolled/enrollment', { token: op, json: {} });
    await call('POST', '/auth/enroll', '/auth/enroll', { json: { agent_id: 'oa-enrolled', enrollment_code: enr.json.enrollment_code } });
    await call('POST', '/auth/enroll', '/auth/enroll', { json: { agent_id: 'oa-enrolled', enrollment_code: enr.json.enrollment_code } });
    await call('POST', '/agents/{id}/revoke', '/agents/oa-enrolled/revoke', { token: op, json: {} });
    await call('POST', '/agents/{id}/revoke', '/agents/oa-enrolled/revoke', { token: agentTok, json: {} });

    const snap = `oa-snap-${randomBytes(3).toString('hex')}`;
    const body = Buffer.from('fortfail openapi test\n');
    const checksum = createHash('sha256').update(body).digest('hex');
    await call('POST', '/snapshots', '/snapshots', { token: op, json: { id: snap, agent_id: agent, checksum, size: body.length, metadata: { files: 1 } } });
    await call('POST', '/snapshots', '/snapshots', { token: op, json: { id: snap, agent_id: agent, checksum, size: body.length } });
    await call('POST', '/snapshots', '/snapshots', { token: op, json: { id: '../x', agent_id: agent, checksum, size: 1 } });
    await call('GET', '/snapshots', '/snapshots', { token: op });
    await call('GET', '/snapshots', `/snapshots?agent_id=${agent}&status=pending&limit=10&offset=0`, { token: op });
    await call('GET', '/snapshots', '/snapshots?limit=0', { token: op });
    await call('GET', '/snapshots', '/snapshots');
    await call('GET', '/snapshots/{id}', `/snapshots/${snap}`, { token: op });
    await call('GET', '/snapshots/{id}', '/snapshots/nope', { token: op });

    const job = await call('POST', '/restore-jobs', '/restore-jobs', { token: op, json: { snapshot_id: snap, target_agent_id: agent } });
    await call('POST', '/restore-jobs', '/restore-jobs', { token: op, json: { snapshot_id: 'nope', target_agent_id: agent } });
    await call('GET', '/restore-jobs', `/restore-jobs?status=pending&target_agent_id=${agent}`, { token: op });
    await call('GET', '/agent/{id}/commands', `/agent/${agent}/commands`, { token: agentTok });
    await call('GET', '/agent/{id}/commands', '/agent/someone-else/commands', { token: agentTok });
    await call('POST', '/agent/{id}/events', `/agent/${agent}/events`, {
      token: agentTok,
      json: { job_id: job.json.id, event_type: 'restore_in_progress', message: 'half', metadata: { bytes_done: 1, bytes_total: 2 } },
    });
    await call('POST', '/agent/{id}/events', `/agent/${agent}/events`, { token: agentTok, json: { job_id: job.json.id, event_type: 'restore_completed', message: 'done' } });
    await call('POST', '/agent/{id}/events', `/agent/${agent}/events`, { token: agentTok, json: { job_id: job.json.id, event_type: 'restore_started', message: 'again' } });
    await call('GET', '/restore-jobs/{id}', `/restore-jobs/${job.json.id}`, { token: op });
    await call('POST', '/restore-jobs/{id}/cancel', `/restore-jobs/${job.json.id}/cancel`, { token: op });
    await call('POST', '/restore-jobs/{id}/cancel', '/restore-jobs/rj-none/cancel', { token: op });
    const bjob = await call('POST', '/backup-jobs', '/backup-jobs', { token: op, json: { agent_id: agent } });
    await call('POST', '/backup-jobs', '/backup-jobs', { token: op, json: { agent_id: 'oa-never-seen' } });
    await call('POST', '/backup-jobs/{id}/cancel', `/backup-jobs/${bjob.json.id}/cancel`, { token: op });
    await call('POST', '/backup-jobs/{id}/cancel', `/backup-jobs/${bjob.json.id}/cancel`, { token: agentTok });
    await call('GET', '/api-keys', '/api-keys?limit=1', { token: op });
    await call('GET', '/agents', '/agents', { token: op });
    await call('DELETE', '/snapshots/{id}', `/snapshots/${snap}`, { token: agentTok });
  });

  it('serves this document at /openapi.json, and the docs and panel pages', async () => {
    const r = await fetch(`${orch.url}/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.equal(await r.text(), specText, 'GET /openapi.json is docs/openapi.json byte for byte');
    assert.match(r.headers.get('etag'), /^"[0-9a-f]{64}"$/);
    for (const [p, type] of [['/docs', /^text\/html/], ['/docs/', /^text\/html/], ['/control', /^text\/html/],
      ['/docs/swagger-ui-bundle.js', /^text\/javascript/], ['/docs/swagger-ui.css', /^text\/css/]]) {
      const a = await fetch(orch.url + p);
      assert.equal(a.status, 200, p);
      assert.match(a.headers.get('content-type'), type, p);
      await a.arrayBuffer();
    }
    assert.equal((await fetch(`${orch.url}/control/assets/missing.js`)).status, 404);
  });
});
