import assert from 'node:assert/strict';
import { X509Certificate, createHash, verify } from 'node:crypto';
import { after, before, test } from 'node:test';
import forge from 'node-forge';
import { qrData } from '../../src/bankid/qr.ts';
import { base64, collect, control, readDer, startOrder, startTestSimulator, type Der, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator(); });
after(async () => { await t.close(); });

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

async function completed(endpoint: string, body: Record<string, unknown> = {}, approval: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const order = await startOrder(t.sim, endpoint, body);
  const approved = await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, approval);
  assert.equal(approved.json.status, 'complete', JSON.stringify(approved.json));
  return (await collect(t.sim, order.orderRef)).json.completionData;
}

function only(xml: string, pattern: RegExp): string {
  const matches = [...xml.matchAll(new RegExp(pattern.source, 'g'))];
  assert.equal(matches.length, 1, `exactly one ${pattern}`);
  return matches[0]![0];
}

function textOf(xml: string, tag: string): string {
  return only(xml, new RegExp(`<${tag}(?: [^>]*)?>[^<]*</${tag}>`)).replace(/^<[^>]+>|<\/[^>]+>$/g, '');
}

/** rp-api-v6.md §9 steps 1–3, as a broker does it: digests over the element text, RSA over SignedInfo. */
function verifySignature(xml: string): X509Certificate[] {
  const signedData = only(xml, /<bankIdSignedData[ >][\s\S]*<\/bankIdSignedData>/);
  const keyInfo = only(xml, /<KeyInfo[ >][\s\S]*<\/KeyInfo>/);
  let signedInfo = only(xml, /<SignedInfo[ >][\s\S]*<\/SignedInfo>/);
  // C14N puts the namespace the Signature element declares on the apex of the signed subset.
  if (!signedInfo.startsWith('<SignedInfo xmlns=')) signedInfo = signedInfo.replace('<SignedInfo', `<SignedInfo xmlns="${DSIG}"`);
  const digestOf = (uri: string) => only(signedInfo, new RegExp(`<Reference[^>]* URI="${uri}"[^>]*>[\\s\\S]*?</Reference>`)).match(/<DigestValue>([^<]+)<\/DigestValue>/)![1];
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');
  assert.equal(sha256(signedData), digestOf('#bidSignedData'), 'step 1: bankIdSignedData digest');
  assert.equal(sha256(keyInfo), digestOf('#bidKeyInfo'), 'step 2: KeyInfo digest');
  const certificates = [...keyInfo.matchAll(/<X509Certificate>([^<]+)<\/X509Certificate>/g)].map((m) => new X509Certificate(Buffer.from(m[1]!, 'base64')));
  const signatureValue = Buffer.from(textOf(xml, 'SignatureValue'), 'base64');
  assert.ok(verify('sha256', Buffer.from(signedInfo, 'utf8'), certificates[0]!.publicKey, signatureValue), 'step 3: RSA-SHA256 over SignedInfo');
  return certificates;
}

