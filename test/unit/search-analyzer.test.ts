import {describe, expect, it} from 'vitest'

import {analyze} from '../../src/search/analyzer.js'

describe('Russian text analysis', () => {
  it('reduces inflected forms to one stem', () => {
    expect(analyze('умных часов')).toEqual(analyze('Умные часы'))
    expect(analyze('смартфонов')).toEqual(analyze('Смартфон'))
    expect(analyze('наушниками')).toEqual(analyze('наушники'))
  })

  it('lower-cases, folds ё into е and splits on punctuation', () => {
    expect(analyze('Термобельё')).toEqual(analyze('термобелье'))
    expect(analyze('Робот-пылесос, 8/256 ГБ')).toEqual([...analyze('робот пылесос'), '8', '256', ...analyze('гб')])
  })

  it('drops function words but keeps adjectives and numbers shoppers search by', () => {
    expect(analyze('для и в на the of')).toEqual([])
    expect(analyze('большой белый')).toHaveLength(2)
    expect(analyze('2 в 1')).toEqual(['2', '1'])
  })

  it('reads a mixed-script word in its majority alphabet', () => {
    expect(analyze('Sаmsung')).toEqual(analyze('Samsung')) // Cyrillic "а" inside
    expect(analyze('нaушники')).toEqual(analyze('наушники')) // Latin "a" inside
  })
})
