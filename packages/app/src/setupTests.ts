import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy*/waitFor poll until this long: sized for a busy 2-core CI machine,
// where a card that renders in under a second alone can take several. A
// test that passes waits only as long as it must.
configure({ asyncUtilTimeout: 15_000 });

// Room for the polls above inside one test.
jest.setTimeout(30_000);
