/** Texts of the admin console (/admin) in Swedish and English; error sentences live in the error catalogue. */
import type { Locale } from '../bankid/messages.ts';

const texts = {
  sv: {
    console: 'Brygga administration',
    nav: 'Administration',
    clients: 'Tjänster (klienter)', tenants: 'Organisationer', certificates: 'BankID-certifikat', admins: 'Administratörer', audit: 'Ändringslogg',
    signIn: 'Logga in med BankID', signInIntro: 'Administrationen av Brygga kräver inloggning med BankID.',
    signedOut: 'Du är utloggad.', idle: 'Du loggades ut efter en stund utan aktivitet.',
    signOut: 'Logga ut', signedInAs: 'Inloggad som',
    reauthTitle: 'Bekräfta med BankID', reauthIntro: 'Den här ändringen kräver att du nyss har loggat in med BankID. Bekräfta med BankID och skicka sedan ändringen igen.', reauthButton: 'Bekräfta med BankID',
    deniedTitle: 'Ingen åtkomst',
    create: 'Skapa', save: 'Spara', add: 'Lägg till', remove: 'Ta bort', filter: 'Filtrera', edit: 'Ändra', none: 'Inga ännu.',
    newClient: 'Ny tjänst', newTenant: 'Ny organisation', tryLogin: 'Prova inloggning',
    id: 'Id', name: 'Namn', tenant: 'Organisation', role: 'Roll', state: 'Läge', expires: 'Giltigt till', daysLeft: 'Dagar kvar', action: 'Åtgärd', when: 'När', who: 'Vem', object: 'Objekt',
    fieldErrors: 'Rätta felen nedan.', saved: 'Sparat.', secretOnce: 'Klientens hemlighet visas bara den här gången:',
    upload: 'Ladda upp certifikat', pkcs12: 'PKCS#12-fil (.p12/.pfx)', passphrase: 'Lösenord till filen', activate: 'Aktivera', rollback: 'Gå tillbaka till föregående',
    expiryWarning: 'Går ut inom', expired: 'Har gått ut', days: 'dagar',
    personalNumber: 'Personnummer (12 siffror)', displayName: 'Namn', roles: { broker_admin: 'Brokeradministratör', tenant_admin: 'Organisationsadministratör', tenant_auditor: 'Granskare (läsbehörighet)' } as Record<string, string>,
    states: { staged: 'Förberett', active: 'Aktivt', retired: 'Tidigare' } as Record<string, string>,
    objectType: 'Typ av objekt', objectId: 'Objektets id', actor: 'Vem', from: 'Från (ISO-tid)', to: 'Till (ISO-tid)', next: 'Nästa sida',
    lines: 'En per rad', yes: 'Ja', no: 'Nej', language: 'In English', skip: 'Till innehållet',
  },
  en: {
    console: 'Brygga administration',
    nav: 'Administration',
    clients: 'Services (clients)', tenants: 'Organisations', certificates: 'BankID certificates', admins: 'Administrators', audit: 'Change log',
    signIn: 'Sign in with BankID', signInIntro: 'Administering Brygga needs a sign-in with BankID.',
    signedOut: 'You are signed out.', idle: 'You were signed out after a while without activity.',
    signOut: 'Sign out', signedInAs: 'Signed in as',
    reauthTitle: 'Confirm with BankID', reauthIntro: 'This change needs a recent BankID sign-in. Confirm with BankID, then send the change again.', reauthButton: 'Confirm with BankID',
    deniedTitle: 'No access',
    create: 'Create', save: 'Save', add: 'Add', remove: 'Remove', filter: 'Filter', edit: 'Edit', none: 'None yet.',
    newClient: 'New service', newTenant: 'New organisation', tryLogin: 'Try login',
    id: 'Id', name: 'Name', tenant: 'Organisation', role: 'Role', state: 'State', expires: 'Valid until', daysLeft: 'Days left', action: 'Action', when: 'When', who: 'Who', object: 'Object',
    fieldErrors: 'Correct the errors below.', saved: 'Saved.', secretOnce: 'The client secret is shown this once only:',
    upload: 'Upload certificate', pkcs12: 'PKCS#12 file (.p12/.pfx)', passphrase: 'Passphrase of the file', activate: 'Activate', rollback: 'Go back to the previous one',
    expiryWarning: 'Expires within', expired: 'Expired', days: 'days',
    personalNumber: 'Personal identity number (12 digits)', displayName: 'Name', roles: { broker_admin: 'Broker administrator', tenant_admin: 'Organisation administrator', tenant_auditor: 'Auditor (read only)' } as Record<string, string>,
    states: { staged: 'Staged', active: 'Active', retired: 'Previous' } as Record<string, string>,
    objectType: 'Object type', objectId: 'Object id', actor: 'Who', from: 'From (ISO time)', to: 'To (ISO time)', next: 'Next page',
    lines: 'One per line', yes: 'Yes', no: 'No', language: 'På svenska', skip: 'Skip to content',
  },
} satisfies Record<Locale, unknown>;

export type ConsoleTexts = (typeof texts)['sv'];
export const consoleTexts = (locale: Locale): ConsoleTexts => texts[locale];
