import { Injectable } from '@nestjs/common';

import { DependencyUnreachableError } from '../errors/dependency-errors';

/**
 * What a process serves besides its own api (the development fakes, when it runs them): modules add their
 * URLs while booting, bootstrap.ts puts them all in the process's one boot line.
 */
@Injectable()
export class BootReport {
  private readonly urls: Record<string, string> = {};

  add(name: string, url: string): void {
    this.urls[name] = url;
  }

  entries(): Record<string, string> {
    return { ...this.urls };
  }
}

export interface LogLine {
  fields: Record<string, unknown>;
  message: string;
}

/**
 * The one line that says a process is up: its role and every URL it serves, as fields and in the message
 * (which pretty logs show). The api's URLs derive from where it listens.
 */
export function bootLine(
  role: string,
  listening: { apiBase?: string; metrics?: string },
  extra: Record<string, string>,
): LogLine {
  const { apiBase, metrics } = listening;
  const urls: Record<string, string> = {
    ...(apiBase
      ? {
          api: `${apiBase}/v1`,
          docs: `${apiBase}/docs`,
          bullBoard: `${apiBase}/bull-board`,
          metrics: `${apiBase}/metrics`,
        }
      : {}),
    ...(metrics ? { metrics } : {}),
    ...extra,
  };
  const listed = Object.entries(urls)
    .map(([name, url]) => `${name} ${url}`)
    .join(', ');
  return { fields: { role, urls }, message: `dispatch ${role} started: ${listed}` };
}

/** Walks an error's causes for the first dependency that could not be reached. */
function unreachable(error: unknown, depth = 0): DependencyUnreachableError | undefined {
  if (error instanceof DependencyUnreachableError) return error;
  if (!(error instanceof Error) || depth > 3) return undefined;
  return unreachable(error.cause, depth + 1);
}

/**
 * The fatal line of a boot that failed: which dependency and where when one was unreachable (an operator
 * fixes a host or a port), the configuration problems when the environment is invalid, else the error.
 */
export function bootFailureLine(error: unknown): LogLine {
  const dependency = unreachable(error);
  if (dependency) {
    return {
      fields: { dependency: dependency.dependency, target: dependency.target, err: dependency.cause },
      message: `boot failed: ${dependency.message}`,
    };
  }
  const problems = (error as { problems?: unknown }).problems;
  if (error instanceof Error && error.name === 'InvalidConfigError' && Array.isArray(problems))
    return { fields: { problems }, message: `boot failed: ${error.message}` };
  return {
    fields: { err: error },
    message: `boot failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}
