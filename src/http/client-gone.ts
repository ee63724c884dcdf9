/**
 * Whether an error only says that the browser went away while its answer was being sent, or after its connection
 * became a WebSocket (`upgraded`): a closed tab ends a status stream with a reset. Nothing failed on our side, so it
 * is not logged as a failed request.
 */
const GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

export function isClientGone(err: Error & { code?: string; headerSent?: boolean }, upgraded = false): boolean {
  return (err.headerSent === true || upgraded) && err.code !== undefined && GONE.has(err.code);
}
