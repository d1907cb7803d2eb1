// RFC 5080 §2.2.2 duplicate detection: a request with the same source address,
// source port, identifier and Request Authenticator is a retransmission. It gets
// the response we already sent; while the first copy is still being worked on,
// it is dropped (the NAS will retry).
//
// Every request passes through here, so nothing is allocated for a known slot: a
// NAS reuses its (port, identifier) pairs, and the next request on a pair takes over
// the slot of the last one in place. Entries live `ttlMs`; expired ones are swept at
// most twice per window, and the cache never holds more than `maxEntries` (the sources
// seen first lose their earliest slots first), so a flood cannot grow it.

/** The slot of one (source, port, identifier); begin() hands it out for complete()/abort(). */
export interface Slot {
  readonly authenticator: Buffer;
  /** The response's bytes, copied into storage the slot keeps (see complete()); 0: none yet. */
  responseLength: number;
  store: Buffer | undefined;
  expires: number;
}

export type Lookup = { state: 'new' } | { state: 'in-progress' } | { state: 'answered'; response: Buffer };

const NEW: Lookup = { state: 'new' };
const IN_PROGRESS: Lookup = { state: 'in-progress' };

function same16(a: Buffer, b: Buffer): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class DuplicateCache {
  /** Source address → (port << 8 | identifier) → slot: numbers as keys, no key string per packet. */
  private readonly sources = new Map<string, Map<number, Slot>>();
  private count = 0;
  private nextSweep = 0;

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 65_536,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.count;
  }

  lookup(source: string, port: number, identifier: number, authenticator: Buffer): Lookup {
    const s = this.sources.get(source)?.get((port << 8) | identifier);
    if (!s || s.expires <= this.now() || !same16(s.authenticator, authenticator)) return NEW;
    // A copy: the slot's storage is overwritten by the next answer on the slot.
    return s.responseLength
      ? { state: 'answered', response: Buffer.from(s.store!.subarray(0, s.responseLength)) }
      : IN_PROGRESS;
  }

  /** Marks a request as being processed. The authenticator is copied: the datagram buffer is not ours to keep. */
  begin(source: string, port: number, identifier: number, authenticator: Buffer): Slot {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    let slots = this.sources.get(source);
    if (!slots) this.sources.set(source, (slots = new Map()));
    const key = (port << 8) | identifier;
    let s = slots.get(key);
    if (s) {
      authenticator.copy(s.authenticator, 0, 0, 16);
      s.responseLength = 0;
    } else {
      if (this.count >= this.maxEntries) this.dropOldest(now);
      s = {
        authenticator: Buffer.from(authenticator.subarray(0, 16)),
        responseLength: 0,
        store: undefined,
        expires: 0,
      };
      slots.set(key, s);
      this.count++;
    }
    s.expires = now + this.ttlMs;
    return s;
  }

  /** The answer to the request that `slot` was begun for, unless a newer request has taken the slot over. */
  complete(slot: Slot, authenticator: Buffer, response: Buffer): void {
    if (slot.responseLength || !same16(slot.authenticator, authenticator)) return;
    // Copied rather than kept: a response kept for the window would outlive the young
    // generation, so every one of them would be copied and promoted by the garbage
    // collector, whose pauses then delay the requests in flight.
    if (!slot.store || slot.store.length < response.length)
      slot.store = Buffer.allocUnsafeSlow(Math.max(response.length, 128));
    slot.responseLength = response.copy(slot.store);
    slot.expires = this.now() + this.ttlMs;
  }

  /** No answer was sent (drop decision, storage failure): a retransmission must be processed afresh. */
  abort(slot: Slot, authenticator: Buffer): void {
    if (!slot.responseLength && same16(slot.authenticator, authenticator)) slot.expires = 0;
  }

  private sweep(now: number): void {
    this.nextSweep = now + this.ttlMs / 2;
    for (const [source, slots] of this.sources) {
      for (const [key, s] of slots) {
        if (s.expires > now) continue;
        slots.delete(key);
        this.count--;
      }
      if (!slots.size) this.sources.delete(source);
    }
  }

  /** Full of live slots (a flood): slots go in the order they were made, source by source, until a tenth of the room is free. */
  private dropOldest(now: number): void {
    this.sweep(now);
    for (const [source, slots] of this.sources) {
      for (const key of slots.keys()) {
        if (this.count < this.maxEntries * 0.9) return;
        slots.delete(key);
        this.count--;
      }
      if (!slots.size) this.sources.delete(source);
    }
  }
}
