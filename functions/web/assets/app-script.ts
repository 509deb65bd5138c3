/**
 * The little JavaScript the pages use; every page works without it. Served as a file (never
 * inline) so a `default-src 'self'` Content-Security-Policy holds.
 * - forms marked `data-autosubmit` submit when a control changes (the search form), and leave out
 *   empty fields so the shareable URL stays short;
 * - forms marked `data-confirm` ask before submitting (delete).
 */
export const APP_SCRIPT = `
(function () {
  document.documentElement.classList.add('js');
  function dropEmptyFields(form) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && (el.tagName === 'INPUT' || el.tagName === 'SELECT') && el.type !== 'checkbox' && el.type !== 'radio' && el.value === '') {
        el.disabled = true;
      }
    });
  }
  document.querySelectorAll('form[data-autosubmit]').forEach(function (form) {
    form.addEventListener('change', function (event) {
      if (event.target && event.target.type === 'search') return;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
    form.addEventListener('submit', function () { dropEmptyFields(form); });
  });
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
})();
`
