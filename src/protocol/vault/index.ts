export * from './fields.js';
export { validateEntry, assertEntry, type FieldErrors, type Validation } from './validate_entry.js';
