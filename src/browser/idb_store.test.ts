import 'fake-indexeddb/auto';
import { IdbStore } from './idb_store.js';
import { storeContract } from '../testing/store_contract.js';

let n = 0;
storeContract('IdbStore on fake-indexeddb', () => IdbStore.open(`contract-${++n}`));
