/**
 * Verifying BankID completions (src/bankid/verification): the simulator's real signatures pass every check, BankID's
 * published sample passes the checks that need no OCSP response and no root, and a tampered copy of each part fails
 * with exactly that check named. A tampered signature gets a fresh OCSP response from the simulator's responder (its
 * nonce follows the signature), so only the part tampered with is wrong.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';
import forge from 'node-forge';
import type { CompletionData, Operation } from '../../src/bankid/types.ts';
import { CHECKS, CompletionVerifier, sentDataDigest, type CheckName, type VerificationResult } from '../../src/bankid/verification/index.ts';
import { ensureCertificates, type SimulatorCertificates } from '../../src/simulator/certs.ts';
import { buildOcspResponse } from '../../src/simulator/ocsp.ts';
import { createCertificate, type Issued } from '../../src/simulator/pki.ts';
import { buildSignature } from '../../src/simulator/signature.ts';
import { base64, collect, control, startOrder, startTestSimulator, SIMULATOR_SETTINGS, type TestSimulator } from '../simulator/support.ts';
import { BANKID_SAMPLE_SIGNATURE } from './bankid-sample-signature.ts';

let t: TestSimulator;
let certs: SimulatorCertificates;
let verifier: CompletionVerifier;
const VISIBLE = 'Logga in hos Brygga';
const SIGN_TEXT = 'Jag godkänner avtalet.';
const NON_VISIBLE = 'avtal-4711';
let auth: CompletionData;
let sign: CompletionData;

before(async () => {
  t = await startTestSimulator();
  // The simulator's own files, loaded again: the tests re-issue OCSP responses with its responder.
  certs = ensureCertificates(t.dir, SIMULATOR_SETTINGS.p12Passphrase);
  verifier = new CompletionVerifier({ userRootsPem: t.sim.userRootCaPem });
  auth = await completed('auth', { userVisibleData: base64(VISIBLE) });
  sign = await completed('sign', { userVisibleData: base64(SIGN_TEXT), userNonVisibleData: base64(NON_VISIBLE) });
});
after(async () => { await t.close(); });

async function completed(endpoint: string, body: Record<string, unknown>): Promise<CompletionData> {
  const order = await startOrder(t.sim, endpoint, body);
  const approved = await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, {});
  assert.equal(approved.json.status, 'complete', JSON.stringify(approved.json));
  return (await collect(t.sim, order.orderRef)).json.completionData as CompletionData;
}

const authExpected = { operation: 'auth' as Operation, sentDataDigest: sentDataDigest({ userVisibleData: VISIBLE }) };
const signExpected = { operation: 'sign' as Operation, sentDataDigest: sentDataDigest({ userVisibleData: SIGN_TEXT, userNonVisibleData: NON_VISIBLE }) };

function assertPassed(result: VerificationResult): void {
  assert.deepEqual(result.checks.map((c) => [c.check, c.outcome]), CHECKS.map((c) => [c, 'passed']), JSON.stringify(result.checks));
  assert.equal(result.ok, true);
}

/** Exactly `check` failed; every other check passed (or, where listed, was skipped because of it). */
function assertFailed(result: VerificationResult, check: CheckName, skipped: CheckName[] = []): void {
  assert.equal(result.ok, false);
  assert.deepEqual(result.failed, [check], JSON.stringify(result.checks));
  for (const outcome of result.checks) {
    const expected = outcome.check === check ? 'failed' : skipped.includes(outcome.check) ? 'skipped' : 'passed';
    assert.equal(outcome.outcome, expected, `${outcome.check}: ${JSON.stringify(outcome)}`);
  }
}

function xmlOf(completion: CompletionData): string {
  return Buffer.from(completion.signature, 'base64').toString('utf8');
}

/** The signer's certificate as the simulator's OCSP builder takes it (no key needed). */
function signerOf(completion: CompletionData): Issued {
  const der = /<X509Certificate>([^<]+)<\/X509Certificate>/.exec(xmlOf(completion))![1]!;
  const certPem = new X509Certificate(Buffer.from(der, 'base64')).toString();
  return { cert: forge.pki.certificateFromPem(certPem), certPem } as Issued;
}

