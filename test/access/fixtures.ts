// Building blocks for the access tests: a venue with a NAS, a signed-up guest with a
// grant, and Access-Requests / Accounting-Requests as radius/ would hand them over.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../portal/context.ts';
import { createVenue, type Venue } from '../../portal/venues/venues.ts';
import { addNas, type NasRecord } from '../../portal/access/nas-clients.ts';
import { createGrant, type Grant } from '../../portal/access/grants.ts';
import { upsertSubject } from '../../portal/consent/subjects.ts';
import { defaultSettings, type VenueSettings } from '../../portal/venues/settings.ts';
import type { AccessRequest, AccountingRecord, AccountingStatus, NasClient } from '../../radius/types.ts';

export async function venueWithNas(
  ctx: AppContext,
  slug: string,
  session: Partial<VenueSettings['session']> = {},
  address = '127.0.0.1',
) {
  const settings = defaultSettings();
  settings.session = { ...settings.session, ...session };
  const venue = await createVenue(ctx.db, { slug, name: slug, country: 'BG', settings });
  const nas = await addNas(ctx.db, ctx.cipher, {
    name: `${slug}-ap`,
    address,
    secret: 'testing123-secret',
    vendor: 'coovachilli',
    venueId: venue.id,
  });
  return { venue, nas };
}

let n = 0;
export async function guestGrant(
  ctx: AppContext,
  venue: Venue,
  o: { mac?: string; session?: Partial<VenueSettings['session']>; now?: number } = {},
): Promise<Grant> {
  const now = o.now ?? Date.now();
  return ctx.db.tx(async (tx) => {
    const subjectId = await upsertSubject(tx, ctx, venue.id, { e164: `+35988${String(++n).padStart(7, '0')}` }, now);
    return createGrant(
      tx,
      ctx.cipher,
      { venueId: venue.id, subjectId, clientMac: o.mac ?? null, session: { ...venue.settings.session, ...o.session } },
      now,
    );
  });
}

const same = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** PAP: the NAS sent `sent` as User-Password. */
export function papRequest(
  nas: NasClient,
  userName: string,
  sent: string,
  extra: Partial<AccessRequest> = {},
): AccessRequest {
  return {
    nas,
    userName,
    method: 'pap',
    checkPassword: (c) => same(Buffer.from(c), Buffer.from(sent)),
    attributes: {},
    ...extra,
  };
}

/** CHAP (RFC 1994): response = MD5(id || password || challenge), computed here as a NAS would. */
export function chapRequest(
  nas: NasClient,
  userName: string,
  password: string,
  extra: Partial<AccessRequest> = {},
): AccessRequest {
  const id = Buffer.from([7]);
  const challenge = randomBytes(16);
  const md5 = (p: string) =>
    createHash('md5')
      .update(Buffer.concat([id, Buffer.from(p), challenge]))
      .digest();
  const response = md5(password);
  return { nas, userName, method: 'chap', checkPassword: (c) => same(md5(c), response), attributes: {}, ...extra };
}

export function acct(nas: NasClient, status: AccountingStatus, o: Partial<AccountingRecord> = {}): AccountingRecord {
  return { nas, status, eventTime: new Date(), attributes: {}, ...o };
}

export type { NasRecord };
