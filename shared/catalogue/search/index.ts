/**
 * The catalogue search engine: an in-memory projection of the live catalogue kept fresh against
 * DynamoDB (`LiveCatalogue`), pure search and match functions over it, and the zod schemas of
 * their inputs. Used by the API, the web pages, the exports and feeds, and portfolios.
 */
export { CatalogueIndex, featureCodesOf, featureMask } from './catalogue-index'
export { type CatalogueStats, LiveCatalogue, type LiveCatalogueOptions } from './live-catalogue'
export { type MatchItem, type MatchResult, matchInstruments } from './match-instruments'
export { normaliseText, queryWords, tokenize } from './normalise-text'
export {
  type RankedHits,
  rankHits,
  type SearchFacets,
  type SearchItem,
  type SearchResult,
  searchInstruments,
} from './search-instruments'
export {
  DEFAULT_LIMIT,
  MATCH_MODES,
  MAX_LIMIT,
  MAX_SEARCH_WINDOW,
  type MatchCriteria,
  MatchRequest,
  type SearchCriteria,
  SearchQuery,
  SORTS,
  searchCriteria,
  searchQueryFromParams,
} from './search-query'
