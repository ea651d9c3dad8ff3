export { ERROR_CODES, type ErrorCode, type ErrorKind, type WireError } from './codes.js';
export { DiscoError, isDiscoError } from './disco_error.js';
export { toWire, type WireErrorBody } from './to_wire.js';
