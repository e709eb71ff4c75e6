// The user's real path, in a real browser: JupyterLab on loopback, Debian's
// Chromium driven by playwright-core.
//
// 1. Open notebook 01, Run All, and check that after every ring cell (the
//    cells that add, remove or rebuild) a ring picture is visible and decoded.
// 2. Open the committed notebook without running it (JupyterLab treats it as
//    untrusted, which hides raw SVG) and check that the rings still show.
// 3. Every link in every notebook leads to a file Lab serves, and clicking
//    notebook 01's Contents link opens the contents page.
// 4. The slide deck of notebook 01 (make slides) shows each ring picture on
//    its slide, from files only (no kernel, no network).
//
// Both run on a copy of the notebooks in a scratch folder, so that Lab never
// saves into the committed files. Screenshots go to target/screenshots/.
//
//   node tests/browser/lab.test.mjs   (run by `make test`, which sets the environment)

import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const notebook = '01-elastic-ring-tutorial.ipynb';
const shots = join(root, 'target', 'screenshots');
mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) {
    passed += 1;
    console.log(`  ok   ${what}`);
  } else {
    failed += 1;
    console.log(`  FAIL ${what}`);
  }
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

// The notebooks copied into a scratch folder directly inside the project, so
// that `:dep elastic_vdb = { path = ".." }` names this very library (and the
// kernel template built for it applies) while Lab saves nothing of ours.
function scratchProject() {
  const dir = mkdtempSync(join(tmpdir(), 'elastic-vdb-lab-'));
  const notebooks = mkdtempSync(join(root, '.lab-notebooks-'));
  cpSync(join(root, 'notebooks'), notebooks, { recursive: true });
  // Lab settings for the test only: every cell stays in the DOM, no autosave.
  const settings = join(dir, 'lab-settings');
  mkdirSync(join(settings, '@jupyterlab', 'notebook-extension'), { recursive: true });
  writeFileSync(join(settings, '@jupyterlab', 'notebook-extension', 'tracker.jupyterlab-settings'),
    JSON.stringify({ windowingMode: 'none' }));
  mkdirSync(join(settings, '@jupyterlab', 'docmanager-extension'), { recursive: true });
  writeFileSync(join(settings, '@jupyterlab', 'docmanager-extension', 'plugin.jupyterlab-settings'),
    JSON.stringify({ autosave: false }));
  mkdirSync(join(settings, '@jupyterlab', 'apputils-extension'), { recursive: true });
  writeFileSync(join(settings, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings'),
    JSON.stringify({ fetchNews: 'false', checkForUpdates: false }));
  return { dir, notebooks, settings };
}

async function startLab(dir, notebooks, settings) {
  const port = await freePort();
  const token = `t${Math.random().toString(36).slice(2)}`;
  const jupyter = join(root, '.venv', 'bin', 'jupyter');
  const lab = spawn(jupyter, [
    'lab', '--no-browser', '--allow-root', '--ip', '127.0.0.1', '--port', String(port),
    `--ServerApp.token=${token}`, `--notebook-dir=${notebooks}`,
    `--LabApp.user_settings_dir=${settings}`, `--LabApp.workspaces_dir=${join(dir, 'workspaces')}`,
    // As `make notebook` starts it: with a warm `rust` kernel in reserve.
    `--config=${join(root, 'kernel', 'jupyter_server_config.py')}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  lab.stdout.on('data', (chunk) => { log += chunk; });
  lab.stderr.on('data', (chunk) => { log += chunk; });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 120; attempt += 1) {
    try {
      const response = await fetch(`${base}/api/status?token=${token}`);
      if (response.ok) return { lab, base, token, log: () => log };
    } catch { /* not up yet */ }
    await new Promise((wake) => setTimeout(wake, 500));
  }
  lab.kill();
  throw new Error(`JupyterLab did not start:\n${log}`);
}

// The picture cells are the ones tagged expect-image (run_notebooks.py checks
// the same tag): the ring after every change, and the bar chart.
const committed = JSON.parse(readFileSync(join(root, 'notebooks', notebook), 'utf8'));
const codeCells = committed.cells.filter((cell) => cell.cell_type === 'code');
const isPicture = (cell) => (cell.metadata.tags || []).includes('expect-image');
const expectedRings = codeCells.filter(isPicture).length;

// Every relative link in the markdown of every notebook, with its notebook.
function notebookLinks() {
  const links = [];
  for (const name of readdirSync(join(root, 'notebooks')).filter((n) => n.endsWith('.ipynb')).sort()) {
    const cells = JSON.parse(readFileSync(join(root, 'notebooks', name), 'utf8')).cells;
    for (const cell of cells.filter((c) => c.cell_type === 'markdown')) {
      for (const match of [].concat(cell.source).join('').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!/^[a-z]+:/.test(match[1])) links.push({ name, target: match[1] });
      }
    }
  }
  return links;
}

async function openNotebook(context, base, token) {
  const page = await context.newPage();
  // JupyterLab's own errors (a failed render, a command that threw) go to the log.
  page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`  console error: ${message.text().slice(0, 300)}`);
  });
  await page.goto(`${base}/lab/tree/${notebook}?token=${token}&reset`);
  const panel = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
  // Loaded when every code cell of the file shows its code.
  await page.waitForFunction((count) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    return panel && panel.querySelectorAll('.jp-CodeCell .jp-InputArea .cm-content').length === count;
  }, codeCells.length, { timeout: 300_000, polling: 500 });
  return { page, panel };
}

async function ringImages(panel) {
  const cells = panel.locator('.jp-CodeCell');
  const count = await cells.count();
  const results = [];
  for (let index = 0; index < count; index += 1) {
    if (!isPicture(codeCells[index])) continue;
    const cell = cells.nth(index);
    const code = await cell.locator('.jp-InputArea .cm-content').innerText();
    const image = cell.locator('.jp-OutputArea img[src^="data:image/svg+xml;base64,"]');
    const shown = (await image.count()) > 0 && await image.first().evaluate(
      (img) => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().height > 100);
    results.push({ code: code.trim().split('\n').pop(), shown, cell });
  }
  return results;
}

const browserDir = mkdtempSync(join(tmpdir(), 'elastic-vdb-chromium-'));
const { dir, notebooks, settings } = scratchProject();
const server = await startLab(dir, notebooks, settings);
const context = await chromium.launchPersistentContext(browserDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 2600 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

try {
  console.log('untrusted: the committed notebook, opened without running it');
  {
    const { page, panel } = await openNotebook(context, server.base, server.token);
    const rings = await ringImages(panel);
    check(expectedRings >= 6 && rings.length === expectedRings,
      `committed notebook shows ${rings.length} ring cells (the file has ${expectedRings})`);
    for (const ring of rings) check(ring.shown, `ring shows, untrusted: ${ring.code}`);
    await page.screenshot({ path: join(shots, 'lab-untrusted.png'), fullPage: false });

    const links = notebookLinks();
    const broken = [];
    for (const { name, target } of links) {
      const path = target.split('#')[0];
      const response = await fetch(`${server.base}/api/contents/${encodeURI(path)}?content=0&token=${server.token}`);
      if (!response.ok) broken.push(`${name} -> ${target} (${response.status})`);
    }
    check(links.length >= 20 && broken.length === 0,
      `all ${links.length} links in the notebooks lead to a file Lab serves${broken.length ? `: broken ${broken.join(', ')}` : ''}`);
    await page.close();
  }

  console.log('live: Run All through the Rust kernel');
  {
    const { page, panel } = await openNotebook(context, server.base, server.token);
    await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
      .waitFor({ timeout: 180_000 });
    // Clear the committed outputs first, so that only what this run draws counts.
    await page.locator('.lm-MenuBar-itemLabel:text-is("Edit")').click();
    await page.locator('.lm-Menu-itemLabel:text-is("Clear Outputs of All Cells")').click();
    const before = await ringImages(panel);
    check(before.every((ring) => !ring.shown), 'outputs cleared before the run');

    const started = Date.now();
    await page.locator('.lm-MenuBar-itemLabel:text-is("Run")').click();
    await page.locator('[data-command="runmenu:run-all"]').click();
    // Finished when no prompt shows [*] and the last code cell has a count.
    await page.waitForFunction(() => {
      const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map((p) => p.textContent);
      return prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p));
    }, null, { timeout: Number(process.env.RUN_ALL_TIMEOUT_MS || 900_000), polling: 1000 }).catch(async (error) => {
      const prompts = await panel.locator('.jp-CodeCell .jp-InputPrompt').allInnerTexts();
      console.log(`  prompts when Run All stopped: ${prompts.join(' ')}`);
      throw error;
    });
    console.log(`  run all took ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const rings = await ringImages(panel);
    check(rings.length === expectedRings, `live run shows ${rings.length} ring cells (the file has ${expectedRings})`);
    for (const [index, ring] of rings.entries()) {
      check(ring.shown, `ring shows after: ${ring.code}`);
      await ring.cell.screenshot({ path: join(shots, `lab-ring-${String(index).padStart(2, '0')}.png`) });
    }
    // Standard error per cell; the cell tagged expect-panic shows what a panic looks like.
    const errors = [];
    const shownPanics = [];
    const cells = panel.locator('.jp-CodeCell');
    for (let index = 0; index < codeCells.length; index += 1) {
      const texts = await cells.nth(index)
        .locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allInnerTexts();
      const panics = (codeCells[index].metadata.tags || []).includes('expect-panic');
      (panics ? shownPanics : errors).push(...texts);
    }
    check(errors.every((text) => !text.includes('panicked at')), 'no cell panicked but the one that shows a panic');
    check(errors.length === 0, `no error output (${errors.length}: ${errors.join(' | ').slice(0, 300)})`);
    const panic = shownPanics.join('\n');
    check(/panicked at `numbers\[7\]`: index out of bounds/.test(panic) && !/backtrace/.test(panic) && panic.trim().split("\n").length === 1,
      `the panic shows in one line quoting the cell's line, without a backtrace: ${JSON.stringify(panic.slice(0, 300))}`);
    check(/Handing out spare rust kernel/.test(server.log()), 'a notebook got the server\'s warm spare kernel');
    await page.screenshot({ path: join(shots, 'lab-live.png'), fullPage: false });
    await page.close();
  }

  console.log('links: Contents opens the contents page');
  {
    // Last in Lab: the page it opens stays in the workspace.
    const { page, panel } = await openNotebook(context, server.base, server.token);
    await panel.locator('.jp-RenderedMarkdown a:text-is("Contents")').first().click();
    const contents = page.locator('.lm-TabBar-tab .lm-TabBar-tabLabel:text-is("README.md")');
    await contents.first().waitFor({ timeout: 30_000 }).catch(() => {});
    check(await contents.count() > 0, 'clicking Contents in notebook 01 opens the contents page');
    await page.close();
  }

  console.log('slides: every ring of notebook 01 shows in the reveal.js deck (make slides), without a kernel');
  {
    const deck = join(root, 'target', 'slides', '01-elastic-ring-tutorial.slides.html');
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`file://${deck}`);
    await page.locator('.reveal.ready').waitFor({ timeout: 30_000 });
    // Where each picture sits: its horizontal slide and, inside it, its vertical one.
    const places = await page.evaluate(() => [...document.querySelectorAll('.reveal .slides img[src^="data:image/svg+xml"]')]
      .map((img) => {
        const sections = [];
        for (let node = img.parentElement; node; node = node.parentElement) {
          if (node.tagName === 'SECTION') sections.unshift(node);
        }
        const h = [...sections[0].parentElement.children].indexOf(sections[0]);
        const v = sections.length > 1 ? [...sections[1].parentElement.children].indexOf(sections[1]) : 0;
        return { h, v };
      }));
    check(places.length === expectedRings, `the deck holds ${places.length} pictures (the notebook has ${expectedRings})`);
    for (const [index, { h, v }] of places.entries()) {
      await page.evaluate(([h, v]) => { window.location.hash = `#/${h}/${v}`; }, [h, v]);
      await page.waitForTimeout(400);
      const shown = await page.evaluate(() => [...document.querySelectorAll('.reveal .slides section.present img[src^="data:image/svg+xml"]')]
        .some((img) => {
          const box = img.getBoundingClientRect();
          return img.complete && img.naturalWidth > 0 && box.height > 100 && box.top < window.innerHeight && box.bottom > 0;
        }));
      check(shown, `slide ${h}/${v} shows its picture`);
      if (index === 0 || index === places.length - 1) {
        await page.screenshot({ path: join(shots, `slides-${h}-${v}.png`) });
      }
    }
    await page.close();
  }

  console.log('exported HTML: the timeline animates');
  {
    // run_notebooks.py (make test runs it first) renders each executed notebook to HTML.
    const html = join(root, 'target', 'notebooks', '04-replication-and-failure.html');
    const page = await context.newPage();
    await page.goto(`file://${html}`);
    const animation = page.locator('img[alt*="animated"]').first();
    await animation.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    const first = await animation.screenshot();
    await page.waitForTimeout(2_600);
    const second = await animation.screenshot({ path: join(shots, 'html-timeline.png') });
    check(first.length > 1000 && !first.equals(second), 'the animated timeline shows a different step 2.6 s later');
    await page.close();
  }
} catch (error) {
  failed += 1;
  for (const [index, page] of context.pages().entries()) {
    await page.screenshot({ path: join(shots, `lab-failure-${index}.png`) }).catch(() => {});
  }
  console.log(`  FAIL ${error.stack || error}`);
  console.log(server.log().slice(-4000));
} finally {
  await context.close();
  server.lab.kill();
  rmSync(browserDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  rmSync(notebooks, { recursive: true, force: true });
}

console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
