import enErrors from '../../i18n/en/errors.json';
import enValidation from '../../i18n/en/validation.json';
import ptBrErrors from '../../i18n/pt-BR/errors.json';
import ptBrValidation from '../../i18n/pt-BR/validation.json';
import { Language } from './language';

type Catalogue = Readonly<Record<string, string>>;

/** The copy of error answers, per language: src/i18n/<language>/errors.json and validation.json. */
const CATALOGUES: Record<Language, { errors: Catalogue; validation: Catalogue }> = {
  en: { errors: enErrors, validation: enValidation },
  'pt-BR': { errors: ptBrErrors, validation: ptBrValidation },
};

const PLACEHOLDER = /\{(\w+)\}/g;

/** `{name}` placeholders filled from `args`; a placeholder without an argument is left as it is. */
export function fillPlaceholders(text: string, args: Record<string, unknown>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    args[name] === undefined || args[name] === null ? whole : String(args[name]),
  );
}

/**
 * The localised message of an error code (`errors`) or a validation rule (`validation`), or `fallback` when the
 * language has no copy for it. A plain lookup in catalogues loaded once: nothing runs per request but this.
 */
export function localisedMessage(
  kind: 'errors' | 'validation',
  key: string,
  lang: Language,
  fallback: string,
  args: Record<string, unknown> = {},
): string {
  const text = CATALOGUES[lang][kind][key] ?? CATALOGUES.en[kind][key];
  return text === undefined ? fallback : fillPlaceholders(text, args);
}
