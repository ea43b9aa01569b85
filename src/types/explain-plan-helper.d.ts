// The package ships types, but its "exports" map hides them from ESM resolution:
// this declares the part of its API indexgate uses (see dist/index.d.ts in the package).
declare module '@mongodb-js/explain-plan-helper' {
  type Stage = Record<string, unknown> & { stage: string };
  export class ExplainPlan {
    constructor(explain: Record<string, unknown>);
    namespace: string;
    nReturned: number | null;
    totalKeysExamined: number | null;
    totalDocsExamined: number | null;
    winningPlan: Stage;
    executionStats?: { executionStages?: Stage; nReturned?: number };
    get isSharded(): boolean;
    static getChildStages(stage?: Stage): Iterable<Stage>;
  }
}
