// vientro end-to-end browser test: one realistic scenario in headless Chromium, from the login form to the
// dashboard figures, through the approval workflow.
//
// Needs a running vientro (`serve --demo` on a fresh database) at VIENTRO_URL, e.g. http://localhost:PORT/
// (use `localhost`, not 127.0.0.1: the session cookie is `Secure`, and Chromium accepts a Secure cookie over
// plain http only from localhost). scripts/browser-test starts one and runs this file; see README.md.
//
// Plain `node --test`: each step is a top-level test, run in order, sharing one browser page; once a step
// fails the later steps are skipped (they depend on it), but the last one — no console errors, page errors or
// failed requests — always runs and reports what was collected.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.VIENTRO_URL || '').replace(/\/+$/, '');
const ORIGIN = BASE ? new URL(BASE).origin : '';
const ARTEFACTS = resolve(process.env.ARTEFACTS || join(import.meta.dirname, 'artefacts'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 30_000;
const PROVINCE = '04'; // Cao Bằng

// ------------------------------------------------------------------------------------------------ helpers

/** "1.441.700 USD" → 1441700, "88,33 %" → 88.33, "0 USD" → 0 (Vietnamese: '.' groups thousands, ',' is the decimal mark). */
function parseVi(text) {
  const s = String(text).replace(/[^0-9.,-]/g, '');
  if (!/[0-9]/.test(s)) return NaN;
  return Number(s.replace(/\./g, '').replace(',', '.'));
}

/** Server-side "today" as the flow form pre-fills it: dd/mm/yyyy in UTC (the app uses the UTC date). */
function todayUtc() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}
function plusOneYear(ddmmyyyy) {
  const [d, m, y] = ddmmyyyy.split('/');
  return `${d === '29' && m === '02' ? '28' : d}/${m}/${Number(y) + 1}`;
}

const problems = { console: [], page: [], requests: [] };
// Deliberate error answers (a refused form shows the page again with a 4xx status), each excused once: the
// response itself, and Chromium's console line "Failed to load resource: … status of NNN" about it.
const expectedFailures = [];
function expectFailure(url, status) {
  expectedFailures.push({ url, status, response: 1, console: 1 });
}
function excuse(kind, url, status) {
  const hit = expectedFailures.find((e) => e.url === url && e.status === status && e[kind] > 0);
  if (hit) hit[kind] -= 1;
  return Boolean(hit);
}
let browser, context, page;
let failedStep = null; // name of the first failed step: the steps after it are skipped
const state = {};

function step(name, fn) {
  test(name, { timeout: 90_000 }, async (t) => {
    if (!BASE) throw new Error('VIENTRO_URL is not set: run scripts/browser-test, or set VIENTRO_URL=http://localhost:PORT/');
    if (failedStep) {
      t.skip(`an earlier step failed: ${failedStep}`);
      return;
    }
    try {
      await fn(t);
    } catch (e) {
      failedStep = name;
      if (page) {
        const file = join(ARTEFACTS, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        t.diagnostic(`page at failure: ${page.url()} (screenshot ${file})`);
        const flash = await page.locator('[data-testid=item-error], .flash.error').allInnerTexts().catch(() => []);
        if (flash.length) t.diagnostic(`error shown on the page: ${flash.join(' | ')}`);
        if (flash.some((f) => /exchange rate/i.test(f))) {
          t.diagnostic('hint: every flow is also converted to VND; enter a VND rate for this year before serving, e.g. '
            + '`vientro rate add --currency VND --period YYYY --units-per-usd 25450` (scripts/browser-test does)');
        }
      }
      throw e;
    }
  });
}

async function shot(name) {
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
}

/** Clicks `locator` (a submit button or a link) and waits for the navigation it causes to load. */
async function clickAndWait(locator) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: TIMEOUT }), locator.click()]);
}

async function goto(path) {
  const res = await page.goto(BASE + path, { waitUntil: 'load' });
  assert.ok(res, `no response for ${path}`);
  assert.ok(res.status() < 400, `GET ${path} answered ${res.status()}`);
  return res;
}

