// Fleet load generator (issue 16): N simulated agents against a running
// orchestrator, a few operators creating restore jobs, a few WebSocket
// listeners. Started by bench/fleet/run.sh, which starts the orchestrator;
// see bench/README.md ("bench/fleet").
//
//   node fleet.mjs --url URL --reg-secret S --agents N [--duration 60]
//     [--workers max(2, N/4000)] [--operators 4] [--listeners 3] [--jobs-per-second N/250]
//     [--job-seconds 10] [--wait 20] [--stagger min(wait, duration/2)]
//     [--renew 60] [--register-concurrency 16] [--source-addresses 250]
//     [--orch-pids P[,P]] [--proxy-pids P]
//     [--orch-urls URL[,URL]] (each orchestrator's own address, for /metrics)
//     [--label TEXT] [--out FILE.json]
//   node fleet.mjs --report FILE.json...     (the tables of earlier runs)
//
// Agents live in --workers forked processes (agents.mjs), each agent with a
// keep-alive connection of its own for its long poll. Operators and listeners
// run here. Measures, per request kind, p50/p95/p99/max latency (an idle poll
// from the end of its wait; a command from the operator's 2xx to the poll
// answer carrying it), errors, the orchestrators' RSS (peak, end), CPU seconds
// and descriptors from /proc, the generator's own CPU, and checks that every
// job's command reached exactly its agent once (or again only after its lease
// ran out) and that every acknowledged event is in its job's log and was seen
// exactly once by each listener. Exit status 1 when a check fails.
import { fork } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loopLag, pool, request, now, sleep, summary } from './http.mjs';
import { compare, scrape } from './metrics.mjs';
import { KINDS, TARGET_P99_MS, report } from './report.mjs';

const here = import.meta.dirname;
const WebSocket = createRequire(path.join(here, '../../tests/package.json'))('ws');


function parseArgs(argv) {
  const o = { duration: 60, registerConcurrency: 16, operators: 4, listeners: 3, jobSeconds: 10, wait: 20, renew: 60,
    sourceAddresses: 250 };
  const num = (v, name) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: not a number: ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    switch (a) {
      case '--url': o.url = v(); break;
      case '--reg-secret': o.regSecret = v(); break;
      case '--agents': o.agents = num(v(), a); break;
      case '--duration': o.duration = num(v(), a); break;
      case '--workers': o.workers = Math.max(1, Math.floor(num(v(), a))); break;
      case '--operators': o.operators = Math.max(1, num(v(), a)); break;
      case '--listeners': o.listeners = num(v(), a); break;
      case '--jobs-per-second': o.jobsPerSecond = num(v(), a); break;
      case '--job-seconds': o.jobSeconds = num(v(), a); break;
      case '--wait': o.wait = num(v(), a); break;
      case '--stagger': o.stagger = num(v(), a); break;
      case '--register-concurrency': o.registerConcurrency = Math.max(1, num(v(), a)); break;
      case '--renew': o.renew = num(v(), a); break;
      case '--source-addresses': o.sourceAddresses = Math.min(65000, Math.floor(num(v(), a))); break;
      case '--orch-pids': o.pids = v().split(',').filter(Boolean).map(Number); break;
      case '--orch-urls': o.orchUrls = v().split(',').filter(Boolean); break;
      case '--proxy-pids': o.proxyPids = v().split(',').filter(Boolean).map(Number); break;
      case '--label': o.label = v(); break;
      case '--out': o.out = v(); break;
      case '--report': o.report = argv.slice(i + 1); i = argv.length; break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!o.report && (!o.url || !o.regSecret || !o.agents)) {
    throw new Error('usage: fleet.mjs --url URL --reg-secret S --agents N [...] | --report FILE...');
  }
  // One process per 4,000 agents (at least 2): a process holding more
  // stalls for longer whenever a burst of answers arrives together, and
  // its agents' latencies carry the stall.
  o.workers ??= Math.max(2, Math.ceil(o.agents / 4000));
  o.jobsPerSecond ??= Math.max(2, o.agents / 250);
  o.stagger ??= Math.min(o.wait, o.duration / 2);
  o.pids ??= [];
  o.proxyPids ??= [];
  o.orchUrls ??= [o.url];
  return o;
}

