// digitnet serve's two pages in a real browser (Debian's chromium, driven by playwright-core):
// a 7 and a 3 drawn with pointer events on the drawing page must be read as 7 and 3; the
// learning page must start the smallest recipe, its accuracy curve grow and its weight images
// change. Run by CTest (browser.pages) as
//   node pages_test.mjs DIGITNET_EXE MODEL [SCREENSHOT_DIR]
// (screenshots of both pages go to SCREENSHOT_DIR when given: docs/images/ holds them).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const [exe, model, screenshots] = process.argv.slice(2);
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
if (!existsSync(browserPath)) {
  console.log(`skipped: no chromium at ${browserPath} (scripts/setup installs Debian's chromium)`);
  process.exit(77);
}

const playwright = await import("playwright-core").catch(() => null);
if (!playwright) {
  console.log("skipped: playwright-core is not installed in tests/browser (scripts/setup runs npm ci there)");
  process.exit(77);
}
const { chromium } = playwright;

function fail(message) {
  console.error("FAILED: " + message);
  process.exitCode = 1;
  throw new Error(message);
}

// The server on a free port: the port from its "Serving on http://127.0.0.1:PORT/" line.
function startServer() {
  return new Promise((resolve, reject) => {
    const server = spawn(exe, ["serve", "--model", model, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    server.stdout.on("data", (chunk) => {
      output += chunk;
      const m = output.match(/Serving on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve({ server, url: m[1] });
    });
    server.once("exit", (code) => reject(new Error(`digitnet serve exited (${code}): ${output}`)));
    setTimeout(() => reject(new Error("digitnet serve did not start in 60 s: " + output)), 60000).unref();
  });
}

// Strokes in canvas fractions (0..1), drawn as pointer drags on the canvas element.
async function draw(page, strokes) {
  const box = await page.locator("#canvas").boundingBox();
  for (const stroke of strokes) {
    const [x0, y0] = stroke[0];
    await page.mouse.move(box.x + x0 * box.width, box.y + y0 * box.height);
    await page.mouse.down();
    for (let i = 1; i < stroke.length; i++) {
      const [xa, ya] = stroke[i - 1], [xb, yb] = stroke[i];
      for (let t = 1; t <= 8; t++) {
        const x = xa + (xb - xa) * t / 8, y = ya + (yb - ya) * t / 8;
        await page.mouse.move(box.x + x * box.width, box.y + y * box.height);
      }
    }
    await page.mouse.up();
  }
}

// The digit the page shows once the answer for the finished drawing is in.
async function answer(page) {
  await page.waitForTimeout(600);
  await page.waitForFunction(() => document.querySelector("#verdict").dataset.digit !== undefined);
  return page.evaluate(() => ({
    digit: Number(document.querySelector("#verdict").dataset.digit),
    text: document.querySelector("#verdict").textContent,
    bars: [...document.querySelectorAll("#bars .value")].map((e) => e.textContent),
  }));
}

const seven = [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]];
const three = [[[0.3, 0.2], [0.55, 0.15], [0.7, 0.28], [0.55, 0.47], [0.42, 0.5]],
               [[0.55, 0.48], [0.72, 0.62], [0.62, 0.82], [0.4, 0.85], [0.28, 0.78]]];

const { server, url } = await startServer();
const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const problems = [];
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} for ${r.url()}`); });
  page.on("pageerror", (e) => problems.push(e.message));

  await page.goto(url + "/");
  await page.waitForFunction(() => document.querySelectorAll("#model dd").length > 0);
  await draw(page, seven);
  const a7 = await answer(page);
  console.log("drew a 7, the page says", a7.text, a7.bars.join(" "));
  if (a7.digit !== 7) fail(`the drawn 7 was read as ${a7.digit}`);
  if (screenshots) await page.screenshot({ path: `${screenshots}/draw-page.png`, fullPage: true });
  await page.keyboard.press("c");
  await draw(page, three);
  const a3 = await answer(page);
  console.log("drew a 3, the page says", a3.text, a3.bars.join(" "));
  if (a3.digit !== 3) fail(`the drawn 3 was read as ${a3.digit}`);
  const seenInk = await page.evaluate(() => {
    const d = document.querySelector("#seen").getContext("2d").getImageData(0, 0, 28, 28).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
    return dark;
  });
  if (seenInk < 20) fail(`the 28 x 28 the network saw shows ${seenInk} inked pixels`);

  await page.goto(url + "/learn");
  await page.waitForFunction(() => document.querySelectorAll("#recipe option").length > 0);
  const recipe = await page.locator("#recipe").inputValue();
  await page.locator("#speed").selectOption("1");
  await page.locator("#start").click();
  const versions = new Set();
  let epochs = 0;
  for (let i = 0; i < 600 && (epochs < 3 || versions.size < 3); i++) {
    await page.waitForTimeout(100);
    const s = await page.evaluate(() => ({
      epochs: Number(document.querySelector("#status").dataset.epochs || 0),
      weights: document.querySelector("#weights").dataset.version,
      status: document.querySelector("#status").textContent,
    }));
    epochs = s.epochs;
    if (s.weights) versions.add(s.weights);
  }
  const status = await page.locator("#status").textContent();
  console.log(`learning page: ${recipe}: ${epochs} epochs on the curve, ${versions.size} weight pictures; ${status}`);
  if (epochs < 3) fail(`the accuracy curve has ${epochs} points after a minute`);
  if (versions.size < 3) fail(`the weight images changed ${versions.size} times`);
  const guesses = await page.locator("#guesses figure").count();
  if (guesses !== 10) fail(`${guesses} live guesses shown, not 10`);
  if (screenshots) await page.screenshot({ path: `${screenshots}/learn-page.png`, fullPage: true });
  await page.locator("#stop").click();
  if (problems.length) fail("the pages reported errors: " + problems.join("; "));
  console.log("browser test passed");
} finally {
  await browser.close();
  // SIGTERM: the server finishes what is in flight and exits 0 (clean shutdown).
  const exited = new Promise((resolve) => server.on("exit", (code, signal) => resolve({ code, signal })));
  server.kill("SIGTERM");
  const { code, signal } = await exited;
  if (code !== 0) fail(`digitnet serve exited with ${code ?? signal} after SIGTERM`);
}
