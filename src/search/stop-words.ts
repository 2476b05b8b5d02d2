/**
 * Words that carry no product meaning: prepositions, conjunctions, particles
 * and pronouns. Curated by hand: generic Russian lists also drop adjectives
 * and numerals ("белый", "большой", "два", "лучше") that shoppers search by,
 * so those are deliberately absent. Compared after lower-casing and ё → е.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  // Russian prepositions
  'в', 'во', 'на', 'с', 'со', 'к', 'ко', 'у', 'о', 'об', 'обо', 'от', 'ото', 'из', 'изо', 'за', 'по', 'до', 'для', 'без', 'под', 'подо', 'над', 'надо', 'при', 'про', 'через', 'между', 'перед', 'около', 'среди',
  // conjunctions and particles
  'и', 'а', 'но', 'или', 'либо', 'да', 'же', 'ли', 'бы', 'б', 'ж', 'не', 'ни', 'то', 'как', 'так', 'что', 'чтобы', 'чтоб', 'если', 'тоже', 'также', 'вот', 'ну', 'уж', 'уже', 'ещё', 'еще', 'лишь', 'только', 'даже', 'ведь',
  // pronouns
  'я', 'мы', 'ты', 'вы', 'он', 'она', 'оно', 'они', 'его', 'ее', 'её', 'их', 'им', 'ими', 'ему', 'ей', 'мне', 'меня', 'нас', 'вас', 'нам', 'вам', 'себя', 'себе', 'свой', 'своя', 'свое', 'свои', 'этот', 'эта', 'это', 'эти', 'тот', 'та', 'те', 'который', 'которая', 'которое', 'которые', 'мой', 'моя', 'мое', 'мои', 'твой', 'наш', 'ваш', 'кто', 'чем', 'где', 'куда', 'когда',
  // English function words (brand and model names are Latin)
  'a', 'an', 'the', 'and', 'or', 'of', 'for', 'with', 'in', 'on', 'to', 'by', 'at', 'from',
])
