import assert from 'node:assert/strict';
import { authority, httpUrl, isHost, originalUrl, port, withQuery } from '../../portal/access-points/safe-url.ts';

describe('access points: safe URLs', () => {
  it('keeps plain http(s) URLs', () => {
    assert.equal(httpUrl('http://example.com/a?b=c'), 'http://example.com/a?b=c');
    assert.equal(httpUrl('HTTPS://Example.com'), 'https://example.com/');
    assert.equal(httpUrl('http://10.1.0.1:3990/logon'), 'http://10.1.0.1:3990/logon');
  });

  it('refuses other schemes and redirect tricks', () => {
    for (const raw of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'JaVaScRiPt:alert(1)',
      '//evil.example/',
      '/relative',
      'ftp://example.com/',
      'https://user:pass@evil.example/',
      'https://bank.example@evil.example/',
      'http:\\\\evil.example',
      'https:/\\evil.example',
      'http://exa\nmple.com/',
      ' ',
      'http://',
      'https://' + 'a'.repeat(2100) + '.example/',
    ]) {
      assert.equal(httpUrl(raw), undefined, raw);
    }
  });

  it('takes the first usable original URL and never fails over it', () => {
    assert.equal(originalUrl('javascript:x', 'http://ok.example/'), 'http://ok.example/');
    assert.equal(originalUrl(undefined, 'nope'), undefined);
  });

  it('checks hosts and ports, and brackets IPv6 authorities', () => {
    assert.ok(isHost('securelogin.arubanetworks.com'));
    assert.ok(isHost('10.1.0.1'));
    assert.ok(isHost('fe80::1'));
    assert.ok(!isHost('evil.example/path'));
    assert.ok(!isHost('a b'));
    assert.ok(!isHost('http://x'));
    assert.equal(port('3990'), 3990);
    assert.equal(port('0'), undefined);
    assert.equal(port('65536'), undefined);
    assert.equal(port('39a'), undefined);
    assert.equal(authority('fe80::1', 3990), '[fe80::1]:3990');
    assert.equal(authority('10.1.0.1'), '10.1.0.1');
  });

  it('appends query parameters encoded', () => {
    assert.equal(
      withQuery('http://a.example/x?y=1', { z: 'a b&c', skip: undefined }),
      'http://a.example/x?y=1&z=a+b%26c',
    );
  });
});
