// Opens a rendered digest in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core),
// saves a screenshot and prints, for each section id, whether it is visible and where.
// Usage: node render-check.mjs <html file> <png file> <section id>...
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const [html, png, ...sections] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 1200 } });
  const requests = [];
  page.on("request", r => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
  await page.goto(pathToFileURL(html).href);
  await page.screenshot({ path: png, fullPage: true });
  const result = { sections: {}, externalRequests: requests, scripts: await page.locator("script").count() };
  for (const id of sections) {
    const locator = page.locator(`#${id}`);
    const visible = (await locator.count()) === 1 && await locator.isVisible();
    result.sections[id] = { visible, box: visible ? await locator.boundingBox() : null, text: visible ? (await locator.innerText()).slice(0, 200) : null };
  }
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
