import { MemoryStore } from './memory_store.js';
import { storeContract } from '../../testing/store_contract.js';

storeContract('MemoryStore', () => Promise.resolve(new MemoryStore()));
