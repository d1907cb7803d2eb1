// What publishing a draft changes for guests who already agreed: consent given under the
// old wording of a purpose stands for that wording only (consent/reconsent.ts), so each
// remembered device whose person agreed to a changed text is sent back to the portal.
// The operator is told before publishing, not after the complaints.
import type { Queryable } from '../store/db.ts';
import type { ConsentPages } from '../consent/consent-page.ts';
import { rememberedDevicesAgreeing } from '../access/grants.ts';
import type { Venue } from './venues.ts';

const PURPOSES = ['terms', 'sms', 'email'] as const;

export interface PublishImpact {
  changed: { purpose: (typeof PURPOSES)[number]; locale: string }[];
  /** Languages whose consent wording changes, in the venue's order. */
  locales: string[];
  /** Whether the venue's name is among what changed (it is part of every consent text). */
  renamed: boolean;
  /**
   * The rename is all that changes the consent wording: the owner or operator may say the
   * same controller is behind the new name and keep remembered guests' consent (publishDraft's
   * keepConsent). Never true when the wording itself changes too.
   */
  nameOnly: boolean;
  rememberedDevices: number;
}

export async function publishImpact(
  db: Queryable,
  pages: ConsentPages,
  current: Venue,
  next: Venue,
  now: number,
): Promise<PublishImpact> {
  const changed: PublishImpact['changed'] = [];
  let nameOnly = current.name !== next.name;
  for (const locale of next.settings.locales) {
    const before = pages.buildContent(current, locale);
    const after = pages.buildContent(next, locale);
    const afterWithOldName = pages.buildContent({ ...next, name: current.name }, locale);
    for (const purpose of PURPOSES) {
      const was = pages.consentTextHash(before, purpose);
      if (was === pages.consentTextHash(after, purpose)) continue;
      changed.push({ purpose, locale });
      if (was !== pages.consentTextHash(afterWithOldName, purpose)) nameOnly = false;
    }
  }
  return {
    changed,
    locales: [...new Set(changed.map((c) => c.locale))],
    renamed: current.name !== next.name,
    nameOnly: nameOnly && changed.length > 0,
    rememberedDevices: await rememberedDevicesAgreeing(db, current.id, changed, now),
  };
}
