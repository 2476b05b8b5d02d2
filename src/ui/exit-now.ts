/**
 * Ends the process with code at once, as _exit(2) does: no exit handlers, no
 * libuv teardown. process.exit first joins every libuv thread
 * (uv_library_shutdown), and a thread held by a librdkafka call that never
 * answers holds it there for good. Only for a process whose work is already
 * settled: whatever a client still buffers is dropped. Where libc cannot be
 * loaded, SIGKILL is the one other way out.
 */
export async function exitNow(code: number): Promise<never> {
  try {
    const {default: koffi} = await import('koffi')
    const libc = koffi.load(process.platform === 'darwin' ? 'libSystem.B.dylib' : 'libc.so.6')
    const exit = libc.func('void _exit(int)') as (status: number) => void
    exit(code)
  } catch {
    // no libc to call: fall through to the signal
  }
  process.kill(process.pid, 'SIGKILL')
  return new Promise<never>(() => {})
}