// ------------------------------------------------------------ /proc sampling
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function procCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / clockTicks; // utime, stime
  } catch { return NaN; }
}
function procRssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch { return NaN; }
}
// Not readdirSync: listing 15,000 descriptors takes ~90 ms, which would stall
// the operators and listeners of this process every time.
async function procFds(pid) {
  try { return (await fs.promises.readdir(`/proc/${pid}/fd`)).length; } catch { return NaN; }
}

class Sampler {
  constructor(pids) {
    this.pids = pids;
    this.peakRss = pids.map(() => 0);
    this.peakFds = pids.map(() => 0);
    this.n = 0;
    this.timer = setInterval(() => this.tick(), 500);
    this.tick();
  }
  tick() {
    this.n++;
    this.pids.forEach((pid, i) => {
      this.peakRss[i] = Math.max(this.peakRss[i], procRssMiB(pid) || 0);
      if (this.n % 4 === 1) procFds(pid).then((n) => { this.peakFds[i] = Math.max(this.peakFds[i], n || 0); });
    });
  }
  cpu() { return this.pids.map(procCpuSeconds); }
  stop() {
    this.tick();
    clearInterval(this.timer);
    return { endRss: this.pids.map(procRssMiB), peakRss: this.peakRss, peakFds: this.peakFds };
  }
}

// ------------------------------------------------------------ workers
function startWorkers(o, ids) {
  const workers = [];
  for (let w = 0; w < o.workers; w++) {
    const child = fork(path.join(here, 'agents.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiting = new Map();
    child.on('message', (m) => {
      const r = waiting.get(m.type);
      if (r) { waiting.delete(m.type); r(m); }
    });
    child.on('exit', (code, sig) => {
      if (code !== 0 && code !== null) console.error(`fleet: worker ${w} exited with ${code ?? sig}`);
    });
    const ask = (type, msg = {}, answer = null) => new Promise((resolve) => {
      if (answer) waiting.set(answer, resolve);
      child.send({ type, ...msg });
      if (!answer) resolve();
    });
    workers.push({ child, ask, worker: w, ids: ids.filter((_, i) => i % o.workers === w) });
  }
  return workers;
}

// ------------------------------------------------------------ listeners
function listen(wsUrl, token) {
  const l = { seen: new Map(), records: 0, gaps: 0, lastSeq: null, closed: false, error: null };
  l.ready = new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    l.ws = ws;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.event === 'connected') { l.lastSeq = m.since ?? null; resolve(); return; }
      if (l.lastSeq !== null && m.seq !== l.lastSeq + 1) l.gaps++;
      l.lastSeq = m.seq;
      l.records++;
      if (m.event === 'agent_event' && typeof m.message === 'string' && m.message.startsWith('fleet ')) {
        l.seen.set(m.message, (l.seen.get(m.message) || 0) + 1);
      }
    });
    ws.on('error', (e) => { l.error = e.message; reject(e); });
    ws.on('close', () => { l.closed = true; });
  });
  return l;
}

