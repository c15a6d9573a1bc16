/** A refusal the CLI prints as `{ "error": message }` with exit code 1. */
export class AdminError extends Error {
  override name = 'AdminError';
}
