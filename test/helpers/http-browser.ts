/** A minimal browser over fetch for end-to-end tests: a cookie jar with path matching, manual redirects. */
export interface Step { status: number; url: string; location?: string; body: string; headers: Headers }

interface Cookie { name: string; value: string; path: string }

export interface BrowserOptions {
  userAgent?: string;
  /** Sent with every request (a test standing in for a reverse proxy sets X-Forwarded-*). */
  headers?: Record<string, string>;
  /** Where a public URL is really served (the proxy's job): maps it to the broker's loopback address. */
  route?: (url: URL) => URL;
}

export class HttpBrowser {
  readonly #cookies = new Map<string, Cookie>();
  readonly #options: BrowserOptions;
  /** Every Set-Cookie line received, in order, with its attributes (for tests of how a cookie is set). */
  readonly setCookies: string[] = [];
  readonly userAgent: string;
  constructor(options: BrowserOptions = {}) {
    this.#options = options;
    this.userAgent = options.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';
  }

  cookie(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name)?.value;
  }

  /** The Cookie header this browser sends to `url` (for a request made by hand, e.g. over a raw socket). */
  cookieHeader(url: URL): string {
    return [...this.#cookies.values()].filter((c) => url.pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`).join('; ');
  }

  #store(url: URL, headers: Headers) {
    for (const line of headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()) || attributes.some((a) => /^max-age=0$/i.test(a));
      const key = `${name};${path}`;
      if (expired || value === '') this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
    void url;
  }

  async request(method: string, href: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Step> {
    const url = new URL(href);
    const response = await fetch(this.#options.route?.(url) ?? url, {
      method,
      redirect: 'manual',
      headers: {
        ...this.#options.headers,
        'user-agent': this.userAgent,
        cookie: this.cookieHeader(url),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    this.#store(url, response.headers);
    const location = response.headers.get('location');
    return { status: response.status, url: url.href, location: location ? new URL(location, url).href : undefined, body: await response.text(), headers: response.headers };
  }

  get(href: string, headers?: Record<string, string>) { return this.request('GET', href, undefined, headers); }

  /** A GET whose body the caller reads as it arrives (a stream); cookies are sent and stored as for any request. */
  async open(href: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    const url = new URL(href);
    const response = await fetch(this.#options.route?.(url) ?? url, {
      redirect: 'manual',
      signal,
      headers: { ...this.#options.headers, 'user-agent': this.userAgent, cookie: this.cookieHeader(url), ...headers },
    });
    this.#store(url, response.headers);
    return response;
  }
  post(href: string, form: Record<string, string>) { return this.request('POST', href, form); }

  /** Follows redirects (at most `max`) until a response is not a redirect or `stop` says the next URL is not ours to fetch. */
  async follow(step: Step, stop: (url: string) => boolean = () => false, max = 10): Promise<Step> {
    let current = step;
    for (let i = 0; i < max && current.location && current.status >= 300 && current.status < 400; i++) {
      if (stop(current.location)) return current;
      current = await this.get(current.location);
    }
    return current;
  }
}

/** The value of a hidden form field in an HTML page. */
export function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no field ${name} in page`);
  return match[1]!.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
}
