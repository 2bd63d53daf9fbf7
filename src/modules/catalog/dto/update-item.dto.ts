import { PartialType } from '@nestjs/swagger';

import { CreateItemDto } from './create-item.dto';

// skipNullProperties: false → a field may be left out, but null is validated (and refused), not skipped.
export class UpdateItemDto extends PartialType(CreateItemDto, { skipNullProperties: false }) {}
