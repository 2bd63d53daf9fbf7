/**
 * A parser for the Grafana Alloy configuration syntax (River), enough to check docker/alloy/config.alloy
 * without the alloy binary: blocks (`name.parts "label" { ... }`), attributes (`name = expr`), and as
 * expressions strings ("…" with escapes, `raw`), numbers, booleans, null, lists, objects, references
 * (`a.b.c`) and function calls. Commas separate list items and object fields (a trailing one is allowed), as
 * Alloy requires. Operators are not supported: the config does not use them, and an unknown token is a
 * syntax error here, never silently skipped.
 */

export type Expr =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'object'; fields: [string, Expr][] }
  | { kind: 'ref'; path: string[] }
  | { kind: 'call'; path: string[]; args: Expr[] };

export interface Attribute {
  type: 'attribute';
  name: string;
  value: Expr;
  line: number;
}

export interface Block {
  type: 'block';
  name: string;
  label?: string;
  body: Statement[];
  line: number;
}

export type Statement = Attribute | Block;

type Token =
  | { t: 'ident'; v: string; line: number }
  | { t: 'string'; v: string; line: number }
  | { t: 'number'; v: number; line: number }
  | { t: 'punct'; v: string; line: number }
  | { t: 'eof'; v: ''; line: number };

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (message: string): never => {
    throw new SyntaxError(`line ${line}: ${message}`);
  };
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\n') {
      line += 1;
      i += 1;
    } else if (/\s/.test(ch)) {
      i += 1;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      line += (source.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i])) i += 1;
      tokens.push({ t: 'ident', v: source.slice(start, i), line });
    } else if (/[0-9]/.test(ch)) {
      const start = i;
      while (i < source.length && /[0-9.]/.test(source[i])) i += 1;
      tokens.push({ t: 'number', v: Number(source.slice(start, i)), line });
    } else if (ch === '"') {
      let value = '';
      i += 1;
      while (source[i] !== '"') {
        if (i >= source.length || source[i] === '\n') fail('unterminated string');
        if (source[i] === '\\') {
          const next = source[i + 1];
          if (next === 'u') {
            value += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          if (!(next in ESCAPES)) fail(`unknown escape \\${next}`);
          value += ESCAPES[next];
          i += 2;
        } else {
          value += source[i];
          i += 1;
        }
      }
      i += 1;
      tokens.push({ t: 'string', v: value, line });
    } else if (ch === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      const value = source.slice(i + 1, end);
      tokens.push({ t: 'string', v: value, line });
      line += (value.match(/\n/g) ?? []).length;
      i = end + 1;
    } else if ('{}[]()=,.'.includes(ch)) {
      tokens.push({ t: 'punct', v: ch, line });
      i += 1;
    } else {
      fail(`unexpected character ${JSON.stringify(ch)}`);
    }
  }
  tokens.push({ t: 'eof', v: '', line });
  return tokens;
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  body(closing: '}' | 'eof'): Statement[] {
    const statements: Statement[] = [];
    while (!this.isPunct('}') && this.peek().t !== 'eof') statements.push(this.statement());
    if (closing === 'eof' && this.peek().t !== 'eof') this.fail('unexpected }');
    return statements;
  }

  private statement(): Statement {
    const first = this.expect('ident');
    if (this.isPunct('=')) {
      this.next();
      return { type: 'attribute', name: first.v, value: this.expr(), line: first.line };
    }
    const name = [first.v];
    while (this.isPunct('.')) {
      this.next();
      name.push(this.expect('ident').v);
    }
    const label = this.peek().t === 'string' ? String(this.next().v) : undefined;
    this.expectPunct('{');
    const body = this.body('}');
    this.expectPunct('}');
    return { type: 'block', name: name.join('.'), label, body, line: first.line };
  }

  private expr(): Expr {
    const token = this.next();
    if (token.t === 'string') return { kind: 'string', value: token.v };
    if (token.t === 'number') return { kind: 'number', value: token.v };
    if (token.t === 'punct' && token.v === '[')
      return { kind: 'list', items: this.list(']', () => this.expr()) };
    if (token.t === 'punct' && token.v === '{') {
      return {
        kind: 'object',
        fields: this.list('}', () => {
          const key = this.next();
          if (key.t !== 'ident' && key.t !== 'string') this.fail('expected an object key', key);
          this.expectPunct('=');
          return [String(key.v), this.expr()] as [string, Expr];
        }),
      };
    }
    if (token.t === 'ident') {
      if (token.v === 'true' || token.v === 'false') return { kind: 'bool', value: token.v === 'true' };
      if (token.v === 'null') return { kind: 'null' };
      const path = [token.v];
      while (this.isPunct('.')) {
        this.next();
        path.push(this.expect('ident').v);
      }
      if (this.isPunct('(')) {
        this.next();
        return { kind: 'call', path, args: this.list(')', () => this.expr()) };
      }
      return { kind: 'ref', path };
    }
    return this.fail(`unexpected ${JSON.stringify(token.v)}`, token);
  }

  /** Items up to `closing`, separated by commas, trailing comma allowed; consumes the closing token. */
  private list<T>(closing: string, item: () => T): T[] {
    const items: T[] = [];
    while (!this.isPunct(closing)) {
      items.push(item());
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct(closing)) this.fail(`expected , or ${closing}`);
    }
    this.next();
    return items;
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    const token = this.tokens[this.at];
    if (token.t !== 'eof') this.at += 1;
    return token;
  }

  private isPunct(value: string): boolean {
    const token = this.peek();
    return token.t === 'punct' && token.v === value;
  }

  private expect(kind: 'ident'): Token & { t: 'ident' } {
    const token = this.next();
    if (token.t !== kind) this.fail(`expected ${kind}, got ${JSON.stringify(token.v)}`, token);
    return token as Token & { t: 'ident' };
  }

  private expectPunct(value: string): void {
    const token = this.next();
    if (token.t !== 'punct' || token.v !== value)
      this.fail(`expected ${value}, got ${JSON.stringify(token.v)}`, token);
  }

  private fail(message: string, token: Token = this.peek()): never {
    throw new SyntaxError(`line ${token.line}: ${message}`);
  }
}

