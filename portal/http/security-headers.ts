// Strict headers on every response. Pages carry no script (except the hand-back form's
// one, allowed by its hash) and load nothing from elsewhere (a guest is not online yet),
// so the policy can be this tight.
import type { Middleware } from 'koa';

export function securityHeaders(opts: { https: boolean }): Middleware {
  return async (ctx, next) => {
    await next();
    // A hand-back form posts to the NAS: the route sets ctx.state.formAction to allow it.
    const formAction = ["'self'", ...((ctx.state.formAction as string[] | undefined) ?? [])].join(' ');
    // Only the admin's draft preview may be framed, and only by Foyer's own pages (the
    // branding form shows it beside the fields); every other page refuses any frame.
    const framedBySelf = ctx.state.frameAncestors === 'self';
    const framesSelf = ctx.state.frameSrc === 'self';
    // The hand-back page's one script, by its hash (portal/guest/handback-page.ts); no other page runs any.
    const scriptSrc = (ctx.state.scriptSrc as string[] | undefined) ?? [];
    ctx.set({
      'Content-Security-Policy': `default-src 'none'; style-src 'self'; img-src 'self' data:; ${scriptSrc.length ? `script-src ${scriptSrc.join(' ')}; ` : ''}form-action ${formAction}; frame-ancestors ${framedBySelf ? "'self'" : "'none'"}; ${framesSelf ? "frame-src 'self'; " : ''}base-uri 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': framedBySelf ? 'SAMEORIGIN' : 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    if (opts.https) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'no-store');
  };
}