async function login(user) {
  await goto('/login');
  await page.fill('#username', user);
  await page.fill('#password', 'demo');
  await clickAndWait(page.locator('main form[action="/login"] button[type=submit]'));
  assert.ok(!new URL(page.url()).pathname.startsWith('/login'), `login as ${user} failed: still on ${page.url()}`);
  const who = await page.locator('[data-testid=current-user]').innerText();
  assert.ok(who.trim().length > 0, `[data-testid=current-user] is empty after logging in as ${user}`);
  return who.trim();
}

async function logout() {
  await clickAndWait(page.locator('form[action="/logout"] button'));
  assert.equal(await page.locator('[data-testid=current-user]').count(), 0, 'still shown as logged in after logging out');
}

/** The dashboard cards (numbers) and the map table's value for Cao Bằng (0 when it has no row). */
async function readDashboard(year) {
  await goto(`/dashboard/province/${PROVINCE}?year=${year}`);
  const card = async (id) => {
    const text = await page.locator(`[data-testid=${id}] .value`).innerText();
    const n = parseVi(text);
    assert.ok(!Number.isNaN(n), `[data-testid=${id}] .value is not a number: ${JSON.stringify(text)}`);
    return n;
  };
  const rows = await page.locator('#chart-map-box table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.cells, (td) => td.textContent.trim())),
  );
  const caoBang = rows.filter((cells) => cells.length >= 2 && cells[0].normalize('NFC').includes('Cao Bằng'));
  assert.ok(caoBang.length <= 1, `the map table has ${caoBang.length} rows for Cao Bằng: ${JSON.stringify(caoBang)}`);
  // The figures the map is drawn from (the chart's JSON), for Cao Bằng.
  const mapData = JSON.parse(await page.locator('#chart-map-box script[type="application/json"]').textContent());
  const mapPoint = (mapData.values || []).find((v) => v.code === PROVINCE);
  return {
    mapChartCaoBang: mapPoint ? Number(mapPoint.value) : 0,
    committed: await card('card-committed'),
    disbursed: await card('card-disbursed'),
    items: await card('card-items'),
    mapCaoBang: caoBang.length ? parseVi(caoBang[0][caoBang[0].length - 1]) : 0,
    mapRows: rows,
  };
}

async function statusOptions() {
  return page.locator('[data-testid=status-form] select[name=to] option').evaluateAll((os) => os.map((o) => o.value));
}

async function moveTo(to, extra = {}) {
  const options = await statusOptions();
  assert.ok(options.includes(to), `the status form does not offer "${to}"; it offers ${JSON.stringify(options)}`);
  const form = page.locator('[data-testid=status-form]');
  await form.locator('select[name=to]').selectOption(to);
  if (extra.decisionNumber) await form.locator('input[name=decision_number]').fill(extra.decisionNumber);
  if (extra.decisionDate) await form.locator('input[name=decision_date]').fill(extra.decisionDate);
  if (extra.level) await form.locator('select[name=approval_level]').selectOption(extra.level);
  await clickAndWait(form.locator('button[type=submit]'));
  await assertNoItemError(`moving to ${to}`);
}

async function assertNoItemError(what) {
  const err = page.locator('[data-testid=item-error]');
  if (await err.count()) assert.fail(`${what} failed, the page says: ${(await err.innerText()).trim()}`);
}

async function addFlow(kind, stage, amount, date) {
  const form = page.locator('[data-testid=flow-form]');
  assert.equal(await form.count(), 1, 'no [data-testid=flow-form] on the item page');
  await form.locator('select[name=kind]').selectOption(kind);
  await form.locator('select[name=stage]').selectOption(stage);
  await form.locator('input[name=date]').fill(date);
  await form.locator('input[name=amount]').fill(amount);
  assert.equal(await form.locator('input[name=currency]').inputValue(), 'USD', 'currency is not pre-filled with USD');
  await clickAndWait(form.locator('button[type=submit]'));
  await assertNoItemError(`adding a ${stage} ${kind} of ${amount} USD`);
  assert.match(new URL(page.url()).pathname, new RegExp(`^/aid-items/${state.itemId}$`));
}

