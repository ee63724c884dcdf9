/**
 * BankID's recommended user messages (RFA, rp-api-v6.md §8), exactly as published with the known typos fixed,
 * plus Brygga's own texts for the hint codes that have no RFA.
 */

export type Locale = 'sv' | 'en';

export type RfaId =
  | 'RFA1' | 'RFA2' | 'RFA3' | 'RFA4' | 'RFA5' | 'RFA6' | 'RFA8' | 'RFA9' | 'RFA13' | 'RFA15A' | 'RFA15B' | 'RFA16'
  | 'RFA17A' | 'RFA17B' | 'RFA18' | 'RFA19' | 'RFA20' | 'RFA21' | 'RFA22' | 'RFA23';
export type BryggaMessageId =
  | 'BRYGGA_userCallConfirm' | 'BRYGGA_userDeclinedCall' | 'BRYGGA_notSupportedByUserApp' | 'BRYGGA_transactionRiskBlocked';
export type MessageId = RfaId | BryggaMessageId;

export type UserMessage = { id: MessageId } & Record<Locale, string>;

export interface MessageContext {
  /** Absent when the call itself failed with an errorCode. */
  status?: 'pending' | 'failed';
  hintCode?: string;
  errorCode?: string;
  /** How Brygga started the order; decides between the QR and the autostart wording. */
  startMethod: 'qr' | 'same_device' | 'phone';
  /** The browser is on a phone or tablet. */
  mobile: boolean;
}

const TEXTS: Record<MessageId, Record<Locale, string>> = {
  RFA1: { sv: 'Starta BankID-appen', en: 'Start your BankID app.' },
  RFA2: { sv: 'Du har inte BankID-appen installerad. Kontakta din bank.', en: 'The BankID app is not installed. Please contact your bank.' },
  RFA3: { sv: 'Åtgärden avbruten. Försök igen.', en: 'The action was cancelled. Please try again' },
  RFA4: {
    sv: 'En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.',
    en: 'An identification or signing for this personal number is already started. Please try again.',
  },
  RFA5: { sv: 'Något gick fel. Försök igen.', en: 'Something went wrong. Please try again' },
  RFA6: { sv: 'Åtgärden avbröts.', en: 'The action was cancelled.' },
  RFA8: {
    sv: 'BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Om du inte har ett giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.',
    en: 'The BankID app is not responding. Please check that it’s started and that you have internet access. If you don’t have a valid BankID you can get one from your bank. Try again.',
  },
  RFA9: {
    sv: 'Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.',
    en: 'Enter your security code in the BankID app and select Identify or Sign.',
  },
  RFA13: { sv: 'Försöker starta BankID-appen.', en: 'Trying to start your BankID app.' },
  RFA15A: {
    sv: 'Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här datorn. Om du har ett BankID på kort, sätt in kortet i kortläsaren.',
    en: 'Searching for BankID. Make sure you have a valid BankID on this computer. If you have a BankID on card, please insert the card into your card reader.',
  },
  RFA15B: {
    sv: 'Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten.',
    en: 'Searching for BankID. Make sure you have a valid BankID on this device.',
  },
  RFA16: {
    sv: 'Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank.',
    en: 'Your BankID is blocked or too old. Please use another BankID or get a new one from your bank.',
  },
  RFA17A: {
    sv: 'Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID hos din bank.',
    en: 'You don\'t seem to have the BankID app/program. Please install it and get a BankID from your bank.',
  },
  RFA17B: {
    sv: 'Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.',
    en: 'Failed to scan the QR code. Start the BankID app and scan the QR code.',
  },
  RFA18: { sv: 'Starta BankID-appen', en: 'Start the BankID app' },
  RFA19: {
    sv: 'Vill du använda BankID på den här datorn eller ett Mobilt BankID?',
    en: 'Would you like to use BankID on this computer, or a Mobile BankID?',
  },
  RFA20: {
    sv: 'Vill du använda BankID på den här enheten eller på en annan enhet?',
    en: 'Do you want to use BankID on this device or another device?',
  },
  RFA21: { sv: 'En identifiering eller underskrift pågår.', en: 'An identification or signing is in progress.' },
  RFA22: { sv: 'Något gick fel. Försök igen.', en: 'Something went wrong. Please try again.' },
  RFA23: {
    sv: 'Fotografera och läs av din ID-handling med BankID-appen.',
    en: 'Take a photo of, and scan, your ID document with the BankID app.',
  },
  BRYGGA_userCallConfirm: {
    sv: 'Bekräfta i BankID-appen att du pratar i telefon med oss.',
    en: 'Confirm in the BankID app that you are on a phone call with us.',
  },
  BRYGGA_userDeclinedCall: {
    sv: 'Du angav i BankID-appen att du inte pratar i telefon med oss, så åtgärden avbröts.',
    en: 'You answered in the BankID app that you are not on a phone call with us, so the action was cancelled.',
  },
  BRYGGA_notSupportedByUserApp: {
    sv: 'Uppdatera BankID-appen och försök sedan igen.',
    en: 'Update your BankID app and then try again.',
  },
  BRYGGA_transactionRiskBlocked: {
    sv: 'BankID stoppade åtgärden av säkerhetsskäl. Kontakta din bank om du har frågor.',
    en: 'BankID stopped the action for security reasons. Please contact your bank if you have questions.',
  },
};

