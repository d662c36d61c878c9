import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/**
 * The system's headless browser (Debian's `chromium` package), if there is one: CHROMIUM_PATH, else
 * the first of chromium, chromium-browser, google-chrome on PATH. Nothing is downloaded.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : (env.PATH ?? '').split(delimiter).flatMap((dir) => NAMES.map((n) => join(dir, n)));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

async function withHtml<T>(html: string, work: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'linkage-report-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    return await work(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars'];

/** The HTML printed to PDF by the browser, with the document's own @page rules (A4, its margins). */
export async function printPdf(chromium: string, html: string): Promise<Buffer> {
  return withHtml(html, async (file, dir) => {
    const out = join(dir, 'report.pdf');
    await run(chromium, [...FLAGS, '--no-pdf-header-footer', `--print-to-pdf=${out}`, `file://${file}`], { timeout: 120_000 });
    return readFileSync(out);
  });
}

/** A screenshot of the HTML as a screen shows it (the top `height` pixels at `width`). */
export async function screenshot(chromium: string, html: string, width = 1000, height = 4000): Promise<Buffer> {
  return withHtml(html, async (file, dir) => {
    const out = join(dir, 'report.png');
    await run(chromium, [...FLAGS, `--window-size=${width},${height}`, `--screenshot=${out}`, `file://${file}`], { timeout: 120_000 });
    return readFileSync(out);
  });
}

/** Pages of a PDF the browser wrote (its page tree's /Count). */
export function pdfPageCount(pdf: Buffer): number {
  const counts = [...pdf.toString('latin1').matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]));
  return counts.length ? Math.max(...counts) : 0;
}
