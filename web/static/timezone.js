// answerbook: the browser's time zone as the default of a member's setting.
// Fills every empty <input data-browser-tz> (a hidden field of the sign-in
// form, the zone field on /account) with the zone the browser reports, so
// times are shown in the reader's zone without them choosing one. Without
// this file the field stays empty and times stay in UTC.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("input[data-browser-tz]").forEach(function (el) {
    if (!el.value) {
      el.value = zone;
    }
  });
  document.querySelectorAll("[data-browser-tz-name]").forEach(function (el) {
    el.textContent = zone;
    el.hidden = false;
    if (el.parentElement) {
      el.parentElement.hidden = false;
    }
  });
})();
