import type { RecordProblem } from './target.js'

// JSON.stringify writes a lone surrogate as a \udXXX escape and NUL as \u0000; Postgres' json
// rejects both, and text columns cannot hold NUL. The cheap test runs on every record; the exact one
// (which skips an escaped backslash followed by a literal "u0000") only when the cheap one matches.
const SUSPICIOUS = /\\u(?:0000|d[89a-f])/i
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i

/**
 * A record as the group-commit INSERT reads it (`json_to_recordset`), or why Postgres would refuse
 * it, so a record that can never be stored is answered 422 at once instead of failing the batch it
 * would have joined. `freeFormPath` names the one free-form field deep nesting can come from.
 */
export function toRecordJson (record: object, freeFormPath: string): string | RecordProblem {
  let json: string
  try {
    json = JSON.stringify(record)
  } catch {
    // A few thousand levels of nesting overflow the stack.
    return { path: freeFormPath, message: 'Object is nested too deeply', type: 'value_error' }
  }
  if (SUSPICIOUS.test(json) && UNSTORABLE.test(json)) {
    return { path: '', message: 'Text contains a NUL character or an unpaired UTF-16 surrogate', type: 'string_unicode' }
  }
  return json
}
