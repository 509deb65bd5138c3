import { decodeHTML } from 'entities/decode'

/**
 * Plain text from the markup a source sends (topic descriptions are HTML from a rich-text editor;
 * titles carry entities and no-break spaces). Nothing from a source is ever rendered as HTML: the
 * result is text, escaped like any other text wherever it is shown. So stripping is about reading
 * the text well, not about trusting it: the content of `script`, `style` and similar elements and
 * comments is dropped (it is not text), every other tag is removed, entities are decoded once,
 * after the tags are gone (so `&lt;script&gt;` stays the visible text "<script>"), and whitespace
 * of any kind (no-break, zero-width, byte-order marks) is folded into single spaces.
 *
 * The scan is linear in the input and reads at most `MAX_MARKUP_CHARS` of it: a 10 MB description
 * costs no more than a long one, and the catalogue keeps at most 5,000 characters anyway.
 */

/** Markup read per text; beyond it the text is cut (reported by `truncatedInput`). */
export const MAX_MARKUP_CHARS = 200_000

/** Elements whose content is not text. */
const SKIPPED_ELEMENTS = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'iframe',
  'object',
  'svg',
  'math',
  'head',
])

/** Elements that separate words: their tags become a space, so `<p>a</p><p>b</p>` reads "a b". */
const BLOCK_ELEMENTS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
])

const TAG_NAME = /<\/?([A-Za-z][A-Za-z0-9:-]*)/y

/** Index just past the `>` that closes the tag starting at `start`, quotes respected; -1 if none. */
function tagEnd(markup: string, start: number): number {
  let quote: string | undefined
  for (let index = start + 1; index < markup.length; index += 1) {
    const char = markup[index]
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === '"' || char === "'") quote = char
    else if (char === '>') return index + 1
  }
  return -1
}

/** The markup without tags, comments and non-text elements; entities still encoded. */
function stripTags(markup: string): string {
  const lower = markup.toLowerCase()
  const out: string[] = []
  let index = 0
  while (index < markup.length) {
    const open = markup.indexOf('<', index)
    if (open < 0) {
      out.push(markup.slice(index))
      break
    }
    out.push(markup.slice(index, open))
    if (markup.startsWith('<!--', open)) {
      const close = markup.indexOf('-->', open + 4)
      index = close < 0 ? markup.length : close + 3
      continue
    }
    if (markup.startsWith('<!', open) || markup.startsWith('<?', open)) {
      // Doctype, CDATA, processing instruction: none of it is text.
      const close = markup.indexOf('>', open + 2)
      index = close < 0 ? markup.length : close + 1
      continue
    }
    TAG_NAME.lastIndex = open
    const name = TAG_NAME.exec(markup)?.[1]?.toLowerCase()
    if (!name) {
      // A lone "<" ("a < b") is text.
      out.push('<')
      index = open + 1
      continue
    }
    const end = tagEnd(markup, open)
    if (end < 0) break // an unclosed tag at the end: what follows it is inside the tag
    const closing = markup[open + 1] === '/'
    if (!closing && SKIPPED_ELEMENTS.has(name) && markup[end - 2] !== '/') {
      const close = lower.indexOf(`</${name}`, end)
      const closeEnd = close < 0 ? -1 : markup.indexOf('>', close)
      index = closeEnd < 0 ? markup.length : closeEnd + 1
      out.push(' ')
      continue
    }
    if (BLOCK_ELEMENTS.has(name)) out.push(' ')
    index = end
  }
  return out.join('')
}

/**
 * Any whitespace, including no-break and zero-width spaces and byte-order marks, as one space;
 * control characters removed; trimmed.
 */
export function normaliseWhitespace(text: string): string {
  return text
    .replace(/[\s\u00a0\u1680\u180e\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]+/g, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim()
}

export interface SourceText {
  text: string
  /** Whether the input was longer than `MAX_MARKUP_CHARS` and only its start was read. */
  truncatedInput: boolean
}

/** Readable plain text from HTML or plain text with entities. */
export function textFromMarkup(markup: string): SourceText {
  const truncatedInput = markup.length > MAX_MARKUP_CHARS
  const read = truncatedInput ? markup.slice(0, MAX_MARKUP_CHARS) : markup
  return { text: normaliseWhitespace(decodeHTML(stripTags(read))), truncatedInput }
}

/**
 * At most `max` characters, cut at a word boundary with an ellipsis when it had to be cut (a word
 * longer than a fifth of the limit is cut where the limit falls).
 */
export function trimToLength(text: string, max: number): string {
  if (text.length <= max) return text
  const room = text.slice(0, max - 1)
  const lastSpace = room.lastIndexOf(' ')
  const cut = (lastSpace >= max * 0.8 ? room.slice(0, lastSpace) : room).replace(/[\ud800-\udbff]$/, '')
  return `${cut.replace(/[\s,;:.\-–—]+$/u, '')}…`
}
