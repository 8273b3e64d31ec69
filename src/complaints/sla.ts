import type { Config } from '../config/schema.ts';
import type { ComplaintCategory } from '../diagnosis/schemas.ts';

type Sla = Pick<
  Config['standards']['slaMinutes'],
  'emergencyArrival' | 'noHeatResponse' | 'generalFaultFix' | 'complaintHandling'
>;

/**
 * When a ticket is due (DESIGN §2, the company's promises): a leak is an emergency
 * (arrive within 30 min), no heat is urgent (respond within 2 h), a low temperature is a
 * general fault (fixed within 8 h), anything else is handled within 24 h.
 */
export function slaMinutes(category: ComplaintCategory, sla: Sla): number {
  switch (category) {
    case 'leak':
      return sla.emergencyArrival;
    case 'no-heat':
      return sla.noHeatResponse;
    case 'low-temperature':
      return sla.generalFaultFix;
    default:
      return sla.complaintHandling;
  }
}

export const dueAt = (category: ComplaintCategory, receivedAt: number, sla: Sla) =>
  receivedAt + slaMinutes(category, sla) * 60_000;
