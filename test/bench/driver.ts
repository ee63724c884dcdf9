/**
 * The load driver: virtual browsers (test/helpers/http-browser.ts, one cookie jar each) doing complete logins the way
 * a person's browser and an app's backend would, timed per step. Brygga's flow is the BankID page (choose, start,
 * the page script following the order over its event stream until it completes); the bare provider's interaction logs in at once.
 * Both end with the code, the token exchange and userinfo.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { field, HttpBrowser, type Step } from '../helpers/http-browser.ts';
import { WebSocketStream } from '../helpers/websocket-stream.ts';

export interface Target {
  name: string;
  flow: 'brygga' | 'bare';
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  endpoints: { authorization: string; token: string; userinfo: string };
}

/** As views/assets/login.js: a QR page polls every second, at most 1200 times. */
export const POLL_INTERVAL_MS = 1000;
export const MAX_POLLS = 1200;

export async function discover(target: Omit<Target, 'endpoints'>): Promise<Target> {
  const response = await fetch(`${target.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
  const meta = await response.json() as Record<string, string>;
  return { ...target, endpoints: { authorization: meta.authorization_endpoint!, token: meta.token_endpoint!, userinfo: meta.userinfo_endpoint! } };
}

export class StepError extends Error {
  readonly step: string;
  constructor(step: string, detail: string) {
    super(`${step}: ${detail}`);
    this.step = step;
  }
}

/** Latencies per step and errors per step, kept only while `recording` (the measured window). */
export class Recorder {
  recording = false;
  logins = 0;
  readonly latencies = new Map<string, number[]>();
  readonly errors = new Map<string, number>();
  /** A few error messages, to say what went wrong. */
  readonly samples: string[] = [];
  /** Requests sent again after their connection was reset before an answer. */
  resent = 0;

  record(step: string, ms: number): void {
    if (!this.recording) return;
    let list = this.latencies.get(step);
    if (!list) this.latencies.set(step, list = []);
    list.push(ms);
  }

  error(err: unknown): void {
    if (!this.recording) return;
    const step = err instanceof StepError ? err.step : 'network';
    this.errors.set(step, (this.errors.get(step) ?? 0) + 1);
    const cause = (err as Error).cause as (Error & { code?: string }) | undefined;
    if (this.samples.length < 5) this.samples.push(`${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`.slice(0, 300));
  }

  errorCount(): number {
    return [...this.errors.values()].reduce((a, b) => a + b, 0);
  }

  /**
   * Runs one request, timed as `step`; `ok` says whether the answer is the expected one. A request whose connection
   * was reset before any answer is sent once more, as browsers do for a kept-alive connection the server closed while
   * idle (counted in `resent`); a second failure is the step's error.
   */
  async step(step: string, run: () => Promise<Step>, ok: (s: Step) => boolean): Promise<Step> {
    const started = performance.now();
    const result = await run().catch((err: unknown) => {
      if (!RESET.has(causeCode(err) ?? '')) throw err;
      if (this.recording) this.resent++;
      return run();
    }).catch((err: unknown) => {
      throw err instanceof StepError ? err : new StepError(step, `${(err as Error).message}${causeCode(err) ? ` (${causeCode(err)})` : ''}`);
    });
    this.record(step, performance.now() - started);
    if (!ok(result)) throw new StepError(step, `${result.status} ${result.location ?? text(result.body)}`);
    return result;
  }
}

/** Errors of a connection the server closed under a request (fetch reports them as its cause). */
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const causeCode = (err: unknown) => ((err as Error).cause as { code?: string } | undefined)?.code;

/** The words of a response (an error page's title and message), short enough for a sample. */
const text = (body: string) => body.replace(/<(style|script)[^]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);

const redirect = (s: Step) => s.status === 303 || s.status === 302;

interface Authorized { verifier: string; location: string }

/** The app sends the browser to the authorization endpoint with PKCE; the provider answers with its login page. */
async function authorize(b: HttpBrowser, t: Target, rec: Recorder): Promise<Authorized> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(t.endpoints.authorization);
  url.search = new URLSearchParams({
    client_id: t.clientId,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: t.redirectUri,
    state: randomBytes(12).toString('base64url'),
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const step = await rec.step('authorize', () => b.get(url.href), redirect);
  return { verifier, location: step.location! };
}

/** An open BankID QR page: where its script polls, and the page itself (a redirect when the order already completed). */
export interface QrPage { uid: string; statusUrl?: string; eventsUrl?: string; page: Step; verifier: string }

/** Authorization request, the BankID page, "other device" (QR), and the order page it leads to. */
export async function openQrPage(b: HttpBrowser, t: Target, rec: Recorder): Promise<QrPage> {
  const { verifier, location } = await authorize(b, t, rec);
  const choose = await rec.step('page', () => b.get(location), (s) => s.status === 200);
  const uid = /\/interaction\/([\w-]+)/.exec(location)?.[1];
  if (!uid) throw new StepError('authorize', `not a login page: ${location}`);
  const started = await rec.step('start', () => b.post(`${t.issuer}/interaction/${uid}/start`, { csrf: field(choose.body, 'csrf'), method: 'qr' }), redirect);
  const page = await rec.step('order page', () => b.get(started.location!), (s) => s.status === 200 || redirect(s));
  const url = (name: string) => {
    const value = new RegExp(`data-${name}-url="([^"]+)"`).exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    return value && new URL(value, t.issuer).href;
  };
  return { uid, page, verifier, statusUrl: url('status'), eventsUrl: url('events') };
}

