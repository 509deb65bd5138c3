/**
 * The site's icon: a magnifying glass over a gold coin ("find funding") on the stylesheet's accent
 * blue, drawn with shapes only (no font), so it looks the same in every browser tab. Served from a
 * hashed URL that the pages link to, and at /favicon.ico, which browsers request on their own.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#0a4fa6"/>
<circle cx="13.5" cy="13.5" r="4.5" fill="#f2a900"/>
<circle cx="13.5" cy="13.5" r="7.5" fill="none" stroke="#fff" stroke-width="3"/>
<path d="M19 19l7 7" stroke="#fff" stroke-width="4" stroke-linecap="round"/>
</svg>
`
