import { IndexgateError } from '../errors.js';

/**
 * A Prisma call the renderer cannot render exactly as Prisma 6.19 would send it (an unknown
 * model, field or argument, a call or option it does not support, a value of the wrong
 * type): refused, never approximated. `call` names the call (`prisma.conversation.findMany`);
 * the route layer adds the route file.
 */
export class PrismaCallError extends IndexgateError {
  constructor(
    readonly call: string,
    readonly detail: string,
  ) {
    super(`${call}: ${detail}`);
  }
}
