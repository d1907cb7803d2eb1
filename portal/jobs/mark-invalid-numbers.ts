// Numbers whose latest message failed permanently (unknown or deactivated subscriber)
// are marked invalid and so leave the clean list: the base stays free of dead numbers.
// SMS knows which messages failed; consent owns the list of invalid numbers.
import type { Job } from './job.ts';
import { undeliverableNumbers } from '../sms/undeliverable-numbers.ts';
import { markNumbersInvalid } from '../consent/lists.ts';

export const markInvalidNumbersJob: Job = {
  name: 'mark-invalid-numbers',
  schedule: '*/15 * * * *',
  async run({ db, now }) {
    return { marked: await markNumbersInvalid(db, await undeliverableNumbers(db), now()) };
  },
};
