// The client harness for lessons whose learner writes a client program: a test
// server of the check's own, running the program against it, and the failures every
// client run is judged on. Exported to check modules through 'httpdojo/check'.
export { AFTER_HELLO_MS, CHECK_MS, clientRequests, eventsOf, EXIT_WITHIN_MS, exitText, findInSource, focusRun, FIRST_REQUEST_MS, outcome, requestLine, runClient, RUN_CAP_MS, seconds, show, STALL_MARGIN_MS, type ClientResult } from './run.js';
export { cut, cutInside, escapeBytes, refusedOrigin, sendPieces, testServer, type Handler, type TestServer } from './server.js';
export { expectErrorLine, expectFailureStatus, expectSuccessOutput, failCommon, failLingering, failUnended, NETWORK_CODES, sameOutput } from './judge.js';
export { agentLine, agentOf, bodyBytesWritten, bodyReceived, describeReceived, expectNodeHttp, headerLine, madeRequest, requestMediaType } from './requests.js';
export type { ClientProgram } from './program.js';
