/** Reading names out of PromQL and LogQL expressions (dashboards, alert rules). */

/** Metric names a PromQL expression reads: dispatch_* identifiers, histogram/summary series suffixes stripped. */
export function promqlMetricNames(expr: string): string[] {
  const names = expr.match(/dispatch_[a-z0-9_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

/**
 * Whether every use of `metric` in the expression is the direct argument of max, min or avg (with or
 * without `by (...)`), or of Grafana's label_values(): gauges that every process exports alike must not be
 * summed across processes.
 */
export function onlyDeduplicated(expr: string, metric: string): boolean {
  const uses = [...expr.matchAll(new RegExp(`\\b${metric}\\b`, 'g'))].length;
  const wrapped = [
    ...expr.matchAll(
      new RegExp(`\\b(?:max|min|avg|label_values)\\s*(?:by\\s*\\([^)]*\\)\\s*)?\\(\\s*${metric}\\b`, 'g'),
    ),
  ].length;
  return uses === wrapped;
}

export interface LogqlMatcher {
  label: string;
  op: string;
  value: string;
}

/** Walks a LogQL expression, skipping string literals; `onSelector` gets each `{...}` stream selector's text. */
function scan(
  expr: string,
  onSelector: (selector: string) => void,
  onOutside?: (text: string) => void,
): void {
  let i = 0;
  let outside = '';
  const readString = (): string => {
    const quote = expr[i];
    const start = i;
    i += 1;
    while (i < expr.length && expr[i] !== quote) i += quote !== '`' && expr[i] === '\\' ? 2 : 1;
    i += 1;
    return expr.slice(start, i);
  };
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '"' || ch === '`') {
      readString();
      outside += '""';
    } else if (ch === '{') {
      let selector = '';
      i += 1;
      while (i < expr.length && expr[i] !== '}') {
        if (expr[i] === '"' || expr[i] === '`') selector += readString();
        else selector += expr[i++];
      }
      i += 1;
      onSelector(selector);
      outside += ' ';
    } else {
      outside += ch;
      i += 1;
    }
  }
  onOutside?.(outside);
}

const MATCHER = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)/g;

function unquote(literal: string): string {
  return literal.startsWith('`') ? literal.slice(1, -1) : (JSON.parse(literal) as string);
}

/** The matchers of every stream selector (`{...}` outside string literals) of a LogQL expression. */
export function logqlSelectors(expr: string): LogqlMatcher[][] {
  const selectors: LogqlMatcher[][] = [];
  scan(expr, (selector) =>
    selectors.push(
      [...selector.matchAll(MATCHER)].map((m) => ({ label: m[1], op: m[2], value: unquote(m[3]) })),
    ),
  );
  return selectors;
}

/** Label names used in the stream selectors of a LogQL expression. */
export function logqlSelectorLabels(expr: string): string[] {
  return [...new Set(logqlSelectors(expr).flatMap((s) => s.map((m) => m.label)))];
}

/**
 * Label names the pipeline filters or groups on outside the selectors: `| name=~"…"` label filters and
 * `by (…)` / `without (…)` clauses.
 */
export function logqlPipelineLabels(expr: string): string[] {
  const labels = new Set<string>();
  scan(
    expr,
    () => undefined,
    (outside) => {
      for (const m of outside.matchAll(/\|\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=|>=|<=|>|<)/g))
        labels.add(m[1]);
      for (const m of outside.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g))
        m[1]
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean)
          .forEach((l) => labels.add(l));
    },
  );
  return [...labels];
}