// ------------------------------------------------------------ the run
async function api(o, conn, method, p, opts, ok = [200, 201]) {
  const r = await request(o.url, method, p, { agent: conn, ...opts });
  if (!ok.includes(r.status)) throw new Error(`${method} ${p}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

async function run(o) {
  const log = (s) => console.log(`fleet[${o.label || o.agents}]: ${s}`);
  const tag = randomBytes(3).toString('hex');
  const ids = Array.from({ length: o.agents }, (_, i) => `fa-${tag}-${String(i).padStart(5, '0')}`);
  const sampler = new Sampler(o.pids);
  const proxySampler = new Sampler(o.proxyPids);
  const conn = pool(8);
  const lag = loopLag();

  const op = (await api(o, conn, 'POST', '/auth/token', { json: { registration_secret: o.regSecret } })).json.token;
  const workers = startWorkers(o, ids);
  const cfg = {
    url: o.url, regSecret: o.regSecret, wait: o.wait, staggerSeconds: o.stagger, renewSeconds: o.renew,
    jobSeconds: o.jobSeconds,
    sharedSockets: 32, registerConcurrency: Math.max(1, Math.ceil(o.registerConcurrency / o.workers)),
    sourceAddresses: o.sourceAddresses,
  };
  await Promise.all(workers.map((w) => w.ask('init', { cfg, worker: w.worker, ids: w.ids }, 'ready')));

  let t = now();
  const reg = await Promise.all(workers.map((w) => w.ask('register', {}, 'registered')));
  const regFailed = reg.reduce((s, m) => s + m.failed, 0);
  log(`${o.agents - regFailed} agents registered in ${((now() - t) / 1000).toFixed(1)} s`);

  // A few small snapshots (uploaded, so available) that the restore jobs name.
  const snapshots = [];
  for (let i = 0; i < Math.min(20, o.agents); i++) {
    const bytes = randomBytes(1024);
    const id = `fs-${tag}-${i}`;
    await api(o, conn, 'POST', '/snapshots', { token: op, json: {
      id, agent_id: ids[i], size: bytes.length, checksum: createHash('sha256').update(bytes).digest('hex'),
    } });
    await api(o, conn, 'PUT', `/snapshots/${id}/object`, { token: op, body: bytes });
    snapshots.push(id);
  }

  const wsUrl = `${o.url.replace(/^http/, 'ws')}/ws`;
  const listeners = Array.from({ length: o.listeners }, () => listen(wsUrl, op));
  await Promise.all(listeners.map((l) => l.ready));

  // Run: agents poll, renew and run jobs; operators create jobs at a steady rate.
  const scrapeAll = () => Promise.all(o.orchUrls.map((u) => scrape(u, op).catch(() => null)));
  const metricsStart = await scrapeAll();
  const cpuStart = sampler.cpu();
  const proxyCpuStart = proxySampler.cpu();
  const runStart = now();
  const genCpu0 = process.cpuUsage();
  lag.reset();
  workers.forEach((w) => w.ask('start'));
  const stats = async () => {
    const s = await Promise.all(workers.map((w) => w.ask('stats', {}, 'stats')));
    return s.reduce((a, m) => ({ open: a.open + m.open, activeJobs: a.activeJobs + m.activeJobs,
      jobsDone: a.jobsDone + m.jobsDone }), { open: 0, activeJobs: 0, jobsDone: 0 });
  };
  const connected = { min: Infinity, peak: 0 };
  await sleep(Math.min(2000, o.duration * 200)); // let the polls park first

  const jobs = []; // { id, agent, t2xx }
  const opSamples = [];
  const opErrors = {};
  let opsStop = false;
  const operator = async () => {
    const oc = pool(1);
    const interval = (1000 * o.operators) / o.jobsPerSecond;
    let next = now() + Math.random() * interval;
    while (!opsStop) {
      await sleep(Math.max(0, next - now()));
      next += interval;
      if (opsStop) break;
      const agent = ids[Math.floor(Math.random() * ids.length)];
      const snapshot = snapshots[Math.floor(Math.random() * snapshots.length)];
      try {
        const r = await request(o.url, 'POST', '/restore-jobs', { agent: oc, token: op,
          json: { snapshot_id: snapshot, target_agent_id: agent } });
        if (r.status === 200 || r.status === 201) {
          opSamples.push(r.t1 - r.t0);
          jobs.push({ id: r.json.id, agent, t2xx: r.t1 });
        } else {
          opErrors[`HTTP ${r.status}`] = (opErrors[`HTTP ${r.status}`] || 0) + 1;
        }
      } catch (e) {
        const k = e.code || e.message.slice(0, 60);
        opErrors[k] = (opErrors[k] || 0) + 1;
      }
    }
    oc.destroy();
  };
  const ops = Array.from({ length: o.operators }, operator);
  const runEnd = runStart + o.duration * 1000;
  while (now() < runEnd) {
    await sleep(Math.min(2000, runEnd - now()));
    const s = await stats();
    if (now() - runStart > o.stagger * 1000 + 2000) {
      connected.min = Math.min(connected.min, s.open);
      connected.peak = Math.max(connected.peak, s.open);
    }
  }
  opsStop = true;
  await Promise.all(ops);

  // Drain: every job created is delivered and finished by its agent.
  const drainEnd = now() + (o.jobSeconds * 2 + 30) * 1000;
  let s = await stats();
  while (now() < drainEnd && (s.jobsDone < jobs.length || s.activeJobs > 0)) {
    await sleep(500);
    s = await stats();
  }
  const drained = s.jobsDone >= jobs.length && s.activeJobs === 0;
  const cpuEnd = sampler.cpu();
  const proxyCpuEnd = proxySampler.cpu();
  const genCpuHere = process.cpuUsage(genCpu0);
  const server = compare(metricsStart, await scrapeAll(), TARGET_P99_MS);
  const wall = (now() - runStart) / 1000;
  const results = await Promise.all(workers.map((w) => w.ask('stop', {}, 'result')));
  workers.forEach((w) => w.child.disconnect());

  // Merge the workers' figures.
  const samples = {}; const errors = {}; const deliveries = []; const acked = [];
  let earlyEmpty = 0; let genCpu = 0;
  const loop = lag.read();
  for (const r of results) {
    for (const [k, v] of Object.entries(r.samples)) (samples[k] ||= []).push(...v);
    for (const [k, v] of Object.entries(r.errors)) {
      for (const [why, n] of Object.entries(v)) ((errors[k] ||= {})[why] = ((errors[k] || {})[why] || 0) + n);
    }
    deliveries.push(...r.deliveries);
    acked.push(...r.acked);
    earlyEmpty += r.earlyEmptyPolls;
    genCpu += r.cpuSeconds;
    loop.p99 = Math.max(loop.p99, r.loopDelayMs.p99);
    loop.max = Math.max(loop.max, r.loopDelayMs.max);
  }
  samples['job create'] = opSamples;
  if (Object.keys(opErrors).length) errors['job create'] = opErrors;

  // Commands: each job to its own agent, once (again only as a lease redelivery).
  const byJob = new Map(jobs.map((j) => [j.id, j]));
  const delivered = new Map();
  const cmd = { created: jobs.length, lost: 0, duplicated: 0, redelivered: 0, misdelivered: 0, unknown: 0,
    beforeAck: 0 };
  for (const d of deliveries) {
    if (!byJob.has(d[0])) { cmd.unknown++; continue; }
    (delivered.get(d[0]) || delivered.set(d[0], []).get(d[0])).push(d);
  }
  samples.command = [];
  for (const j of jobs) {
    const ds = (delivered.get(j.id) || []).sort((a, b) => a[5] - b[5]);
    if (ds.length === 0) { cmd.lost++; continue; }
    if (ds.some((d) => d[1] !== j.agent)) cmd.misdelivered++;
    for (let i = 1; i < ds.length; i++) {
      if (ds[i][3] > ds[i - 1][3]) cmd.redelivered++; else cmd.duplicated++;
    }
    const latency = ds[0][5] - Math.max(ds[0][4], j.t2xx);
    if (latency < 0) cmd.beforeAck++;
    samples.command.push(Math.max(0, latency));
  }

  // Events: every acknowledged one in its job's log once, and seen once by each listener.
  const grace = now() + 10000;
  const seenAll = () => listeners.every((l) => acked.every(([, m]) => l.seen.has(m)));
  while (now() < grace && !seenAll()) await sleep(250);
  const ev = { acked: acked.length, lostInLog: 0, duplicatedInLog: 0, jobsNotCompleted: 0, ws: [] };
  const ackedByJob = new Map();
  for (const [j, m] of acked) (ackedByJob.get(j) || ackedByJob.set(j, []).get(j)).push(m);
  let next = 0;
  const checkLane = async () => {
    while (next < jobs.length) {
      const j = jobs[next++];
      const r = await api(o, conn, 'GET', `/restore-jobs/${j.id}`, { token: op });
      if (r.json.status !== 'completed') ev.jobsNotCompleted++;
      const inLog = new Map();
      for (const e of r.json.logs || []) inLog.set(e.message, (inLog.get(e.message) || 0) + 1);
      for (const m of ackedByJob.get(j.id) || []) {
        const c = inLog.get(m) || 0;
        if (c === 0) ev.lostInLog++; else if (c > 1) ev.duplicatedInLog++;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, checkLane));
  for (const l of listeners) {
    let lost = 0, dup = 0;
    for (const [, m] of acked) {
      const c = l.seen.get(m) || 0;
      if (c === 0) lost++; else if (c > 1) dup++;
    }
    ev.ws.push({ lost, duplicated: dup, records: l.records, seqGaps: l.gaps, closedEarly: l.closed });
    l.ws.close();
  }
  conn.destroy();

  const res = sampler.stop();
  const proxyRes = proxySampler.stop();
  genCpu += (genCpuHere.user + genCpuHere.system) / 1e6;
  const kinds = {};
  for (const k of KINDS) {
    const e = errors[k] ? Object.values(errors[k]).reduce((a, b) => a + b, 0) : 0;
    kinds[k] = { ...summary(samples[k] || []), errors: e, errorDetail: errors[k] || {} };
  }
  if (errors.poll) kinds['poll idle'].pollErrors = errors.poll;
  const pollErrors = errors.poll ? Object.values(errors.poll).reduce((a, b) => a + b, 0) : 0;
  const result = {
    label: o.label || '', agents: o.agents, registered: o.agents - regFailed, duration: o.duration,
    wall, workers: o.workers, operators: o.operators, listeners: o.listeners,
    jobsPerSecond: o.jobsPerSecond, jobSeconds: o.jobSeconds, wait: o.wait, stagger: o.stagger,
    renew: o.renew,
    connected: { min: Number.isFinite(connected.min) ? connected.min : 0, peak: connected.peak },
    kinds, pollErrors, earlyEmptyPolls: earlyEmpty, drained,
    orchestrators: o.pids.map((pid, i) => ({
      pid, peakRssMiB: res.peakRss[i], endRssMiB: res.endRss[i], peakFds: res.peakFds[i],
      cpuSeconds: cpuEnd[i] - cpuStart[i],
    })),
    proxies: o.proxyPids.map((pid, i) => ({
      pid, peakRssMiB: proxyRes.peakRss[i], cpuSeconds: proxyCpuEnd[i] - proxyCpuStart[i],
    })),
    server, generatorCpuSeconds: genCpu, generatorLoopDelayMs: loop, commands: cmd, events: ev,
  };
  result.ok = checksPass(result);
  return result;
}

function checksPass(r) {
  const c = r.commands, e = r.events;
  return r.registered === r.agents && r.drained && c.lost === 0 && c.duplicated === 0 && c.misdelivered === 0 &&
    c.unknown === 0 && e.lostInLog === 0 && e.duplicatedInLog === 0 && e.jobsNotCompleted === 0 &&
    e.ws.every((w) => w.lost === 0 && w.duplicated === 0);
}

const o = parseArgs(process.argv.slice(2));
if (o.report) {
  console.log(report(o.report.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')))));
} else {
  const r = await run(o);
  if (o.out) fs.writeFileSync(o.out, JSON.stringify(r, null, 1));
  console.log(report([r]));
  process.exitCode = r.ok ? 0 : 1;
}
