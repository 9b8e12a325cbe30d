// The container files are not run here (no Docker engine on these machines),
// so this test checks what can be checked: docker-compose.yml parses, names
// every service of the stack (two orchestrator replicas behind haproxy), passes
// every variable the README documents to both replicas and every agent
// variable docs/agent.md documents to both agents; the Dockerfiles build with
// the scripts `make build` uses, run as a non-root user, declare /data and a
// HEALTHCHECK on /health/ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const read = (p) => fs.readFileSync(path.join(root, p), 'utf8');
const compose = YAML.parse(read('docker-compose.yml'), { merge: true });
const envOf = (svc) => {
  const e = compose.services[svc].environment ?? {};
  return Array.isArray(e) ? Object.fromEntries(e.map((x) => x.split('=', 2))) : e;
};
const documented = (file, re) => [...new Set(read(file).match(re) ?? [])].sort();

const replicas = ['orchestrator-1', 'orchestrator-2'];

test('compose names every service of the stack', () => {
  for (const s of ['minio', 'postgres', ...replicas, 'haproxy', 'agent-1', 'agent-2']) {
    assert.ok(compose.services[s], `service ${s}`);
  }
  for (const r of replicas) {
    assert.equal(compose.services[r].build.dockerfile, 'Dockerfile.orchestrator');
    assert.match(envOf(r).DATABASE_URL, /^postgres(ql)?:\/\/.*@postgres:5432\//);
    assert.equal(envOf(r).S3_ENDPOINT, 'http://minio:9000');
    assert.equal(envOf(r).ORCH_REPLICA_ID, r);
  }
  assert.equal(compose.services['agent-1'].build.dockerfile, 'Dockerfile.agent');
});

test('the replicas share one database and bucket and keep their own data', () => {
  const [a, b] = replicas.map(envOf);
  for (const k of ['DATABASE_URL', 'S3_BUCKET', 'ORCH_JWT_SECRET', 'ORCH_REG_SECRET']) assert.equal(a[k], b[k], k);
  const [va, vb] = replicas.map((r) => compose.services[r].volumes.map((v) => v.split(':')[0]));
  assert.deepEqual(va.filter((v) => vb.includes(v)), [], 'no volume shared between replicas');
});

test('haproxy fronts both replicas with deploy/haproxy.cfg on the old port', () => {
  const hp = compose.services.haproxy;
  assert.ok(hp.volumes.includes('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro'), 'cfg mounted read-only');
  assert.ok(hp.ports.includes('8000:8000'), 'published where the single orchestrator was');
  assert.deepEqual(replicas.map((r, i) => envOf('haproxy')[`FF_REPLICA_${i + 1}`]), replicas.map((r) => `${r}:8000`));
  for (const r of replicas) assert.equal(compose.services[r].ports, undefined, `${r} is reached through haproxy only`);
});

test('both replicas get every variable the README documents', () => {
  const names = documented('README.md', /\b(ORCH_(?!JWT\b)[A-Z_]+|S3_[A-Z_]+|DATABASE_URL|WAL_PATH)\b/g);
  for (const seed of ['ORCH_JWT_SECRET', 'ORCH_REG_SECRET', 'DATABASE_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY',
    'S3_SECRET_KEY', 'S3_BUCKET', 'WAL_PATH']) {
    if (!names.includes(seed)) names.push(seed);
  }
  for (const r of replicas) {
    const env = envOf(r);
    const missing = names.filter((n) => !(n in env));
    assert.deepEqual(missing, [], `documented but not in ${r}`);
  }
});

test('both agents get every agent variable docs/agent.md documents', () => {
  const names = documented('docs/agent.md',
    /\b(ORCHESTRATOR_URL|AGENT_ID|AGENT_REG_SECRET|ORCH_JWT|BACKUP_DIR|RESTORE_DIR|POLL_INTERVAL|BACKUP_INTERVAL|AGENT_SPOOL_DIR|ORCHESTRATOR_CA_FILE|AGENT_LOG_LEVEL)\b/g);
  assert.ok(names.length >= 10, `docs/agent.md documents the agent variables (${names})`);
  for (const svc of ['agent-1', 'agent-2']) {
    const env = envOf(svc);
    assert.deepEqual(names.filter((n) => !(n in env)), [], `missing in ${svc}`);
    assert.equal(env.ORCHESTRATOR_URL, 'http://haproxy:8000');
  }
  assert.notEqual(envOf('agent-1').AGENT_ID, envOf('agent-2').AGENT_ID);
});

for (const file of ['Dockerfile.orchestrator', 'Dockerfile.agent']) {
  test(`${file}: Debian 12 multi-stage, make-build scripts, non-root, /data, health`, () => {
    const d = read(file);
    assert.equal((d.match(/^FROM debian:12/gm) ?? []).length, 2, 'two Debian 12 stages');
    assert.match(d, /scripts\/deps\.sh build/);
    assert.match(d, /cmake -S \. -B build -G Ninja/);
    assert.match(d, /^USER (?!root)\w+/m);
    assert.match(d, /^VOLUME \["\/data"\]/m);
    assert.match(d, /^HEALTHCHECK[\s\S]*\/health\/ready/m);
    for (const m of d.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      assert.ok(m[1] === '.' || fs.existsSync(path.join(root, m[1])), `${m[1]} exists`);
    }
  });
}