async function flowRows() {
  return page.locator('[data-testid=flows-table] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.cells, (td) => td.textContent.trim())),
  );
}

/** Not a failure, a warning in the output: content wider than the window makes the whole page scroll sideways. */
async function warnIfWiderThanWindow(t) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  if (scroll > client + 1) t.diagnostic(`WARNING: ${new URL(page.url()).pathname} is ${scroll}px wide in a ${client}px window (horizontal scrolling)`);
}

async function status() {
  return (await page.locator('[data-testid=item-status]').innerText()).trim();
}

// ------------------------------------------------------------------------------------------------- set-up

before(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  if (!BASE) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every 4xx/5xx answer as "Failed to load resource"; the deliberate ones are not problems.
    const status = Number(m.text().match(/status of (\d{3})/)?.[1]);
    if (/^Failed to load resource/.test(m.text()) && excuse('console', m.location().url, status)) return;
    problems.console.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.page.push(`${page.url()}: ${e.message}`));
  page.on('response', (r) => {
    if (r.url().startsWith(ORIGIN) && r.status() >= 400 && !excuse('response', r.url(), r.status())) {
      problems.requests.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
    }
  });
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(ORIGIN)) return;
    const why = r.failure()?.errorText || 'failed';
    // A navigation cancels the requests still in flight on the page it leaves: not a fault of the app.
    if (why === 'net::ERR_ABORTED' && r.resourceType() !== 'document') return;
    problems.requests.push(`${r.method()} ${r.url()} → ${why}`);
  });
});

after(async () => {
  await browser?.close();
});

// ------------------------------------------------------------------------------------------------ the scenario

const year = new Date().getUTCFullYear();
const suffix = Date.now().toString(36);
const title = `Nước sạch cho xã Đức Long ${suffix}`;

step('1. caobang logs in, lands on the Cao Bằng dashboard and reads its figures', async (t) => {
  const who = await login('caobang');
  assert.equal(new URL(page.url()).pathname, `/dashboard/province/${PROVINCE}`, 'caobang should land on the Cao Bằng dashboard');
  state.before = await readDashboard(year);
  await shot('1-dashboard-before');
  t.diagnostic(`logged in as "${who}"; ${year} before: committed ${state.before.committed}, disbursed ${state.before.disbursed}, map Cao Bằng ${state.before.mapCaoBang}`);
});

