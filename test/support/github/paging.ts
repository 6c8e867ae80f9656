// GitHub's page-number pagination: `per_page` (default 30, quietly capped at 100),
// `page`, and a Link header octokit's paginate() follows.
import type { Reply } from './responses.js';

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

export function paged<T>(items: T[], requestUrl: URL, toJson: (item: T) => unknown): Reply {
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(requestUrl.searchParams.get('per_page') ?? DEFAULT_PER_PAGE)));
  const page = Math.max(1, Number(requestUrl.searchParams.get('page') ?? 1));
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage).map(toJson);
  const links: string[] = [];
  const link = (target: number, rel: string) => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(target));
    links.push(`<${url.href}>; rel="${rel}"`);
  };
  if (page > 1) link(page - 1, 'prev');
  if (page < lastPage) link(page + 1, 'next');
  if (page < lastPage) link(lastPage, 'last');
  if (page > 1) link(1, 'first');
  return { status: 200, body, ...(links.length ? { headers: { link: links.join(', ') } } : {}) };
}
