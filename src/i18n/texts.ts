/** Texts of the broker's own pages in Swedish and English, and how a page picks its language. Error sentences live in the error catalogue. */
import { labels } from '../bankid/messages.ts';

export type { Locale } from '../bankid/messages.ts';
import type { Locale } from '../bankid/messages.ts';
export const LOCALES: readonly Locale[] = ['sv', 'en'];

const texts = {
  sv: {
    title: 'Logga in med BankID',
    loginTo: 'Logga in hos',
    choose: labels.chooseDevice.sv,
    thisDevice: 'BankID på den här enheten',
    otherDevice: 'BankID på en annan enhet',
    startApp: labels.startApp.sv,
    scanHelp: 'Öppna BankID-appen på din mobil eller surfplatta, välj skanna QR-kod och rikta kameran mot koden.',
    qrAlt: 'QR-kod för BankID. Skanna den med BankID-appen på en annan enhet. Koden byts varje sekund.',
    pause: 'Pausa QR-koden',
    resume: 'Visa QR-koden igen',
    paused: 'QR-koden är pausad. Välj "Visa QR-koden igen" när du är redo att skanna.',
    moreTime: 'Jag behöver mer tid',
    moreTimeOn: 'Du får mer tid: en ny QR-kod skapas om tiden går ut.',
    switchToOther: 'Använd BankID på en annan enhet i stället',
    switchToThis: 'Använd BankID på den här enheten i stället',
    tryAgain: 'Försök igen',
    cancel: 'Avbryt',
    continue: 'Fortsätt',
    noScript: 'Sidan uppdateras automatiskt.',
    signTitle: 'Skriv under med BankID',
    signFor: 'Underskrift för',
    signIntro: 'Du är på väg att skriva under den här texten med BankID:',
    approvalIntro: 'Du är på väg att godkänna en underskrift av den här texten med BankID:',
    signBound: 'Texten visas i din BankID-app när BankID har kontrollerat att du är den person tjänsten frågar efter.',
    signConsentTitle: 'Godkänn underskriften',
    signConsentIntro: 'är tjänsten du skriver under för. Den får din underskrift och följande uppgifter om dig:',
    consentTitle: 'Godkänn delning av uppgifter',
    consentIntro: 'vill få följande uppgifter om dig:',
    allow: 'Godkänn',
    deny: 'Avbryt',
    errorTitle: 'Något gick fel',
    busyTitle: 'Många loggar in just nu',
    errorRequest: 'Tjänsten skickade en felaktig begäran:',
    reference: 'Felkod',
    home: 'Till startsidan',
    logoutTitle: 'Logga ut',
    logoutQuestion: 'Vill du logga ut från Brygga?',
    logoutYes: 'Logga ut',
    logoutNo: 'Stanna inloggad',
    loggedOut: 'Du är utloggad.',
    language: 'In English',
    scopes: {
      openid: 'Att du har loggat in',
      profile: 'Ditt namn',
      'https://id.oidc.se/scope/naturalPersonNumber': 'Ditt personnummer',
      'https://id.oidc.se/scope/naturalPersonInfo': 'Ditt namn och födelsedatum',
      bankid: 'Uppgifter om inloggningen med BankID (IP-adress, intyg)',
      offline_access: 'Tillgång när du inte är inloggad',
      'https://id.oidc.se/scope/sign': 'Din underskrift av texten',
      'https://id.oidc.se/scope/signApproval': 'Att du godkänner underskriften',
    } as Record<string, string>,
  },
  en: {
    title: 'Log in with BankID',
    loginTo: 'Log in to',
    choose: labels.chooseDevice.en,
    thisDevice: 'BankID on this device',
    otherDevice: 'BankID on another device',
    startApp: labels.startApp.en,
    scanHelp: 'Open the BankID app on your phone or tablet, choose scan QR code and point the camera at the code.',
    qrAlt: 'QR code for BankID. Scan it with the BankID app on another device. The code changes every second.',
    pause: 'Pause the QR code',
    resume: 'Show the QR code again',
    paused: 'The QR code is paused. Choose "Show the QR code again" when you are ready to scan.',
    moreTime: 'I need more time',
    moreTimeOn: 'You get more time: a new QR code is made if time runs out.',
    switchToOther: 'Use BankID on another device instead',
    switchToThis: 'Use BankID on this device instead',
    tryAgain: 'Try again',
    cancel: 'Cancel',
    continue: 'Continue',
    noScript: 'This page refreshes by itself.',
    signTitle: 'Sign with BankID',
    signFor: 'Signing for',
    signIntro: 'You are about to sign this text with BankID:',
    approvalIntro: 'You are about to approve a signature of this text with BankID:',
    signBound: 'The text is shown in your BankID app once BankID has checked that you are the person the service asks for.',
    signConsentTitle: 'Approve the signature',
    signConsentIntro: 'is the service you are signing for. It receives your signature and the following information about you:',
    consentTitle: 'Approve sharing your information',
    consentIntro: 'would like the following information about you:',
    allow: 'Approve',
    deny: 'Cancel',
    errorTitle: 'Something went wrong',
    busyTitle: 'Busy right now',
    errorRequest: 'The service sent an invalid request:',
    reference: 'Reference',
    home: 'Go to the start page',
    logoutTitle: 'Log out',
    logoutQuestion: 'Do you want to log out of Brygga?',
    logoutYes: 'Log out',
    logoutNo: 'Stay logged in',
    loggedOut: 'You are logged out.',
    language: 'På svenska',
    scopes: {
      openid: 'That you have logged in',
      profile: 'Your name',
      'https://id.oidc.se/scope/naturalPersonNumber': 'Your personal identity number',
      'https://id.oidc.se/scope/naturalPersonInfo': 'Your name and date of birth',
      bankid: 'Details of the BankID login (IP address, evidence)',
      offline_access: 'Access while you are not logged in',
      'https://id.oidc.se/scope/sign': 'Your signature of the text',
      'https://id.oidc.se/scope/signApproval': 'That you approve the signature',
    } as Record<string, string>,
  },
} satisfies Record<Locale, unknown>;

export type Texts = (typeof texts)['sv'];
export function textsFor(locale: Locale): Texts {
  return texts[locale];
}

/** The person's own choice (`?lang=`) wins, then the client's `ui_locales`, then Accept-Language; Swedish by default. */
export function negotiateLocale(options: { uiLocales?: string; lang?: string; acceptLanguage?: string }): Locale {
  const candidates = [
    options.lang,
    ...(options.uiLocales ?? '').split(' '),
    ...(options.acceptLanguage ?? '').split(',').map((part) => part.split(';')[0]),
  ];
  for (const candidate of candidates) {
    const primary = candidate?.trim().toLowerCase().split('-')[0];
    if (primary && (LOCALES as string[]).includes(primary)) return primary as Locale;
  }
  return 'sv';
}
