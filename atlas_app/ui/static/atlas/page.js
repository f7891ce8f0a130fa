// The atlas page's own behaviour in the main document (loaded by atlas_app/ui/app.py
// with the page's data): the document's language, the map frame's title, Escape to
// close the card, the skip link past the map, the card brought into view.
(function (config) {
  "use strict";
  document.documentElement.lang = config.lang;
  window.atlasPage = config;
  var frames = function () {
    return document.querySelectorAll("iframe[src*='st_folium']");
  };
  var closeCard = function () {
    var button = document.querySelector(".st-key-close-detail button");
    if (button) { button.click(); }
  };
  var nameFrames = function () {
    frames().forEach(function (frame) {
      if (frame.title !== window.atlasPage.mapTitle) { frame.title = window.atlasPage.mapTitle; }
    });
  };
  // A new selection from the list: the card (beside the map, or a bottom sheet on a
  // phone) comes into view.
  var showCard = function (tries) {
    var card = document.querySelector(".st-key-detail");
    if (!card) {
      if (tries > 0) { setTimeout(function () { showCard(tries - 1); }, 200); }
      return;
    }
    var box = card.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      card.scrollIntoView({block: "nearest"});
    }
  };
  if (config.selected !== null && config.selected !== window.atlasShownCard) {
    window.atlasShownCard = config.selected;
    showCard(15);
  } else if (config.selected === null) {
    window.atlasShownCard = null;
  }
  nameFrames();
  // On a phone the language switch scrolls sideways: bring the page's language into
  // view (Polski, Português are off the edge otherwise).
  var showLanguage = function (tries) {
    var chosen = document.querySelector(".st-key-lang-bar button[kind$='Active'], " +
      ".st-key-lang-bar button[aria-pressed='true'], .st-key-lang-bar button[aria-checked='true']");
    var strip = chosen && chosen.parentElement;
    while (strip && strip.scrollWidth <= strip.clientWidth &&
           !strip.classList.contains("st-key-lang-bar")) {
      strip = strip.parentElement;
    }
    if (!chosen || !strip) {
      if (tries > 0) { setTimeout(function () { showLanguage(tries - 1); }, 200); }
      return;
    }
    if (strip.scrollWidth > strip.clientWidth) {
      var box = strip.getBoundingClientRect(), button = chosen.getBoundingClientRect();
      strip.scrollLeft += (button.left - box.left) - (box.width - button.width) / 2;
    }
  };
  showLanguage(15);
  if (window.atlasPageInstalled) { return; }
  window.atlasPageInstalled = true;
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    requestAnimationFrame(function () { pending = false; nameFrames(); });
  }).observe(document.body, {childList: true, subtree: true});
  // In the capture phase: the list's grid keeps Escape to itself otherwise.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeCard(); }
  }, true);
  // The map's frame reports Escape pressed inside it (AtlasMap.setup).
  window.addEventListener("message", function (event) {
    if (event.origin === window.location.origin && event.data === "atlas:escape") {
      closeCard();
    }
  });
  // The skip link moves the focus past the map without touching the address bar.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.atlas-skip");
    if (!link) { return; }
    event.preventDefault();
    var target = document.querySelector(link.getAttribute("data-target"));
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
      target.scrollIntoView({block: "start"});
    }
  });
})(window.atlasPageConfig);
