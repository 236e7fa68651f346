/* Version switcher: a link to another version of the protocol opens it at the reader's section when
   that version has it (each link lists its page's anchors in data-pc-anchors). The reader's section is
   the anchor in the address (set by the table of contents, a heading's permalink, a search result or a
   shared link); without one, the section scrolled to, for a switcher placed below the top. Without this
   script the links open the other version at its top. No inline script or handler is needed. */
(function () {
  "use strict";

  var HEADER_OFFSET = 80; // px: Material's fixed header

  // Candidate ids, best first: the address's anchor, then the last h3 scrolled past and its h2.
  function currentSections() {
    var found = [];
    if (window.location.hash) {
      found.push(decodeURIComponent(window.location.hash.slice(1)));
    }
    var headings = document.querySelectorAll(".md-content h2[id], .md-content h3[id]");
    var h2 = null;
    var h3 = null;
    for (var i = 0; i < headings.length; i += 1) {
      if (headings[i].getBoundingClientRect().top > HEADER_OFFSET) {
        break;
      }
      if (headings[i].tagName === "H2") {
        h2 = headings[i].id;
        h3 = null;
      } else {
        h3 = headings[i].id;
      }
    }
    if (h3) { found.push(h3); }
    if (h2) { found.push(h2); }
    return found;
  }

  function pointAtSection(link) {
    var anchors = (link.getAttribute("data-pc-anchors") || "").split(" ");
    var base = link.getAttribute("href").split("#")[0];
    var sections = currentSections();
    for (var i = 0; i < sections.length; i += 1) {
      if (anchors.indexOf(sections[i]) !== -1) {
        link.setAttribute("href", base + "#" + encodeURIComponent(sections[i]));
        return;
      }
    }
    link.setAttribute("href", base);
  }

  function update() {
    var links = document.querySelectorAll("a.pc-switch[data-pc-anchors]");
    for (var i = 0; i < links.length; i += 1) {
      pointAtSection(links[i]);
    }
  }

  var pending = false;
  function schedule() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        update();
      });
    }
  }

  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("hashchange", update);
  window.addEventListener("scroll", schedule, { passive: true });
})();
