import type { ZodError } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** An error that becomes an RFC 9457 `application/problem+json` response. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    detail: string,
    opts: { title?: string; type?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = opts.title ?? TITLES[status] ?? 'Error';
    this.type = opts.type ?? 'about:blank';
    this.errors = opts.errors;
    this.headers = opts.headers ?? {};
  }

  toBody(): ProblemBody {
    const body: ProblemBody = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
    };
    if (this.errors?.length) body.errors = this.errors;
    return body;
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, detail, errors ? { errors } : {});
export const unauthorized = (detail = 'A valid bearer token is required.') => new HttpProblem(401, detail);
export const notFound = (detail = 'The resource does not exist.') => new HttpProblem(404, detail);
export const conflict = (detail: string) => new HttpProblem(409, detail);

/** Zod issues as `{path, message}` with the location prefixed (`body.provider`, `query.limit`). */
export function zodFieldErrors(error: ZodError, location: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

export function problemResponse(problem: HttpProblem) {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
    body: JSON.stringify(problem.toBody()),
  };
}