/** The subject attributes of a certificate, in order, as createCertificate takes them. */
function subjectOf(issued: Issued): Record<string, string> {
  return Object.fromEntries(issued.cert.subject.attributes.map((a) => [a.shortName ?? a.type!, String(a.value)]));
}

function ocspFor(completion: CompletionData, options: { signature?: string; status?: 'good' | 'revoked'; responder?: Issued } = {}): string {
  return buildOcspResponse({
    subject: signerOf(completion), issuer: certs.userCustomerCa, responder: options.responder ?? certs.userOcsp,
    signature: options.signature ?? completion.signature, status: options.status, now: Date.now(),
  });
}

/** The completion with its signature XML edited, and a matching OCSP response for the edited signature. */
function withXml(completion: CompletionData, edit: (xml: string) => string): CompletionData {
  const xml = xmlOf(completion);
  const edited = edit(xml);
  assert.notEqual(edited, xml, 'the edit changed the signature');
  const signature = Buffer.from(edited, 'utf8').toString('base64');
  return { ...completion, signature, ocspResponse: ocspFor(completion, { signature }) };
}

/** An identification of VISIBLE signed by `signer`, KeyInfo carrying `chain`, with an OCSP response saying good for it. */
function signedBy(signer: Issued, chain: Issued[], ocsp: { issuer: Issued; responder: Issued } = { issuer: certs.userCustomerCa, responder: certs.userOcsp }): CompletionData {
  const signature = Buffer.from(buildSignature({
    operation: 'auth', userVisibleData: base64(VISIBLE), rpName: 'Brygga', rpDisplayName: 'Brygga', uhi: 'uhi', signer, chain, now: Date.now(),
  }), 'utf8').toString('base64');
  return { ...auth, signature, ocspResponse: buildOcspResponse({ subject: signer, ...ocsp, signature, now: Date.now() }) };
}

test('an identification signed by the simulator passes every check', async () => {
  assertPassed(await verifier.verify(auth, authExpected));
});

test('a signature (sign, with non-visible data) from the simulator passes every check', async () => {
  assertPassed(await verifier.verify(sign, signExpected));
});

test('a re-issued OCSP response for an untouched signature passes (the tampering helpers change only what they say)', async () => {
  assertPassed(await verifier.verify({ ...auth, ocspResponse: ocspFor(auth) }, authExpected));
});

test('signed data changed after signing: signedDataDigest fails, the later reference and the signature value are not run', async () => {
  const tampered = withXml(auth, (xml) => xml.replace(/<nonce>[^<]+<\/nonce>/, `<nonce>${Buffer.alloc(20, 7).toString('base64')}</nonce>`));
  assertFailed(await verifier.verify(tampered, authExpected), 'signedDataDigest', ['keyInfoDigest', 'signatureValue']);
});

test('key info changed after signing: keyInfoDigest fails', async () => {
  const extra = `<X509Certificate>${new X509Certificate(certs.userRootCa.certPem).raw.toString('base64')}</X509Certificate>`;
  const tampered = withXml(auth, (xml) => xml.replace('</X509Data>', `${extra}</X509Data>`));
  assertFailed(await verifier.verify(tampered, authExpected), 'keyInfoDigest', ['signatureValue']);
});

test('a second element with the signed data\'s Id (signature wrapping): signatureFormat fails', async () => {
  const tampered = withXml(auth, (xml) => xml.replace('</Object>', '</Object><Object><Decoy Id="bidSignedData"></Decoy></Object>'));
  const result = await verifier.verify(tampered, authExpected);
  assert.deepEqual(result.failed, ['signatureFormat'], JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks[0]), /same value for the ID/);
});

test('a signature value that is not the signer\'s: signatureValue fails', async () => {
  const tampered = withXml(auth, (xml) => xml.replace(/<SignatureValue>(.)(.)/, (_, a: string, b: string) => `<SignatureValue>${b}${a === b ? (a === 'A' ? 'B' : 'A') : a}`));
  assertFailed(await verifier.verify(tampered, authExpected), 'signatureValue');
});

