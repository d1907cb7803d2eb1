// Numbers whose latest message failed permanently (unknown or deactivated subscriber)
// are marked invalid and so leave the clean list: the base stays free of dead numbers.
// The message log says which (sms/), the ledger's lists keep the mark (consent/).
import { undeliverableNumbers } from '../sms/undeliverable-numbers.ts';
import { markNumbersInvalid } from '../consent/invalid-numbers.ts';
import type { Job } from './job.ts';

export const markInvalidNumbersJob: Job = {
  name: 'mark-invalid-numbers',
  schedule: '*/15 * * * *',
  async run({ db, now }) {
    return { marked: await markNumbersInvalid(db, await undeliverableNumbers(db), now()) };
  },
};
