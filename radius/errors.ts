// Errors raised by radius/ carry a stable code so callers and logs can tell them apart.
export type RadiusErrorCode =
  'malformed' | 'unknown-attribute' | 'value-too-long' | 'packet-too-large' | 'bad-response' | 'dictionary' | 'socket';

export class RadiusError extends Error {
  readonly code: RadiusErrorCode;
  constructor(code: RadiusErrorCode, message: string) {
    super(message);
    this.name = 'RadiusError';
    this.code = code;
  }
}
