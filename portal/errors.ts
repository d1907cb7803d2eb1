// Errors carry a stable code (also the key of their message in templates/locales),
// an HTTP status, and a message a person can act on. Only 4xx messages reach clients.

export class FoyerError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Values for the localized message ({{ minutes }} …). */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'FoyerError';
  }
  get expose(): boolean {
    return this.status < 500;
  }
}

export const badInput = (code: string, message: string, params?: Record<string, string | number>) =>
  new FoyerError(code, 400, message, params);
export const notFound = (code: string, message: string) => new FoyerError(code, 404, message);
export const forbidden = (code: string, message: string) => new FoyerError(code, 403, message);
export const conflict = (code: string, message: string) => new FoyerError(code, 409, message);
export const tooMany = (code: string, message: string, params?: Record<string, string | number>) =>
  new FoyerError(code, 429, message, params);
export const unavailable = (code: string, message: string) => new FoyerError(code, 503, message);
