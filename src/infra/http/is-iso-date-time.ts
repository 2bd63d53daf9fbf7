import { applyDecorators } from '@nestjs/common';
import { IsDateString, Matches } from 'class-validator';

/** A calendar date, optionally with a time and an offset: the ISO 8601 profile (RFC 3339) `new Date()` reads. */
export const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date filter. `IsDateString` alone also passes the basic and week forms (`20240101`,
 * `2024-W01`), which `new Date()` turns into an Invalid Date: a 500 from the query, or an export job that
 * can only fail.
 */
export const IsIsoDateTime = (): PropertyDecorator =>
  applyDecorators(IsDateString({ strict: true }), Matches(ISO_DATE_TIME));