step('2. caobang creates an aid item', async (t) => {
  await goto('/aid-items/new');
  const form = page.locator('[data-testid=item-form]');
  await form.locator('#title').fill(title);
  await form.locator('#kind').selectOption('project');
  const donors = await form.locator('#donor option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(donors.length > 0, 'the donor select has no organisation to choose');
  await form.locator('#donor').selectOption(donors[0]);
  await form.locator('#sector').selectOption('vn:health');
  assert.equal(await form.locator('#province').inputValue(), PROVINCE, 'the province should be pre-selected to Cao Bằng for caobang');
  await form.locator('#province').selectOption(PROVINCE);
  state.today = todayUtc();
  await form.locator('#start_date').fill(state.today);
  await form.locator('#end_date').fill(plusOneYear(state.today));
  await form.locator('#description').fill('Cấp nước sạch sinh hoạt cho các thôn vùng cao — kiểm thử trình duyệt.');
  await clickAndWait(form.locator('button[type=submit]'));
  const url = new URL(page.url());
  const m = url.pathname.match(/^\/aid-items\/(\d+)$/);
  assert.ok(m && url.searchParams.get('done') === 'item-created', `expected /aid-items/{id}?done=item-created, got ${page.url()}`);
  state.itemId = m[1];
  assert.equal((await page.locator('[data-testid=item-title]').innerText()).trim(), title);
  assert.equal(await status(), 'Dự thảo');
  t.diagnostic(`item ${state.itemId}: ${title}`);
});

step('3. caobang records a planned commitment and a planned disbursement (an actual one is refused)', async (t) => {
  const prefilled = await page.locator('[data-testid=flow-form] input[name=date]').inputValue();
  assert.match(prefilled, /^\d{2}\/\d{2}\/\d{4}$/, 'the flow date should be pre-filled with today as dd/mm/yyyy');
  state.flowDate = prefilled;
  assert.equal(Number(prefilled.slice(6)), year, `the flow form's "today" (${prefilled}) is not in ${year}: run again after midnight UTC`);
  // The rule: no actual flow before approval. The form must refuse it, say why, and keep the table empty.
  const flowsUrl = `${BASE}/aid-items/${state.itemId}/flows`;
  expectFailure(flowsUrl, 422);
  const form = page.locator('[data-testid=flow-form]');
  await form.locator('select[name=kind]').selectOption('disbursement');
  await form.locator('select[name=stage]').selectOption('actual');
  await form.locator('input[name=amount]').fill('5000');
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url() === flowsUrl && r.request().method() === 'POST'),
    clickAndWait(form.locator('button[type=submit]')),
  ]);
  assert.equal(refused.status(), 422, 'an actual flow on a draft item should be refused with 422 (Unprocessable Entity)');
  const error = page.locator('[data-testid=item-error]');
  assert.equal(await error.count(), 1, 'no [data-testid=item-error] after an actual flow on a draft item');
  t.diagnostic(`actual flow on a draft refused (${refused.status()}): ${(await error.innerText()).trim()}`);
  assert.equal((await flowRows()).length, 0, 'the refused flow was recorded anyway');
  await goto(`/aid-items/${state.itemId}`);

  await addFlow('commitment', 'planned', '12000', state.flowDate);
  await addFlow('disbursement', 'planned', '5000', state.flowDate);
  const rows = await flowRows();
  assert.equal(rows.length, 2, `the flows table should have 2 rows, has: ${JSON.stringify(rows)}`);
  const amounts = rows.map((r) => parseVi(r[3])).sort((a, b) => a - b);
  assert.deepEqual(amounts, [5000, 12000], `flow amounts: ${JSON.stringify(rows)}`);
  await shot('3-item-after-planned-flows');
  // Planned flows of an item not yet approved do not count on the dashboard.
  const mid = await readDashboard(year);
  assert.deepEqual([mid.committed, mid.disbursed, mid.mapCaoBang], [state.before.committed, state.before.disbursed, state.before.mapCaoBang],
    'the dashboard changed after planned flows on a draft item');
  await goto(`/aid-items/${state.itemId}`);
});

step('4. caobang submits the item', async () => {
  const options = await statusOptions();
  assert.ok(!options.includes('approved'), `an officer must not be offered "approved": ${JSON.stringify(options)}`);
  await moveTo('submitted');
  assert.equal(await status(), 'Đã nộp hồ sơ');
});

step('5. pheduyet finds it in the approvals queue, appraises and approves it', async () => {
  await logout();
  await login('pheduyet');
  await goto('/approvals');
  const link = page.locator('[data-testid=approvals-table] a', { hasText: title });
  assert.equal(await link.count(), 1, `"${title}" is not listed on /approvals`);
  assert.equal(await link.getAttribute('href'), `/aid-items/${state.itemId}`);
  await clickAndWait(link);
  await moveTo('under_appraisal');
  assert.equal(await status(), 'Đang thẩm định');
  await moveTo('approved', { decisionNumber: '123/QĐ-UBND', decisionDate: state.flowDate, level: 'province' });
  assert.equal(await status(), 'Đã phê duyệt');
  assert.match(await page.locator('dl.facts').innerText(), /123\/QĐ-UBND/, 'the decision number is not shown on the item page');
  await shot('5-item-approved');
});

step('6. caobang records the actual commitment and disbursement', async (t) => {
  await logout();
  await login('caobang');
  await goto(`/aid-items/${state.itemId}`);
  assert.equal(await status(), 'Đã phê duyệt');
  await addFlow('commitment', 'actual', '12000', state.flowDate);
  await addFlow('disbursement', 'actual', '5000', state.flowDate);
  const rows = await flowRows();
  assert.equal(rows.length, 4, `the flows table should have 4 rows, has: ${JSON.stringify(rows)}`);
  await shot('6-item-after-actual-flows');
  await warnIfWiderThanWindow(t);
});