test('a chain that does not end in the configured user root: certificateChain fails', async () => {
  const foreignRoot = createCertificate({ subject: { CN: 'Some Other Root CA' }, ca: true, keyBits: 1024 });
  const foreign = new CompletionVerifier({ userRootsPem: foreignRoot.certPem });
  assertFailed(await foreign.verify(auth, authExpected), 'certificateChain');
});

test('a signer certificate issued by a look-alike of the customer CA: certificateChain fails, and no OCSP answer can vouch for it', async () => {
  const lookAlike = createCertificate({ subject: subjectOf(certs.userCustomerCa), ca: true, keyBits: 1024 });
  const forged = createCertificate({ subject: { ...subjectOf(signerOf(auth)) }, issuer: lookAlike, keyBits: 1024 });
  const result = await verifier.verify(signedBy(forged, [certs.userCustomerCa, certs.userBankCa]), authExpected);
  assert.deepEqual(result.failed, ['certificateChain', 'ocspSignature'], JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'ocspSignature')), /did not issue the signer/);
  assert.deepEqual(result.checks.filter((c) => c.outcome === 'skipped').map((c) => c.check), ['ocspStatus', 'ocspNonce']);
});

test('visible data other than what the order sent: sentData fails', async () => {
  assertFailed(await verifier.verify(auth, { ...authExpected, sentDataDigest: sentDataDigest({ userVisibleData: `${VISIBLE}!` }) }), 'sentData');
  // Non-visible data counts too: the sign order without it is another order.
  assertFailed(await verifier.verify(sign, { ...signExpected, sentDataDigest: sentDataDigest({ userVisibleData: SIGN_TEXT }) }), 'sentData');
});

test('an identification presented as a signature (and back): function fails', async () => {
  assertFailed(await verifier.verify(auth, { ...authExpected, operation: 'sign' }), 'function');
  assertFailed(await verifier.verify(sign, { ...signExpected, operation: 'auth' }), 'function');
});

test('a personal number other than the certificate\'s: personalNumber fails', async () => {
  assertFailed(await verifier.verify({ ...auth, user: { ...auth.user, personalNumber: '198001019876' } }, authExpected), 'personalNumber');
});

test('an OCSP response whose signed content was changed: ocspSignature fails', async () => {
  const der = Buffer.from(auth.ocspResponse, 'base64');
  // producedAt, the first GeneralizedTime in the signed ResponseData: one digit of its seconds changed.
  const at = der.indexOf(Buffer.from([0x18, 0x0f])) + 2 + 13;
  der[at] = der[at] === 0x30 ? 0x31 : 0x30;
  assertFailed(await verifier.verify({ ...auth, ocspResponse: der.toString('base64') }, authExpected), 'ocspSignature');
});

test('an OCSP response signed by a responder the user CA did not certify: ocspSignature fails', async () => {
  const otherCa = createCertificate({ subject: { CN: 'Other CA' }, ca: true, keyBits: 1024 });
  const responder = createCertificate({ subject: { CN: 'Other OCSP' }, issuer: otherCa, extKeyUsage: ['OCSPSigning'], keyBits: 1024 });
  assertFailed(await verifier.verify({ ...auth, ocspResponse: ocspFor(auth, { responder }) }, authExpected), 'ocspSignature');
});

test('an OCSP response signed by a responder of the user CA whose certificate has expired: ocspSignature fails', async () => {
  const responder = createCertificate({
    subject: subjectOf(certs.userOcsp), issuer: certs.userCustomerCa, extKeyUsage: ['OCSPSigning'], keyBits: 1024,
    notBefore: new Date(Date.now() - 3 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000),
  });
  const result = await verifier.verify({ ...auth, ocspResponse: ocspFor(auth, { responder }) }, authExpected);
  assertFailed(result, 'ocspSignature');
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'ocspSignature')), /valid at the time/);
});

test('an OCSP response saying revoked: ocspStatus fails', async () => {
  assertFailed(await verifier.verify({ ...auth, ocspResponse: ocspFor(auth, { status: 'revoked' }) }, authExpected), 'ocspStatus');
});

test('an OCSP response for another signature: ocspNonce fails', async () => {
  assertFailed(await verifier.verify({ ...auth, ocspResponse: ocspFor(auth, { signature: sign.signature }) }, authExpected), 'ocspNonce');
});

