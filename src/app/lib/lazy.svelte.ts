/** What a person reads when a part of the app could not be loaded. */
export const LOAD_FAILED =
  'This part of Disco could not be loaded. Check your connection, then reload the page.';

/**
 * Something the first screen does not need, made from a module loaded when first asked for (a
 * dynamic `import()`, so its own chunk: issue #13 keeps the first paint under 50 KB of
 * JavaScript). `value` is set once it is ready, `failure` when the chunk could not be fetched
 * (offline before the service worker cached it, say); a later `get()` tries again.
 */
export class Lazy<T> {
  value = $state<T | undefined>();
  failure = $state('');
  readonly #make: () => Promise<T>;
  #pending: Promise<T> | undefined;

  constructor(make: () => Promise<T>) {
    this.#make = make;
  }

  get(): Promise<T> {
    this.#pending ??= this.#make().then(
      (value) => {
        this.failure = '';
        return (this.value = value);
      },
      (err: unknown) => {
        this.#pending = undefined;
        this.failure = LOAD_FAILED;
        throw err;
      },
    );
    return this.#pending;
  }
}