export interface OrderStatus { state: string; hintCode?: string; qr?: string }

/** One poll of the page script. */
export async function pollStatus(b: HttpBrowser, statusUrl: string, rec: Recorder): Promise<OrderStatus> {
  const step = await rec.step('status', () => b.get(statusUrl, { accept: 'application/json' }), (s) => s.status === 200);
  return JSON.parse(step.body) as OrderStatus;
}

/**
 * What the page script does while the person is in the app: follow the order over its WebSocket until a final state
 * (timed as `stream`, from opening it), or poll `/status` every second when the broker has no room for one.
 */
async function orderOutcome(b: HttpBrowser, qr: QrPage, rec: Recorder, deadline: number): Promise<OrderStatus> {
  if (!qr.statusUrl || !qr.eventsUrl) throw new StepError('order page', 'no status or events URL on the page');
  const opened = performance.now();
  const stream = WebSocketStream.open(b, qr.eventsUrl);
  try {
    if (await stream.opened.then(() => true, () => false)) {
      let status: OrderStatus = { state: 'pending' };
      while (status.state === 'pending') {
        try {
          status = (await stream.message('the order\'s state', Math.max(1, deadline - Date.now()))).data as unknown as OrderStatus;
        } catch (err) {
          throw new StepError('stream', (err as Error).message);
        }
      }
      rec.record('stream', performance.now() - opened);
      return status;
    }
  } finally {
    stream.close();
  }
  let status: OrderStatus = { state: 'pending' };
  for (let polls = 0; status.state === 'pending' && polls < MAX_POLLS && Date.now() < deadline; polls++) {
    if (polls > 0) await sleep(POLL_INTERVAL_MS);
    status = await pollStatus(b, qr.statusUrl, rec);
  }
  return status;
}

async function bryggaInteraction(b: HttpBrowser, t: Target, rec: Recorder, deadline: number): Promise<{ back: Step; verifier: string }> {
  const qr = await openQrPage(b, t, rec);
  let page = qr.page;
  if (!redirect(page)) {
    const status = await orderOutcome(b, qr, rec, deadline);
    if (status.state !== 'complete') throw new StepError('status', `order ${status.state} ${status.hintCode ?? ''}`);
    // The script reloads the page; a completed order finishes the interaction.
    page = await rec.step('finish', () => b.get(`${t.issuer}/interaction/${qr.uid}`), redirect);
  }
  const back = await rec.step('resume', () => b.get(page.location!), (s) => redirect(s) && Boolean(s.location?.startsWith(t.redirectUri)));
  return { back, verifier: qr.verifier };
}

