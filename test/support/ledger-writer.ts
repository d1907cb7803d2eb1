// A separate process appending to the ledger: node --import tsx ledger-writer.ts URL VENUE_ID COUNT TAG
import { openDb } from '../../portal/store/open.ts';
import { appendEvents } from '../../portal/consent/append.ts';
import { upsertSubject, numberHash } from '../../portal/consent/subjects.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';

const [url, venueId, count, tag] = process.argv.slice(2);
const keys = deriveKeys('test-secret-key-0123456789abcdef0123456789');
const cipher = fieldCipher(keys);
const db = await openDb(url);
for (let i = 0; i < Number(count); i++) {
  const e164 = `+35988${tag}${String(i).padStart(5, '0')}`;
  await db.tx(async (tx) => {
    const subjectId = await upsertSubject(tx, { keys, cipher }, venueId, { e164 });
    await appendEvents(
      tx,
      [
        {
          venueId,
          purpose: 'terms',
          decision: 'granted',
          channel: 'portal',
          numberHash: numberHash(keys, e164),
          subjectId,
        },
        {
          venueId,
          purpose: 'sms',
          decision: i % 2 ? 'granted' : 'declined',
          channel: 'portal',
          numberHash: numberHash(keys, e164),
          subjectId,
        },
      ],
      keys,
    );
  });
}
await db.close();
