import { IndexgateError } from '../errors.js';

/** A call a route made that indexgate cannot send as asked (a write in a read route, a driver call it does not record). */
export class RouteCallError extends IndexgateError {
  constructor(
    readonly call: string,
    readonly detail: string,
  ) {
    super(`${call}: ${detail}`);
  }
}

/** A route file that cannot be used: missing, not loadable, not a route, or a route whose code fails. Names the file. */
export class RouteFileError extends IndexgateError {
  constructor(
    readonly file: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`route file ${file}: ${detail}`, options);
  }
}
