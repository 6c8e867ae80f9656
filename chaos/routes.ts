// Every endpoint of the agent's API, read from its sources (src/api/*.ts)
// rather than listed by hand: an endpoint added later is checked without anyone
// remembering to add it here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** The source file that registers it. */
  file: string;
}

/**
 * `app.get('/v1/...'` or, in a plugin's scope, `scope.post(\`/v1/webhooks/${forge}\``: a path
 * starting with a slash, in quotes or a template (whose `${name}` becomes the parameter `:name`).
 */
const registration = /\b\w+\.(get|post|put|patch|delete)\s*(?:<[^()]*?>)?\s*\(\s*(['`])(\/[^'`]*)\2/g;

/** Routes registered in `folder` (fastify's `app.get('/path', ...)` and friends, on the app or a plugin's scope). */
export function apiRoutes(folder = join(process.cwd(), 'src', 'api')): Route[] {
  const routes: Route[] = [];
  for (const name of readdirSync(folder).filter((n) => n.endsWith('.ts')).sort()) {
    const text = readFileSync(join(folder, name), 'utf8');
    for (const match of text.matchAll(registration)) {
      const path = match[3]!.replace(/\$\{(\w+)\}/g, ':$1');
      routes.push({ method: match[1]!.toUpperCase() as Route['method'], path, file: `src/api/${name}` });
    }
  }
  return routes;
}

/** A route's path with its parameters filled in: `/v1/job/:id` → `/v1/job/web` (by the collection's name, else the parameter's). */
export function fillPath(path: string, ids: Record<string, string>): string {
  return path.replace(/\/([^/]+)\/:(\w+)/g, (_whole, collection: string, param: string) => `/${collection}/${ids[collection] ?? ids[param] ?? 'unknown'}`);
}

/** Open without a token, as the API keeps them: the health check, and webhooks (which carry their own signature). */
export function isOpenRoute(path: string): boolean {
  return path === '/v1/agent/health' || path.startsWith('/v1/webhooks/');
}
