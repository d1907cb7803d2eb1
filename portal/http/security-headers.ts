// Strict headers on every response. Pages carry no script (except the hand-back form's
// one, allowed by its hash) and load nothing from elsewhere (a guest is not online yet),
// so the policy can be this tight.
import type { Context, Middleware } from 'koa';

/** The policy for a page that asked for nothing more (every page but a few): written once. */
const DEFAULT_CSP = csp({});
const FIXED: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

function csp(state: Context['state']): string {
  // A hand-back form posts to the NAS: the route sets ctx.state.formAction to allow it.
  const formAction = ["'self'", ...((state.formAction as string[] | undefined) ?? [])].join(' ');
  // Only the admin's draft preview may be framed, and only by Foyer's own pages (the
  // branding form shows it beside the fields); every other page refuses any frame.
  const framedBySelf = state.frameAncestors === 'self';
  const framesSelf = state.frameSrc === 'self';
  // The hand-back page's one script, by its hash (portal/guest/handback-page.ts); no other page runs any.
  const scriptSrc = (state.scriptSrc as string[] | undefined) ?? [];
  return `default-src 'none'; style-src 'self'; img-src 'self' data:; ${scriptSrc.length ? `script-src ${scriptSrc.join(' ')}; ` : ''}form-action ${formAction}; frame-ancestors ${framedBySelf ? "'self'" : "'none'"}; ${framesSelf ? "frame-src 'self'; " : ''}base-uri 'none'`;
}

export function securityHeaders(opts: { https: boolean }): Middleware {
  return async (ctx, next) => {
    await next();
    // As ctx.set would (nothing once the headers are out), straight onto the response.
    if (ctx.headerSent) return;
    const { state, res } = ctx;
    const plain = !state.formAction && !state.frameAncestors && !state.frameSrc && !state.scriptSrc;
    res.setHeader('Content-Security-Policy', plain ? DEFAULT_CSP : csp(state));
    res.setHeader('X-Frame-Options', state.frameAncestors === 'self' ? 'SAMEORIGIN' : 'DENY');
    for (const [name, value] of FIXED) res.setHeader(name, value);
    if (opts.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    if (!res.getHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store');
  };
}
