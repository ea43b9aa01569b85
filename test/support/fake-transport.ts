import type { Document } from 'mongodb';
import type { ClientTransport, RawRequest } from '../../src/prisma/client.js';
import type { CommandRequest } from '../../src/prisma/read.js';
import { Recorder } from '../../src/route-engine/recorder.js';

export interface Sent {
  readonly step: string;
  readonly collection: string;
  readonly pipeline?: Document[];
  readonly raw?: RawRequest;
}

/**
 * A transport that sends nothing: it records every command the Prisma client renders and
 * answers each with the documents `answer` gives (none by default), so that the renderer's
 * commands can be compared with the shapes Prisma's engine writes, call by call.
 */
export class FakeTransport implements ClientTransport {
  readonly sent: Sent[] = [];
  private readonly steps = new Recorder({} as never, { maxTimeMS: 1 });

  constructor(private readonly answer: (sent: Sent) => Document[] = () => []) {}

  stepFor(label: string, signature: string): string {
    return this.steps.stepFor(label, signature);
  }
  async aggregate(request: CommandRequest): Promise<Document[]> {
    const sent = { step: request.step, collection: request.collection, pipeline: request.pipeline };
    this.sent.push(sent);
    return this.answer(sent);
  }
  async raw(request: RawRequest): Promise<Document[]> {
    const sent = { step: request.step, collection: request.collection, raw: request };
    this.sent.push(sent);
    return this.answer(sent);
  }
  async standIn(): Promise<Document[]> {
    return [];
  }
  clientWork<T>(_step: string, _describe: string, fn: () => T): T {
    return fn();
  }
  overhead<T>(fn: () => T): T {
    return fn();
  }
}
