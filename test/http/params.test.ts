/** Repeated or malformed parameters on Brygga's own routes are ignored or refused with a 400, never a 500. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';

let t: TestBroker;
before(async () => { t = await startTestBroker(); });
after(async () => { await t?.close(); });

test('a repeated or malformed lang on the demo page is ignored: the page comes in the negotiated language', async () => {
  for (const query of ['lang=en&lang=sv', 'lang[]=en', 'lang=%zz', 'lang=%00', 'lang']) {
    const response = await fetch(`${t.broker.url}/demo?${query}`, { headers: { 'accept-language': 'en' } });
    assert.equal(response.status, 200, query);
    assert.match(await response.text(), /<html lang="en"/, query);
  }
});

test('a repeated form field is refused with 400', async () => {
  const response = await fetch(`${t.broker.url}/demo/login`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'message=a&message=b', redirect: 'manual',
  });
  assert.equal(response.status, 400);
});
