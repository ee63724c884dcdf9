/** Cookie prefixes follow the deployment: `__Host-` only where a browser accepts it, `__Secure-` behind https elsewhere. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cookieNames } from '../../src/security/cookie-names.ts';

test('an https issuer at the origin root: __Host- for the cookies at path /, __Secure- for the narrower ones', () => {
  assert.deepEqual(cookieNames('https://login.example.se'), {
    session: '__Host-session', interaction: '__Secure-interaction', resume: '__Secure-interaction_resume',
    device: '__Host-brygga_device', demo: '__Host-brygga_demo', console: '__Secure-brygga_console',
  });
});

test('an https issuer under a path shares its host with other paths: __Secure- only', () => {
  assert.deepEqual(Object.values(cookieNames('https://example.se/login')).filter((n) => !n.startsWith('__Secure-')), []);
});

test('an http issuer (localhost) keeps the plain names: browsers refuse a prefixed cookie that is not Secure', () => {
  assert.deepEqual(cookieNames('http://localhost:3000'), {
    session: '_session', interaction: '_interaction', resume: '_interaction_resume', device: 'brygga_device', demo: 'brygga_demo', console: 'brygga_console',
  });
});
