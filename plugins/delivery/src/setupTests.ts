import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy*/waitFor poll until this long: sized for a busy 2-core CI machine,
// where a card that renders in under a second alone took over 15 s while
// the whole suite ran beside another (its lazy chunks are transpiled on
// first use). A
// test that passes waits only as long as it must.
configure({ asyncUtilTimeout: 45_000 });

// Room for the polls above inside one test.
jest.setTimeout(90_000);
