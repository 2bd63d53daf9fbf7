import { attribute, Block, blocks, objectKeys, parseAlloy, Statement, stringValue } from './alloy-syntax';
import { readText } from './stack-files';

export const ALLOY_CONFIG = 'docker/alloy/config.alloy';

export interface AlloyLogPipeline {
  statements: Statement[];
  /** Indexed Loki labels: relabel targets that survive (not `__…`) and `stage.labels` / `stage.static_labels`. */
  streamLabels: string[];
  /** `stage.structured_metadata` keys: filterable per line, not indexed. */
  structuredMetadata: string[];
  /** Fields `stage.json` extracts. */
  jsonFields: Record<string, string>;
  /** pino's numeric levels and the names `stage.template` maps them to. */
  levelNames: Record<string, string>;
}

function stages(process: Block, name: string): Block[] {
  return blocks(process.body, name);
}

export function alloyLogPipeline(): AlloyLogPipeline {
  const statements = parseAlloy(readText(ALLOY_CONFIG));
  const processes = blocks(statements, 'loki.process');
  const relabelTargets = blocks(statements, 'discovery.relabel')
    .flatMap((relabel) => blocks(relabel.body, 'rule'))
    .map((rule) => stringValue(attribute(rule, 'target_label')))
    .filter((label): label is string => label !== undefined && !label.startsWith('__'));
  const stageLabels = processes.flatMap((p) =>
    [...stages(p, 'stage.labels'), ...stages(p, 'stage.static_labels')].flatMap((s) =>
      objectKeys(attribute(s, 'values')),
    ),
  );
  const jsonFields = Object.fromEntries(
    processes
      .flatMap((p) => stages(p, 'stage.json'))
      .flatMap((s) => {
        const expressions = attribute(s, 'expressions');
        return expressions?.kind === 'object'
          ? expressions.fields.map(([key, value]) => [key, stringValue(value) || key])
          : [];
      }),
  );
  const template = processes
    .flatMap((p) => stages(p, 'stage.template'))
    .filter((s) => stringValue(attribute(s, 'source')) === 'level')
    .map((s) => stringValue(attribute(s, 'template')) ?? '')
    .join('');
  const levelNames = Object.fromEntries(
    [...template.matchAll(/eq \.Value "(\d+)" \}\}([a-z]+)\{\{/g)].map((m) => [m[1], m[2]]),
  );
  return {
    statements,
    streamLabels: [...new Set([...relabelTargets, ...stageLabels])],
    structuredMetadata: processes.flatMap((p) =>
      stages(p, 'stage.structured_metadata').flatMap((s) => objectKeys(attribute(s, 'values'))),
    ),
    jsonFields,
    levelNames,
  };
}
