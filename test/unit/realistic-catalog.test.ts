import {describe, expect, it} from 'vitest'

import {validateCard} from '../../src/catalog/validate.js'
import {generateCards} from '../../src/shop/generate.js'
import {planSource} from '../../src/shop/plan.js'
import {generateRealisticCards} from '../../src/shop/realistic.js'
import {COLOUR_STEMS, colourFor, NOUN_GENDER, type Gender} from '../../src/shop/realistic-vocabulary.js'
import {CATALOGUE} from '../../src/shop/vocabulary.js'

const cards = [...generateRealisticCards({count: 20_000, seed: 7})]
const kindOf = new Map(Object.values(CATALOGUE).flatMap((kinds) => kinds.map((k) => [k.noun, k] as const)))
const nounOf = (name: string) => [...kindOf.keys()].filter((noun) => name.startsWith(`${noun} `)).sort((a, b) => b.length - a.length)[0]!

describe('the realistic catalogue', () => {
  it('gives every card a name and a description of its own, where the simple generator repeats a few thousand texts', () => {
    expect(new Set(cards.map((c) => c.description)).size).toBe(cards.length)
    expect(new Set(cards.map((c) => c.name)).size).toBeGreaterThan(cards.length * 0.999)
    const simple = [...generateCards({count: 20_000, seed: 7})]
    expect(new Set(simple.map((c) => c.name + c.description)).size, 'the control: the simple generator').toBeLessThan(4000)
  })

  it('is the same for a seed and differs between seeds', () => {
    expect([...generateRealisticCards({count: 50, seed: 7})]).toEqual(cards.slice(0, 50))
    expect([...generateRealisticCards({count: 50, seed: 8})].map((c) => c.name)).not.toEqual(cards.slice(0, 50).map((c) => c.name))
  })

  it('makes cards the platform accepts as they are', () => {
    const rejected = cards.map((c) => validateCard(c)).filter((v) => !v.ok)
    expect(rejected.slice(0, 3)).toEqual([])
  })

  it("puts colours in agreement with the noun's gender", () => {
    const endings: Record<Gender, RegExp> = {m: /(ый|ий|ой)$/, f: /(ая|яя)$/, n: /(ое|ее)$/, pl: /(ые|ие)$/}
    let coloured = 0
    for (const card of cards) {
      const noun = nounOf(card.name)
      const gender = NOUN_GENDER[noun]!
      const colour = card.name.split(', ').find((part) => COLOUR_STEMS.some((stem) => colourFor(stem, gender) === part))
      if (!kindOf.get(noun)!.colours) continue
      expect(colour, card.name).toBeDefined()
      expect(colour, card.name).toMatch(endings[gender])
      coloured++
    }
    expect(coloured).toBeGreaterThan(cards.length / 4)
    expect(colourFor('синий', 'f')).toBe('синяя')
    expect(colourFor('голубой', 'pl')).toBe('голубые')
    expect(colourFor('зелёный', 'n')).toBe('зелёное')
  })

  it('skews prices towards the cheap end of each range and keeps about one card in eight out of stock', () => {
    const outOfStock = cards.filter((c) => c.stock.available === 0).length / cards.length
    expect(outOfStock).toBeGreaterThan(0.1)
    expect(outOfStock).toBeLessThan(0.14)
    let below = 0
    for (const card of cards) {
      const [low, high] = kindOf.get(nounOf(card.name))!.price
      expect(card.price.amount).toBeGreaterThanOrEqual(low - 1)
      expect(card.price.amount).toBeLessThanOrEqual(high)
      if (card.price.amount < (low + high) / 2) below++
    }
    expect(below / cards.length).toBeGreaterThan(0.65)
  })

  it('is what `mkt shop send --generate N --catalogue realistic` sends', async () => {
    const source = await planSource({generate: 30, seed: 7, catalogue: 'realistic'})
    const sent: unknown[] = []
    for await (const item of source.items) if ('value' in item) sent.push(item.value)
    expect(sent).toEqual(cards.slice(0, 30))
    expect(source.description).toBe('30 generated realistic cards (seed 7)')
  })

  it('names books by title and author and gives them an ISBN, other kinds a model code', () => {
    const book = cards.find((c) => c.category === 'Книги')!
    expect(book.name).toMatch(/^Книга «[^»]+», [А-Я]\. [А-Яа-я]+, /)
    expect(book.specifications.ISBN).toMatch(/^978-5-\d{4}-\d{4}-\d$/)
    const phone = cards.find((c) => c.name.startsWith('Смартфон'))!
    expect(phone.specifications['Модель']).toMatch(/^[A-Z0-9]{2}-[A-Z]\d{3,4}[A-Z]?$/)
    expect(phone.name).toContain(phone.specifications['Модель'])
  })
})
