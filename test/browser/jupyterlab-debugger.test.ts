// Issue 18, must-show 1: JupyterLab 4 (pip venv) in Debian's Chromium, driven through its UI by
// playwright-core. Run All draws a plotly plot; then the debugger: the toolbar toggle, a
// breakpoint clicked into a cell's gutter and one into engine/sched/scheduler.ts (opened from the
// Kernel Sources panel), each run stops there with the frame in the callstack and locals in the
// Variables panel, one Next, Continue, and the cell finishes. Screenshots: out/browser/jupyterlab-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ensureDir, root } from './helpers/browser-env';
import { ensureJupyterLab, startJupyterLab, type LabServer } from './helpers/jupyterlab-server';

const isCI = process.env.CI === 'true';
const jupyter = existsSync(CHROMIUM) ? ensureJupyterLab() : undefined;
const skip = (jupyter === undefined || !existsSync(CHROMIUM)) && !isCI;
const outDir = ensureDir(join(root, 'out', 'browser'));
const MARKER = 'schedule(): SchedulerStepOutput';
const T = 180_000;

const CELLS = [
  "const { config } = fromVllmArgs('vllm serve deepseek-ai/DeepSeek-V3 --max-num-seqs 16 --max-num-batched-tokens 512 --max-model-len 2048 --no-async-scheduling');\nconst sim = createEngine({ ...config, numGpuBlocks: 160 });\nfor (let i = 0; i < 6; i++) sim.addRequest({ requestId: `req-${i}`, promptTokenIds: Array.from({ length: 80 }, (_, j) => 100 + 7 * i + j), maxTokens: 8, ignoreEos: true });\n'requests added: ' + sim.waiting.length",
  'const records = [sim.step(), sim.step(), sim.step()];\nrecords',
  'function probe(n: number): number {\n  const doubled = n * 2;\n  const tripled = n * 3;\n  return doubled + tripled;\n}\nconst answer = probe(21);\n`answer is ${answer}`',
  'const stepped = sim.step();\n`stepped to ${sim.clockUs} us`',
];

function notebook(): string {
  return JSON.stringify({
    cells: CELLS.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: 'enginelab', display_name: 'TypeScript (enginelab)', language: 'typescript' }, language_info: { name: 'typescript' } },
    nbformat: 4, nbformat_minor: 5,
  }, null, 1);
}

/** The Variables panel's tree as `name: detail` lines. */
async function variables(page: Page): Promise<string[]> {
  return page.locator('#jp-debugger-sidebar .jp-DebuggerVariables-name').evaluateAll((names) =>
    names.map((n) => `${n.textContent}: ${(n.parentElement?.querySelector('.jp-DebuggerVariables-detail')?.textContent ?? '').trim()}`));
}

async function waitForVariable(page: Page, line: string): Promise<void> {
  await page.waitForFunction((want) => Array.from(document.querySelectorAll('#jp-debugger-sidebar .jp-DebuggerVariables-name'))
    .some((n) => `${n.textContent}: ${(n.parentElement?.querySelector('.jp-DebuggerVariables-detail')?.textContent ?? '').trim()}` === want), line, { timeout: T, polling: 250 });
}

/** Clicks the breakpoint gutter beside `line` (a rendered `.cm-line`) of `editor`. */
async function clickGutter(page: Page, editor: Locator, line: Locator): Promise<void> {
  await line.scrollIntoViewIfNeeded();
  const lb = (await line.boundingBox())!;
  const gb = (await editor.locator('div.cm-gutter.cm-breakpoint-gutter').first().boundingBox())!;
  await page.mouse.click(gb.x + gb.width / 2, lb.y + lb.height / 2);
}

const debuggerButton = (page: Page, command: string) => page.locator(`#jp-debugger-sidebar jp-button[data-command="${command}"]`);

async function topFrame(page: Page): Promise<string> {
  const frame = page.locator('#jp-debugger-sidebar .jp-DebuggerCallstackFrame').first();
  await frame.waitFor({ timeout: T });
  return (await frame.textContent()) ?? '';
}

