// The SMS that confirms a sign-up's SMS offers subscription: sent only when the code that
// was returned was sent for a submission that ticked the box (the number and choice of
// that code, never the flow's latest form), after the commit and never inside it, and the
// guest does not wait for it. A page that did not offer SMS could not submit the box
// (start-form.ts refuses it).
import type { AppContext } from '../context.ts';
import type { Venue } from '../venues/venues.ts';
import { maskNumber } from '../log.ts';
import type { Submission } from './submission.ts';

export function confirmSmsOptIn(
  app: Pick<AppContext, 'sms' | 'log'>,
  venue: Venue,
  s: Submission,
  text: () => string,
): void {
  if (!s.choices.sms) return;
  app.sms
    .send({ to: s.e164, text: text(), purpose: 'confirmation', venueId: venue.id })
    .catch((err: Error) =>
      app.log.warn({ to: maskNumber(s.e164), err: err.message }, 'confirmation SMS could not be sent'),
    );
}