step('6b. the header search finds the item without diacritics', async () => {
  const q = `nuoc sach cho xa duc long ${suffix}`;
  const box = page.locator('form.search input[name=q]');
  await box.fill(q);
  await Promise.all([page.waitForURL((u) => u.pathname === '/search', { waitUntil: 'load' }), box.press('Enter')]);
  assert.equal(new URL(page.url()).searchParams.get('q'), q);
  const hit = page.locator(`main a[href="/aid-items/${state.itemId}"]`);
  assert.ok((await hit.count()) >= 1, `searching "${q}" does not list /aid-items/${state.itemId}: ${(await page.locator('main').innerText()).slice(0, 400)}`);
  assert.equal((await hit.first().innerText()).trim(), title);
});

step('6c. caobang records a training with a participant on the people-to-people pages', async (t) => {
  await goto(`/people?province=${PROVINCE}`);
  await clickAndWait(page.locator('[data-testid=people-new-events]'));
  const form = page.locator('[data-testid=people-form]');
  assert.equal(await form.locator('#province_code').inputValue(), PROVINCE, 'the province should be pre-selected');
  const training = `Tập huấn đối ngoại nhân dân ${suffix}`;
  await form.locator('#kind').selectOption('training');
  await form.locator('#title').fill(training);
  await form.locator('#starts_on').fill(new Date().toISOString().slice(0, 10));
  await form.locator('#place').fill('Thành phố Cao Bằng');
  await clickAndWait(form.locator('button[type=submit]'));
  const url = new URL(page.url());
  const m = url.pathname.match(/^\/people\/events\/(\d+)$/);
  assert.ok(m && url.searchParams.get('done') === 'people-saved', `expected /people/events/{id}?done=people-saved, got ${page.url()}`);
  const add = page.locator('[data-testid=people-add-participants]');
  await add.locator('select[name=participant_kind]').selectOption('person');
  await add.locator('input[name=name]').fill('Lò Văn Cường');
  await clickAndWait(add.locator('button[type=submit]'));
  const rows = await page.locator('[data-testid=people-part-participants] tbody tr').allInnerTexts();
  assert.equal(rows.length, 1, `participants: ${JSON.stringify(rows)}`);
  assert.match(rows[0], /Lò Văn Cường/);
  await goto(`/people?province=${PROVINCE}`);
  const listed = page.locator('[data-testid=people-events] a', { hasText: 'tập huấn' });
  assert.ok((await listed.count()) >= 1, 'the training is not listed on /people');
  assert.match(await page.locator('[data-testid=people-events]').innerText(), new RegExp(training));
  await shot('6c-people');
  t.diagnostic(`event ${m[1]}: ${training}`);
});

step('7. the Cao Bằng dashboard counts the actual flows, on the cards and on the map', async (t) => {
  // Reach the year through the year select (it submits itself on change), from another year.
  await goto(`/dashboard/province/${PROVINCE}?year=${year - 1}`);
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('year') === String(year), { waitUntil: 'load' }),
    page.locator('#year').selectOption(String(year)),
  ]);
  const after = await readDashboard(year);
  const before = state.before;
  t.diagnostic(`${year} after: committed ${after.committed}, disbursed ${after.disbursed}, map Cao Bằng ${after.mapCaoBang}`);
  assert.equal(after.disbursed - before.disbursed, 5000, `card-disbursed: ${before.disbursed} → ${after.disbursed}`);
  assert.equal(after.committed - before.committed, 12000, `card-committed: ${before.committed} → ${after.committed}`);
  assert.equal(after.mapCaoBang - before.mapCaoBang, 5000,
    `map table, Cao Bằng: ${before.mapCaoBang} → ${after.mapCaoBang}; rows: ${JSON.stringify(after.mapRows)}`);
  assert.equal(after.mapChartCaoBang - before.mapChartCaoBang, 5000,
    `map chart data, Cao Bằng: ${before.mapChartCaoBang} → ${after.mapChartCaoBang}`);
  const map = page.locator('#chart-map-box .chart');
  await map.locator('svg, canvas').first().waitFor({ state: 'attached' });
  // The map is drawn once its geometry has loaded: wait for the province shapes (svg renderer) or a canvas.
  await page.waitForFunction(() => {
    const chart = document.querySelector('#chart-map-box .chart');
    return chart && (chart.querySelectorAll('svg path').length > 30 || chart.querySelector('canvas'));
  }, null, { timeout: TIMEOUT });
  await map.scrollIntoViewIfNeeded();
  await shot('7-dashboard-after');
});

