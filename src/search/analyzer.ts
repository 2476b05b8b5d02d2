import snowball from 'snowball-stemmers'

import {STOP_WORDS} from './stop-words.js'

/**
 * Russian product text analysis, the same at index and query time: split on
 * anything that is not a letter or digit, lower case, ё → е, fix homoglyphs
 * in mixed-script words, drop stop words, stem (Snowball: Russian for
 * Cyrillic words, English for Latin ones), memoised.
 */

const russian = snowball.newStemmer('russian')
const english = snowball.newStemmer('english')

const TOKEN = /[\p{L}\p{N}]+/gu
const CYRILLIC = /[\u0400-\u04ff]/
const LATIN = /[a-z]/

// Letters that look the same in both alphabets: a mixed word (a Cyrillic "с" typed inside "Samsung") is read in its majority script.
const CYRILLIC_TO_LATIN: Record<string, string> = {а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x'}
const LATIN_TO_CYRILLIC: Record<string, string> = Object.fromEntries(Object.entries(CYRILLIC_TO_LATIN).map(([c, l]) => [l, c]))

function unmix(word: string): string {
  let cyrillic = 0
  let latin = 0
  for (const ch of word) {
    if (CYRILLIC.test(ch)) cyrillic++
    else if (LATIN.test(ch)) latin++
  }
  const table = cyrillic >= latin ? LATIN_TO_CYRILLIC : CYRILLIC_TO_LATIN
  return word.replace(/./gu, (ch) => table[ch] ?? ch)
}

const MEMO_LIMIT = 200_000
const memo = new Map<string, string | null>()

/** A token as written, lower case, ё → е, in one script: what processTerm stems. */
export function normalizeToken(token: string): string {
  const word = token.toLowerCase().replaceAll('ё', 'е')
  return CYRILLIC.test(word) && LATIN.test(word) ? unmix(word) : word
}

/** One token as indexed and searched, or null when it carries no meaning. */
export function processTerm(token: string): string | null {
  const cached = memo.get(token)
  if (cached !== undefined) return cached
  const word = normalizeToken(token)
  let term: string | null
  if (STOP_WORDS.has(word)) term = null
  else if (/^\d+$/.test(word)) term = word
  else if (CYRILLIC.test(word)) term = russian.stem(word)
  else term = word.length > 3 ? english.stem(word) : word
  if (memo.size >= MEMO_LIMIT) memo.clear() // bounded: a flood of unique tokens cannot grow it forever
  memo.set(token, term)
  return term
}

/** Words of a text, before processTerm. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? []
}

/** Terms of a text as the index sees them (for tests and explanations). */
export function analyze(text: string): string[] {
  return tokenize(text)
    .map(processTerm)
    .filter((t): t is string => t !== null)
}

export {normalizeLabel} from '../catalog/label.js'
