// The dashboard in a real browser: Debian's Chromium driven by playwright-core,
// against a real agent that follows a repository over smart HTTP and runs its jobs
// on the Docker engine, with an API token. Screenshots of each page go to a
// scratch folder, or to docs/screenshots when DECKHAND_SCREENSHOTS is set
// (`npm run screenshots`).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { GitServer, TestRepository } from '../support/git-server.js';
import { startGitServer } from '../support/git-server.js';
import { api, bundleOf, deploymentEnd, startAgentProcess, webJob } from '../support/agent-process.js';
import type { AgentProcess } from '../support/agent-process.js';
import { deployedFrom } from '../e2e/gitops-support.js';
import { freePort, killEdges } from '../edge/support.js';
import { ensureDemoImages, newRunId, removeRunContainers } from '../runtime/support.js';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const token = 'ui-test-token-3f9a';
const screenshots = process.env.DECKHAND_SCREENSHOTS ? join(process.cwd(), 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'deckhand-screenshots-'));

/** The Git-owned job: a static port (so it has an endpoint), a secret in its environment, and canaries on demand. */
const webText = (image: string, port: number, canary: number) => `job "web" {
  group "web" {
    count = 2
    update {
      max_parallel      = 1
      canary            = ${canary}
      auto_promote      = false
      min_healthy_time  = "1s"
      healthy_deadline  = "15s"
      progress_deadline = "30s"
      auto_revert       = false
    }
    network {
      port "http" {
        static = ${port}
        to     = 8080
      }
    }
    service {
      name = "web"
      port = "http"
      check {
        type     = "http"
        path     = "/"
        interval = "1s"
        timeout  = "1s"
      }
    }
    task "server" {
      driver = "docker"
      kill_timeout = "2s"
      config {
        image = "${image}"
        ports = ["http"]
      }
      env {
        PORT        = "8080"
        GREETING    = "hello"
        DB_PASSWORD = "hunter2-never-shown"
      }
    }
  }
}
`;
/** A file that does not parse: its error must show with file:line:col. */
const brokenText = 'job "broken" {\n  group "g" {\n    count = \n  }\n}\n';

let server: GitServer;
let repo: TestRepository;
let agent: AgentProcess;
let browser: Browser;
let runId: string;
let port: number;
let firstCommit: string;
const contexts: BrowserContext[] = [];

