/** Demo mode's console admin: the simulator's default person is a broker admin, so the console can be tried at once. */
import { DEFAULT_PERSON } from '../simulator/people.ts';
import type { AdminStore } from '../storage/admins.ts';
import type { Db } from '../storage/database.ts';

export const DEMO_BROKER_ADMIN = DEFAULT_PERSON.personalNumber;

/** Idempotent: a person already holding the role is left as they are. */
export async function seedDemoAdmin(admins: AdminStore, db: Db): Promise<void> {
  await admins.insert(db, DEMO_BROKER_ADMIN, { displayName: `${DEFAULT_PERSON.givenName} ${DEFAULT_PERSON.surname} (demo)`, role: 'broker_admin', tenantId: null });
}
