/**
 * The feed server's HTTP route table (data-pipelines/feed/http-routes.ts): exact paths before prefixes, a route bound
 * to a method lets other methods fall through (to the static files, as the if-chain it replaced did).
 */
import { describe, expect, it } from 'vitest';
import { RouteTable, type Route } from '../../data-pipelines/feed/http-routes.ts';

const route = (r: Omit<Route, 'handle'>): Route => ({ ...r, handle: () => undefined });

describe('feed route table', () => {
  const people = route({ path: '/api/people/', prefix: true });
  const turning = route({ path: '/api/people/turning' });
  const drills = route({ path: '/api/drills', method: 'GET' });
  const ingest = route({ path: '/api/ingest/', prefix: true, auth: 'own' });
  const table = new RouteTable([ingest, people, turning, drills]);

  it('takes an exact path before a prefix that also matches, whatever their order in the table', () => {
    expect(table.match('GET', '/api/people/turning')).toBe(turning);
    expect(table.match('GET', '/api/people/other')).toBe(people);
    expect(table.match('POST', '/api/ingest/plc/line-1')).toBe(ingest);
  });

  it('matches a method-bound route only for its method; other methods and unknown paths match nothing', () => {
    expect(table.match('GET', '/api/drills')).toBe(drills);
    expect(table.match('POST', '/api/drills')).toBeUndefined();
    expect(table.match('GET', '/api/drillsx')).toBeUndefined();
    expect(table.match('GET', '/index.html')).toBeUndefined();
  });
});
