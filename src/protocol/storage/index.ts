export { type Store, type StoreRecord, type WriteOp } from './store.js';
export { MemoryStore } from './memory_store.js';
