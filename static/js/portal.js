// Behaviour of the portal's pages. The Content-Security-Policy forbids inline scripts and
// event attributes, so pages mark elements with data-* attributes and this file acts.
document.addEventListener("focusin", (event) => {
  // A read-only value to copy (the calendar feed URL) is selected whole on focus.
  if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});
