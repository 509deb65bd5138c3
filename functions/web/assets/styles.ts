/**
 * The one stylesheet of the web pages. It lives in a module (not a .css file) so that the API
 * bundle for Lambda carries it without a loader or a build step; it is served with a content hash
 * in its URL (see ./index.ts). Colours keep at least 4.5:1 contrast on their backgrounds.
 */
export const STYLES = `
:root {
  --text: #1b1f24;
  --muted: #4a5360;
  --line: #d5dae1;
  --surface: #f5f7fa;
  --accent: #0a4fa6;
  --accent-strong: #083c7e;
  --ok: #1d6b35;
  --warn-bg: #fff4d6;
  --warn: #6b4700;
  --error: #a4161a;
  --error-bg: #fdecec;
  --radius: 6px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5;
  color: var(--text);
  background: #fff;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:hover { color: var(--accent-strong); }
:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip-link:focus { left: .5rem; z-index: 10; }

.site-header { background: var(--accent-strong); color: #fff; }
.site-header .inner { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; }
.site-header a { color: #fff; text-decoration: none; }
.site-header a:hover, .site-header a[aria-current="page"] { text-decoration: underline; }
.brand { font-weight: 700; font-size: 1.25rem; }
.site-header nav ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.site-header .who { margin-left: auto; display: flex; align-items: center; gap: .75rem; font-size: .9rem; }
.site-header .who button { background: transparent; color: #fff; border-color: #fff; }
.inner { max-width: 80rem; margin: 0 auto; padding: .75rem 1rem; }
main.inner { padding-top: 1.25rem; padding-bottom: 3rem; }
.site-footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .875rem; }

h1 { font-size: 1.75rem; margin: 0 0 .75rem; line-height: 1.2; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.lead { color: var(--muted); margin-top: 0; }
.muted { color: var(--muted); }

label { font-weight: 600; }
input[type="text"], input[type="search"], input[type="url"], input[type="date"], input[type="number"],
select, textarea {
  font: inherit; padding: .4rem .5rem; border: 1px solid #8a94a3; border-radius: var(--radius);
  background: #fff; color: var(--text); max-width: 100%;
}
textarea { width: 100%; min-height: 7rem; }
input[type="checkbox"], input[type="radio"] { width: 1.05rem; height: 1.05rem; margin: 0 .4rem 0 0; vertical-align: -2px; }
button, .button {
  font: inherit; font-weight: 600; display: inline-block; padding: .45rem 1rem; border-radius: var(--radius);
  border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none;
}
button:hover, .button:hover { background: var(--accent-strong); color: #fff; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--error); border-color: var(--error); }
.field { margin: 0 0 1rem; display: flex; flex-direction: column; gap: .25rem; }
.field .hint { color: var(--muted); font-size: .875rem; font-weight: 400; }
.field-error { color: var(--error); font-size: .9rem; font-weight: 600; margin: 0; }
[aria-invalid="true"] { border-color: var(--error) !important; box-shadow: 0 0 0 1px var(--error); }
fieldset { border: 1px solid var(--line); border-radius: var(--radius); margin: 0 0 1rem; padding: .5rem 1rem 1rem; }
legend { font-weight: 700; padding: 0 .25rem; }

.search-layout { display: grid; grid-template-columns: minmax(16rem, 22rem) 1fr; gap: 1.5rem; align-items: start; }
@media (max-width: 52rem) { .search-layout { grid-template-columns: 1fr; } }
.filters { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; }
.filters fieldset { background: #fff; }
.feature-list { list-style: none; margin: 0; padding: 0; }
.feature-list li { display: flex; justify-content: space-between; gap: .5rem; padding: .15rem 0; }
.feature-list label { font-weight: 400; }
.feature-list li:has(.feature-note) { flex-wrap: wrap; }
.feature-note { flex-basis: 100%; padding-left: 1.45rem; color: var(--muted); font-size: .85rem; }
mark { background: #fff1a8; color: inherit; padding: 0 .1em; border-radius: 2px; }
.note { color: var(--muted); font-size: .9rem; font-style: italic; }
.review-layout { display: grid; grid-template-columns: 1fr minmax(18rem, 26rem); gap: 1.5rem; align-items: start; }
@media (max-width: 52rem) { .review-layout { grid-template-columns: 1fr; } }
.review-text { max-width: 48rem; }
.review-text .description { margin-top: 0; }
.reason { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; }
.reason.held { color: var(--warn); }
.reason.suggested { color: var(--accent); }
.feature-list .code { color: var(--muted); font-size: .8rem; font-variant-numeric: tabular-nums; }
.count { color: var(--muted); font-size: .85rem; font-variant-numeric: tabular-nums; white-space: nowrap; }
.filter-row { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
.filter-row .field { margin: 0; }
.query-box { display: flex; gap: .5rem; flex-wrap: wrap; margin-bottom: 1rem; }
.query-box input { flex: 1 1 16rem; }
.inline-choices { display: flex; gap: 1rem; flex-wrap: wrap; }
.inline-choices label { font-weight: 400; }

.summary { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .5rem; align-items: center; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: var(--radius); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .55rem .7rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--surface); font-size: .9rem; }
tbody tr:last-child td { border-bottom: 0; }
.tag { display: inline-block; border: 1px solid var(--line); border-radius: 4px; padding: 0 .5rem; margin: 0 .25rem .25rem 0; font-size: .8rem; background: #fff; }
.tag.matched { background: #e3f1e7; border-color: #9cc9a9; color: var(--ok); }
.tag.missing { background: var(--surface); color: var(--muted); }
.closes-soon { color: var(--warn); font-weight: 600; }
.pagination { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; padding: 0; margin: 1rem 0; }
.pagination a, .pagination span { display: inline-block; min-width: 2.25rem; text-align: center; padding: .3rem .6rem; border: 1px solid var(--line); border-radius: var(--radius); text-decoration: none; }
.pagination [aria-current="page"] { background: var(--accent); border-color: var(--accent); color: #fff; }

.notice { border-radius: var(--radius); padding: .75rem 1rem; margin: 0 0 1rem; border: 1px solid var(--line); background: var(--surface); }
.notice.warn { background: var(--warn-bg); border-color: #e8c66a; color: #4a3300; }
.notice.error { background: var(--error-bg); border-color: #eba5a5; color: #6d0f12; }
.notice.ok { background: #e3f1e7; border-color: #9cc9a9; color: #14492a; }
.notice h2 { margin-top: 0; font-size: 1.1rem; }

.detail dl, dl.facts { display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: .35rem 1rem; margin: 0; }
.detail dt, .facts dt { font-weight: 600; color: var(--muted); }
.detail dd, .facts dd { margin: 0; }
.evidence-list li { margin-bottom: .25rem; }
.description { white-space: pre-line; max-width: 48rem; }
.status { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .85rem; font-weight: 600; border: 1px solid currentColor; }
.status.open { color: var(--ok); }
.status.forthcoming { color: var(--accent); }
.status.expired { color: var(--error); }
.score { font-weight: 700; font-variant-numeric: tabular-nums; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.actions form { margin: 0; }
.form-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 0 1.25rem; }
.matrix th[scope="row"] { white-space: nowrap; }
.matrix td.cell { text-align: center; font-variant-numeric: tabular-nums; white-space: nowrap; }
.matrix .cell.s0 { color: var(--muted); }
.matrix .cell.s1 { background: #e6eef9; }
.matrix .cell.s2 { background: #c4d7f0; }
.matrix .cell.s3 { background: #8fb3e3; }
.matrix .cell.s4 { background: #0a4fa6; color: #fff; font-weight: 700; }
.matrix .cell.best { outline: 2px solid #f2a900; outline-offset: -3px; }
.matrix-legend { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .5rem 0 1rem; font-size: .85rem; }
.matrix-legend li { display: flex; align-items: center; gap: .25rem; }
.matrix-legend .cell { display: inline-block; min-width: 2.5rem; text-align: center; border: 1px solid var(--line); padding: 0 .25rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.js .no-js-only { display: none; }
`
