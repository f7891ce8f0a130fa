// Keeps (or clears) the staff session cookie: see atlas_app/ui/staff_cookie.py.
(function () {
  var c = window.atlasSessionCookie;
  if (!c || !/^[A-Za-z0-9_-]+$/.test(c.name)) return;
  var value = encodeURIComponent(c.value || "");
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = c.name + "=" + value + "; Path=/; Max-Age=" + (c.maxAge | 0) +
    "; SameSite=Strict" + secure;
})();
