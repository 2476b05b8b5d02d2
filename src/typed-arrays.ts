export type TypedArray = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array

/** A copy of the array at a new length (cut, or padded with zeros). */
export function grown<T extends TypedArray>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size)
  next.set(array.subarray(0, Math.min(array.length, size)))
  return next
}
