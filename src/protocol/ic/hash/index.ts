export {
  hashOfMap,
  hashValue,
  lebEncode,
  slebEncode,
  type HashableValue,
} from './representation_independent_hash.js';
export { requestIdOf, requestIdToText, type RequestId } from './request_id.js';
