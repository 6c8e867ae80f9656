// GitHub's answers as values: what a handler returns and the error bodies GitHub
// sends (shapes from the `basic-error` and `validation-error` schemas).

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FieldError {
  resource: string;
  field: string;
  message: string;
}

const DOCUMENTATION_URL = 'https://docs.github.com/rest';

export function basicError(status: number, message: string): Reply {
  return { status, body: { message, documentation_url: DOCUMENTATION_URL, status: String(status) } };
}

/** GitHub's answer when a field breaks a server-side rule, e.g. a description past 140 characters. */
export function validationFailed(errors: FieldError[]): Reply {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: errors.map((e) => ({ ...e, code: 'custom' })),
      documentation_url: DOCUMENTATION_URL,
      status: '422',
    },
  };
}

/** GitHub's answer when a request does not match the operation's schema. */
export function invalidRequest(details: string[]): Reply {
  return basicError(422, `Invalid request.\n\n${details.join('\n')}`);
}

/** A handler's refusal: the reply to send, and why, for the violation log. */
export class Refusal extends Error {
  constructor(readonly reply: Reply, readonly kind: 'limit' | 'not-found', message: string) {
    super(message);
  }
}

export function refuseField(error: FieldError): never {
  throw new Refusal(validationFailed([error]), 'limit', `${error.resource}.${error.field}: ${error.message}`);
}

/** A rule GitHub enforces with a plain message rather than field errors. */
export function refuseWithMessage(message: string): never {
  throw new Refusal(basicError(422, message), 'limit', message);
}

export function refuseNotFound(what: string): never {
  throw new Refusal(basicError(404, 'Not Found'), 'not-found', `${what} does not exist`);
}