test('SignedInfo with an algorithm BankID does not use (RSA-SHA1): signatureFormat fails and nothing else runs', async () => {
  const tampered = withXml(auth, (xml) => xml.replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'));
  const result = await verifier.verify(tampered, authExpected);
  assert.deepEqual(result.failed, ['signatureFormat'], JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks[0]), /RSA-SHA256/);
});

test('a decoy whose ID attribute (another spelling of Id) repeats the signed data\'s id: signatureFormat fails', async () => {
  const tampered = withXml(auth, (xml) => xml.replace('</Object>', '</Object><Object><Decoy ID="bidSignedData"></Decoy></Object>'));
  const result = await verifier.verify(tampered, authExpected);
  assert.deepEqual(result.failed, ['signatureFormat'], JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks[0]), /same value for the ID/);
});

test('a first KeyInfo certificate that is no certificate: keyInfoDigest and certificateChain fail, nothing throws', async () => {
  const tampered = withXml(auth, (xml) => xml.replace(/<X509Certificate>[^<]+</, '<X509Certificate>AAAA<'));
  const result = await verifier.verify(tampered, authExpected);
  assert.deepEqual(result.failed, ['keyInfoDigest', 'certificateChain'], JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'certificateChain')), /cannot be read/);
});

test('an OCSP response cut short: the three OCSP checks fail as unreadable, the rest pass', async () => {
  const der = Buffer.from(auth.ocspResponse, 'base64');
  const result = await verifier.verify({ ...auth, ocspResponse: der.subarray(0, der.length - 10).toString('base64') }, authExpected);
  assert.deepEqual(result.failed, ['ocspSignature', 'ocspStatus', 'ocspNonce'], JSON.stringify(result.checks));
  assert.ok(result.checks.filter((c) => c.outcome === 'failed').every((c) => /cannot be read/.test(JSON.stringify(c))), JSON.stringify(result.checks));
});

/**
 * The verifier keeps parsed CAs and the certificate signatures that verified between completions (issue 7). Each
 * test starts a verifier of its own, warms it with a good completion, and shows a bad one still fails for its reason.
 */
async function warmVerifier(now?: () => Date): Promise<CompletionVerifier> {
  const warm = new CompletionVerifier({ userRootsPem: t.sim.userRootCaPem, now });
  assertPassed(await warm.verify(auth, authExpected));
  return warm;
}

test('cache: after a good completion, the same signature tampered with still fails its check', async () => {
  const warm = await warmVerifier();
  const value = withXml(auth, (xml) => xml.replace(/<SignatureValue>(.)(.)/, (_, a: string, b: string) => `<SignatureValue>${b}${a === b ? (a === 'A' ? 'B' : 'A') : a}`));
  assertFailed(await warm.verify(value, authExpected), 'signatureValue');
  const data = withXml(auth, (xml) => xml.replace(/<nonce>[^<]+<\/nonce>/, `<nonce>${Buffer.alloc(20, 9).toString('base64')}</nonce>`));
  assertFailed(await warm.verify(data, authExpected), 'signedDataDigest', ['keyInfoDigest', 'signatureValue']);
  assertPassed(await warm.verify(auth, authExpected));
});

test('cache: a signer under a look-alike of the cached customer CA (same names and issuer key identifier, not signed by the bank CA) fails the chain, however often it is tried', async () => {
  const warm = await warmVerifier();
  // It names the cached bank CA as its issuer (name and key identifier) but is signed with another key.
  const otherKey = createCertificate({ subject: { CN: 'Some key' }, keyBits: 1024 });
  const lookAlike = createCertificate({ subject: subjectOf(certs.userCustomerCa), issuer: { ...certs.userBankCa, key: otherKey.key, keyPem: otherKey.keyPem }, ca: true, keyBits: 1024 });
  const responder = createCertificate({ subject: subjectOf(certs.userOcsp), issuer: lookAlike, extKeyUsage: ['OCSPSigning'], keyBits: 1024 });
  const forged = createCertificate({ subject: subjectOf(signerOf(auth)), issuer: lookAlike, keyBits: 1024 });
  const completion = signedBy(forged, [lookAlike, certs.userBankCa], { issuer: lookAlike, responder });
  assert.equal(new X509Certificate(lookAlike.certPem).subject, new X509Certificate(certs.userCustomerCa.certPem).subject);
  assert.equal(new X509Certificate(lookAlike.certPem).issuer, new X509Certificate(certs.userCustomerCa.certPem).issuer);
  // Everything but the chain holds: the look-alike vouches for its own responder. Twice: a failure is not remembered as a pass.
  for (let attempt = 0; attempt < 2; attempt++) assertFailed(await warm.verify(completion, authExpected), 'certificateChain');
  assertPassed(await warm.verify(auth, authExpected));
});

