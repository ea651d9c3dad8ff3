export {
  parseScope,
  SCOPE_TOKEN_PATTERN,
  MAX_SCOPE_TOKEN_LENGTH,
  MAX_SCOPE_TOKENS,
  type ScopeInput,
} from './parse_scope.js';
export { formatScope } from './format_scope.js';