async function bareInteraction(b: HttpBrowser, t: Target, rec: Recorder): Promise<{ back: Step; verifier: string }> {
  const { verifier, location } = await authorize(b, t, rec);
  const done = await rec.step('interaction', () => b.get(location), redirect);
  const back = await rec.step('resume', () => b.get(done.location!), (s) => redirect(s) && Boolean(s.location?.startsWith(t.redirectUri)));
  return { back, verifier };
}

/** The app's backend: code for tokens (client_secret_basic, PKCE verifier), then userinfo with the access token. */
async function exchange(t: Target, rec: Recorder, back: Step, verifier: string): Promise<void> {
  const code = new URL(back.location!).searchParams.get('code');
  if (!code) throw new StepError('resume', `no code in ${back.location}`);
  const basic = Buffer.from(`${encodeURIComponent(t.clientId)}:${encodeURIComponent(t.clientSecret)}`).toString('base64');
  const token = await rec.step('token', async () => {
    const response = await fetch(t.endpoints.token, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: t.redirectUri, code_verifier: verifier }).toString(),
    });
    return { status: response.status, url: t.endpoints.token, body: await response.text(), headers: response.headers };
  }, (s) => s.status === 200);
  const { access_token: accessToken, id_token: idToken } = JSON.parse(token.body) as { access_token?: string; id_token?: string };
  if (!accessToken || !idToken) throw new StepError('token', 'no access_token or id_token');
  await rec.step('userinfo', async () => {
    const response = await fetch(t.endpoints.userinfo, { headers: { authorization: `Bearer ${accessToken}` } });
    return { status: response.status, url: t.endpoints.userinfo, body: await response.text(), headers: response.headers };
  }, (s) => s.status === 200);
}

/** One complete login by a new browser; rejects with a StepError naming the step that failed. */
export async function login(t: Target, rec: Recorder, deadline: number): Promise<void> {
  const started = performance.now();
  const b = new HttpBrowser();
  const { back, verifier } = t.flow === 'brygga' ? await bryggaInteraction(b, t, rec, deadline) : await bareInteraction(b, t, rec);
  await exchange(t, rec, back, verifier);
  rec.record('login', performance.now() - started);
  if (rec.recording) rec.logins++;
}

export interface LoadOptions {
  concurrency: number;
  /** Logins started per second at most, over all browsers; 0: each browser starts the next login at once. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** Called when the measured window opens and closes (CPU samples). */
  onWindowStart(): Promise<void>;
  onWindowEnd(): Promise<void>;
}

/** How long a phase waits for logins still running after its window before it moves on without them. */
const DRAIN_MS = 15_000;

/**
 * `concurrency` browsers log in one after the other until the window closes. Only logins that complete inside the
 * window count; latencies and errors are recorded inside it.
 */
export async function runLoad(t: Target, options: LoadOptions): Promise<Recorder> {
  const rec = new Recorder();
  const end = Date.now() + options.warmupMs + options.durationMs;
  const deadline = end + DRAIN_MS;
  const gap = options.rate > 0 ? 1000 / options.rate : 0;
  let nextStart = performance.now();
  const worker = async () => {
    while (Date.now() < end) {
      if (gap) {
        const at = Math.max(nextStart, performance.now());
        nextStart = at + gap;
        await sleep(Math.max(0, at - performance.now()));
        if (Date.now() >= end) break;
      }
      try {
        await login(t, rec, deadline);
      } catch (err) {
        rec.error(err);
        await sleep(100); // a refusing server must not turn the loop into a spin
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  await sleep(options.warmupMs);
  await options.onWindowStart();
  rec.recording = true;
  await sleep(options.durationMs);
  rec.recording = false;
  await options.onWindowEnd();
  await Promise.race([Promise.all(workers), sleep(DRAIN_MS)]);
  return rec;
}