describe.skipIf(skip)('JupyterLab 4 in Chromium: run all with a plot, then the debugger on a cell and on engine code', () => {
  let browser: Browser | undefined;
  let server: LabServer | undefined;
  let page: Page;
  let base: string;
  const shot = (name: string) => page.screenshot({ path: join(outDir, `jupyterlab-${name}.png`) });
  const cell = (i: number) => page.locator('.jp-Notebook .jp-Cell').nth(i);
  const prompt = (i: number) => cell(i).locator('.jp-InputPrompt');

  beforeAll(async () => {
    if (jupyter === undefined) throw new Error('JupyterLab could not be installed into a venv (pip install --retries 0 jupyterlab)');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is required${isCI ? ' in CI' : ''}`);
    base = mkdtempSync(join(tmpdir(), 'enginelab-jlab-'));
    const nbDir = ensureDir(join(base, 'notebooks'));
    writeFileSync(join(nbDir, 'debug-tour.ipynb'), notebook());
    server = await startJupyterLab(jupyter, base, nbDir);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.pageUrl('debug-tour.ipynb'), { timeout: T });
    await page.getByText('TypeScript (enginelab) | Idle').waitFor({ timeout: T });
    // JupyterLab's "news" question covers the lower right corner; answer it.
    await page.getByRole('button', { name: 'No' }).click({ timeout: 10_000 }).catch(() => undefined);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('Run All executes every cell and draws the plotly plot (an SVG .main-svg with marks)', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
    await page.locator('li[data-command="runmenu:run-all"]').click();
    for (let i = 0; i < CELLS.length; i++) await expect.poll(() => prompt(i).textContent(), { timeout: T, interval: 250 }).toMatch(/\[\d+\]/);
    await expect.poll(() => cell(0).locator('.jp-OutputArea-output').textContent(), { timeout: T }).toContain("'requests added: 6'");
    await expect.poll(() => cell(2).locator('.jp-OutputArea-output').textContent(), { timeout: T }).toContain("'answer is 105'");
    await cell(1).locator('.jp-OutputArea-output svg.main-svg').first().waitFor({ timeout: T });
    expect(await cell(1).locator('.main-svg .cartesianlayer .trace path').count()).toBeGreaterThan(0);
    await cell(1).scrollIntoViewIfNeeded();
    await shot('run-all');
  }, 400_000);

  it('after the tab is reloaded, the same kernel draws the plot of a new Run All (its page gets plotly.js again)', async () => {
    await page.reload({ timeout: T });
    await page.getByText('TypeScript (enginelab) | Idle').waitFor({ timeout: T });
    await page.getByRole('button', { name: 'No' }).click({ timeout: 10_000 }).catch(() => undefined);
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
    await page.locator('li[data-command="runmenu:run-all"]').click();
    await expect.poll(() => cell(2).locator('.jp-OutputArea-output').textContent(), { timeout: T }).toContain("'answer is 105'");
    await cell(1).locator('.jp-OutputArea-output svg.main-svg').first().waitFor({ timeout: T });
    expect(await cell(1).locator('.main-svg .cartesianlayer .trace path').count()).toBeGreaterThan(0);
    expect(await cell(1).locator('.enginelab-plot-static').count()).toBe(0);
    await cell(1).scrollIntoViewIfNeeded();
    await shot('after-reload');
  }, 400_000);

  it('stops at a breakpoint clicked into a cell: callstack frame, locals with values, Next, Continue', async () => {
    await page.locator('jp-button.jp-DebuggerBugButton:not([disabled])').click({ timeout: T });
    await page.locator('jp-button.jp-DebuggerBugButton[aria-pressed="true"]').waitFor({ timeout: T });
    await page.locator('#jp-debugger-sidebar').waitFor({ timeout: T });
    const probe = cell(2);
    await probe.scrollIntoViewIfNeeded();
    await clickGutter(page, probe, probe.locator('.cm-line').nth(1)); // `const doubled = n * 2;`
    await expect.poll(() => page.locator('#jp-debugger-sidebar .jp-DebuggerBreakpoint').count(), { timeout: T }).toBe(1);
    expect(await probe.locator('span.cm-breakpoint-gutter').count()).toBeGreaterThan(0);
    await shot('cell-breakpoint');

    await probe.locator('.jp-InputPrompt').click();
    await page.keyboard.press('Shift+Enter');
    expect(await topFrame(page)).toMatch(/^probe\b/);
    await waitForVariable(page, 'n: 21');
    expect(await variables(page)).toContain('n: 21');
    await shot('cell-stopped');

    await debuggerButton(page, 'debugger:next').click();
    await waitForVariable(page, 'doubled: 42');
    await shot('cell-after-next');

    await debuggerButton(page, 'debugger:continue').click();
    await expect.poll(() => probe.locator('.jp-InputPrompt').textContent(), { timeout: T, interval: 250 }).toMatch(/\[\d+\]/);
    await expect.poll(() => probe.locator('.jp-OutputArea-output').textContent(), { timeout: T }).toContain("'answer is 105'");
  }, 400_000);

  it('stops at a breakpoint set in engine/sched/scheduler.ts from the Kernel Sources panel', async () => {
    const source = join(root, 'engine/sched/scheduler.ts');
    const lineNo = readFileSync(source, 'utf8').split('\n').findIndex((l) => l.includes(MARKER)) + 1;
    expect(lineNo).toBeGreaterThan(0);
    await page.locator('.jp-Debugger-KernelSources-Filter input, input.jp-Debugger-KernelSources-Filter').first().fill('sched/scheduler.ts');
    const entry = page.locator(`#jp-debugger-sidebar .jp-DebuggerKernelSource-source[title="${source}"]`);
    await entry.click({ timeout: T });
    // The source opens read-only in the main area; CodeMirror renders only the lines in view.
    await page.locator('.jp-MainAreaWidget .cm-editor.jp-mod-readOnly', { hasText: 'class Scheduler' }).waitFor({ timeout: T });
    const editor = page.locator('.jp-MainAreaWidget .cm-editor.jp-mod-readOnly').last();
    const target = editor.locator('.cm-line', { hasText: MARKER });
    for (let tries = 0; (await target.count()) === 0 && tries < 200; tries++) await editor.locator('.cm-scroller').evaluate((s) => { s.scrollTop += 300; });
    await clickGutter(page, editor, target.first());
    await expect.poll(() => page.locator('#jp-debugger-sidebar .jp-DebuggerBreakpoint').count(), { timeout: T }).toBeGreaterThanOrEqual(2);
    await shot('engine-breakpoint');

    await page.locator('.jp-NotebookPanel').first().click({ position: { x: 5, y: 5 } }).catch(() => undefined);
    await page.getByRole('tab', { name: /debug-tour\.ipynb/ }).click();
    const stepCell = cell(3);
    await stepCell.locator('.jp-InputPrompt').click();
    await page.keyboard.press('Shift+Enter');
    expect(await topFrame(page)).toMatch(/schedule/);
    await expect.poll(async () => (await variables(page)).length, { timeout: T }).toBeGreaterThan(0);
    await shot('engine-stopped');

    await debuggerButton(page, 'debugger:next').click();
    await expect.poll(() => topFrame(page), { timeout: T }).toMatch(/schedule/);
    // The frame's locals, through the panel's scope selector: `batch` now holds a ScheduledBatch.
    await page.locator('#jp-debugger-sidebar select').first().selectOption({ label: 'Locals' });
    await waitForVariable(page, 'batch: ScheduledBatch');
    await shot('engine-after-next');
    await debuggerButton(page, 'debugger:continue').click();
    await expect.poll(() => stepCell.locator('.jp-OutputArea-output').textContent(), { timeout: T }).toMatch(/stepped to \d+ us/);
    await shot('finished');
  }, 400_000);
});
