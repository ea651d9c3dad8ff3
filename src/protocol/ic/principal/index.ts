export { Principal } from './principal.js';