async function signedInPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${agent.url}/ui/login`);
  await page.fill('input[name=token]', token);
  await Promise.all([page.waitForURL(`${agent.url}/ui`), page.click('button:has-text("Sign in")')]);
  return page;
}

async function shoot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  expect(png.subarray(1, 4).toString()).toBe('PNG');
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  await ensureDemoImages();
  server = await startGitServer();
  runId = newRunId();
  port = await freePort();
  repo = await server.createRepository(`ui-${runId}`);
  agent = await startAgentProcess({ runId, apiToken: token, extraArgs: ['--repo', repo.url, '--interval', '1s'] });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  firstCommit = await repo.commitAndPush({ 'jobs/web.nomad': webText('deckhand-demo:v1', port, 1), 'jobs/broken.nomad': brokenText }, 'web v1, and a broken file');
  expect((await deployedFrom(agent.url, 'web', firstCommit, 60_000, token)).deployment.status).toBe('successful');
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await agent?.stop();
  if (agent) await killEdges([join(agent.dataDir, 'edge')]);
  await removeRunContainers(runId);
  await server?.close();
});

describe('the dashboard at /ui', () => {
  it('asks for the token: pages send to a sign-in form, a wrong token is refused, buttons need the sign-in and the form token', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${agent.url}/ui/job/web`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
    await page.fill('input[name=token]', 'not-the-token');
    await page.click('button:has-text("Sign in")');
    await expect(page.locator('p.error').textContent()).resolves.toContain('not this agent’s API token');
    await shoot(page, 'sign-in');

    // Without the cookie a button is refused, and the API refuses a read.
    const anonymous = await context.request.post(`${agent.url}/ui/job/web/promote`, { form: { form_token: 'x' }, maxRedirects: 0 });
    expect(anonymous.status()).toBe(401);
    expect((await context.request.get(`${agent.url}/v1/jobs`)).status()).toBe(401);

    // Signed in: the cookie is HttpOnly and Strict, reads pass, but a write needs the form token, and the API takes no write on the cookie alone.
    await page.fill('input[name=token]', token);
    await Promise.all([page.waitForURL(`${agent.url}/ui/job/web`), page.click('button:has-text("Sign in")')]);
    const cookie = (await context.cookies()).find((c) => c.name === 'deckhand_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect((await context.request.get(`${agent.url}/v1/jobs`)).status()).toBe(200);
    const forged = await context.request.post(`${agent.url}/ui/job/web/promote`, { form: { form_token: 'guessed' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('form token');
    const direct = await context.request.post(`${agent.url}/v1/job/web/promote`, { maxRedirects: 0 });
    expect(direct.status()).toBe(401);

    // Signing out ends it.
    await Promise.all([page.waitForURL(/\/ui\/login/), page.click('button:has-text("Sign out")')]);
    await page.goto(`${agent.url}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
  });

  it('lists the jobs with their status, the last synced commit and the render error at file:line:col', async () => {
    const page = await signedInPage();
    await expect(page.locator('tr[data-job="web"] .status').textContent()).resolves.toBe('running');
    await expect(page.locator('tr[data-job="web"]').textContent()).resolves.toContain('successful');
    await expect(page.locator('tr[data-job="web"] .sync-state').getAttribute('data-sync')).resolves.toBe('synced');
    await expect(page.locator(`code[data-sha="${firstCommit}"]`).count()).resolves.toBe(1);
    const where = await page.locator('.problems code.where').allTextContents();
    expect(where).toEqual([expect.stringMatching(/^jobs\/broken\.nomad:3:\d+$/)]);
    await shoot(page, 'jobs');
  });

  it('shows a job: groups, allocations with version, health, ports and endpoint, the deployment timeline; secret values masked as the API masks them', async () => {
    const page = await signedInPage();
    await page.click('a:has-text("web")');
    await page.waitForSelector('svg.timeline[data-status="successful"]');
    await expect(page.locator('.job-sync .sync-state').textContent()).resolves.toBe('synced');
    const rows = page.locator('table.allocs tbody tr:not(.stopped)');
    await expect(rows.count()).resolves.toBe(2);
    const row = (await rows.first().locator('td').allTextContents()).join(' | ');
    expect(row).toMatch(/web\[\d\] \| 0 \| running \| healthy \| http=\d+ \| 127\.0\.0\.1:\d+ \| deckhand-demo:v1/);
    expect(row).toContain(`127.0.0.1:${port}`);
    // A new job's allocations are placed in one go: one batch of two.
    await expect(page.locator('svg.timeline g.alloc.healthy').count()).resolves.toBe(2);
    await expect(page.locator('svg.timeline').getAttribute('data-batches')).resolves.toBe('1');
    const text = await page.content();
    expect(text).not.toContain('hunter2-never-shown');
    await expect(page.locator('table.env').textContent()).resolves.toMatch(/DB_PASSWORD\s*\(sensitive\)/);
    await expect(page.locator('table.env').textContent()).resolves.toContain('hello');
    await expect(page.locator('section.origin').textContent()).resolves.toContain(`git commit ${firstCommit} · web v1, and a broken file`);
    await shoot(page, 'job');
  });

  it('reads without JavaScript, and the pages break none of their own Content-Security-Policy', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${agent.url}/ui/login?next=${encodeURIComponent('/ui/job/web/versions')}`);
    await page.fill('input[name=token]', token);
    await Promise.all([page.waitForURL(`${agent.url}/ui/job/web/versions`), page.click('button:has-text("Sign in")')]);
    await expect(page.locator('article.version').count()).resolves.toBeGreaterThanOrEqual(1);
    await page.goto(`${agent.url}/ui/job/web`);
    await expect(page.locator('svg.timeline g.alloc').count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(page.locator('table.allocs tbody tr').count()).resolves.toBeGreaterThanOrEqual(2);

    // With JavaScript: the stylesheet and script load, and nothing is refused or thrown.
    const scripted = await signedInPage();
    const problems: string[] = [];
    scripted.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    scripted.on('pageerror', (error) => problems.push(error.message));
    await scripted.goto(`${agent.url}/ui/job/web`);
    await scripted.waitForSelector('#live[data-stream="open"]');
    expect(await scripted.evaluate(() => getComputedStyle(document.querySelector('header')!).display)).toBe('flex');
    expect(problems).toEqual([]);
  });

  it('follows a rollout live (no reload) and promotes the canary with the button', async () => {
    const page = await signedInPage();
    await page.goto(`${agent.url}/ui/job/web`);
    await page.waitForSelector('#live[data-stream="open"]');
    const before = await page.locator('svg.timeline').getAttribute('data-deployment');
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const commit = await repo.commitAndPush({ 'jobs/web.nomad': webText('deckhand-demo:v2', port, 1) }, 'web v2 with a canary');
    // The new deployment appears, its canary turns healthy and the button shows, all drawn by the event stream.
    await page.waitForSelector(`svg.timeline:not([data-deployment="${before}"])`);
    await page.waitForSelector('form.promote button');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect(page.locator('svg.timeline g.alloc.healthy').count()).resolves.toBe(1);
    await expect(page.locator('svg.timeline g.alloc').first().textContent()).resolves.toContain('canary');
    await expect(page.locator('section.deployment').textContent()).resolves.toContain('requires manual promotion');
    await shoot(page, 'job-canary');

    await page.click('form.promote button');
    await expect(page.locator('p.notice').textContent()).resolves.toContain('Promoted');
    expect(page.url()).toBe(`${agent.url}/ui/job/web`);
    await page.waitForSelector('#live[data-stream="open"]');
    await page.waitForSelector('svg.timeline[data-status="successful"]');
    await expect(page.locator('svg.timeline g.alloc').count()).resolves.toBe(2);
    await expect(page.locator('svg.timeline').getAttribute('data-batches')).resolves.toBe('2');
    const deployed = await deployedFrom(agent.url, 'web', commit, 60_000, token);
    expect(deployed.deployment.status).toBe('successful');
    expect(deployed.deployment.groups[0]).toMatchObject({ promoted: true, canaries: 1 });
    await shoot(page, 'job-promoted');
  });

  it('shows versions with their diffs and reverts with the button', async () => {
    // A job submitted through the API, so that a revert is not Git's business.
    const submit = async (image: string) => {
      const answer = await api<{ jobs: Array<{ deploymentId: string }> }>(agent.url, 'POST', '/v1/jobs', bundleOf(webJob({ id: 'api', count: 1, image, minHealthy: '500ms' }), 'api.nomad'), token);
      expect(answer.status).toBe(200);
      expect((await deploymentEnd(agent.url, answer.body.jobs[0]!.deploymentId, 60_000, token)).status).toBe('successful');
    };
    await submit('deckhand-demo:v1');
    await submit('deckhand-demo:v2');

    const page = await signedInPage();
    await page.goto(`${agent.url}/ui/job/api/versions`);
    const newest = page.locator('article.version').first();
    await expect(newest.locator('h2').textContent()).resolves.toBe('Version 1 (current) stable');
    await expect(newest.locator('pre.diff .edit').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringMatching(/\+\/- image: "deckhand-demo:v1" => "deckhand-demo:v2"/)]));
    await shoot(page, 'versions');

    await page.click('button:has-text("Revert to version 0")');
    await expect(page.locator('p.notice').textContent()).resolves.toContain('Reverted to version 0 (as version 2)');
    expect(page.url()).toBe(`${agent.url}/ui/job/api`);
    // Shown once: the page read again says nothing.
    await page.reload();
    await expect(page.locator('p.notice').count()).resolves.toBe(0);
    await page.waitForSelector('svg.timeline[data-status="successful"]');
    await expect(page.locator('table.allocs tbody tr:not(.stopped) td:last-child').count()).resolves.toBe(1);
    await expect(page.locator('table.allocs tbody tr:not(.stopped)').textContent()).resolves.toContain('deckhand-demo:v1');
  });
});
