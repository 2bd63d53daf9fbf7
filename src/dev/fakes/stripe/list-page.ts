import { StripeApiError } from './fake-stripe.errors';
import { ListObject } from './fake-stripe.objects';

/** `created` as Stripe's list endpoints take it: an exact timestamp or a range. */
export interface CreatedRange {
  eq?: number;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** Paging of a list endpoint: at most one cursor (the routes refuse both). */
export interface PageQuery {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  created?: CreatedRange;
}

/**
 * One page of a Stripe list: `items` newest first, filtered by `created`, then `limit` items after the
 * `starting_after` cursor or the `limit` items just before the `ending_before` one (still newest first).
 * `has_more` says whether items are left beyond the page in the direction of travel. A cursor that is not in
 * the (filtered) list is Stripe's 400 "No such <object>".
 */
export function listPage<T extends { id: string; created: number }>(
  items: readonly T[],
  query: PageQuery,
  url: string,
  objectName: string,
): ListObject<T> {
  const listed = query.created ? items.filter((item) => inRange(item.created, query.created!)) : [...items];
  const cursor = (id: string, param: string) => {
    const index = listed.findIndex((item) => item.id === id);
    if (index === -1) throw StripeApiError.noSuchParamObject(objectName, id, param);
    return index;
  };
  if (query.endingBefore !== undefined) {
    const end = cursor(query.endingBefore, 'ending_before');
    const start = Math.max(0, end - query.limit);
    return { object: 'list', data: listed.slice(start, end), has_more: start > 0, url };
  }
  const start = query.startingAfter === undefined ? 0 : cursor(query.startingAfter, 'starting_after') + 1;
  return {
    object: 'list',
    data: listed.slice(start, start + query.limit),
    has_more: listed.length > start + query.limit,
    url,
  };
}

function inRange(created: number, range: CreatedRange): boolean {
  return (
    (range.eq === undefined || created === range.eq) &&
    (range.gt === undefined || created > range.gt) &&
    (range.gte === undefined || created >= range.gte) &&
    (range.lt === undefined || created < range.lt) &&
    (range.lte === undefined || created <= range.lte)
  );
}
