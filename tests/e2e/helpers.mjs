// Shared pieces of the end-to-end tests: real fortfail-agent processes, the
// fortfail CLI, snapshot upload by hand, and polling helpers.
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { binDir } from '../support/orchestrator.mjs';

export const agentBin = path.join(binDir, 'fortfail-agent');
export const cliBin = path.join(binDir, 'fortfail');
export const haveBinaries = () =>
  [agentBin, cliBin, path.join(binDir, 'fortfail-orchestrator')].every((b) => fs.existsSync(b));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, { timeoutMs = 60000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Resolves once `agentId` has made its first request (GET /agents lists it):
// what must hold before a schedule or job can name the agent.
export async function waitForAgent(orch, token, agentId) {
  await waitFor(`${agentId} to register`, async () => {
    const r = await orch.api('GET', '/agents', { token });
    return r.status === 200 && r.json.some((a) => a.id === agentId);
  });
}

// Starts fortfail-agent for `orch` with its own backup/restore/spool dirs under `dir`.
export async function startAgent(orch, agentId, dir, extraEnv = {}) {
  const dirs = {
    backupDir: path.join(dir, `${agentId}-backup`),
    restoreDir: path.join(dir, `${agentId}-restore`),
    spoolDir: path.join(dir, `${agentId}-spool`),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const agent = { id: agentId, ...dirs, log: '', proc: null };
  agent.env = {
    PATH: process.env.PATH,
    ORCHESTRATOR_URL: orch.url,
    AGENT_ID: agentId,
    AGENT_REG_SECRET: orch.regSecret,
    BACKUP_DIR: dirs.backupDir,
    RESTORE_DIR: dirs.restoreDir,
    AGENT_SPOOL_DIR: dirs.spoolDir,
    POLL_INTERVAL: '1',
    AGENT_LONG_POLL: '5',
    AGENT_LOG_LEVEL: 'info',
    // Tests ask for each backup themselves; the seed's backup at start is tested on its own.
    BACKUP_ON_START: '0',
    ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}),
    ...extraEnv,
  };
  agent.start = () => {
    const proc = spawn(agentBin, [], { env: agent.env, stdio: ['ignore', 'pipe', 'pipe'] });
    agent.proc = proc;
    proc.stdout.on('data', (d) => { agent.log += d; });
    proc.stderr.on('data', (d) => { agent.log += d; });
    agent.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  };
  agent.stop = async () => {
    if (!agent.proc || agent.proc.exitCode !== null || agent.proc.signalCode !== null) return;
    agent.proc.kill('SIGTERM');
    const t = setTimeout(() => agent.proc.kill('SIGKILL'), 10000);
    await agent.exited;
    clearTimeout(t);
  };
  agent.kill = async () => {
    agent.proc.kill('SIGKILL');
    await agent.exited;
  };
  agent.start();
  return agent;
}

// Runs the CLI against `orch` with an operator token; resolves {code, stdout, stderr}.
export function runCli(orch, token, args, { timeoutMs = 120000 } = {}) {
  return new Promise((resolve) => {
    execFile(cliBin, ['--url', orch.url, ...args], {
      env: { PATH: process.env.PATH, FORTFAIL_TOKEN: token, FORTFAIL_CONFIG: path.join(orch.dir, 'cli-token'),
        ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}) },
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

// Registers a snapshot with these bytes and uploads them (presigned URL when given).
export async function uploadSnapshot(orch, token, { id, agentId, bytes, metadata = {} }) {
  const r = await orch.api('POST', '/snapshots', {
    token, json: { id, agent_id: agentId, checksum: sha256(bytes), size: bytes.length, metadata },
  });
  if (r.status !== 200) throw new Error(`POST /snapshots: ${r.status} ${r.text}`);
  if (r.json.presigned_url) {
    const put = await fetch(r.json.presigned_url, { method: 'PUT', body: bytes });
    if (!put.ok) throw new Error(`presigned PUT: ${put.status} ${await put.text()}`);
  } else {
    const put = await orch.api('PUT', `/snapshots/${id}/object`, {
      token, body: bytes, headers: { 'content-type': 'application/octet-stream' },
    });
    if (put.status !== 200) throw new Error(`PUT object: ${put.status} ${put.text}`);
  }
  await waitFor(`snapshot ${id} available`, async () => {
    const s = await orch.api('GET', `/snapshots/${id}`, { token });
    return s.json?.status === 'available';
  }, { timeoutMs: 15000 });
}

export async function waitForJob(orch, token, collection, id, timeoutMs = 120000) {
  return waitFor(`${collection} ${id} to finish`, async () => {
    const r = await orch.api('GET', `/${collection}/${id}`, { token });
    return ['completed', 'failed', 'cancelled'].includes(r.json?.status) ? r.json : null;
  }, { timeoutMs, everyMs: 200 });
}

// Every regular file below `root` whose path mentions `needle`.
export function findFiles(root, needle) {
  const out = [];
  const walk = (d) => {
    let entries = [];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && p.includes(needle)) out.push(p);
    }
  };
  walk(root);
  return out;
}

// Lists every path below `root` (for "nothing was written outside" checks).
export function listTree(root) {
  const out = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory()) walk(path.join(d, e.name), r);
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out.sort();
}
