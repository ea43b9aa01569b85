import { type Document, MongoServerError } from 'mongodb';

/** The server stopped a command at its maxTimeMS (code 50, MaxTimeMSExpired). */
export const isOverLimit = (error: unknown): boolean =>
  error instanceof MongoServerError && (error.code === 50 || error.codeName === 'MaxTimeMSExpired');

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
