// RFC 5080 §2.2.2 duplicate detection: a request with the same source address,
// source port, identifier and Request Authenticator is a retransmission. It gets
// the response we already sent; while the first copy is still being worked on,
// it is dropped (the NAS will retry). Entries live `ttlMs` and the map never
// holds more than `maxEntries`, oldest evicted first, so a flood cannot grow it.

interface Entry {
  authenticator: Buffer;
  response?: Buffer;
  expires: number;
}

export type Lookup = { state: 'new' } | { state: 'in-progress' } | { state: 'answered'; response: Buffer };

const NEW: Lookup = { state: 'new' };
const IN_PROGRESS: Lookup = { state: 'in-progress' };

export class DuplicateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 65_536,
    private readonly now: () => number = Date.now,
  ) {}

  static key(address: string, port: number, identifier: number): string {
    return `${address}|${port}|${identifier}`;
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(key: string, authenticator: Buffer): Lookup {
    const e = this.entries.get(key);
    if (!e || e.expires <= this.now() || !e.authenticator.equals(authenticator)) return NEW;
    return e.response ? { state: 'answered', response: e.response } : IN_PROGRESS;
  }

  /** Marks a request as being processed. The authenticator is copied: the datagram buffer is not ours to keep. */
  begin(key: string, authenticator: Buffer): void {
    this.entries.delete(key); // re-insert at the end: the map stays ordered by age
    this.entries.set(key, { authenticator: Buffer.from(authenticator), expires: this.now() + this.ttlMs });
    this.evict();
  }

  complete(key: string, authenticator: Buffer, response: Buffer): void {
    const e = this.entries.get(key);
    if (!e || !e.authenticator.equals(authenticator)) return;
    // Kept where begin() put it: the order stays close enough to age for eviction,
    // which also drops anything over the size limit.
    e.response = response;
    e.expires = this.now() + this.ttlMs;
  }

  /** No answer was sent (drop decision, storage failure): a retransmission must be processed afresh. */
  abort(key: string, authenticator: Buffer): void {
    const e = this.entries.get(key);
    if (e && !e.response && e.authenticator.equals(authenticator)) this.entries.delete(key);
  }

  private evict(): void {
    const now = this.now();
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && e.expires > now) break;
      this.entries.delete(k);
    }
  }
}
