import {Ajv} from 'ajv'
import formats from 'ajv-formats'
import type {FastifySchemaCompiler} from 'fastify'

/**
 * Fastify's validators: the query string, path and headers are text, so
 * their numbers and booleans are coerced from it; a JSON body is not
 * coerced at all, so `{"reason": false}` is refused rather than read as the
 * string "false" (Schemathesis found that one).
 */
export function gatewayValidators(schemas: object[]): FastifySchemaCompiler<unknown> {
  const make = (coerce: boolean) => {
    const ajv = new Ajv({coerceTypes: coerce ? 'array' : false, useDefaults: true, allErrors: false, allowUnionTypes: true, strict: false})
    ;(formats as unknown as (a: Ajv) => void)(ajv)
    for (const schema of schemas) ajv.addSchema(schema)
    return ajv
  }
  const body = make(false)
  const text = make(true)
  return ({schema, httpPart}) => (httpPart === 'body' ? body : text).compile(schema as object)
}
