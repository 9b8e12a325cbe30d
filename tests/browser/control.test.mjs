// The control panel (/control) and the API docs (/docs) in a real browser:
// Debian's chromium driven by playwright-core against the real orchestrator with
// seeded data. Screenshots land in <build>/screenshots/ (1280x800 and 390 wide).
//
// Covers issue 5's browser checks: sign in with the registration secret; an agent
// that just polled shows up; a restore job started from the snapshots table goes
// to completed as an agent posts events, without a reload, with its progress bar
// and log lines; the events feed shows them and misses nothing across a dropped
// link; delete asks first; the panel fits 390 px; /docs renders and an authorized
// "Try it out" of GET /agents returns 200; no console errors anywhere.
// Issue 12: the snapshots table and detail show the format ("repository" / "tar"),
// "encrypted" or "not encrypted", files, logical size and stored bytes, and the
// overview the bytes stored; repository snapshots are seeded through the
// repository protocol where this orchestrator has it (hand-made packs).
// Issue 13: both pages run under their Content-Security-Policy with no violation
// reported (securitypolicyviolation events and console), and keep tokens out of
// localStorage (sessionStorage only).
// Issue 15: the Alerts page adds, lists and deletes webhooks (operators only);
// chart axes in 24-hour time with legends showing the latest values; progress
// bars with rate and time left; a completed restore shows where it went; card
// labels at 390 px stay on one line; runs of token mints fold into one row.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startOrchestrator } from '../support/orchestrator.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const shotsDir = path.resolve(root, process.env.FF_BUILD_DIR || 'build', 'screenshots');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tag = randomBytes(2).toString('hex');
const AGENT_A = `web-${tag}-a`; // owns the snapshots
const AGENT_B = `web-${tag}-b`; // the restore target
const MiB = 1024 * 1024;

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// A repository-v1 snapshot made by hand over the protocol (docs/openapi.json):
// one session, one pack holding a single tree blob (or a lookup of an earlier
// one), a commit. Returns null when this orchestrator has no repository routes.
async function seedRepositorySnapshot(orch, token, agentId, { id, keyId = null, pack = null, reuseBlob = null, metadata }) {
  const session = await orch.api('POST', '/repository/sessions', {
    token, json: { agent_id: agentId, repository_id: keyId, encrypted: keyId !== null },
  });
  if (session.status === 404 || session.status === 405) return null;
  assert.equal(session.status, 200, `POST /repository/sessions: ${session.text}`);
  const sid = session.json.id;
  let root = reuseBlob;
  if (pack) {
    root = randomBytes(32).toString('hex');
    const packId = sha256(pack);
    const announced = await orch.api('POST', '/packs', {
      token, json: { session_id: sid, id: packId, size: pack.length, blobs: [{ id: root, type: 'tree', offset: 0, length: pack.length }] },
    });
    assert.equal(announced.status, 200, `POST /packs: ${announced.text}`);
    const put = await orch.api('PUT', announced.json.upload_url, { token, body: pack, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(put.status, 200, `PUT ${announced.json.upload_url}: ${put.text}`);
  } else {
    const known = await orch.api('POST', `/repository/sessions/${sid}/lookup`, { token, json: { ids: [root] } });
    assert.equal(known.status, 200, known.text);
    assert.ok(known.json.known[root], `lookup finds the blob ${root} stored before`);
  }
  const commit = await orch.api('POST', `/repository/sessions/${sid}/commit`, { token, json: { snapshot_id: id, root, metadata } });
  assert.equal(commit.status, 200, `commit: ${commit.text}`);
  return { id, root, snapshot: commit.json };
}

async function until(what, fn, timeout = 15000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

describe('control panel and API docs in chromium', { timeout: 240000 }, () => {
  let orch, op, context, profile;
  const consoleErrors = [];
  const cspViolations = []; // every securitypolicyviolation event and CSP console line, any page
  let backupJobsAbsent = false; // an orchestrator without backup jobs answers 404 there
  const snaps = []; // tar snapshots, all of agent A
  const repo = {}; // repository snapshots of agent A: encrypted, plain, dedup (where supported)
  const KEY_ID = randomBytes(16).toString('hex');
  const allSnaps = () => [...snaps, ...Object.values(repo).map((r) => r.id)];

  const agentPost = async (agent, token, json) => {
    const r = await orch.api('POST', `/agent/${agent}/events`, { token, json });
    assert.equal(r.status, 200, r.text);
  };

  async function newPage({ width = 1280, height = 800, token = null } = {}) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const url = m.location()?.url ?? '';
      // The panel asks once whether backup jobs exist; the browser logs the 404.
      if (backupJobsAbsent && /status of 404/.test(m.text()) && new URL(url, orch.url).pathname === '/backup-jobs') return;
      consoleErrors.push(`${m.text()} (${url})`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(`console: ${m.text()}`);
    });
    await page.exposeFunction('__ffReportCsp', (v) => cspViolations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__ffReportCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} in ${e.documentURI} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    if (token) await page.addInitScript((t) => window.sessionStorage.setItem('fortfail.token', t), token);
    return page;
  }

  const shot = async (page, name) => {
    fs.mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: false });
  };

  before(async () => {
    orch = await startOrchestrator({ db: 'sqlite' });
    op = await orch.operatorToken();
    backupJobsAbsent = (await orch.api('GET', '/backup-jobs', { token: op })).status === 404;
    // Seed: two agents that poll, snapshots of several sizes (with their bytes
    // where this orchestrator takes uploads), one restore already done.
    const tokA = await orch.agentToken(AGENT_A);
    // [size, with bytes]: those with bytes are uploaded, so they become available
    // once this orchestrator takes uploads; the others stay pending.
    for (const [i, [size, real]] of [[40 * 1024, true], [512 * 1024, false], [1.5 * MiB, true], [48 * MiB, false]].entries()) {
      const id = `snap-${tag}-${i + 1}`;
      const body = real ? randomBytes(size) : null;
      const checksum = createHash('sha256').update(body ?? randomBytes(8)).digest('hex');
      const r = await orch.api('POST', '/snapshots', {
        token: tokA,
        json: {
          id, agent_id: AGENT_A, checksum, size,
          metadata: { file_count: 120 * (i + 1), byte_count: size * 3, compression: 'zstd', source_path: '/srv/data' },
        },
      });
      assert.equal(r.status, 200, r.text);
      if (body) {
        await orch.api('PUT', `/snapshots/${id}/object`, { token: tokA, body, headers: { 'content-type': 'application/octet-stream' } });
      }
      snaps.push(id);
    }
    // Repository snapshots: an encrypted one adding a 1 MiB pack, an unencrypted
    // one adding another, and an encrypted one that only reuses the first pack.
    const meta = (files, bytes) => ({ file_count: files, dir_count: 3, byte_count: bytes, source_path: '/srv/data', warnings: [] });
    const enc = await seedRepositorySnapshot(orch, tokA, AGENT_A, {
      id: `repo-${tag}-enc`, keyId: KEY_ID, pack: randomBytes(MiB), metadata: meta(3001, 5 * MiB),
    });
    if (enc) {
      repo.enc = enc;
      repo.plain = await seedRepositorySnapshot(orch, tokA, AGENT_A, {
        id: `repo-${tag}-plain`, pack: randomBytes(MiB), metadata: meta(42, 2 * MiB),
      });
      repo.dedup = await seedRepositorySnapshot(orch, tokA, AGENT_A, {
        id: `repo-${tag}-dedup`, keyId: KEY_ID, reuseBlob: enc.root, metadata: meta(3001, 5 * MiB),
      });
    }
    const done = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snaps[1], target_agent_id: AGENT_A } });
    assert.equal(done.status, 200, done.text);
    await orch.api('GET', `/agent/${AGENT_A}/commands`, { token: tokA });
    await agentPost(AGENT_A, tokA, { job_id: done.json.id, event_type: 'restore_started', message: 'downloading' });
    await sleep(300);
    await agentPost(AGENT_A, tokA, { job_id: done.json.id, event_type: 'restore_completed', message: 'restored 240 files' });
    const tokB = await orch.agentToken(AGENT_B);
    assert.equal((await orch.api('GET', `/agent/${AGENT_B}/commands`, { token: tokB })).status, 200);

    profile = fs.mkdtempSync(path.join(process.env.FF_TEST_TMP || os.tmpdir(), 'ff-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.FF_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
      viewport: { width: 1280, height: 800 },
    });
  });

  after(async () => {
    await context?.close();
    await orch?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  let page; // the desktop panel, signed in once and never reloaded
  const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: typeof name === 'string' });
  let jobId;

  it('signs in with the registration secret (admin where no operator secret is set)', async () => {
    page = await newPage();
    const doc = await page.goto(`${orch.url}/control`);
    const csp = doc.headers()['content-security-policy'];
    assert.match(csp ?? '', /script-src 'self'/, 'the panel is served with a CSP');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(doc.headers()['x-frame-options'], 'DENY');
    await page.getByRole('heading', { name: 'Sign in to the control panel' }).waitFor();
    await shot(page, 'signin-1280');
    await page.getByLabel('API key or operator secret').fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'refused that secret or API key' }).waitFor();
    // The browser logs the 403 of that attempt as a failed resource load: expected here only.
    await until('the logged 403', async () => consoleErrors.some((e) => /status of 403/.test(e)), 3000).catch(() => {});
    for (let i = consoleErrors.length - 1; i >= 0; i--) if (/status of 403.*\/auth\/token/.test(consoleErrors[i])) consoleErrors.splice(i, 1);
    await page.getByLabel('API key or operator secret').fill(orch.regSecret);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const token = await page.evaluate(() => window.sessionStorage.getItem('fortfail.token'));
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'an operator JWT is kept in sessionStorage');
    assert.equal(await page.evaluate(() => window.localStorage.length), 0, 'nothing in localStorage after sign-in');
    await page.evaluate(() => { window.__noReload = true; });
    await page.locator('.live-ok').first().waitFor({ timeout: 10000 });
    assert.equal(await page.locator('.role-badge').innerText(), 'admin');
  });

  it('shows the state at a glance on the overview', async () => {
    const value = (name) => page.getByRole('region', { name, exact: true }).locator('.stat-value').innerText();
    await until('2 agents online', async () => (await value('Agents')) === '2 online');
    assert.equal(await value('Snapshots'), String(allSnaps().length));
    const jobs = page.getByRole('region', { name: 'Jobs', exact: true });
    assert.match(await jobs.innerText(), /1 completed/);
    // Available: the 40 KiB and 1.5 MiB tar objects, plus two 1 MiB packs
    // (the deduplicated snapshot adds nothing).
    assert.equal(await value('Bytes stored'), repo.enc ? '3.5 MiB' : '1.5 MiB', 'what the available snapshots added');
    const bytes = await page.getByRole('region', { name: 'Bytes stored', exact: true }).innerText();
    assert.match(bytes, new RegExp(`${repo.enc ? 3 : 2} not encrypted`), 'unencrypted snapshots are counted as a warning');
    await page.locator('.chart canvas').first().waitFor();
    await sleep(300);
    // Axes in 24-hour time like the tables; legends show the latest values without a hover.
    const charts = page.locator('.chart');
    assert.equal(await charts.count(), 2);
    for (let i = 0; i < 2; i++) {
      const ticks = (await charts.nth(i).getAttribute('data-x-ticks')) ?? '';
      assert.match(ticks, /^\d\d:\d\d/, `chart ${i}: ticks read HH:MM (${ticks})`);
      assert.doesNotMatch(ticks, /am|pm/i, `chart ${i}: no 12-hour clock (${ticks})`);
      const values = await charts.nth(i).locator('.u-legend .u-value').allInnerTexts();
      assert.ok(values.length >= 3, `chart ${i}: a legend with time and series`);
      // The time and the first series (stored bytes; restore durations) have points here.
      for (const v of values.slice(0, 2)) assert.notEqual(v.trim(), '—', `chart ${i}: legend value "${v}" before any hover`);
      assert.match(values[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'the legend time is 24-hour');
    }
    const stored = await charts.nth(0).locator('.u-legend .u-value').allInnerTexts();
    assert.equal(stored[2], repo.enc ? '3.5 MiB' : '1.5 MiB', 'the latest available bytes');
    await shot(page, 'overview-1280');
  });

  it('shows an agent as soon as it polls', async () => {
    await nav('Agents').click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    const fresh = `web-${tag}-new`;
    const tok = await orch.agentToken(fresh);
    assert.equal((await orch.api('GET', `/agent/${fresh}/commands`, { token: tok })).status, 200);
    const row = page.locator(`tr[data-agent="${fresh}"]`);
    await row.waitFor({ timeout: 20000 });
    assert.match(await row.innerText(), /online/);
    assert.match(await row.innerText(), /just now|\d+ s ago/);
    const a = page.locator(`tr[data-agent="${AGENT_A}"]`);
    assert.match(await a.innerText(), /online/);
    assert.equal(await a.locator('td[data-label="Snapshots"]').innerText(), String(allSnaps().length), 'snapshot count of the agent');
    await shot(page, 'agents-1280');
  });

  it('filters and sorts the snapshots table', async () => {
    await nav('Snapshots').click();
    await page.getByRole('heading', { name: 'Snapshots', level: 1 }).waitFor();
    const rows = page.locator('tbody tr[data-snapshot]');
    const n = allSnaps().length;
    await until(`${n} snapshot rows`, async () => (await rows.count()) === n);
    await page.getByRole('button', { name: /^Size/ }).click(); // largest first
    const first = await rows.first().getAttribute('data-snapshot');
    assert.equal(first, snaps[3], 'sorted by logical size, descending');
    assert.equal(await rows.first().locator('td[data-label="Size"]').innerText(), '144 MiB', 'logical size from the metadata');
    await page.getByRole('button', { name: /^Size/ }).click();
    assert.equal(await rows.first().getAttribute('data-snapshot'), snaps[0], 'then ascending');
    await page.getByRole('button', { name: /^Stored/ }).click(); // most bytes added first
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.snapshot));
    const want = repo.enc ? [snaps[2], repo.enc.id, snaps[0], repo.dedup.id] : [snaps[2], snaps[0]];
    assert.deepEqual(order.filter((id) => want.includes(id)), want, `sorted by stored bytes: ${order.join(', ')}`);
    await page.getByLabel('Search').fill(snaps[3]);
    await until('one row', async () => (await rows.count()) === 1);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Agent', { exact: true }).selectOption(AGENT_B);
    await until('no row for the agent without snapshots', async () => (await rows.count()) === 0);
    await page.getByLabel('Agent', { exact: true }).selectOption('');
    await until(`${n} rows again`, async () => (await rows.count()) === n);
    await shot(page, 'snapshots-1280');
  });

  it('shows format, encryption, files, logical size and stored bytes of each snapshot', async () => {
    const cell = (id, label) => page.locator(`tr[data-snapshot="${id}"] td[data-label="${label}"]`).innerText();
    const expect = async (id, want) => {
      for (const [label, text] of Object.entries(want)) {
        assert.equal((await cell(id, label)).replace(/\s+/g, ' ').trim(), text, `${id}: column ${label}`);
      }
    };
    await expect(snaps[0], { Format: 'tar not encrypted', Files: '120', Size: '120 KiB', Stored: '40.0 KiB' });
    await expect(snaps[2], { Format: 'tar not encrypted', Files: '360', Size: '4.5 MiB', Stored: '1.5 MiB' });
    const warn = page.locator(`tr[data-snapshot="${snaps[0]}"] [data-status="not_encrypted"]`);
    assert.match(await warn.getAttribute('class'), /badge-warn/, '"not encrypted" is marked as a warning');
    if (!repo.enc) {
      // An orchestrator without the repository format: every snapshot is a tar.
      assert.equal(await page.locator('[data-status="encrypted"]').count(), 0);
      return;
    }
    await expect(repo.enc.id, { Format: 'repository encrypted', Files: '3,001', Size: '5.0 MiB', Stored: '1.0 MiB' });
    await expect(repo.plain.id, { Format: 'repository not encrypted', Files: '42', Size: '2.0 MiB', Stored: '1.0 MiB' });
    await expect(repo.dedup.id, { Format: 'repository encrypted', Files: '3,001', Size: '5.0 MiB', Stored: '0 B' });
    const ok = page.locator(`tr[data-snapshot="${repo.enc.id}"] [data-status="encrypted"]`);
    assert.match(await ok.getAttribute('class'), /badge-ok/);
  });

  it('starts a restore from the snapshots table and follows it live to completed', async () => {
    await page.getByRole('button', { name: `Restore snapshot ${snaps[0]}` }).click();
    const dialog = page.getByRole('dialog', { name: `Restore snapshot ${snaps[0]}` });
    await dialog.waitFor();
    await dialog.getByLabel('Target agent').selectOption(AGENT_B);
    await dialog.getByLabel(/Target path/).fill('/restore/here');
    await shot(page, 'restore-dialog-1280');
    await dialog.getByRole('button', { name: 'Start restore' }).click();
    await page.waitForURL(/#\/jobs\/restore\//);
    jobId = decodeURIComponent(page.url().split('#/jobs/restore/')[1]);
    const status = page.getByTestId('job-status');
    await until('pending', async () => /pending/.test(await status.innerText()));

    const created = await orch.api('GET', `/restore-jobs/${jobId}`, { token: op });
    assert.equal(created.json.snapshot_id, snaps[0]);
    assert.equal(created.json.target_agent_id, AGENT_B);
    assert.equal(created.json.target_path, '/restore/here');

    // The agent picks the command up and reports.
    const tokB = await orch.agentToken(AGENT_B);
    const cmds = await orch.api('GET', `/agent/${AGENT_B}/commands`, { token: tokB });
    assert.equal(cmds.json[0]?.payload?.job_id, jobId);
    const total = 3 * MiB;
    await agentPost(AGENT_B, tokB, { job_id: jobId, snapshot_id: snaps[0], event_type: 'restore_started', message: 'downloading snapshot' });
    await until('in progress', async () => /in progress/.test(await status.innerText()));
    const t1a = Date.now();
    await agentPost(AGENT_B, tokB, { job_id: jobId, event_type: 'restore_in_progress', message: 'extracting', metadata: { bytes_done: total / 4, bytes_total: total } });
    const t1b = Date.now();
    const bar = page.getByRole('progressbar', { name: `Progress of restore job ${jobId}` });
    await until('25%', async () => (await bar.getAttribute('aria-valuenow')) === '25');
    assert.equal(await page.getByTestId('progress-rate').count(), 0, 'no rate from a single sample');
    await sleep(1200); // the samples' timestamps differ by a second or more
    const t2a = Date.now();
    await agentPost(AGENT_B, tokB, { job_id: jobId, event_type: 'restore_in_progress', message: 'extracting', metadata: { bytes_done: (total * 3) / 4, bytes_total: total } });
    const t2b = Date.now();
    await until('75%', async () => (await bar.getAttribute('aria-valuenow')) === '75');
    // Rate and ETA from the two samples: half the bytes over the time between them.
    const rateText = await until('a transfer rate', async () => {
      const t = page.getByTestId('progress-rate');
      return (await t.count()) ? t.innerText() : null;
    });
    const m = /· ([\d.]+) (KiB|MiB)\/s · about (.+) left/.exec(rateText);
    assert.ok(m, `rate and time left shown: "${rateText}"`);
    const rate = Number(m[1]) * (m[2] === 'MiB' ? MiB : 1024);
    // The samples were stamped between the posts' requests and answers.
    const [slow, fast] = [total / 2 / ((t2b - t1a) / 1000), total / 2 / ((t2a - t1b) / 1000)];
    assert.ok(rate >= slow * 0.95 && rate <= fast * 1.05, `rate ${rate} B/s, between ${slow} and ${fast}`);
    const left = /^([\d.]+) (s|ms)$/.exec(m[3]);
    assert.ok(left, `time left "${m[3]}"`);
    const eta = Number(left[1]) / (left[2] === 'ms' ? 1000 : 1);
    assert.ok(Math.abs(eta - total / 4 / rate) <= 0.06, `time left ${eta} s for a quarter at ${rate} B/s`);
    const log = page.getByRole('log', { name: `Log of restore job ${jobId}` });
    await until('log lines', async () => (await log.locator('li').count()) >= 3);
    await shot(page, 'job-progress-1280');
    await agentPost(AGENT_B, tokB, { job_id: jobId, event_type: 'restore_completed', message: 'restored 360 files' });
    await until('completed', async () => /completed/.test(await status.innerText()));
    await until('final log line', async () => /restored 360 files/.test(await log.innerText()));
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
    await shot(page, 'job-completed-1280');

    await nav(/^Jobs\b/).click();
    const row = page.locator(`tr[data-job="${jobId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /completed/);
    await shot(page, 'jobs-1280');
  });

  it('cancels a pending job from its page: the command is withdrawn and the status reads cancelled', async () => {
    const created = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snaps[0], target_agent_id: AGENT_B } });
    assert.equal(created.status, 200, created.text);
    const id = created.json.id;
    await page.goto(`${orch.url}/control#/jobs/restore/${encodeURIComponent(id)}`);
    const status = page.getByTestId('job-status');
    await until('pending', async () => /pending/.test(await status.innerText()));
    await page.getByTestId('cancel-job').click();
    await until('cancelled', async () => /cancelled/.test(await status.innerText()));
    await until('no cancel button', async () => (await page.getByTestId('cancel-job').count()) === 0);
    const job = await orch.api('GET', `/restore-jobs/${id}`, { token: op });
    assert.equal(job.json.status, 'cancelled');
    const tokB = await orch.agentToken(AGENT_B);
    const cmds = await orch.api('GET', `/agent/${AGENT_B}/commands`, { token: tokB });
    assert.ok(!cmds.json.some((c) => c.payload?.job_id === id), 'the command was withdrawn');
  });

  it('shows where a restore without a target path went once it completed', async () => {
    const created = await orch.api('POST', '/restore-jobs', { token: op, json: { snapshot_id: snaps[0], target_agent_id: AGENT_B } });
    assert.equal(created.status, 200, created.text);
    const id = created.json.id;
    await page.goto(`${orch.url}/control#/jobs/restore/${encodeURIComponent(id)}`);
    const target = page.getByTestId('target-path');
    await until('the default before', async () => /agent default \(RESTORE_DIR\//.test(await target.innerText()));
    const tokB = await orch.agentToken(AGENT_B);
    await orch.api('GET', `/agent/${AGENT_B}/commands`, { token: tokB });
    const where = `/var/lib/fortfail/restore/${snaps[0]}`;
    await agentPost(AGENT_B, tokB, { job_id: id, event_type: 'restore_started', message: 'downloading' });
    await agentPost(AGENT_B, tokB, { job_id: id, event_type: 'restore_completed', message: 'restored 120 files', metadata: { path: where, file_count: 120 } });
    await until('completed', async () => /completed/.test(await page.getByTestId('job-status').innerText()));
    await until('the path it went to', async () => (await target.innerText()).startsWith(where));
    assert.doesNotMatch(await target.innerText(), /agent default \(RESTORE_DIR/);
  });

  it('shows the events in the live feed, and misses none across a dropped link', async () => {
    await nav('Events').click();
    const feed = page.getByTestId('event-feed');
    await feed.waitFor();
    const text = await feed.innerText();
    assert.match(text, new RegExp(`restore_completed on job ${jobId}`));
    assert.match(text, new RegExp(`restore_in_progress on job ${jobId}.*75%`));
    assert.match(text, new RegExp(`Restore job ${jobId} created`));
    assert.ok(await feed.locator('tr[data-event="job_status_changed"]').count() >= 2);

    // Drop the link for 1.5 s, make records meanwhile: they arrive after the reconnect.
    await page.evaluate(() => window.__fortfail.dropLink(1500));
    await page.locator('.live-warn').first().waitFor();
    const ghost = `web-${tag}-while-down`;
    const tok = await orch.agentToken(ghost);
    await orch.api('GET', `/agent/${ghost}/commands`, { token: tok });
    await page.locator('.live-ok').first().waitFor({ timeout: 15000 });
    await until('the record made while down', async () => (await feed.innerText()).includes(`Agent ${ghost} signed in`));
    // Every record once, a folded run of token mints standing for its records.
    const feedSeqs = () => feed.locator('tr[data-seq]').evaluateAll((rows) => rows.flatMap((r) => {
      const to = Number(r.dataset.seq);
      const from = r.dataset.seqFrom === undefined ? to : Number(r.dataset.seqFrom);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    }));
    const checkSeqs = async () => {
      const seqs = await feedSeqs();
      assert.equal(new Set(seqs).size, seqs.length, 'no record twice');
      const sorted = [...seqs].sort((a, b) => a - b);
      assert.deepEqual(sorted, Array.from({ length: sorted.length }, (_, i) => sorted[0] + i), 'no gap in seq');
    };
    await checkSeqs();
    await shot(page, 'events-1280');

    // Sign-ins in a row fold into one row; they stay records and open on demand.
    const before = await page.evaluate(() => window.__fortfail.state().events.filter((e) => e.event === 'token_minted').length);
    for (let i = 0; i < 3; i++) await orch.operatorToken();
    // The newest row: the latest run of token mints, the three sign-ins and any
    // just before them (the agent signing in while the link was down).
    const run = () => page.evaluate(() => {
      const ev = window.__fortfail.state().events;
      let n = 0;
      while (n < ev.length && ev[ev.length - 1 - n].event === 'token_minted') n++;
      return n;
    });
    let n = await until('the run folded', async () => {
      const want = await run();
      return want >= 3 && (await feed.locator('tr').first().getAttribute('data-count')) === String(want) && want;
    });
    // The run may be seen before the last sign-in arrives (the agent's mint
    // made while the link was down and two sign-ins also make three): wait
    // for all three, then read the count and the row's text together.
    const summary = (k) => new RegExp(`^${k} tokens minted \\(3 sign-ins to the panel or API${k === 4 ? ', 1 by an agent' : k > 4 ? `, ${k - 3} by agents` : ''}\\)`);
    let from, group;
    await until('the folded row says what it holds', async () => {
      const k = await run();
      from = await feed.locator('tr').first().getAttribute('data-seq-from');
      group = feed.locator(`tr[data-seq-from="${from}"]`);
      const cells = (await group.innerText()).split('\t');
      const mints = await page.evaluate(() => window.__fortfail.state().events.filter((e) => e.event === 'token_minted').length);
      n = k;
      return mints === before + 3 && (await feed.locator('tr').first().getAttribute('data-count')) === String(k)
        && cells.some((c) => summary(k).test(c.trim()));
    });
    const single = () => feed.locator('tr').filter({ hasText: 'Operator signed in' }).count();
    const singles = await single();
    assert.equal(await page.evaluate(() => window.__fortfail.state().events.filter((e) => e.event === 'token_minted').length), before + 3,
      'each sign-in is still a record');
    assert.equal(await page.locator(`tr[data-seq="${Number(from) + 1}"]`).count(), 0, 'the grouped records are folded');
    await checkSeqs();
    await shot(page, 'events-grouped-1280');
    await group.getByRole('button', { name: `Show the ${n} tokens minted, records ${from} to ${Number(from) + n - 1}` }).click();
    await group.waitFor({ state: 'detached' });
    assert.equal(await single(), singles + 3, 'opened: one row each');
    await checkSeqs();
    await page.getByLabel('Filter events').fill('signed in');
    await until('the filter shows each sign-in', async () => (await feed.locator('tr[data-count]').count()) === 0
      && (await single()) >= singles + 3);
    await page.getByLabel('Filter events').fill('');
    // The overview's recent events fold the run too.
    await nav('Overview').click();
    const newest = page.locator('.event-line').first();
    await newest.waitFor();
    assert.match(await newest.innerText(), new RegExp(`token minted ×${n}[\\s\\S]*${n} tokens minted`));
  });

  it('adds an alert webhook, lists it, shows a refused one, and deletes it after asking', async () => {
    await nav('Alerts').click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    const url = `http://127.0.0.1:9/hook-${tag}`;
    await page.getByRole('button', { name: 'Add webhook…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook' });
    await dialog.waitFor();
    const boxes = await dialog.locator('input[type="checkbox"]').evaluateAll((els) => els.map((e) => e.parentElement.querySelector('.mono').textContent));
    assert.deepEqual(boxes, ['job.failed', 'snapshot.corrupt', 'agent.offline', 'backup.missed', 'drill.failed']);
    await dialog.getByLabel('URL').fill(url);
    await dialog.getByLabel('drill.failed').check();
    await dialog.getByLabel('agent.offline').uncheck();
    // The orchestrator refuses a short secret: its words show in the dialog.
    await dialog.getByLabel(/^Secret/).fill('short');
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /secret/i);
    assert.equal((await orch.api('GET', '/webhooks', { token: op })).json.length, 0, 'nothing was added');
    await until('the logged refusal', async () => consoleErrors.some((e) => /status of 4\d\d/.test(e)), 3000).catch(() => {});
    for (let i = consoleErrors.length - 1; i >= 0; i--) if (/status of 4\d\d/.test(consoleErrors[i])) consoleErrors.splice(i, 1);
    await dialog.getByLabel(/^Secret/).fill(randomBytes(16).toString('hex'));
    await shot(page, 'alerts-add-1280');
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const listed = (await orch.api('GET', '/webhooks', { token: op })).json;
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0].events, ['job.failed', 'snapshot.corrupt', 'drill.failed']);
    const row = page.locator(`tr[data-webhook="${listed[0].id}"]`);
    await row.waitFor();
    assert.match(await row.locator('[data-label="URL"]').innerText(), new RegExp(url));
    assert.equal(await row.locator('[data-label="Events"]').innerText(), 'job.failed, snapshot.corrupt, drill.failed');
    assert.match(await row.locator('[data-label="Last status"]').innerText(), /none yet/);
    await shot(page, 'alerts-1280');
    await row.getByRole('button', { name: `Delete webhook ${url}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this webhook?' });
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal((await orch.api('GET', '/webhooks', { token: op })).json.length, 1, 'kept');
    await row.getByRole('button', { name: `Delete webhook ${url}` }).click();
    await confirm.getByRole('button', { name: 'Delete webhook' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await orch.api('GET', '/webhooks', { token: op })).json.length, 0, 'deleted');
  });

  it('keeps the Alerts page to operators: a viewer sees neither the link nor the webhooks', async () => {
    const key = await orch.api('POST', '/api-keys', { token: op, json: { name: `viewer-${tag}`, role: 'viewer' } });
    assert.equal(key.status, 201, key.text);
    const minted = await orch.api('POST', '/auth/token', { json: { api_key: key.json.key } });
    assert.equal(minted.status, 200, minted.text);
    const viewer = await newPage({ token: minted.json.token });
    const asked = [];
    viewer.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/webhooks')) asked.push(r.url()); });
    await viewer.goto(`${orch.url}/control#/alerts`);
    await viewer.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    await viewer.getByText('Needs the operator role').first().waitFor();
    assert.equal(await viewer.locator('.role-badge').innerText(), 'viewer');
    const main = viewer.getByRole('navigation', { name: 'Main' });
    await main.getByRole('link', { name: 'Events' }).waitFor();
    assert.equal(await main.getByRole('link', { name: 'Alerts' }).count(), 0, 'no Alerts link for a viewer');
    assert.ok(await viewer.getByRole('button', { name: 'Add webhook…' }).isDisabled());
    assert.deepEqual(asked, [], 'the panel does not ask for what the role may not see');
    await viewer.close();
  });

  it('asks before deleting a snapshot, then removes it', async () => {
    await nav('Snapshots').click();
    await page.getByRole('button', { name: `Delete snapshot ${snaps[3]}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete snapshot ${snaps[3]}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await orch.api('GET', `/snapshots/${snaps[3]}`, { token: op })).status, 200);
    await page.getByRole('button', { name: `Delete snapshot ${snaps[3]}` }).click();
    await dialog.getByRole('button', { name: 'Delete snapshot' }).click();
    await page.locator(`tr[data-snapshot="${snaps[3]}"]`).waitFor({ state: 'detached' });
    assert.equal((await orch.api('GET', `/snapshots/${snaps[3]}`, { token: op })).status, 404);
  });

  it('opens a snapshot with its metadata', async () => {
    await page.getByRole('link', { name: snaps[2], exact: true }).click();
    await page.getByRole('heading', { name: `Snapshot ${snaps[2]}`, level: 1 }).waitFor();
    const meta = await page.getByRole('region', { name: 'Metadata' }).innerText();
    assert.match(meta, /"compression": "zstd"/);
    const facts = await page.getByRole('region', { name: 'Details' }).innerText();
    assert.match(facts, /tar \(one tar\.zst object\)/);
    assert.match(facts, /not encrypted/);
    assert.match(facts, /whoever can read the object store can read this backup/, 'the warning is spelled out');
    assert.match(facts, /4\.5 MiB \(4,718,592 bytes\)/, 'logical size');
    assert.match(facts, /1\.5 MiB \(1,572,864 bytes\)\s*added by this backup/, 'stored bytes');
    await shot(page, 'snapshot-detail-1280');
    if (!repo.enc) return;
    await nav('Snapshots').click();
    await page.getByRole('link', { name: repo.dedup.id, exact: true }).click();
    await page.getByRole('heading', { name: `Snapshot ${repo.dedup.id}`, level: 1 }).waitFor();
    const repoFacts = await page.getByRole('region', { name: 'Details' }).innerText();
    assert.match(repoFacts, /repository \(deduplicated packs\)/);
    assert.match(repoFacts, new RegExp(`encrypted\\s*key ${KEY_ID}`));
    assert.doesNotMatch(repoFacts, /not encrypted/);
    assert.match(repoFacts, /Files\s*3,001/);
    assert.match(repoFacts, /0 B \(0 bytes\)\s*added by this backup/, 'a snapshot of known data adds nothing');
    assert.match(repoFacts, new RegExp(`Root tree\\s*${repo.enc.root}`));
    await shot(page, 'snapshot-repository-1280');
  });

  it('fits a 390 px wide screen', async () => {
    const token = await page.evaluate(() => window.sessionStorage.getItem('fortfail.token'));
    const narrow = await newPage({ width: 390, height: 844, token });
    for (const [hash, name, heading] of [['#/overview', 'overview-390', 'Overview'], ['#/snapshots', 'snapshots-390', 'Snapshots'],
      ['#/jobs', 'jobs-390', 'Jobs'], [`#/jobs/restore/${encodeURIComponent(jobId)}`, 'job-390', `Restore job ${jobId}`],
      ['#/events', 'events-390', 'Live events'], ['#/agents', 'agents-390', 'Agents']]) {
      await narrow.goto(`${orch.url}/control${hash}`);
      await narrow.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await sleep(250);
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
      const nav = await narrow.evaluate(() => { const n = document.querySelector('.nav'); return n.scrollWidth - n.clientWidth; });
      assert.ok(nav <= 0, `${name}: every page link fits, Alerts included (${nav}px too wide)`);
      // The cards' labels (each cell's data-label, drawn before its value) stay on one line, unbroken.
      const labels = await narrow.evaluate(() => [...document.querySelectorAll('.table.responsive [data-label]')]
        .filter((el) => el.getClientRects().length > 0)
        .map((el) => {
          const cs = getComputedStyle(el, '::before');
          return { label: el.dataset.label, shown: cs.content !== 'none', height: parseFloat(cs.height), font: parseFloat(cs.fontSize) };
        })
        .filter((l) => l.shown));
      if (['snapshots-390', 'jobs-390', 'agents-390'].includes(name)) assert.ok(labels.length > 0, `${name}: card labels are shown`);
      for (const l of labels) {
        assert.ok(Number.isFinite(l.height), `${name}: the label ${l.label} was measured`);
        assert.ok(l.height < l.font * 1.8, `${name}: the label ${l.label} is one line (${l.height}px at ${l.font}px)`);
      }
      await shot(narrow, name);
    }
    await narrow.getByRole('button', { name: 'Sign out' }).click();
    await narrow.getByRole('heading', { name: 'Sign in to the control panel' }).waitFor();
    assert.equal(await narrow.evaluate(() => window.sessionStorage.getItem('fortfail.token')), null, 'sign out clears the token');
    await narrow.close();
  });

  it('returns to sign-in when the token stops working', async () => {
    const before = consoleErrors.length;
    const bad = await newPage({ token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.invalid' });
    const unauthorized = [];
    bad.on('response', (r) => { if (r.status() === 401) unauthorized.push(r.url()); });
    await bad.goto(`${orch.url}/control#/snapshots`);
    await bad.getByRole('heading', { name: 'Sign in to the control panel' }).waitFor();
    await bad.getByText('no longer accepts this token').waitFor();
    assert.ok(unauthorized.length > 0);
    await bad.close();
    // The browser logs each 401 as a failed resource load: expected here only.
    for (let i = consoleErrors.length - 1; i >= before; i--) {
      if (/\b401\b/.test(consoleErrors[i])) consoleErrors.splice(i, 1);
    }
  });

  it('renders /docs, and an authorized "Try it out" of GET /agents returns 200', async () => {
    const docs = await newPage();
    const doc = await docs.goto(`${orch.url}/docs`);
    assert.match(doc.headers()['content-security-policy'] ?? '', /script-src 'self'/, 'the docs are served with a CSP');
    await docs.locator('.swagger-ui .info .title').filter({ hasText: 'FortFail orchestrator API' }).waitFor({ timeout: 20000 });
    await docs.locator('.opblock-tag-section').first().waitFor();
    await shot(docs, 'docs-1280');

    await docs.locator('.auth-wrapper .authorize').click();
    const modal = docs.locator('.dialog-ux .modal-ux');
    await modal.waitFor();
    await modal.locator('#auth-bearer-value').fill(op);
    await modal.locator('button.authorize').click(); // "Apply credentials"
    await modal.locator('button.btn-done').click();
    await modal.waitFor({ state: 'detached' });
    assert.equal(await docs.evaluate(() => window.localStorage.length), 0, 'the docs keep the token out of localStorage');
    assert.equal(await docs.evaluate(() => window.sessionStorage.getItem('fortfail.docs.token')), op, 'but in sessionStorage');

    const opblock = docs.locator('#operations-agents-listAgents');
    await opblock.locator('.opblock-summary').first().click();
    await opblock.getByRole('button', { name: 'Try it out' }).click();
    await opblock.getByRole('button', { name: 'Execute' }).click();
    const status = opblock.locator('.live-responses-table .response .response-col_status').first();
    await until('a 200 answer', async () => (await status.innerText()).trim() === '200', 15000);
    const body = await opblock.locator('.live-responses-table .response-col_description pre').first().innerText();
    assert.match(body, new RegExp(AGENT_B));
    await opblock.scrollIntoViewIfNeeded();
    await shot(docs, 'docs-try-agents-1280');
    // A reload keeps the authorization (sessionStorage), still nothing in localStorage.
    await docs.reload();
    await docs.locator('.auth-wrapper .authorize.locked').waitFor({ timeout: 20000 });
    assert.equal(await docs.evaluate(() => window.localStorage.length), 0);
    await docs.close();
  });

  it('blocks and reports a script injected inline into the panel', async () => {
    const probe = await newPage();
    await probe.goto(`${orch.url}/control`);
    await probe.getByRole('heading', { name: 'Sign in to the control panel' }).waitFor();
    const violations = cspViolations.length;
    const errors = consoleErrors.length;
    await probe.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ffInjected = true;';
      document.body.appendChild(s);
    });
    await until('the violation report', async () => cspViolations.length > violations, 5000);
    assert.equal(await probe.evaluate(() => window.__ffInjected), undefined, 'the inline script did not run');
    assert.match(cspViolations.slice(violations).join('\n'), /script-src/);
    await probe.close();
    // Expected here only: the report and its console line.
    cspViolations.splice(violations);
    for (let i = consoleErrors.length - 1; i >= errors; i--) {
      if (/Content Security Policy/i.test(consoleErrors[i])) consoleErrors.splice(i, 1);
    }
  });

  it('logged no console errors', () => {
    assert.deepEqual(consoleErrors, []);
  });

  it('reported no Content-Security-Policy violation', () => {
    assert.deepEqual(cspViolations, []);
  });
});
