export {
  REQUEST_TYP,
  REQUEST_ALGS,
  sealClientRequest,
  openClientRequest,
  verifyClientRequest,
  requestClaims,
  type RequestAlg,
  type OpenedClientRequest,
} from './client_request.js';
export { RESPONSE_TYP, sealResponse, openResponse } from './device_response.js';
