/** The BankID RP API v6.0 client: what the rest of Brygga imports. */
export * from './types.ts';
export * from './environments.ts';
export * from './errors.ts';
export * from './certificate.ts';
export { agentFor, closeAgents, releaseAgent, MAX_RESPONSE_BYTES } from './transport.ts';
export * from './transient.ts';
export * from './client.ts';
export * from './qr.ts';
export * from './launch.ts';
export * from './messages.ts';
