// The hand-back page for vendors whose login is a form sent to the NAS (MikroTik, Ruckus,
// Cisco, Aruba, Meraki, pfSense, OPNsense). Where scripts run, the form submits itself, so
// the guest does not tap twice; the button stays for mini-browsers with JavaScript off.
// The script is the only one a guest page carries: a constant, allowed by the CSP through
// its hash (no 'unsafe-inline', no inline event handlers, nothing loaded).
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import type { Locale } from '../venues/settings.ts';
import type { HandBack } from '../access-points/handoff.ts';
import { renderPage } from './pages.ts';

// The page's only form, submitted through the prototype: a vendor field named "submit"
// would shadow form.submit.
export const AUTO_SUBMIT_SCRIPT = 'HTMLFormElement.prototype.submit.call(document.querySelector("main form"));';
export const AUTO_SUBMIT_SOURCE = `'sha256-${createHash('sha256').update(AUTO_SUBMIT_SCRIPT).digest('base64')}'`;

export function renderHandBackForm(
  app: AppContext,
  kctx: Context,
  venue: Venue,
  locale: Locale,
  back: Extract<HandBack, { kind: 'form' }>,
  onlineHref: string,
): void {
  // security-headers.ts: the form may go to the NAS's origin, and this one script may run.
  kctx.state.formAction = [new URL(back.action).origin];
  kctx.state.scriptSrc = [AUTO_SUBMIT_SOURCE];
  renderPage(app, kctx, 'handback', locale, venue, {
    method: back.method.toLowerCase(),
    action: back.action,
    fields: back.fields,
    onlineHref,
    autoSubmit: AUTO_SUBMIT_SCRIPT,
  });
}
