import { HttpError } from '../http';
import { applyTree, parseTree } from '.';

const job = {
  _class: 'WorkflowJob',
  url: 'http://j/job/a/job/b/',
  color: 'blue',
  builds: [5, 4, 3, 2, 1].map(number => ({
    _class: 'WorkflowRun',
    number,
    result: number === 4 ? null : 'SUCCESS',
    building: number === 5,
    actions: [
      { _class: 'CauseAction', causes: [{ shortDescription: 'push' }] },
      {
        _class: 'BuildData',
        lastBuiltRevision: { SHA1: `sha${number}`, branch: [] },
      },
    ],
  })),
};

describe("the sandbox Jenkins' tree= queries", () => {
  it('keeps only the selected properties (and _class), nulls included', () => {
    expect(
      applyTree(
        job,
        parseTree(
          'url,builds[number,result,actions[lastBuiltRevision[SHA1]]]{0,2}',
        ),
      ),
    ).toEqual({
      _class: 'WorkflowJob',
      url: 'http://j/job/a/job/b/',
      builds: [
        {
          _class: 'WorkflowRun',
          number: 5,
          result: 'SUCCESS',
          actions: [
            { _class: 'CauseAction' },
            { _class: 'BuildData', lastBuiltRevision: { SHA1: 'sha5' } },
          ],
        },
        {
          _class: 'WorkflowRun',
          number: 4,
          result: null,
          actions: [
            { _class: 'CauseAction' },
            { _class: 'BuildData', lastBuiltRevision: { SHA1: 'sha4' } },
          ],
        },
      ],
    });
  });

  it.each([
    ['{1,3}', [4, 3]],
    ['{2}', [3]],
    ['{3,}', [2, 1]],
    ['{,2}', [5, 4]],
    ['', [5, 4, 3, 2, 1]],
  ])('reads the range %p', (range, numbers) => {
    const out = applyTree(job, parseTree(`builds[number]${range}`)) as {
      builds: Array<{ number: number }>;
    };
    expect(out.builds.map(b => b.number)).toEqual(numbers);
  });

  it.each(['', 'builds[number', 'builds{}', 'builds{a}', 'a,,b', 'a]'])(
    'answers 400 to the malformed tree %p',
    tree => {
      expect(() => parseTree(tree)).toThrow(HttpError);
    },
  );
});
