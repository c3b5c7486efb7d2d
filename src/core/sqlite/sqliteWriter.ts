import type { RunsWriter } from '../database';
import type { CancelOutcome, OperationResult, ResumeOutcome } from '../model/operations';
import { cancelRun, resumeRun } from './operations';
import type { WriterEngine } from './writers/writer';

/** The compare-and-swap writes of one SQLite file, through a writer engine (its own) that takes SQLite's locks. */
export class SqliteWriter implements RunsWriter {
  constructor(
    private readonly engine: WriterEngine,
    readonly dbPath: string,
  ) {}

  get description(): string {
    return this.engine.description;
  }

  resume(runId: string): Promise<OperationResult<ResumeOutcome>> {
    return resumeRun(this.engine, this.dbPath, runId);
  }

  cancel(runId: string): Promise<OperationResult<CancelOutcome>> {
    return cancelRun(this.engine, this.dbPath, runId);
  }

  dispose(): void {
    this.engine.dispose?.();
  }
}
