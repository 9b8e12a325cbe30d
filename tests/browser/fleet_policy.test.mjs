// Issue 14 in a real browser (Debian's chromium driven by playwright-core)
// against the real orchestrator: the Agents page answers "when was this
// machine last proven restorable?" (never, then the time of a drill that an
// agent completed, without a reload); its Drill and Verify buttons queue jobs;
// the Schedules page adds a schedule with retention through its dialog, shows
// a refused one's reason naming the field, deletes after asking; all of it
// fits 390 px and logs no console error. Screenshots land in
// <build>/screenshots/.
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
const AGENT = `policy-${tag}-a`;
const OTHER = `policy-${tag}-b`;

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

describe('schedules and proofs in the control panel', { timeout: 180000 }, () => {
  let orch, op, tokA, context, profile, page;
  const consoleErrors = [];
  let expect422 = false;

  const shot = async (p, name) => {
    fs.mkdirSync(shotsDir, { recursive: true });
    await p.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: false });
  };

  async function newPage({ width = 1280, height = 800 } = {}) {
    const p = await context.newPage();
    await p.setViewportSize({ width, height });
    p.on('console', (m) => {
      if (m.type() !== 'error') return;
      const url = m.location()?.url ?? '';
      // The browser logs the 422 of the bad schedule this test sends on purpose.
      if (expect422 && /status of 422/.test(m.text()) && new URL(url, orch.url).pathname === '/schedules') return;
      consoleErrors.push(`${m.text()} (${url})`);
    });
    p.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    await p.addInitScript((t) => window.sessionStorage.setItem('fortfail.token', t), op);
    return p;
  }

  before(async () => {
    orch = await startOrchestrator({ db: 'sqlite' });
    op = await orch.operatorToken();
    tokA = await orch.agentToken(AGENT);
    // One available tar snapshot of AGENT, so it can be drilled and verified.
    const body = randomBytes(64 * 1024);
    const id = `snap-${tag}`;
    const r = await orch.api('POST', '/snapshots', {
      token: tokA,
      json: { id, agent_id: AGENT, checksum: createHash('sha256').update(body).digest('hex'), size: body.length,
        metadata: { file_count: 3, byte_count: body.length, compression: 'zstd', source_path: '/srv/data' } },
    });
    assert.equal(r.status, 200, r.text);
    const put = await orch.api('PUT', `/snapshots/${id}/object`, { token: tokA, body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(put.status, 200, put.text);
    assert.equal((await orch.api('GET', `/agent/${AGENT}/commands`, { token: tokA })).status, 200);
    const tokB = await orch.agentToken(OTHER);
    assert.equal((await orch.api('GET', `/agent/${OTHER}/commands`, { token: tokB })).status, 200);

    profile = fs.mkdtempSync(path.join(process.env.FF_TEST_TMP || os.tmpdir(), 'ff-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.FF_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
      viewport: { width: 1280, height: 800 },
    });
    page = await newPage();
  });

  after(async () => {
    await context?.close();
    await orch?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  const agentRow = () => page.locator(`tr[data-agent="${AGENT}"]`);
  const provenCell = () => agentRow().locator('td[data-label="Proven restorable"]');

  it('shows "never proven", queues a drill from the Agents page, and shows the proof when the agent completes it', async () => {
    await page.goto(`${orch.url}/control#/agents`);
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await page.getByRole('columnheader', { name: 'Proven restorable' }).waitFor();
    await until('the agent row', async () => (await agentRow().count()) === 1);
    assert.equal((await provenCell().innerText()).trim(), 'never');

    await agentRow().getByRole('button', { name: 'Drill' }).click();
    const queued = agentRow().getByRole('status');
    await queued.waitFor();
    const text = await queued.innerText();
    const drillId = /Drill (\S+) queued/.exec(text)?.[1];
    assert.ok(drillId, text);
    const drill = (await orch.api('GET', `/drills/${drillId}`, { token: op })).json;
    assert.equal(drill.status, 'pending');
    assert.equal(drill.snapshot_id, `snap-${tag}`);

    // The agent takes the drill and proves every file.
    const cmds = (await orch.api('GET', `/agent/${AGENT}/commands`, { token: tokA })).json;
    assert.ok(JSON.stringify(cmds).includes(drillId), JSON.stringify(cmds));
    for (const [eventType, metadata] of [['drill_started', {}], ['drill_completed', { files_checked: 3, files_verified: 3, per_file_hashes: false }]]) {
      const r = await orch.api('POST', `/agent/${AGENT}/events`, { token: tokA, json: { job_id: drillId, event_type: eventType, message: eventType, metadata } });
      assert.equal(r.status, 200, r.text);
    }
    // No reload: the panel learns it from the live feed.
    await until('the proven time replaces "never"', async () => (await provenCell().innerText()).trim() !== 'never', 20000);
    assert.match((await provenCell().innerText()).trim(), /ago|now|second|minute/);
    await shot(page, 'agents-proven-1280');

    await agentRow().getByRole('button', { name: 'Verify' }).click();
    await until('the verify job is queued', async () => /Verify job \S+ queued/.test(await agentRow().getByRole('status').innerText()));
  });

  it('adds a schedule with retention through the dialog, refuses a bad one naming the field, and deletes after asking', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules', exact: true }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await page.getByText('No schedules yet').waitFor();

    // A bad cron: the dialog stays open and says which field is wrong.
    await page.getByRole('button', { name: 'Add schedule…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a schedule' });
    await dialog.waitFor();
    await dialog.locator('#schedule-agent').selectOption(AGENT);
    await dialog.locator('#schedule-cron').fill('61 * * * *');
    expect422 = true;
    await dialog.getByRole('button', { name: 'Add schedule' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect422 = false;
    assert.match(await refusal.innerText(), /cron/);

    // A good one: every hour, keep the last 7 and 4 weekly.
    await dialog.getByRole('radio', { name: /Every N seconds/ }).check();
    await dialog.locator('#schedule-interval').fill('3600');
    await dialog.getByLabel('keep_last').fill('7');
    await dialog.getByLabel('keep_weekly').fill('4');
    await dialog.getByRole('button', { name: 'Add schedule' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator('tr[data-schedule]');
    await until('the schedule row', async () => (await row.count()) === 1);
    const rowText = await row.innerText();
    assert.match(rowText, new RegExp(AGENT));
    assert.match(rowText, /every 1 h\b/);
    assert.match(rowText, /keep last 7, weekly 4/);
    assert.match(rowText, /not yet/);
    const id = await row.getAttribute('data-schedule');
    const stored = (await orch.api('GET', `/schedules/${id}`, { token: op })).json;
    assert.equal(stored.kind, 'backup');
    assert.equal(stored.interval_seconds, 3600);
    assert.deepEqual(stored.retention, { keep_last: 7, keep_weekly: 4 });

    // A drill schedule restoring on the other agent.
    await page.getByRole('button', { name: 'Add schedule…' }).click();
    await dialog.waitFor();
    await dialog.locator('#schedule-agent').selectOption(AGENT);
    await dialog.locator('#schedule-kind').selectOption('drill');
    await dialog.locator('#schedule-target').selectOption(OTHER);
    await dialog.locator('#schedule-cron').fill('0 4 * * 0');
    await dialog.getByRole('button', { name: 'Add schedule' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await until('two schedule rows', async () => (await row.count()) === 2);
    const drills = (await orch.api('GET', '/schedules', { token: op })).json.filter((s) => s.kind === 'drill');
    assert.equal(drills.length, 1);
    assert.equal(drills[0].target_agent_id, OTHER);
    assert.equal(drills[0].cron, '0 4 * * 0');
    await shot(page, 'schedules-1280');

    // Delete asks first; cancelling keeps it.
    await page.getByRole('button', { name: `Delete schedule ${id}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this schedule?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal((await orch.api('GET', `/schedules/${id}`, { token: op })).status, 200);
    await page.getByRole('button', { name: `Delete schedule ${id}` }).click();
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Delete schedule' }).click();
    await until('the row goes', async () => (await row.count()) === 1);
    assert.equal((await orch.api('GET', `/schedules/${id}`, { token: op })).status, 404);
  });

  it('fits 390 px: the Schedules and Agents pages, every page link included', async () => {
    const narrow = await newPage({ width: 390, height: 844 });
    for (const [hash, heading, name] of [['#/schedules', 'Schedules', 'schedules-390'], ['#/agents', 'Agents', 'agents-proven-390']]) {
      await narrow.goto(`${orch.url}/control${hash}`);
      await narrow.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await sleep(300);
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px too wide)`);
      const nav = await narrow.evaluate(() => { const n = document.querySelector('.nav'); return n.scrollWidth - n.clientWidth; });
      assert.ok(nav <= 0, `${name}: every page link fits (${nav}px too wide)`);
      for (const label of ['Overview', 'Agents', 'Snapshots', 'Jobs', 'Schedules', 'Events', 'Alerts']) {
        assert.ok(await narrow.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${label}`) }).isVisible(), `${name}: ${label} link visible`);
      }
      await shot(narrow, name);
    }
    await narrow.close();
  });

  it('logged no console error', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
