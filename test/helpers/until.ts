/** Tests wait on conditions, never on time: `probe` is asked until `done` holds, a bounded number of times. */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, attempts = 100, pauseMs = 50): Promise<T> {
  let value = await probe();
  for (let i = 1; i < attempts && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    value = await probe();
  }
  if (!done(value)) throw new Error(`${what}: not reached after ${attempts} probes; last ${JSON.stringify(value)}`);
  return value;
}
