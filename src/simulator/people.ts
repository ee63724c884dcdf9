/** The simulated BankID holders the app page offers, and the default one every approval falls back to. */

export interface TestPerson {
  personalNumber: string;
  givenName: string;
  surname: string;
}

export const TEST_PEOPLE: readonly TestPerson[] = [
  { personalNumber: '199908072391', givenName: 'Tolvan', surname: 'Tolvansson' },
  { personalNumber: '191212121212', givenName: 'Tolvina', surname: 'Tolvansson' },
  // A coordination number (samordningsnummer): the day of birth plus 60.
  { personalNumber: '199908672398', givenName: 'Sam', surname: 'Samordnad' },
];

export const DEFAULT_PERSON = TEST_PEOPLE[0]!;

/** A built-in person by number, or one made up with the default names. */
export function personFor(personalNumber: string, names: { givenName?: string; surname?: string } = {}): TestPerson {
  const known = TEST_PEOPLE.find((p) => p.personalNumber === personalNumber);
  return {
    personalNumber,
    givenName: names.givenName ?? known?.givenName ?? DEFAULT_PERSON.givenName,
    surname: names.surname ?? known?.surname ?? DEFAULT_PERSON.surname,
  };
}