step('8. the language switch turns the page into English and back', async () => {
  const back = page.url();
  await clickAndWait(page.locator('a.lang', { hasText: 'English' }));
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(page.url(), back, 'the language switch should return to the same page');
  const nav = await page.locator('nav.main').innerText();
  assert.match(nav, /Overview/, `the English nav should show "Overview": ${nav}`);
  assert.match(await page.locator('form[action="/logout"] button').innerText(), /Log out/);
  await page.locator('#chart-map-box .chart svg').first().waitFor({ state: 'attached' });
  await shot('8-english');
  await clickAndWait(page.locator('a.lang', { hasText: 'Tiếng Việt' }));
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.match(await page.locator('nav.main').innerText(), /Tổng quan/);
});

test('9. no console errors, uncaught page errors or failed requests to the app', () => {
  const lines = [
    ...problems.console.map((s) => `console error: ${s}`),
    ...problems.page.map((s) => `page error: ${s}`),
    ...problems.requests.map((s) => `request: ${s}`),
  ];
  assert.deepEqual(lines, [], `the browser saw ${lines.length} problem(s):\n  ${lines.join('\n  ')}`);
});

// ------------------------------------------------------------------------------------------------ CSRF

/** Minimal cookie jar for fetch: name=value pairs from Set-Cookie. */
function absorbCookies(jar, res) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
}
const cookieHeader = (jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const csrfOf = (html) => html.match(/name="csrf" value="([^"]+)"/)?.[1];

test('a cross-site POST is refused (403), the same POST from the app itself is not', async (t) => {
  if (!BASE) throw new Error('VIENTRO_URL is not set');
  const jar = new Map();
  // Log in as caobang with plain HTTP requests, as the app's own pages would.
  let res = await fetch(`${BASE}/login`);
  absorbCookies(jar, res);
  let csrf = csrfOf(await res.text());
  assert.ok(csrf, 'no csrf input on /login');
  res = await fetch(`${BASE}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrf, username: 'caobang', password: 'demo' }),
  });
  absorbCookies(jar, res);
  assert.equal(res.status, 303, `login over fetch: ${res.status}`);
  res = await fetch(`${BASE}/aid-items/new`, { headers: { cookie: cookieHeader(jar) } });
  assert.equal(res.status, 200, `/aid-items/new while logged in over fetch: ${res.status}`);
  const html = await res.text();
  csrf = csrfOf(html);
  const donor = html.match(/<select id="donor"[^>]*>(?:<option value="">[^<]*<\/option>)?<option value="(\d+)"/)?.[1];
  assert.ok(csrf && donor, 'no csrf input or donor option on /aid-items/new');
  const body = () => new URLSearchParams({
    csrf, title: `CSRF probe ${suffix}`, kind: 'project', donor, sector: 'vn:health', province: PROVINCE,
  });
  const post = (origin) => fetch(`${BASE}/aid-items`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, cookie: cookieHeader(jar) },
    body: body(),
  });

  // Everything valid — session cookie, CSRF token — except that the request comes from another site.
  res = await post('http://evil.example');
  assert.equal(res.status, 403, `cross-site POST /aid-items answered ${res.status} ${res.headers.get('location') || ''}`);

  // Control: the very same request from the app's own origin goes through (creates a draft, no flows).
  res = await post(ORIGIN);
  assert.equal(res.status, 303, `same-origin POST /aid-items answered ${res.status}`);
  assert.match(res.headers.get('location') || '', /^\/aid-items\/\d+\?done=item-created$/);
  t.diagnostic(`control request created ${res.headers.get('location')}`);
});
