import { HeatnetError } from '../core/errors.ts';
import {
  type ComplaintFilter,
  complaintById,
  listComplaints,
  type StoredComplaint,
} from './complaint-db.ts';
import type { DeskDb } from './desk-db.ts';

/** Complaints as staff read them back (`GET /api/complaints`, a household's page). */
export class ComplaintBook {
  constructor(private readonly db: DeskDb) {}

  list(filter: ComplaintFilter): Promise<StoredComplaint[]> {
    return this.db.read('complaints', (d) => listComplaints(d, filter));
  }

  async get(id: string): Promise<StoredComplaint> {
    const found = await this.db.read('complaint', (d) => complaintById(d, id));
    if (!found) throw new HeatnetError('NOT_FOUND', `no complaint "${id}"`, { field: 'id' });
    return found;
  }
}
