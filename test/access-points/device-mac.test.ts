import assert from 'node:assert/strict';
import { isGroupAddress, isLocallyAdministered, normaliseMac } from '../../portal/access-points/device-mac.ts';

describe('access points: MAC addresses', () => {
  it('reads every usual format into lower-case colon form', () => {
    for (const raw of [
      'AA:BB:CC:0D:0E:0F',
      'aa-bb-cc-0d-0e-0f',
      'AABB.CC0D.0E0F',
      'aabbcc0d0e0f',
      'AABB-CC0D-0E0F',
      ' aa:bb:cc:0d:0e:0f ',
    ]) {
      assert.equal(normaliseMac(raw), 'aa:bb:cc:0d:0e:0f', raw);
    }
  });

  it('refuses what is not a MAC', () => {
    for (const raw of [
      '',
      'aa:bb:cc:dd:ee',
      'aa:bb-cc:dd:ee:ff',
      'gg:bb:cc:dd:ee:ff',
      'aabbccddeeff00',
      'aa:bb:cc:dd:ee:ff:00',
      'a:b:c:d:e:f',
    ]) {
      assert.equal(normaliseMac(raw), undefined, raw);
    }
    assert.equal(normaliseMac(undefined), undefined);
  });

  it('tells private (locally administered) addresses from burned-in ones', () => {
    assert.equal(isLocallyAdministered('da:a1:19:00:00:01'), true); // iOS/Android private address
    assert.equal(isLocallyAdministered('02:00:00:00:00:01'), true);
    assert.equal(isLocallyAdministered('3c:22:fb:00:00:01'), false); // Apple OUI
    assert.equal(isLocallyAdministered('00:1a:2b:3c:4d:5e'), false);
  });

  it('knows a group address is no device', () => {
    assert.equal(isGroupAddress('01:00:5e:00:00:01'), true);
    assert.equal(isGroupAddress('ff:ff:ff:ff:ff:ff'), true);
    assert.equal(isGroupAddress('00:1a:2b:3c:4d:5e'), false);
  });
});
