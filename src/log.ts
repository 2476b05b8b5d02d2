/**
 * Diagnostics for developers: silent unless DEBUG names mkt (DEBUG=mkt* or
 * DEBUG=mkt:kafka). User-facing output never goes through here.
 */
function enabled(namespace: string): boolean {
  const spec = process.env.DEBUG ?? ''
  return spec.split(/[\s,]+/).some((pattern) => {
    if (!pattern) return false
    const re = new RegExp(`^${pattern.replaceAll(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`)
    return re.test(namespace)
  })
}

export function debugEnabled(namespace = 'mkt'): boolean {
  return enabled(namespace) || enabled(`${namespace}:x`)
}

export function debug(namespace: string, message: string, extra?: unknown): void {
  if (!enabled(namespace)) return
  const tail = extra === undefined ? '' : ` ${JSON.stringify(extra)}`
  process.stderr.write(`${new Date().toISOString()} ${namespace} ${message}${tail}\n`)
}
