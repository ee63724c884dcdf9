import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey } from '../../src/limits/address.ts';

test('IPv4 counts per address, also when IPv4-mapped', () => {
  assert.equal(addressKey('127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('::ffff:127.0.0.2'), '127.0.0.2');
});

test('IPv6 counts per /64, however the address is written', () => {
  const key = addressKey('2001:db8:1:2::1');
  assert.equal(key, '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002:ffff:eeee:dddd:cccc'), key);
  assert.equal(addressKey('2001:db8:1:2:0:0:0:7'), key);
  assert.notEqual(addressKey('2001:db8:1:3::1'), key);
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
});
