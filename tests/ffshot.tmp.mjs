import { chromium } from 'playwright-core';
const [,, hash = '', name = 'x', width = '1280', height = '800', action = ''] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
page.on('console', (m) => m.type() === 'error' && console.log('console', m.text(), m.location()?.url));
page.on('pageerror', (e) => console.log('pageerror', e.message));
if (name !== 'signin') await page.addInitScript(() => sessionStorage.setItem('fortfail.token', 'a.b.c'));
await page.goto('http://127.0.0.1:18932/control' + hash);
await page.waitForTimeout(1200);
if (action === 'restore') { await page.locator('button[aria-label^="Restore snapshot"]').first().click(); await page.waitForTimeout(300); }
await page.screenshot({ path: `/tmp/ffmock/${name}.png`, fullPage: action === 'full' });
await browser.close();
