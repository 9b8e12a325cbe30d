// One worker process of the fleet generator (forked by fleet.mjs): simulates
// its share of the agents. Each agent
//   - registers: POST /auth/token with the registration secret and its agent_id;
//   - long-polls GET /agent/{id}/commands?wait=W on a connection of its own,
//     the first poll at a random moment within --stagger seconds (a fleet in
//     steady state, not one that started in the same second);
//   - renews its token (POST /auth/token again) every --renew seconds;
//   - runs each restore command it receives: restore_started, then a
//     restore_in_progress event every 2-5 s, then restore_completed, all on
//     a keep-alive pool this process's agents share.
// It records every request's latency by kind, every command it was handed
// and every event the orchestrator acknowledged, and sends them to the parent
// when told to stop. Messages: init, register, start, stats, stop.
import { loopLag, pool, request, now, sleep } from './http.mjs';

const lag = loopLag();

let cfg;
let agents = [];
let shared;
let stopping = false;
const samples = {}; // kind -> [ms]
const errors = {}; // kind -> { reason: count }
const deliveries = []; // [job_id, agent_id, command_id, delivery, poll_sent, poll_answered]
const acked = []; // [job_id, message]
let earlyEmptyPolls = 0;
let activeJobs = 0;
let jobsDone = 0;
let cpuAtStart;

const sample = (kind, ms) => (samples[kind] ||= []).push(ms);
function error(kind, reason) {
  const e = (errors[kind] ||= {});
  e[reason] = (e[reason] || 0) + 1;
}
const reasonOf = (r) => (r instanceof Error ? r.code || r.message.slice(0, 60) : `HTTP ${r.status}`);

async function mint(a, kind) {
  for (let attempt = 0; attempt < 5 && !stopping; attempt++) {
    try {
      const r = await request(cfg.url, 'POST', '/auth/token', {
        agent: shared, json: { registration_secret: cfg.regSecret, agent_id: a.id },
      });
      if (r.status === 200 && r.json?.token) {
        sample(kind, r.t1 - r.t0);
        a.token = r.json.token;
        return true;
      }
      error(kind, reasonOf(r));
    } catch (e) {
      error(kind, reasonOf(e));
    }
    await sleep(500 * (attempt + 1));
  }
  return false;
}

async function register() {
  let next = 0, failed = 0;
  const lane = async () => {
    while (next < agents.length) {
      const a = agents[next++];
      if (!(await mint(a, 'register'))) failed++;
    }
  };
  await Promise.all(Array.from({ length: cfg.registerConcurrency }, lane));
  return failed;
}

// One agent event; true when the orchestrator acknowledged it (2xx).
async function postEvent(a, jobId, kind, eventType, message, metadata) {
  try {
    const r = await request(cfg.url, 'POST', `/agent/${a.id}/events`, {
      agent: shared, token: a.token,
      json: { job_id: jobId, event_type: eventType, message, metadata },
    });
    if (r.status >= 200 && r.status < 300) {
      sample(kind, r.t1 - r.t0);
      acked.push([jobId, message]);
      return true;
    }
    error(kind, reasonOf(r));
  } catch (e) {
    error(kind, reasonOf(e));
  }
  return false;
}

// Runs one restore job to completion: started, progress every 2-5 s, completed.
async function runJob(a, jobId) {
  activeJobs++;
  const total = 1 << 20;
  const length = cfg.jobSeconds * 1000 * (0.5 + Math.random() * 0.5);
  const end = now() + length;
  let n = 0;
  await postEvent(a, jobId, 'event start', 'restore_started', `fleet ${jobId} ${n++}`, {});
  for (;;) {
    const gap = 2000 + Math.random() * 3000;
    if (now() + gap >= end) break;
    await sleep(gap);
    const done = Math.round(total * (1 - (end - now()) / length));
    await postEvent(a, jobId, 'event progress', 'restore_in_progress', `fleet ${jobId} ${n++}`,
      { bytes_done: done, bytes_total: total });
  }
  await sleep(Math.max(0, end - now()));
  // The event that finishes the job is retried (each attempt its own message,
  // so a retried event is never counted twice) until acknowledged.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await postEvent(a, jobId, 'event done', 'restore_completed', `fleet ${jobId} ${n++}`,
      { bytes_done: total, bytes_total: total })) break;
    await sleep(1000);
  }
  activeJobs--;
  jobsDone++;
}