test('the signature follows §9 and verifies: digests, RSA-SHA256 over SignedInfo, chain to the user root', async () => {
  const visible = base64('Jag skriver under avtalet.\nÅäö & <tecken>');
  const completion = await completed('sign', { userVisibleData: visible, userNonVisibleData: base64('dokument-sha256:abc') });
  const xml = Buffer.from(completion.signature, 'base64').toString('utf8');
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="no"?><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo xmlns="http://www.w3.org/2000/09/xmldsig#">'));
  assert.match(xml, /<Reference Type="http:\/\/www\.bankid\.com\/signature\/v1\.0\.0\/types" URI="#bidSignedData">/);
  assert.match(xml, /<SignatureMethod Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256"><\/SignatureMethod>/);
  assert.match(xml, /<KeyInfo xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#" Id="bidKeyInfo">/);
  assert.match(xml, /<Object><bankIdSignedData xmlns="http:\/\/www\.bankid\.com\/signature\/v1\.0\.0\/types" Id="bidSignedData">/);

  const [user, customerCa, bankCa, ...rest] = verifySignature(xml);
  assert.equal(rest.length, 0, 'the root is not included');
  const root = new X509Certificate(t.sim.userRootCaPem);
  for (const [child, parent] of [[user, customerCa], [customerCa, bankCa], [bankCa, root], [root, root]] as const) {
    assert.ok(child!.checkIssued(parent!), `${parent!.subject} issued ${child!.subject}`);
    assert.ok(child!.verify(parent!.publicKey), `signature on ${child!.subject}`);
  }
  assert.match(root.subject, /CN=Test BankID Root CA v1 Test/);
  assert.match(customerCa!.subject, /Customer CA/);

  assert.match(user!.subject, /serialNumber=199908072391/);
  assert.match(user!.subject, /GN=Tolvan/);
  assert.match(user!.subject, /SN=Tolvansson/);
  assert.match(user!.subject, /CN=Tolvan Tolvansson/);
  assert.match(user!.subject, /name=\(\d{6} \d\d\.\d\d\) Tolvan Tolvansson - BankID på fil/);
  assert.match(user!.infoAccess!, /OCSP - URI:http/);
  const certificatePolicies = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x20]);
  const testFilePolicy = Buffer.from([0x06, 0x04, 0x2a, 0x03, 0x04, 0x05]);
  assert.ok(user!.raw.includes(certificatePolicies) && user!.raw.includes(testFilePolicy), 'certificatePolicies 1.2.3.4.5');

  const signedData = only(xml, /<bankIdSignedData[ >][\s\S]*<\/bankIdSignedData>/);
  assert.match(signedData, new RegExp(`<usrVisibleData charset="UTF-8" visible="wysiwys">${visible.replace(/[+/]/g, '\\$&')}</usrVisibleData>`));
  assert.equal(textOf(signedData, 'usrNonVisibleData'), base64('dokument-sha256:abc'));
  assert.equal(Buffer.from(textOf(signedData, 'name'), 'base64').toString(), 'cn=FP Testcert Brygga,name=Test av BankID,serialNumber=5566304928,o=Testbank A AB (publ),c=SE');
  assert.equal(Buffer.from(textOf(signedData, 'displayName'), 'base64').toString(), 'Test av BankID');
  assert.equal(Buffer.from(textOf(signedData, 'nonce'), 'base64').length, 20);
  assert.equal(textOf(signedData, 'funcId'), 'Signing');
  assert.equal(textOf(signedData, 'uhi'), completion.device.uhi);
});

test('funcId follows the operation; usrVisibleData only when sent', async () => {
  const cases = [
    { endpoint: 'auth', body: {}, funcId: 'Identification' },
    { endpoint: 'phone/auth', body: { personalNumber: '199908072391', callInitiator: 'user' }, funcId: 'Identification' },
    { endpoint: 'phone/sign', body: { personalNumber: '199908072391', callInitiator: 'RP', userVisibleData: base64('ok') }, funcId: 'Signing' },
    { endpoint: 'payment', body: { userVisibleTransaction: { transactionType: 'card', recipient: { name: 'Kiosken' } } }, funcId: 'Payment' },
  ];
  for (const c of cases) {
    const xml = Buffer.from((await completed(c.endpoint, c.body)).signature, 'base64').toString('utf8');
    verifySignature(xml);
    assert.equal(textOf(xml, 'funcId'), c.funcId, c.endpoint);
    assert.equal(xml.includes('<usrVisibleData'), 'userVisibleData' in c.body, c.endpoint);
    assert.equal(xml.includes('<usrNonVisibleData'), false);
  }
});

