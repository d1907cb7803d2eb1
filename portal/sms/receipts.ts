// Delivery receipts from every gateway, in their own words, onto the message log's
// statuses. 'undeliverable' means the number itself is dead (unknown or deactivated
// subscriber): a later job marks such numbers invalid.
import type { Logger } from '../log.ts';
import type { MessageLog, ReceiptStatus } from './message-log.ts';
import { TWILIO_PERMANENT_ERRORS } from './twilio.ts';

export interface Receipt {
  gateway: string;
  ref: string;
  status: ReceiptStatus;
  errorCode?: string;
}

/** Applies a receipt; also tries the other radix of a numeric id (SMSCs disagree on hex and decimal). */
export async function applyReceipt(messages: MessageLog, log: Logger, r: Receipt): Promise<boolean> {
  const candidates = [r.ref];
  if (/^\d+$/.test(r.ref)) candidates.push(BigInt(r.ref).toString(16));
  if (/^[0-9a-f]+$/i.test(r.ref) && r.ref.length <= 16) candidates.push(BigInt(`0x${r.ref}`).toString(10));
  for (const ref of candidates) {
    if (await messages.receipt(r.gateway, ref, r.status, r.errorCode)) {
      log.info({ gateway: r.gateway, ref, status: r.status, errorCode: r.errorCode }, 'sms delivery receipt');
      return true;
    }
  }
  log.debug({ gateway: r.gateway, ref: r.ref }, 'sms delivery receipt for an unknown message');
  return false;
}

/** Twilio's MessageStatus + ErrorCode; undefined for states that change nothing (queued, sent …). */
export function twilioReceiptStatus(
  messageStatus: string | undefined,
  errorCode: string | undefined,
): ReceiptStatus | undefined {
  switch (messageStatus) {
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
      return errorCode && TWILIO_PERMANENT_ERRORS.has(errorCode) ? 'undeliverable' : 'failed';
    default:
      return undefined;
  }
}

/** The http gateway's status word, in the spellings aggregators use. */
export function httpReceiptStatus(word: string | undefined): ReceiptStatus | undefined {
  const w = (word ?? '').trim().toLowerCase();
  if (['delivered', 'delivrd', 'delivery_success', 'success', 'ok'].includes(w)) return 'delivered';
  if (['undeliverable', 'invalid', 'invalid_number', 'unknown_subscriber'].includes(w)) return 'undeliverable';
  if (['failed', 'undelivered', 'undeliv', 'rejected', 'rejectd', 'expired', 'deleted', 'error'].includes(w))
    return 'failed';
  return undefined;
}
