import { DomainError } from '../../../infra/errors/domain-error';

export class JobNotFoundError extends DomainError {
  readonly code = 'JOB_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(jobId: string) {
    super(`Job ${jobId} not found`, undefined, { jobId });
  }
}

export class JobNotFailedError extends DomainError {
  readonly code = 'JOB_NOT_FAILED';
  readonly httpStatus = 409;
  constructor(jobId: string, state: string) {
    super(`Job ${jobId} is ${state}, not failed`, { state }, { jobId, state });
  }
}
