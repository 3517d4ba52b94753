/**
 * Subject naming strategies, as Confluent serializers define them:
 * - `topic` (default): `<topic>-key` / `<topic>-value`
 * - `record`: the schema's full name
 * - `topic-record`: `<topic>-<full name>`
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record';

export function subjectName(strategy: SubjectNameStrategy, topic: string, isKey: boolean, schema: unknown): string {
  if (strategy === 'topic') return `${topic}-${isKey ? 'key' : 'value'}`;
  const fullName = fullNameOf(schema);
  return strategy === 'record' ? fullName : `${topic}-${fullName}`;
}

function fullNameOf(schema: unknown): string {
  const s = schema as { name?: string; namespace?: string } | null;
  if (!s || typeof s.name !== 'string') {
    throw new Error('the record and topic-record subject strategies need a named Avro schema');
  }
  return s.name.includes('.') || !s.namespace ? s.name : `${s.namespace}.${s.name}`;
}
