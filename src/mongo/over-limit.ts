import { type Document, MongoServerError } from 'mongodb';

/** The server stopped a command at its maxTimeMS (code 50, MaxTimeMSExpired). */
export const isOverLimit = (error: unknown): boolean =>
  error instanceof MongoServerError && (error.code === 50 || error.codeName === 'MaxTimeMSExpired');

/**
 * Codes with which the server refuses a read because of the data it meets, not because of how the command is written: a
 * result document over 16 MB (BSONObjectTooLarge, 10334: a $lookup joining a conversation's every member), a $lookup's
 * matches over its size limit (4568), a sort or group over its memory limit without disk use (292, 146, 16819, 16820). The
 * same command runs on less data: at the size where it fails, the application's call fails too. That is a finding, as a
 * command over its limit is, never the route's error.
 */
const dataLimitCodes = new Set([10334, 4568, 292, 146, 16819, 16820]);

/** A read the server refused because of the data it met (`dataLimitCodes`): the failure in one line; undefined for anything else. */
export function dataLimitFailure(error: unknown): string | undefined {
  if (!(error instanceof MongoServerError) || typeof error.code !== 'number' || !dataLimitCodes.has(error.code)) return undefined;
  const message =
    String(error.errmsg ?? error.message)
      .split('\n')[0]
      ?.slice(0, 200) ?? '';
  return `${error.codeName ?? `code ${error.code}`} (${error.code}): ${message}`;
}

/** Over the limit, or refused by the server because of the data (either ends the command: a measurement, not an error). */
export const didNotFinish = (error: unknown): boolean => isOverLimit(error) || dataLimitFailure(error) !== undefined;

/**
 * An explain ("executionStats") whose execution stopped before its end is not an error on every path: a find, or a pipeline
 * the server turns into one, answers `ok: 1` with `executionSuccess: false`, the error (50 when it reached its maxTimeMS) and
 * the work done so far. Those partial counts are not the command's work: this throws what the command would have thrown
 * (over the limit: code 50), and returns a complete explain unchanged.
 */
export function completeExplain(raw: Document): Document {
  const failed = failedExecution(raw);
  if (failed)
    throw new MongoServerError({
      ok: 0,
      code: typeof failed.errorCode === 'number' ? failed.errorCode : undefined,
      codeName: failed.errorCode === 50 ? 'MaxTimeMSExpired' : undefined,
      errmsg: `explain: ${String(failed.errorMessage ?? 'the execution did not complete')}`,
    });
  return raw;
}

function failedExecution(value: unknown): Document | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = failedExecution(v);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const doc = value as Document;
  if (doc.executionSuccess === false) return doc;
  for (const v of Object.values(doc)) {
    const found = failedExecution(v);
    if (found) return found;
  }
  return undefined;
}
