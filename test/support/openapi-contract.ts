import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createConfig, lintFromString } from '@redocly/openapi-core';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import ts from 'typescript';

type Json = Record<string, unknown>;

export interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  pointer: string;
}

/** Lints the document with Redocly's `recommended` ruleset, as `redocly lint` would. */
export async function lintOpenApi(document: unknown): Promise<LintProblem[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({
    source: JSON.stringify(document),
    absoluteRef: path.join(process.cwd(), 'openapi.json'),
    config,
  });
  return problems
    .filter((p) => p.severity === 'error' || p.severity === 'warn')
    .map((p) => ({
      ruleId: p.ruleId,
      severity: p.severity as 'error' | 'warn',
      message: p.message,
      pointer: p.location[0]?.pointer ?? '',
    }));
}

/**
 * OpenAPI 3.0 schema objects are not quite JSON Schema: `nullable: true` stands for "or null" and refs point
 * into the document. This turns one into a draft-07 schema ajv validates with, refs resolved against the
 * document registered under `OPENAPI_ID`.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const source = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'nullable' || key === 'example' || key === 'xml' || key === 'discriminator') continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = `${OPENAPI_ID}${value}`;
    else if (key === 'properties' && value && typeof value === 'object')
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    else out[key] = toJsonSchema(value);
  }
  if (source.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (!out.type) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const OPENAPI_ID = 'openapi.json';

export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * Checks real answers against the document: the operation must list the status, the answer must carry the
 * headers the document requires, its content type must be one the document gives for it, a JSON body must
 * match its schema, and an error's `code` must be one the document lists for that operation and status.
 */
export class ResponseContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `METHOD path status` of every answer checked, to tell which operations the tests covered. */
  readonly checked = new Set<string>();

  constructor(private readonly document: Json) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ components: toJsonSchema(document.components) }, OPENAPI_ID);
  }

  /** Throws (with what differs) unless the answer is one the operation documents. */
  check(method: string, route: string, res: ObservedResponse): void {
    const paths = this.document.paths as Record<string, Json>;
    const operation = paths[route]?.[method.toLowerCase()] as Json | undefined;
    if (!operation) throw new Error(`${method} ${route} is not in the document`);
    const responses = operation.responses as Record<string, Json>;
    const response = responses[String(res.status)];
    if (!response)
      throw new Error(
        `${method} ${route} answered ${res.status}, which the document does not list ` +
          `(it lists ${Object.keys(responses).join(', ')})`,
      );
    this.checked.add(`${method.toUpperCase()} ${route} ${res.status}`);
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>))
      if (header.required && res.headers[name.toLowerCase()] === undefined)
        throw new Error(`${method} ${route} ${res.status}: the answer lacks the required header ${name}`);
    const code = (res.body as { code?: unknown } | undefined)?.code;
    if (res.status >= 400 && !String(response.description).includes(`\`${String(code)}\``))
      throw new Error(
        `${method} ${route} ${res.status}: code ${String(code)} is not among those listed: ${String(response.description)}`,
      );
    const content = response.content as Record<string, Json> | undefined;
    const contentType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    if (!content) {
      if (res.status !== 204 && contentType)
        throw new Error(
          `${method} ${route} ${res.status}: the document gives no content, the answer is ${contentType}`,
        );
      return;
    }
    const media = content[contentType];
    if (!media)
      throw new Error(
        `${method} ${route} ${res.status}: content type ${contentType || '(none)'} is not one of ` +
          Object.keys(content).join(', '),
      );
    if (contentType !== 'application/json') return;
    const key = `${method} ${route} ${res.status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(media.schema) as Json);
      this.compiled.set(key, validate);
    }
    if (!validate(res.body))
      throw new Error(
        `${key}: body does not match the document: ${this.ajv.errorsText(validate.errors)}\n` +
          JSON.stringify(res.body, null, 2),
      );
  }
}

/**
 * Generates TypeScript types from the document with the openapi-typescript CLI (an ES module, so it runs in a
 * plain Node child rather than inside Jest) and type-checks `client` (a module importing `./api`) against
 * them. Returns tsc's diagnostics, formatted; empty when the client compiles.
 */
export function typeCheckClient(document: unknown, client: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'dispatch-openapi-client-'));
  try {
    const specFile = path.join(dir, 'openapi.json');
    writeFileSync(specFile, JSON.stringify(document));
    const cli = path.join(path.dirname(require.resolve('openapi-typescript/package.json')), 'bin/cli.js');
    execFileSync(process.execPath, [cli, specFile, '--output', path.join(dir, 'api.ts')], { stdio: 'pipe' });
    const clientFile = path.join(dir, 'client.ts');
    writeFileSync(clientFile, client);
    const program = ts.createProgram([clientFile], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      skipLibCheck: true,
      types: [],
      lib: ['lib.es2022.d.ts'],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
