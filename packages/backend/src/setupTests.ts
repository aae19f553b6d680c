// Backend tests start real backends (startTestBackend) and sandboxes; on a
// loaded 2-core CI machine that takes longer than Jest's 5 s default. The
// limit is a hang guard, never a measure of speed.
jest.setTimeout(120_000);
