export {};

// Tests start real backends and sandboxes; on a loaded 2-core CI machine
// that takes longer than Jest's 5 s default. A hang guard, not a measure.
jest.setTimeout(120_000);
