/** Outcomes every write can have besides its own two: the run is gone, the lock was held, or it is not known whether the commit happened. */
export type Common = 'not-found' | 'busy' | 'uncertain';
export type ResumeOutcome = 'resumed' | 'not-resumable' | Common;
export type CancelOutcome = 'cancelled' | 'nothing-to-cancel' | Common;

export interface OperationResult<O extends string> {
  outcome: O;
  runId: string;
  /**
   * The run's status after the operation (the winner's, when we lost a race); null if not found,
   * busy, or (uncertain) when it could not be read again.
   */
  status: string | null;
  /** For `uncertain`: why the engine's answer was lost. */
  detail?: string;
}
