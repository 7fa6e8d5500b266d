// Behaviour of the portal's pages. The Content-Security-Policy forbids inline scripts and
// event attributes, so pages mark elements with data-* attributes and this file acts.
document.addEventListener("focusin", (event) => {
  // A read-only value to copy (the calendar feed URL) is selected whole on focus.
  if (event.target.matches && event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});

// After a refused form, focus goes to the first field marked in error (or, when the
// refusal concerns the form as a whole, to its message), so that keyboard and screen
// reader users land where the correction is needed instead of at the top of the page.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("form .is-invalid, form .alert-danger, form [aria-invalid='true']");
  if (!first) {
    return;
  }
  let target = first;
  if (!target.matches("input, select, textarea, button")) {
    // A group of radio buttons or checkboxes marks its wrapper: take its first input.
    target = first.querySelector("input, select, textarea") || first;
    if (target === first && !first.hasAttribute("tabindex")) {
      first.setAttribute("tabindex", "-1");
    }
  }
  target.focus();
  target.scrollIntoView({ block: "center" });
});
