// src/ui's public surface: the dashboard the agent serves at /ui.
export { registerDashboard } from './routes.js';
export type { DashboardOptions } from './routes.js';