test('the OCSP response is successful, good for the user certificate, signed by the responder, with BankID\'s nonce', async () => {
  const completion = await completed('auth', { requirement: { certificatePolicies: ['1.2.3.4.5'] } });
  const xml = Buffer.from(completion.signature, 'base64').toString('utf8');
  const [user, customerCa] = verifySignature(xml);

  const response = readDer(Buffer.from(completion.ocspResponse, 'base64'));
  const [status, responseBytes] = response.children();
  assert.deepEqual([...status!.bytes], [0x0a, 0x01, 0x00], 'responseStatus successful');
  const [type, octets] = responseBytes!.children()[0]!.children();
  assert.equal(forge.asn1.derToOid(forge.util.createBuffer(type!.content.toString('binary'))), '1.3.6.1.5.5.7.48.1.1');
  const [tbs, algorithm, signature, certs] = readDer(octets!.content).children() as [Der, Der, Der, Der];
  assert.equal(forge.asn1.derToOid(forge.util.createBuffer(algorithm.children()[0]!.content.toString('binary'))), '1.2.840.113549.1.1.11');

  const responder = new X509Certificate(certs.children()[0]!.children()[0]!.bytes);
  assert.ok(responder.checkIssued(customerCa!) && responder.verify(customerCa!.publicKey), 'the responder is under the user\'s issuer');
  assert.ok(responder.keyUsage?.includes('1.3.6.1.5.5.7.3.9'), 'OCSPSigning');
  assert.ok(verify('sha256', tbs.bytes, responder.publicKey, signature.content.subarray(1)), 'BasicOCSPResponse signature');

  const [responderId, producedAt, responses, extensions] = tbs.children() as [Der, Der, Der, Der];
  assert.equal(responderId.tag, 0xa2, 'responderID byKey');
  assert.ok(Math.abs(generalizedTime(producedAt) - t.clock.now()) < 2000, 'producedAt is now');
  const [certId, certStatus, thisUpdate] = responses.children()[0]!.children() as [Der, Der, Der];
  assert.equal(certStatus.tag, 0x80, 'certStatus good');
  assert.ok(Math.abs(generalizedTime(thisUpdate) - t.clock.now()) < 2000, 'thisUpdate is now');
  const [hashAlgorithm, nameHash, keyHash, serial] = certId.children() as [Der, Der, Der, Der];
  assert.equal(forge.asn1.derToOid(forge.util.createBuffer(hashAlgorithm.children()[0]!.content.toString('binary'))), '1.3.14.3.2.26');
  const userTbs = readDer(user!.raw).children()[0]!.children();
  assert.deepEqual(nameHash.content, sha1(userTbs[3]!.bytes), 'issuerNameHash over the user certificate\'s issuer');
  assert.deepEqual(keyHash.content, sha1(customerCa!.publicKey.export({ type: 'pkcs1', format: 'der' })), 'issuerKeyHash');
  assert.equal(serial.content.toString('hex').toUpperCase().replace(/^0+/, ''), user!.serialNumber.replace(/^0+/, ''));

  const [nonceId, nonceValue] = extensions.children()[0]!.children()[0]!.children() as [Der, Der];
  assert.equal(forge.asn1.derToOid(forge.util.createBuffer(nonceId.content.toString('binary'))), '1.3.6.1.5.5.7.48.1.2');
  assert.equal(nonceValue.content.length, 32);
  assert.deepEqual(nonceValue.content.subarray(0, 20), createHash('sha1').update(completion.signature, 'utf8').digest());
});

test('user, device and dates in completionData', async () => {
  const viaQr = await startOrder(t.sim, 'auth', { endUserIp: '10.0.0.7' });
  await control(t.sim, 'POST', '/sim/app/scan', { qr: qrData(viaQr.qrStartToken, viaQr.qrStartSecret, 0) });
  await control(t.sim, 'POST', `/sim/orders/${viaQr.orderRef}/approve`, {});
  const qrCompletion = (await collect(t.sim, viaQr.orderRef)).json.completionData;
  assert.notEqual(qrCompletion.device.ipAddress, '10.0.0.7', 'the scanning phone is another device');
  assert.match(qrCompletion.bankIdIssueDate, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(typeof qrCompletion.device.uhi, 'string');

  const again = await completed('auth', { endUserIp: '10.0.0.8' });
  assert.equal(again.device.uhi, qrCompletion.device.uhi, 'the same person\'s phone keeps its uhi');
  const other = await completed('auth', {}, { personalNumber: '191212121212' });
  assert.notEqual(other.device.uhi, qrCompletion.device.uhi, 'another person has another phone');
  assert.equal(other.user.name, 'Tolvina Tolvansson');
});

function sha1(bytes: Buffer): Buffer {
  return createHash('sha1').update(bytes).digest();
}

function generalizedTime(item: Der): number {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(item.content.toString('latin1'))!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
