/** Hash routes: the app is one page, and a route survives reload and works offline. */
export const ROUTES = ['inbox', 'vault', 'connections', 'activity', 'settings'] as const;
export type Route = (typeof ROUTES)[number];

function current(): Route {
  const name = location.hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'vault';
}

export class Router {
  route = $state<Route>(current());

  constructor() {
    addEventListener('hashchange', () => (this.route = current()));
  }
}
