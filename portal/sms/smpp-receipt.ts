// SMPP delivery receipts: the SMSC's deliver_sm with esm_class "MC delivery receipt",
// carrying either TLVs (receipted_message_id, message_state) or the de-facto text
// "id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:000 text:…".
import type { ReceiptStatus } from './message-log.ts';

export interface SmppReceipt {
  ref: string;
  /** undefined: an intermediate state (ACCEPTD, ENROUTE) that changes nothing. */
  status?: ReceiptStatus;
  stat?: string;
  err?: string;
}

// message_state TLV values (SMPP 3.4 section 5.3.2.35) as their receipt-text names.
const MESSAGE_STATE: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** esm_class bits 2-5 say what kind of message a deliver_sm is; 0001 is a delivery receipt. */
export const isDeliveryReceipt = (esmClass: number): boolean => (esmClass & 0x3c) === 0x04;

export function parseReceiptText(text: string): { id?: string; stat?: string; err?: string } {
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S+)`, 'i').exec(text)?.[1];
  return { id: field('id'), stat: field('stat')?.toUpperCase(), err: field('err') };
}

export function receiptStatus(
  stat: string | undefined,
  err: string | undefined,
  permanentErrors: Set<number>,
): ReceiptStatus | undefined {
  switch (stat) {
    case 'DELIVRD':
      return 'delivered';
    case 'UNDELIV':
    case 'REJECTD': {
      const code = err !== undefined && /^\d+$/.test(err) ? Number(err) : NaN;
      return permanentErrors.has(code) ? 'undeliverable' : 'failed';
    }
    case 'EXPIRED':
    case 'DELETED':
    case 'UNKNOWN':
      return 'failed';
    default:
      return undefined;
  }
}

/** Reads a receipt from a deliver_sm's TLVs first, its text second. */
export function readReceipt(
  pdu: { receipted_message_id?: string; message_state?: number; network_error_code?: Buffer },
  text: string,
  permanentErrors: Set<number>,
): SmppReceipt | undefined {
  const parsed = parseReceiptText(text);
  const ref = pdu.receipted_message_id || parsed.id;
  if (!ref) return undefined;
  const stat = pdu.message_state !== undefined ? (MESSAGE_STATE[pdu.message_state] ?? parsed.stat) : parsed.stat;
  // network_error_code: one octet network type, two octets the error.
  const tlvErr =
    Buffer.isBuffer(pdu.network_error_code) && pdu.network_error_code.length >= 3
      ? String(pdu.network_error_code.readUInt16BE(1))
      : undefined;
  const err = parsed.err ?? tlvErr;
  return { ref, stat, err, status: receiptStatus(stat, err, permanentErrors) };
}
