// `npm run docs:errors`: writes docs/errors.md from the error tables, formatted as Prettier would.
import { writeFileSync } from 'node:fs';
import { format } from 'prettier';
import { errorsDoc } from '../src/protocol/errors/errors_doc.js';

writeFileSync(
  'docs/errors.md',
  await format(errorsDoc(), { parser: 'markdown', proseWrap: 'preserve' }),
);
