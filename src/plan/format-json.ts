// Plans as JSON, exactly the shape of docs/spec.md ("Plan as JSON").
import type { JobPlan } from './plan.js';

export interface PlanError {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function planJson(plans: JobPlan[], errors: PlanError[] = []): string {
  const jobs = plans.map((p) => ({ id: p.id, changes: p.changes, checkIndex: p.checkIndex, groups: p.groups, diff: p.diff }));
  return `${JSON.stringify(errors.length ? { jobs, errors } : { jobs }, null, 2)}\n`;
}
