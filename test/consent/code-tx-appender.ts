// Another process appending to the ledger while Foyer processes take sign-ups (used by
// code-transaction-processes.test.ts): round after round over the numbers, an SMS keyword
// opt-in (which joins the number to the venue's subjects, as at the portal) and a STOP,
// through the real ledger commands, each in its own transaction. Prints "ready" once its
// database is open, runs until its stdin ends, then prints how many events it appended.
//   node --import tsx code-tx-appender.ts DATABASE_URL SECRET_KEY VENUE_ID NUMBER...
import { openDb } from '../../portal/store/open.ts';
import { deriveKeys } from '../../portal/crypto/keys.ts';
import { fieldCipher } from '../../portal/crypto/fields.ts';
import { numberHash } from '../../portal/consent/subjects.ts';
import { optInByKeyword } from '../../portal/consent/commands/keyword-opt.ts';
import { stopByKeyword } from '../../portal/consent/commands/stop.ts';

const [url, secret, venueId, ...numbers] = process.argv.slice(2);
const keys = deriveKeys(secret);
const cipher = fieldCipher(keys);
const db = await openDb(url);
let appended = 0;
let stop = false;
process.stdin.on('end', () => (stop = true)).resume();
console.log('ready');
for (let i = 0; !stop || i % numbers.length; i++) {
  const e164 = numbers[i % numbers.length];
  const m = { numberHash: numberHash(keys, e164), locale: 'en' as const, evidence: `JOIN from ${e164}` };
  await db.tx((tx) =>
    optInByKeyword(tx, { keys, cipher }, { ...m, venueId, e164, keyword: 'JOIN', reply: 'You joined.' }, Date.now()),
  );
  appended++;
  const stopped = await db.tx((tx) => stopByKeyword(tx, keys, { ...m, evidence: 'STOP', all: false }, () => true));
  appended += stopped.length;
}
await db.close();
console.log(JSON.stringify({ appended }));