test('cache: a signer naming the cached customer CA (issuer name and key identifier) but signed with another key fails the chain', async () => {
  const warm = await warmVerifier();
  const otherKey = createCertificate({ subject: { CN: 'Some key' }, keyBits: 1024 });
  const forged = createCertificate({ subject: subjectOf(signerOf(auth)), issuer: { ...certs.userCustomerCa, key: otherKey.key, keyPem: otherKey.keyPem }, keyBits: 1024 });
  const result = await warm.verify(signedBy(forged, [certs.userCustomerCa, certs.userBankCa]), authExpected);
  assert.deepEqual(result.failed, ['certificateChain', 'ocspSignature'], JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'ocspSignature')), /did not issue the signer/);
});

test('cache: a signer under the cached CAs whose own validity has ended fails the chain', async () => {
  const warm = await warmVerifier();
  const expired = createCertificate({
    subject: subjectOf(signerOf(auth)), issuer: certs.userCustomerCa, keyBits: 1024,
    notBefore: new Date(Date.now() - 3 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000),
  });
  const result = await warm.verify(signedBy(expired, [certs.userCustomerCa, certs.userBankCa]), authExpected);
  assertFailed(result, 'certificateChain');
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'certificateChain')), /not yet valid or expired/);
});

test('cache: a signer still valid after the cached CAs expired fails the chain', async () => {
  const caEnd = new X509Certificate(certs.userCustomerCa.certPem).validToDate;
  let now = new Date();
  const warm = await warmVerifier(() => now);
  const outliving = createCertificate({ subject: subjectOf(signerOf(auth)), issuer: certs.userCustomerCa, keyBits: 1024, notAfter: new Date('2200-01-01T00:00:00Z') });
  const completion = signedBy(outliving, [certs.userCustomerCa, certs.userBankCa]);
  assertPassed(await warm.verify(completion, authExpected));
  now = new Date(caEnd.getTime() + 86_400_000);
  const result = await warm.verify(completion, authExpected);
  assert.ok(result.failed.includes('certificateChain'), JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'certificateChain')), /not yet valid or expired/);
});

test('cache: an OCSP response from the cached responder for another certificate of the same CA fails ocspStatus', async () => {
  const warm = await warmVerifier();
  const other = createCertificate({ subject: { ...subjectOf(signerOf(auth)), serialNumber: '199001011234' }, issuer: certs.userCustomerCa, keyBits: 1024 });
  const ocspResponse = buildOcspResponse({ subject: other, issuer: certs.userCustomerCa, responder: certs.userOcsp, signature: auth.signature, now: Date.now() });
  const result = await warm.verify({ ...auth, ocspResponse }, authExpected);
  assertFailed(result, 'ocspStatus');
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'ocspStatus')), /not reported/);
});

test('cache: validity windows are checked at each completion\'s time, not remembered', async () => {
  let now = new Date();
  const warm = await warmVerifier(() => now);
  now = new Date('2200-01-01T00:00:00Z');
  const result = await warm.verify(auth, authExpected);
  assert.deepEqual(result.failed, ['certificateChain', 'ocspSignature'], JSON.stringify(result.checks));
  assert.match(JSON.stringify(result.checks.find((c) => c.check === 'certificateChain')), /not yet valid or expired/);
  now = new Date();
  assertPassed(await warm.verify(auth, authExpected));
});

