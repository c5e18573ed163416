// A shift handoff as posted: what the outgoing on-call leaves to the incoming one (blocks/handoff.ts renders it).

/** A handoff, as posted. Users are Slack ids (null when unknown); times are instants shown in `timeZone`. */
export interface HandoffView {
  handoffId: number;
  team: string;
  timeZone: string;
  shiftStart: Date;
  shiftEnd: Date;
  outgoing: string | null;
  incoming: string | null;
  openIncidents: {
    publicId: string;
    title: string;
    severity: string;
    status: string;
    owner: string | null;
    channelId: string | null;
  }[];
  investigations: { publicId: string; title: string }[];
  /** null when no deploys are recorded anywhere (no change events table or source). */
  deploys: { service: string; title: string; at: Date }[] | null;
  selfResolvedAlerts: { alertname: string; service: string | null; count: number }[];
  pendingApprovals: { publicId: string; action: string; service: string }[];
  pagesPerPerson: { user: string; pages: number; outsideHours: number }[];
  /** Runbooks overdue for a drill (src/drills/overdue.ts); absent in handoffs recorded before drills existed. */
  overdueRunbooks?: { id: string; title: string; reason: string }[];
  outgoingConfirmedAt: Date | null;
  incomingConfirmedAt: Date | null;
}

/** The view of a `handoffs` row (its report, its shift and both confirmations). */
export function toHandoffView(row: Record<string, unknown>): HandoffView {
  const report = row.report as Omit<
    HandoffView,
    'shiftStart' | 'shiftEnd' | 'outgoingConfirmedAt' | 'incomingConfirmedAt'
  > & {
    deploys: { service: string; title: string; at: string }[] | null;
  };
  return {
    ...report,
    handoffId: row.id as number,
    shiftStart: new Date(row.shift_start as Date),
    shiftEnd: new Date(row.shift_end as Date),
    deploys: report.deploys ? report.deploys.map((d) => ({ ...d, at: new Date(d.at) })) : null,
    outgoingConfirmedAt: (row.outgoing_confirmed_at as Date | null) ?? null,
    incomingConfirmedAt: (row.incoming_confirmed_at as Date | null) ?? null,
  };
}
