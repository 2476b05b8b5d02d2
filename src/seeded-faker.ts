import type {Faker, LocaleDefinition} from '@faker-js/faker'
// The package root loads every locale (0.3 s and 40 MB for each command that imports it); the base
// locale's module is enough, and its instance's class makes independent generators.
import {faker as baseFaker} from '@faker-js/faker/locale/base'

/** A faker of its own (concurrent generators do not share a random sequence), seeded. */
export function seededFaker(seed: number): Faker {
  const faker = new (baseFaker.constructor as new (options: {locale: LocaleDefinition}) => Faker)({locale: baseFaker.rawDefinitions})
  faker.seed(seed)
  return faker
}
