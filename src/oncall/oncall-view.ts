// What /oncall answers: who is on call now and next for each team, as blocks/oncall.ts renders it.

export interface OncallView {
  at: Date;
  rows: {
    team: string;
    schedule: string | null;
    /** Mentions or names, already formatted. */
    primary: string | null;
    secondary: string | null;
    next: string | null;
    shiftEnd: Date | null;
    timeZone: string;
    overridden: boolean;
  }[];
  /** Set when the question was about one service. */
  service?: string;
}