export function parseAlloy(source: string): Statement[] {
  return new Parser(tokenize(source)).body('eof');
}

export function blocks(statements: Statement[], name?: string): Block[] {
  return statements.filter((s): s is Block => s.type === 'block' && (name === undefined || s.name === name));
}

export function attribute(block: Block, name: string): Expr | undefined {
  return block.body.find((s): s is Attribute => s.type === 'attribute' && s.name === name)?.value;
}

export function stringValue(expr: Expr | undefined): string | undefined {
  return expr?.kind === 'string' ? expr.value : undefined;
}

export function objectKeys(expr: Expr | undefined): string[] {
  return expr?.kind === 'object' ? expr.fields.map(([key]) => key) : [];
}

/** Every reference (`a.b.c`) anywhere in the statements, with the line of the attribute holding it. */
export function references(statements: Statement[]): { path: string[]; line: number }[] {
  const found: { path: string[]; line: number }[] = [];
  const walkExpr = (expr: Expr, line: number): void => {
    if (expr.kind === 'ref') found.push({ path: expr.path, line });
    if (expr.kind === 'list') expr.items.forEach((e) => walkExpr(e, line));
    if (expr.kind === 'object') expr.fields.forEach(([, e]) => walkExpr(e, line));
    if (expr.kind === 'call') expr.args.forEach((e) => walkExpr(e, line));
  };
  const walk = (list: Statement[]): void => {
    for (const s of list) {
      if (s.type === 'attribute') walkExpr(s.value, s.line);
      else walk(s.body);
    }
  };
  walk(statements);
  return found;
}
