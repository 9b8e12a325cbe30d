// The fleet generator's tables (bench/README.md, "bench/fleet"): per N the
// resources and checks, latency by request kind, the orchestrator's own view.

export const KINDS = ['register', 'renew', 'poll idle', 'command', 'event start', 'event progress',
  'event done', 'job create'];
export const TARGET_P99_MS = 50;

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const pad = (s, n) => String(s).padStart(n);

export function report(results) {
  const out = [];
  out.push('per N: agents connected, orchestrator resources, generator CPU, correctness');
  const head = ['label', 'N', 'conn min', 'conn peak', 'requests', 'errors', 'RSS peak MiB', 'RSS end MiB',
    'fds peak', 'orch CPU s', 'gen CPU s', 'wall s', 'jobs', 'cmd lost/dup/redeliv', 'events acked',
    'ev lost/dup log', 'ev lost/dup ws', 'checks'];
  const rows = results.map((r) => {
    const sum = (f) => r.orchestrators.reduce((a, x) => a + x[f], 0);
    const reqs = Object.values(r.kinds).reduce((a, k) => a + k.count + k.errors, 0) + r.pollErrors;
    const errs = Object.values(r.kinds).reduce((a, k) => a + k.errors, 0) + r.pollErrors;
    const wsLost = r.events.ws.reduce((a, w) => a + w.lost, 0);
    const wsDup = r.events.ws.reduce((a, w) => a + w.duplicated, 0);
    return [r.label, r.agents, r.connected.min, r.connected.peak, reqs, errs, f1(sum('peakRssMiB')),
      f1(sum('endRssMiB')), sum('peakFds'), f1(sum('cpuSeconds')), f1(r.generatorCpuSeconds), f1(r.wall),
      r.commands.created, `${r.commands.lost}/${r.commands.duplicated}/${r.commands.redelivered}`,
      r.events.acked, `${r.events.lostInLog}/${r.events.duplicatedInLog}`, `${wsLost}/${wsDup}`,
      r.ok ? 'ok' : 'FAIL'];
  });
  out.push(...table(head, rows));
  out.push('');
  out.push(`latency by request kind, ms (target: p99 <= ${TARGET_P99_MS} for every kind; "poll idle" counts from the end of its wait, "command" from the operator's 2xx to the poll answer carrying it)`);
  const head2 = ['label', 'N', 'kind', 'count', 'errors', 'p50', 'p95', 'p99', 'max', 'p99 target'];
  const rows2 = [];
  for (const r of results) {
    for (const k of KINDS) {
      const s = r.kinds[k];
      if (!s) continue;
      const errs = s.errors + (k === 'poll idle' ? r.pollErrors : 0);
      rows2.push([r.label, r.agents, k, s.count, errs, f1(s.p50), f1(s.p95), f1(s.p99), f1(s.max),
        s.count === 0 ? '-' : s.p99 <= TARGET_P99_MS ? 'ok' : 'MISS']);
    }
  }
  out.push(...table(head2, rows2));
  out.push('');
  out.push(`orchestrator side (its /metrics over the run): p99 up to the histogram bucket, share over ${TARGET_P99_MS} ms; the command poll's time includes its wait`);
  const head3 = ['label', 'N', 'series', 'count', 'p99 <= ms', `> ${TARGET_P99_MS} ms`];
  const rows3 = [];
  for (const r of results) {
    for (const [k, v] of Object.entries(r.server || {}).sort()) {
      if (k.includes('/health') || k.includes('/metrics')) continue;
      rows3.push([r.label, r.agents, k, v.count, v.p99UpToMs, `${(100 * v.slowShare).toFixed(2)} %`]);
    }
  }
  out.push(...table(head3, rows3));
  const notes = [];
  for (const r of results) {
    const c = r.commands;
    if (c.misdelivered || c.unknown) notes.push(`${r.label || r.agents}: ${c.misdelivered} commands reached another agent, ${c.unknown} unknown jobs`);
    if (c.beforeAck) notes.push(`${r.label || r.agents}: ${c.beforeAck} commands reached their agent before the operator had its 2xx (counted as 0 ms)`);
    if (r.earlyEmptyPolls) notes.push(`${r.label || r.agents}: ${r.earlyEmptyPolls} empty polls answered more than 1 s before their wait`);
    if (!r.drained) notes.push(`${r.label || r.agents}: not every job finished within the drain time`);
    if (r.events.jobsNotCompleted) notes.push(`${r.label || r.agents}: ${r.events.jobsNotCompleted} jobs not completed at the end`);
    if (r.registered !== r.agents) notes.push(`${r.label || r.agents}: only ${r.registered} of ${r.agents} agents registered`);
    const gaps = r.events.ws.reduce((a, w) => a + w.seqGaps, 0);
    if (gaps) notes.push(`${r.label || r.agents}: ${gaps} seq gaps seen by the listeners`);
    for (const [k, s] of Object.entries(r.kinds)) {
      const d = { ...s.errorDetail, ...(k === 'poll idle' ? s.pollErrors : {}) };
      if (Object.keys(d).length) notes.push(`${r.label || r.agents}: ${k} errors: ${JSON.stringify(d)}`);
    }
    const lag = r.generatorLoopDelayMs;
    notes.push(`${r.label || r.agents}: generator event-loop delay p99 ${f1(lag.p99)} ms, max ${f1(lag.max)} ms` +
      ' (the most any process of the generator added to the latencies it measured)');
    for (const x of r.proxies || []) {
      notes.push(`${r.label || r.agents}: haproxy (pid ${x.pid}): RSS peak ${f1(x.peakRssMiB)} MiB, CPU ${f1(x.cpuSeconds)} s`);
    }
    if (r.orchestrators.length > 1) {
      notes.push(`${r.label || r.agents}: per orchestrator: ${r.orchestrators.map((x) =>
        `pid ${x.pid} RSS peak ${f1(x.peakRssMiB)} MiB, CPU ${f1(x.cpuSeconds)} s`).join('; ')}`);
    }
  }
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}

function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const left = (i) => i < 1 || (i === 2 && ['kind', 'series'].includes(head[2]));
  const line = (r) => r.map((c, i) => (left(i) ? String(c).padEnd(w[i]) : pad(c, w[i]))).join('  ');
  return [line(head), ...rows.map(line)];
}
