import { MongoServerError } from 'mongodb';

/** The server stopped a command at its maxTimeMS (code 50, MaxTimeMSExpired). */
export const isOverLimit = (error: unknown): boolean =>
  error instanceof MongoServerError && (error.code === 50 || error.codeName === 'MaxTimeMSExpired');