// Where agent k of worker w connects from for its long poll, when the
// orchestrator is on loopback: one of cfg.sourceAddresses addresses of
// 127.(100 + w).0.0/16 (all of 127.0.0.0/8 is this host). Real agents come
// from many addresses; from one, every connect() searches the ephemeral
// ports of that address for one not yet used towards the orchestrator, and
// with 15,000 parked polls (and the last run's TIME_WAITs) that search made
// connect() take milliseconds of the generator's CPU each.
function sourceAddress(w, k) {
  if (!cfg.sourceAddresses || !/^https?:\/\/127\./.test(cfg.url)) return undefined;
  const n = k % cfg.sourceAddresses;
  return `127.${100 + w}.${n >> 8}.${1 + (n & 255)}`;
}

async function pollLoop(a) {
  const waitMs = cfg.wait * 1000;
  await sleep(Math.random() * cfg.staggerSeconds * 1000);
  while (!stopping) {
    let r;
    try {
      r = await request(cfg.url, 'GET', `/agent/${a.id}/commands?wait=${cfg.wait}`, {
        agent: a.conn, token: a.token, timeoutMs: waitMs + 30000,
      });
    } catch (e) {
      if (stopping) return;
      error('poll', reasonOf(e));
      await sleep(1000);
      continue;
    }
    if (r.status !== 200 || !Array.isArray(r.json)) {
      error('poll', reasonOf(r));
      await sleep(1000);
      continue;
    }
    if (r.json.length === 0) {
      // An idle poll's latency counts from the end of its wait.
      sample('poll idle', Math.max(0, r.t1 - r.t0 - waitMs));
      if (r.t1 - r.t0 < waitMs - 1000) earlyEmptyPolls++;
      continue;
    }
    for (const c of r.json) {
      const jobId = c.job_id || c.payload?.job_id;
      deliveries.push([jobId, a.id, c.id, c.delivery ?? 1, r.t0, r.t1]);
      if (c.command_type === 'restore' && !a.jobs.has(jobId)) {
        a.jobs.add(jobId);
        runJob(a, jobId);
      }
    }
  }
}

function renewLoop(a) {
  const period = cfg.renewSeconds * 1000;
  const tick = async () => {
    if (stopping) return;
    await mint(a, 'renew');
    if (!stopping) a.renewTimer = setTimeout(tick, period);
  };
  a.renewTimer = setTimeout(tick, Math.random() * period);
}

process.on('message', async (m) => {
  if (m.type === 'init') {
    cfg = m.cfg;
    shared = pool(cfg.sharedSockets);
    agents = m.ids.map((id, k) => ({
      id, token: null, conn: pool(1, sourceAddress(m.worker, k)), jobs: new Set(), renewTimer: null,
    }));
    process.send({ type: 'ready' });
  } else if (m.type === 'register') {
    const failed = await register();
    process.send({ type: 'registered', failed });
  } else if (m.type === 'start') {
    lag.reset();
    cpuAtStart = process.cpuUsage();
    for (const a of agents) {
      if (!a.token) continue;
      pollLoop(a);
      if (cfg.renewSeconds > 0) renewLoop(a);
    }
  } else if (m.type === 'stats') {
    let open = 0;
    for (const a of agents) {
      for (const list of Object.values(a.conn.sockets)) open += list.length;
      for (const list of Object.values(a.conn.freeSockets)) open += list.length;
    }
    process.send({ type: 'stats', open, activeJobs, jobsDone, deliveries: deliveries.length });
  } else if (m.type === 'stop') {
    stopping = true;
    for (const a of agents) {
      clearTimeout(a.renewTimer);
      a.conn.destroy();
    }
    shared.destroy();
    const cpu = process.cpuUsage(cpuAtStart);
    process.send({
      type: 'result',
      samples, errors, deliveries, acked, earlyEmptyPolls, activeJobs,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      loopDelayMs: lag.read(),
    });
  }
});

// The parent is done with this process (or gone): jobs still running stop here.
process.on('disconnect', () => process.exit(0));
