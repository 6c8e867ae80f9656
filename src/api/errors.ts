// Errors as the API answers them: `{ "error": { "code", "message", ... } }` with an HTTP status.
import type { Diagnostic } from '../model/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiErrorBody {
  error: { code: string; message: string; diagnostics?: Diagnostic[]; [key: string]: unknown };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ApiErrorBody {
  return { error: { code, message, ...details } };
}
