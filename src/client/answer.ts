/**
 * Reading and checking the gateway's answer to Call, as a client should. The reader lives in
 * `signature/call-answer.ts`, below the message log, which checks stored answers with it too; the client SDK
 * offers it here.
 */
export { readCallAnswer, type CallAnswer } from '../signature/call-answer.js';
