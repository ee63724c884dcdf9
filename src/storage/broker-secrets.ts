/** Broker-wide secrets (cookie keys, DPoP nonce secret): generated once, shared by every replica, sealed at rest. */
import type { Db } from './database.ts';
import type { SecretBox } from './encryption.ts';
import { unseal } from './unseal.ts';

/**
 * The secret called `name`, created with `generate()` if no replica has created it yet. Race-safe: concurrent
 * first starts each try to insert, one wins, and all of them read back the winner's value.
 */
export async function getOrCreateSecret(db: Db, box: SecretBox, name: string, generate: () => string): Promise<string> {
  await db.insertInto('broker_secrets')
    .values({ name, sealed_value: box.seal(generate()) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('broker_secrets').select('sealed_value').where('name', '=', name).executeTakeFirstOrThrow();
  return unseal(box, row.sealed_value, `broker secret ${name}`);
}
