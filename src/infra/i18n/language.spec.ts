import { pickLanguage } from './language';

describe(pickLanguage.name, () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['pt-BR', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['pt-PT;q=0.9, en;q=0.8', 'pt-BR'],
    ['fr-FR, en;q=0.5, pt-BR;q=0.7', 'pt-BR'],
    ['de, fr', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['pt-BR;q=0, en', 'en'],
    ['*', 'en'],
    [['fr', 'pt-BR'], 'pt-BR'],
  ])('%p → %s', (header, expected) => {
    expect(pickLanguage(header as string | undefined)).toBe(expected);
  });
});
