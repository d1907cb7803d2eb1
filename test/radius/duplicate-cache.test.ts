// The duplicate cache on its own clock: what counts as a retransmission, when it is
// forgotten, and that it stays bounded. (server.test.ts covers it over UDP.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DuplicateCache } from '../../radius/duplicate-cache.ts';

describe('duplicate cache', () => {
  let t = 0;
  const clock = () => t;
  beforeEach(() => (t = 1_000_000));

  it('answers a retransmission once answered, holds it while in progress, and forgets it after the window', () => {
    const c = new DuplicateCache(30_000, 100, clock);
    const auth = randomBytes(16);
    assert.equal(c.lookup('10.0.0.1', 5000, 7, auth).state, 'new');
    const slot = c.begin('10.0.0.1', 5000, 7, auth);
    assert.equal(c.lookup('10.0.0.1', 5000, 7, auth).state, 'in-progress');
    const reply = Buffer.from('reply');
    c.complete(slot, auth, reply);
    assert.deepEqual(c.lookup('10.0.0.1', 5000, 7, Buffer.from(auth)), { state: 'answered', response: reply });
    // Another port, identifier, source or authenticator is another request.
    assert.equal(c.lookup('10.0.0.1', 5001, 7, auth).state, 'new');
    assert.equal(c.lookup('10.0.0.1', 5000, 8, auth).state, 'new');
    assert.equal(c.lookup('10.0.0.2', 5000, 7, auth).state, 'new');
    assert.equal(c.lookup('10.0.0.1', 5000, 7, randomBytes(16)).state, 'new');
    t += 29_999;
    assert.equal(c.lookup('10.0.0.1', 5000, 7, auth).state, 'answered');
    t += 1;
    assert.equal(c.lookup('10.0.0.1', 5000, 7, auth).state, 'new');
  });

  it('keeps its own copy of the authenticator (the datagram buffer is reused)', () => {
    const c = new DuplicateCache(30_000, 100, clock);
    const datagram = randomBytes(16);
    const auth = Buffer.from(datagram);
    c.begin('10.0.0.1', 5000, 7, datagram);
    datagram.fill(0);
    assert.equal(c.lookup('10.0.0.1', 5000, 7, auth).state, 'in-progress');
  });

  it('gives a reused identifier to the new request: the old one can no longer complete it', () => {
    const c = new DuplicateCache(30_000, 100, clock);
    const first = randomBytes(16);
    const second = randomBytes(16);
    const old = c.begin('10.0.0.1', 5000, 7, first);
    const slot = c.begin('10.0.0.1', 5000, 7, second);
    assert.equal(slot, old, 'the slot is reused in place');
    c.complete(old, first, Buffer.from('late answer to the first'));
    assert.equal(c.lookup('10.0.0.1', 5000, 7, second).state, 'in-progress');
    assert.equal(c.lookup('10.0.0.1', 5000, 7, first).state, 'new');
    c.complete(slot, second, Buffer.from('answer'));
    assert.equal(c.size, 1);
  });

  it('forgets an aborted request, so its retransmission is processed afresh', () => {
    const c = new DuplicateCache(30_000, 100, clock);
    const auth = randomBytes(16);
    const slot = c.begin('10.0.0.1', 5000, 7, auth);
    c.abort(slot, auth);
    assert.equal(c.lookup('10.0.0.1', 5000, 7, auth).state, 'new');
    // Abort never undoes an answer already sent.
    const again = c.begin('10.0.0.1', 5000, 7, auth);
    c.complete(again, auth, Buffer.from('answer'));
    c.abort(again, auth);
    assert.equal(c.lookup('10.0.0.1', 5000, 7, auth).state, 'answered');
  });

  it('sweeps expired slots and never holds more than its limit', () => {
    const c = new DuplicateCache(30_000, 1000, clock);
    for (let i = 0; i < 5000; i++) c.begin(`10.0.${i >> 8}.1`, 1024 + i, i & 0xff, randomBytes(16));
    assert.ok(c.size <= 1000, `size ${c.size}`);
    // The latest requests are still known.
    const auth = randomBytes(16);
    c.begin('10.9.9.9', 9999, 1, auth);
    assert.equal(c.lookup('10.9.9.9', 9999, 1, auth).state, 'in-progress');
    t += 31_000;
    c.begin('10.0.0.1', 1, 1, randomBytes(16));
    assert.equal(c.size, 1, 'everything older than the window is gone');
  });
});
