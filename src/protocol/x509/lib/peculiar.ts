// @peculiar/x509 v2 resolves its parsers through tsyringe, which needs the Reflect metadata API
// before the library is evaluated: keep this import first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/**
 * `@peculiar/x509`, loaded behind the Reflect metadata polyfill it needs. Everything in `x509/`
 * (and its tests) imports the library from here, never directly.
 */
export { x509 };
