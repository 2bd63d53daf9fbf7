import { textTable } from './text-table';

describe(textTable.name, () => {
  it('aligns columns under their header and prints empty values as -', () => {
    const sut = textTable(
      [
        { state: 'completed', name: 'PROCESS', lastError: null },
        { state: 'failed', name: 'ERP_SUBMIT', lastError: 'timeout' },
      ],
      ['name', 'state', 'lastError'],
    );
    expect(sut.split('\n')).toEqual([
      '  name        state      lastError',
      '  PROCESS     completed  -',
      '  ERP_SUBMIT  failed     timeout',
    ]);
  });

  it('says so when there are no rows', () => {
    expect(textTable([], ['a'])).toBe('  (none)');
  });
});