function message(id: MessageId): UserMessage {
  return { id, ...TEXTS[id] };
}

/** Every text by id, for pages that show one without a collect result (e.g. RFA2 when the app is missing). */
export const messages: Readonly<Record<MessageId, UserMessage>> = Object.freeze(
  Object.fromEntries(Object.keys(TEXTS).map((id) => [id, message(id as MessageId)])) as Record<MessageId, UserMessage>,
);

export const labels = {
  /** RFA18: the "open the app on this device" button or link. */
  startApp: messages.RFA18,
  /** RFA20: asking whether to use BankID on this device or another one. */
  chooseDevice: messages.RFA20,
} as const;

const ERROR_MESSAGES = new Map<string, MessageId>([
  ['alreadyInProgress', 'RFA4'],
  ['requestTimeout', 'RFA5'],
  ['internalError', 'RFA5'],
  ['maintenance', 'RFA5'],
]);

function pendingMessage({ hintCode, startMethod, mobile }: MessageContext): MessageId {
  switch (hintCode) {
    case 'outstandingTransaction': return startMethod === 'same_device' ? 'RFA13' : 'RFA1';
    case 'noClient': return 'RFA1';
    case 'started': return mobile ? 'RFA15B' : 'RFA15A';
    case 'userSign': return 'RFA9';
    case 'userMrtd': return 'RFA23';
    case 'userCallConfirm': return 'BRYGGA_userCallConfirm';
    default: return 'RFA21';
  }
}

function failedMessage({ hintCode, startMethod }: MessageContext): MessageId {
  switch (hintCode) {
    case 'cancelled': return 'RFA3';
    case 'userCancel': return 'RFA6';
    case 'expiredTransaction': return 'RFA8';
    case 'certificateErr': return 'RFA16';
    case 'startFailed': return startMethod === 'qr' ? 'RFA17B' : 'RFA17A';
    case 'userDeclinedCall': return 'BRYGGA_userDeclinedCall';
    case 'notSupportedByUserApp': return 'BRYGGA_notSupportedByUserApp';
    case 'transactionRiskBlocked': return 'BRYGGA_transactionRiskBlocked';
    default: return 'RFA22';
  }
}

/**
 * The text to show for a collect result or a failed call. Errors that are the RP's own fault
 * (invalidParameters, unauthorized…) and unknown codes get RFA22: the user can only try again.
 */
export function userMessage(context: MessageContext): UserMessage {
  if (context.errorCode !== undefined) return messages[ERROR_MESSAGES.get(context.errorCode) ?? 'RFA22'];
  return messages[context.status === 'pending' ? pendingMessage(context) : failedMessage(context)];
}
