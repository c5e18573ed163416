// Signs webhook bodies the way PagerDuty (v1 HMAC-SHA256) and our events senders do, for tests and the bench.
export { signEvents, signPagerDuty } from '../../src/intake/signatures.js';
