import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {countSinkRecords} from '../../src/connect/index.js'

const file = (text: string) => {
  const at = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mkt-sink-')), 'filtered-products.jsonl')
  fs.writeFileSync(at, text)
  return at
}
const card = (id: string) => JSON.stringify({product_id: id, name: 'Часы {умные}', specifications: {color: 'black'}})

describe('countSinkRecords', () => {
  it('counts each whole line by its key, duplicates included', () => {
    expect(countSinkRecords(file(`${card('1')}\n${card('2')}\n${card('1')}\n`), 'product_id')).toEqual(
      new Map([
        ['1', 2],
        ['2', 1],
      ]),
    )
  })

  it('leaves out a last line still being written', () => {
    const text = `${card('1')}\n${card('2').slice(0, 20)}`
    expect([...countSinkRecords(file(text), 'product_id').keys()]).toEqual(['1'])
  })

  it('reads the whole record written after a torn one (a worker killed mid-line), not the torn one', () => {
    const text = `${card('1')}\n${card('2').slice(0, 30)}${card('3')}\n${card('2')}\n`
    expect([...countSinkRecords(file(text), 'product_id')]).toEqual([
      ['1', 1],
      ['3', 1],
      ['2', 1],
    ])
  })

  it('is empty for a sink that has written nothing yet', () => {
    expect(countSinkRecords(path.join(os.tmpdir(), 'mkt-no-such-sink.jsonl'), 'product_id').size).toBe(0)
  })
})
