/** Hash routes: the app is one page, and a route survives reload and works offline. */
export const ROUTES = [
  'inbox',
  'vault',
  'connect',
  'connections',
  'activity',
  'settings',
  'identity',
] as const;
export type Route = (typeof ROUTES)[number];

function current(): Route {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'vault';
}

export class Router {
  route = $state<Route>(current());
  /** The query of a deep link such as `#/connect?uid=K7QF-2M4D`. */
  query = $state(new URLSearchParams(location.hash.split('?')[1] ?? ''));

  constructor() {
    addEventListener('hashchange', () => {
      this.route = current();
      this.query = new URLSearchParams(location.hash.split('?')[1] ?? '');
    });
  }
}
