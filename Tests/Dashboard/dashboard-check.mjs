// Drives the dashboard in headless Chromium (Debian's /usr/bin/chromium through playwright-core, no
// browser download) against a running Engage that holds samples/conversation.json, and prints what it
// saw as JSON for DashboardBrowserTests to assert on.
// Usage: node dashboard-check.mjs <baseUrl> <desktop png> <mobile png>
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// axe-core checks what can be checked automatically (labels, names, contrast, landmarks, ARIA); it is
// evaluated through the DevTools protocol, which the page's Content-Security-Policy does not apply to.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
async function audit(page, view) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  })).violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")) })));
  return violations.map(v => ({ view, ...v }));
}

const [base, desktopPng, mobilePng] = process.argv.slice(2);
const origin = new URL(base).origin;
const key = "dashboard-test-key";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const result = { requests: [], consoleErrors: [], accessibility: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("request", r => result.requests.push(r.url()));
  page.on("console", m => { if (m.type() === "error") result.consoleErrors.push(m.text()); });
  page.on("pageerror", e => result.consoleErrors.push("pageerror: " + e.message));
  page.setDefaultTimeout(30000);

  let loads = 0;
  const loaded = async () => {
    loads++;
    await page.waitForFunction(n => Number(document.body.dataset.loaded || 0) >= n, loads);
  };
  const text = async selector => (await page.locator(selector).first().innerText()).trim();
  const figure = async name => text(`#community-figures [data-figure=${name}] .value`);
  const community = async () => ({
    users: await figure("users"), interactions: await figure("interactions"), reciprocity: await figure("reciprocity"),
    rho: await figure("rho"), broadcastShare: await figure("broadcastShare"), openQuestions: await figure("openQuestions"),
    interactionsMove: await text("#community-figures [data-figure=interactions] .move"),
  });

  // 1. The community at the sample's time, opened with a function key as in Azure.
  await page.goto(`${base}/api/dashboard?code=${key}#asOf=2026-11-20T12:00:00Z&window=P30D`);
  await loaded();
  result.title = await page.title();
  result.community = await community();
  result.topEngagement = { user: await page.locator("#board-engagement-table tbody tr").first().locator("a").getAttribute("data-user"),
    level: await text("#board-engagement-table tbody tr:first-child .level") };
  result.topReciprocity = await page.locator("#board-reciprocity-table tbody tr").first().locator("a").getAttribute("data-user");
  result.network = { mutual: await page.locator("#network-graph line.mutual").count(), oneWay: await page.locator("#network-graph line.oneway").count(),
    nodes: await page.locator("#network-graph a.node").count() };
  result.communityTrendBars = await page.locator("#trend-community rect.bar").count();
  result.memberHiddenAtFirst = await page.locator("#member").isHidden();
  result.accessibility.push(...await audit(page, "community"));

  // 2. Clicking a member on the leaderboard opens their view.
  await page.locator('#board-engagement-table a[data-user="demo:ada"]').click();
  await loaded();
  const counts = {};
  for (const row of await page.locator("#member-counts [data-count]").all()) {
    counts[await row.getAttribute("data-count")] = Number(await row.locator("dd").innerText());
  }
  result.member = {
    hash: new URL(page.url()).hash,
    heading: await text("#member-h"),
    focused: await page.evaluate(() => document.activeElement?.id ?? null),
    counts,
    given: await text("#member-reciprocity [data-figure=given] dd"),
    received: await text("#member-reciprocity [data-figure=received] dd"),
    replyRate: await text("#member-reciprocity [data-figure=replyRate] dd"),
    latency: await text("#member-reciprocity [data-figure=latency] dd"),
    mix: await text("#member-mix-text"),
    breakdown: await page.locator("#member-breakdown [data-signal]").evaluateAll(rows => rows.map(r => r.dataset.signal)),
    counterparts: await page.locator("#counterparts-table tbody tr").evaluateAll(rows => rows.map(r => r.dataset.user)),
    highlightedEdges: await page.locator("#network-graph line.hl").count(),
    trendBars: await page.locator("#trend-member rect.bar").count(),
  };
  await page.screenshot({ path: desktopPng, fullPage: true });
  result.accessibility.push(...await audit(page, "member"));

  // 3. Links between members: ada's counterpart ben, by keyboard (focus the link, press Enter).
  await page.locator('#counterparts-table a[data-user="demo:ben"]').focus();
  await page.keyboard.press("Enter");
  await loaded();
  result.keyboard = { heading: await text("#member-h"), focused: await page.evaluate(() => document.activeElement?.id ?? null),
    openQuestions: await page.locator("#member-questions [data-question]").evaluateAll(rows => rows.map(r => r.dataset.question)) };

  // 4. Member search by handle.
  await page.locator("#search").fill("hal");
  await page.locator("#search").press("Enter");
  await loaded();
  result.search = { heading: await text("#member-h"), owed: await page.locator("#member-owed li[data-user]").evaluateAll(rows => rows.map(r => r.dataset.user)) };

  // 5. asOf changes the figures: a week earlier only gus and hal had spoken.
  await page.locator("#community-only").click();
  await loaded();
  await page.locator("#asOf").fill("2026-11-13T12:00:00");
  await page.locator("#apply").click();
  await loaded();
  result.earlier = { hash: new URL(page.url()).hash, community: await community(), memberHidden: await page.locator("#member").isHidden() };

  // 6. A shared link opens the same view in a fresh page.
  const shared = await browser.newPage({ viewport: { width: 375, height: 800 } });
  shared.on("request", r => result.requests.push(r.url()));
  shared.on("console", m => { if (m.type() === "error") result.consoleErrors.push(m.text()); });
  shared.on("pageerror", e => result.consoleErrors.push("pageerror: " + e.message));
  await shared.goto(`${base}/api/dashboard?code=${key}#asOf=2026-11-20T12:00:00Z&window=P30D&member=demo:ben`);
  await shared.waitForFunction(() => Number(document.body.dataset.loaded || 0) >= 1 && document.getElementById("member-h").innerText.includes("@ben"));
  result.mobile = {
    heading: (await shared.locator("#member-h").innerText()).trim(),
    searchValue: await shared.locator("#search").inputValue(),
    scrollWidth: await shared.evaluate(() => document.documentElement.scrollWidth),
    clientWidth: await shared.evaluate(() => document.documentElement.clientWidth),
  };
  await shared.screenshot({ path: mobilePng, fullPage: true });
  result.accessibility.push(...await audit(shared, "375px member"));

  // 7. An unknown member: the API's 404 problem is shown to the reader, the member view stays hidden.
  // (Chromium logs every 4xx response as a console error; those are kept apart from the other pages'.)
  const unknown = await browser.newPage({ viewport: { width: 1024, height: 800 } });
  const unknownConsole = [];
  unknown.on("request", r => result.requests.push(r.url()));
  unknown.on("console", m => { if (m.type() === "error") unknownConsole.push(m.text()); });
  unknown.on("pageerror", e => result.consoleErrors.push("pageerror: " + e.message));
  await unknown.goto(`${base}/api/dashboard?code=${key}#asOf=2026-11-20T12:00:00Z&window=P30D&member=demo:nobody`);
  await unknown.waitForFunction(() => Number(document.body.dataset.loaded || 0) >= 1);
  result.unknown = {
    error: (await unknown.locator("#error").innerText()).trim(),
    memberHidden: await unknown.locator("#member").isHidden(),
    otherConsoleErrors: unknownConsole.filter(t => !/status of 404/.test(t)),
  };

  result.outside = result.requests.filter(u => !u.startsWith(origin + "/"));
  result.apiWithoutKey = result.requests.filter(u => u.startsWith(origin + "/api/") && new URL(u).searchParams.get("code") !== key);
  result.apiRequests = result.requests.filter(u => u.startsWith(origin + "/api/")).length;
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
