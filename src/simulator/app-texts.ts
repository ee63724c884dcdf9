/** The simulated BankID app's wording, in Swedish and English; the page picks one per request. */
import type { Operation } from '../bankid/types.ts';

const sv = {
  title: 'BankID (simulator)',
  simulator: 'Simulator för test och demo',
  refresh: 'Uppdatera',
  scanTitle: 'Skanna QR-kod',
  scanHelp: 'Klistra in QR-kodens text (bankid.…) från tjänstens sida, eller välj en order nedan.',
  qrLabel: 'QR-kodens innehåll',
  scan: 'Skanna',
  person: 'Testperson',
  pendingTitle: 'Pågående',
  noPending: 'Inga pågående identifieringar eller underskrifter.',
  finishedTitle: 'Avslutade',
  requestedBy: 'Begärt av',
  requiredPerson: 'Endast för',
  chooseOrder: 'Välj (skanna QR-koden)',
  openHere: 'Öppna på den här enheten',
  callQuestion: 'Pratar du i telefon med',
  callYes: 'Ja',
  callNo: 'Nej',
  mrtdTitle: 'Läs av din ID-handling',
  mrtdPass: 'ID-handlingen godkänd',
  mrtdFail: 'ID-handlingen underkänd',
  securityCode: 'Säkerhetskod',
  advanced: 'Fler val',
  risk: 'Risknivå',
  blockHighRisk: 'Blockera vid hög risk',
  cancel: 'Avbryt',
  returnToService: 'Tillbaka till tjänsten',
  amount: 'Belopp',
  recipient: 'Mottagare',
  riskLow: 'Låg',
  riskModerate: 'Måttlig',
  riskHigh: 'Hög',
  confirm: { auth: 'Identifiera', phoneAuth: 'Identifiera', sign: 'Skriv under', phoneSign: 'Skriv under', payment: 'Godkänn betalning' } satisfies Record<Operation, string>,
  operation: { auth: 'Identifiering', phoneAuth: 'Identifiering (telefon)', sign: 'Underskrift', phoneSign: 'Underskrift (telefon)', payment: 'Betalning' } satisfies Record<Operation, string>,
  status: {
    outstandingTransaction: 'Väntar på att appen startas',
    started: 'Appen är startad, söker efter BankID',
    userCallConfirm: 'Väntar på att samtalet bekräftas',
    userMrtd: 'Väntar på ID-handling',
    userSign: 'Väntar på säkerhetskod',
    complete: 'Klar',
    expiredTransaction: 'Tiden gick ut',
    certificateErr: 'BankID:t kunde inte användas',
    userCancel: 'Avbruten i appen',
    cancelled: 'Avbruten (ny order för samma person)',
    startFailed: 'Appen startades aldrig',
    userDeclinedCall: 'Samtalet nekades',
    notSupportedByUserApp: 'Appen behöver uppdateras',
    transactionRiskBlocked: 'Stoppad på grund av hög risk',
  } as Record<string, string>,
};

export type AppTexts = typeof sv;

const en: AppTexts = {
  title: 'BankID (simulator)',
  simulator: 'Simulator for testing and demos',
  refresh: 'Refresh',
  scanTitle: 'Scan QR code',
  scanHelp: 'Paste the QR code text (bankid.…) from the service\'s page, or choose an order below.',
  qrLabel: 'QR code content',
  scan: 'Scan',
  person: 'Test person',
  pendingTitle: 'In progress',
  noPending: 'No identifications or signatures in progress.',
  finishedTitle: 'Finished',
  requestedBy: 'Requested by',
  requiredPerson: 'Only for',
  chooseOrder: 'Choose (scan the QR code)',
  openHere: 'Open on this device',
  callQuestion: 'Are you on a call with',
  callYes: 'Yes',
  callNo: 'No',
  mrtdTitle: 'Scan your ID document',
  mrtdPass: 'ID document accepted',
  mrtdFail: 'ID document rejected',
  securityCode: 'Security code',
  advanced: 'More options',
  risk: 'Risk level',
  blockHighRisk: 'Block when the risk is high',
  cancel: 'Cancel',
  returnToService: 'Back to the service',
  amount: 'Amount',
  recipient: 'Recipient',
  riskLow: 'Low',
  riskModerate: 'Moderate',
  riskHigh: 'High',
  confirm: { auth: 'Identify', phoneAuth: 'Identify', sign: 'Sign', phoneSign: 'Sign', payment: 'Approve payment' },
  operation: { auth: 'Identification', phoneAuth: 'Identification (phone)', sign: 'Signature', phoneSign: 'Signature (phone)', payment: 'Payment' },
  status: {
    outstandingTransaction: 'Waiting for the app to start',
    started: 'App started, looking for a BankID',
    userCallConfirm: 'Waiting for the call to be confirmed',
    userMrtd: 'Waiting for the ID document',
    userSign: 'Waiting for the security code',
    complete: 'Done',
    expiredTransaction: 'Timed out',
    certificateErr: 'The BankID could not be used',
    userCancel: 'Cancelled in the app',
    cancelled: 'Cancelled (new order for the same person)',
    startFailed: 'The app never started',
    userDeclinedCall: 'The call was declined',
    notSupportedByUserApp: 'The app must be updated',
    transactionRiskBlocked: 'Blocked because of high risk',
  },
};

export type Language = 'sv' | 'en';
export const TEXTS: Record<Language, AppTexts> = { sv, en };

/** `?lang=` wins; then the first of sv/en in Accept-Language (by q-value); Swedish otherwise. */
export function pickLanguage(query: string | undefined, acceptLanguage: string | undefined): Language {
  if (query === 'sv' || query === 'en') return query;
  const ranked = (acceptLanguage ?? '').split(',').map((part, index) => {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
    return { lang: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, index };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
  const found = ranked.find((r) => r.lang === 'sv' || r.lang === 'en');
  return (found?.lang as Language | undefined) ?? 'sv';
}
