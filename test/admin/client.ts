// A small browser stand-in for admin tests: keeps cookies, reads the CSRF token from
// the last page, follows nothing automatically (tests assert redirects themselves).
export class AdminClient {
  cookies = new Map<string, string>();
  lastHtml = '';
  /** The CSRF token of the last page that had one. */
  token = '';

  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  private store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/Max-Age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response & { html: string }> {
    const res = await fetch(this.base + path, {
      redirect: 'manual',
      headers: { accept: 'text/html', ...this.headers, ...headers, cookie: this.cookieHeader() },
    });
    this.store(res);
    const html = await res.text();
    this.seen(res, html);
    return Object.assign(res, { html });
  }

  private seen(res: Response, html: string): void {
    if (!(res.headers.get('content-type') ?? '').includes('html')) return;
    this.lastHtml = html;
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (m) this.token = m[1];
  }

  csrf(): string {
    if (!this.token) throw new Error('no CSRF token seen yet');
    return this.token;
  }

  async post(
    path: string,
    form: Record<string, string | string[]>,
    o: { csrf?: string | false; headers?: Record<string, string> } = {},
  ): Promise<Response & { html: string }> {
    const body = new URLSearchParams();
    const token = o.csrf === undefined ? this.csrf() : o.csrf;
    if (token !== false) body.append('_csrf', token);
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await fetch(this.base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        ...this.headers,
        ...o.headers,
        cookie: this.cookieHeader(),
      },
      body,
    });
    this.store(res);
    const html = await res.text();
    this.seen(res, html);
    return Object.assign(res, { html });
  }

  async login(email: string, password: string): Promise<Response & { html: string }> {
    await this.get('/admin/login');
    return this.post('/admin/login', { email, password });
  }
}