test('something that is not a BankID signature: signatureFormat fails and nothing else runs', async () => {
  const result = await verifier.verify({ ...auth, signature: Buffer.from('<Signature/>').toString('base64') }, authExpected);
  assert.deepEqual(result.failed, ['signatureFormat']);
  assert.ok(result.checks.slice(1).every((c) => c.outcome === 'skipped'), JSON.stringify(result.checks));
});

/**
 * BankID's own sample has no OCSP response and its root is not published: its bank CA (the last KeyInfo certificate)
 * stands in as the trust anchor, at a moment the user certificate was valid. Everything else runs as for a live one.
 */
test('BankID\'s published sample signature passes the digests, signature value, chain to its bank CA, texts, funcId and personal number', async () => {
  const xml = Buffer.from(BANKID_SAMPLE_SIGNATURE, 'base64').toString('utf8');
  const bankCa = [...xml.matchAll(/<X509Certificate>([^<]+)<\/X509Certificate>/g)].at(-1)![1]!;
  assert.match(new X509Certificate(Buffer.from(bankCa, 'base64')).subject, /CN=Testbank A CA v1 for BankID Test/);
  const sampleVerifier = new CompletionVerifier({ userRootsPem: new X509Certificate(Buffer.from(bankCa, 'base64')).toString(), now: () => new Date('2023-01-01T12:00:00Z') });
  const sample = { user: { personalNumber: '191212121212' }, signature: BANKID_SAMPLE_SIGNATURE, ocspResponse: '' } as CompletionData;
  const expected = { operation: 'auth' as Operation, sentDataDigest: sentDataDigest({ userVisibleData: 'signeringstext', userNonVisibleData: 'ej synlig' }) };

  const result = await sampleVerifier.verify(sample, expected);
  const outcome = Object.fromEntries(result.checks.map((c) => [c.check, c.outcome]));
  for (const check of ['signatureFormat', 'signedDataDigest', 'keyInfoDigest', 'signatureValue', 'certificateChain', 'sentData', 'function', 'personalNumber'] as const) {
    assert.equal(outcome[check], 'passed', `${check}: ${JSON.stringify(result.checks)}`);
  }
  assert.deepEqual(result.failed, ['ocspSignature', 'ocspStatus', 'ocspNonce'], 'the sample has no OCSP response');

  // And its parts tampered with fail as a live signature's do.
  const edited = (edit: (x: string) => string) => ({ ...sample, signature: Buffer.from(edit(xml), 'utf8').toString('base64') });
  const failedOf = async (s: CompletionData, e = expected) => (await sampleVerifier.verify(s, e)).failed.filter((c) => !c.startsWith('ocsp'));
  assert.deepEqual(await failedOf(edited((x) => x.replace('<fsib>0</fsib>', '<fsib>1</fsib>'))), ['signedDataDigest']);
  const stranger = new X509Certificate(createCertificate({ subject: { CN: 'Stranger' }, notBefore: new Date('2022-01-01'), keyBits: 1024 }).certPem).raw.toString('base64');
  assert.deepEqual(await failedOf(edited((x) => x.replace('</X509Data>', `<X509Certificate>${stranger}</X509Certificate></X509Data>`))), ['keyInfoDigest']);
  assert.deepEqual(await failedOf(edited((x) => x.replace('<SignatureValue>fcs3', '<SignatureValue>fcs4'))), ['signatureValue']);
  assert.deepEqual(await failedOf(sample, { ...expected, operation: 'sign' }), ['function']);
  assert.deepEqual(await failedOf({ ...sample, user: { personalNumber: '199001011234' } } as CompletionData), ['personalNumber']);
  assert.deepEqual(await failedOf(sample, { ...expected, sentDataDigest: sentDataDigest({ userVisibleData: 'signeringstext' }) }), ['sentData']);
});

test('cost: one verification of a simulator completion', async (ctx) => {
  const runs = 20;
  const started = performance.now();
  for (let i = 0; i < runs; i++) assert.equal((await verifier.verify(sign, signExpected)).ok, true);
  const ms = (performance.now() - started) / runs;
  ctx.diagnostic(`${ms.toFixed(1)} ms per verification (mean of ${runs})`);
  // A generous bound: verification runs once per completed order, on the collector's path.
  assert.ok(ms < 250, `${ms} ms`);
});
