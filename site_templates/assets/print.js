/* Print support (linked on every page; no inline script anywhere). See print.css.
   - Sets the root's custom properties that print.css writes into the page margins: the protocol's title
     (--pc-print-head), its version, status, effective date and fingerprint (--pc-print-version), the print date on the reader's own
     clock (set at load and again just before printing, so a page left open overnight is right) and the
     site's disclaimer.
   - A handbook print view holds several protocols: each gets a named page of its own, so every printed
     sheet carries the header of the protocol printed on it.
   - Marks web links whose text already is their address, so print.css does not print it twice. */
(function () {
  "use strict";

  function cssString(text) {
    return '"' + String(text).replace(/[\\"]/g, "\\$&").replace(/[\u0000-\u001f\u007f]/g, " ") + '"';
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  // The second header line; non-breaking spaces keep a date or fingerprint from wrapping.
  function versionLine(meta) {
    var data = meta.dataset;
    var parts = ["Version " + data.version + " (" + data.state + ")"];
    parts.push(data.effective ? "effective " + data.effective : "no effective date");
    parts.push("Fingerprint " + data.fingerprint);
    return parts.join(" · ").replace(/ /g, "\u00a0");
  }

  function headingText(heading) {
    var copy = heading.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".headerlink"), function (link) {
      link.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function setRoot(name, text) {
    document.documentElement.style.setProperty(name, cssString(text));
  }

  function setPrintDate() {
    setRoot("--pc-print-date", "Printed " + today() + ".");
  }

  // The protocol each meta element describes: from its title (the heading of class pc-print-protocol
  // before it in a handbook print view, whatever else the page puts between) to the next protocol's title.
  function titleOf(meta) {
    for (var el = meta.previousElementSibling; el; el = el.previousElementSibling) {
      if (el.classList.contains("pc-print-protocol")) {
        return el;
      }
      if (el.classList.contains("pc-print-meta")) {
        break;
      }
    }
    return meta;
  }

  function protocolBlocks(metas) {
    var starts = metas.map(titleOf);
    return metas.map(function (meta, index) {
      var stop = index + 1 < starts.length ? starts[index + 1] : null;
      var elements = [];
      for (var el = starts[index]; el && el !== stop; el = el.nextElementSibling) {
        elements.push(el);
      }
      return { meta: meta, elements: elements };
    });
  }

  function namedPages(blocks) {
    var rules = [];
    blocks.forEach(function (block, index) {
      var name = "pc-protocol-" + (index + 1);
      rules.push("@page " + name + " { @top-left { content: " + cssString(block.meta.dataset.title) + ' "\\A" ' +
        cssString(versionLine(block.meta)) + "; } }");
      block.elements.forEach(function (el) {
        el.style.page = name;
      });
    });
    // What precedes the first protocol (the handbook's own title and list) keeps the page's header;
    // what follows the article (the footer's disclaimer) stays on the last protocol's sheet.
    document.body.style.page = "pc-handbook";
    var disclaimer = document.querySelector(".pc-disclaimer");
    if (disclaimer) {
      disclaimer.style.page = "pc-protocol-" + blocks.length;
    }
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(rules.join("\n"));
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
  }

  function markAddressLinks() {
    var links = document.querySelectorAll("article a[href^='http:'], article a[href^='https:']");
    Array.prototype.forEach.call(links, function (link) {
      if (link.textContent.trim() === link.getAttribute("href")) {
        link.setAttribute("data-pc-address-shown", "");
      }
    });
  }

  function setUp() {
    var disclaimer = document.querySelector(".pc-disclaimer p");
    if (disclaimer) {
      setRoot("--pc-print-disclaimer", disclaimer.textContent.replace(/\s+/g, " ").trim());
    }
    setPrintDate();
    markAddressLinks();
    var metas = Array.prototype.slice.call(document.querySelectorAll("article .pc-print-meta"));
    var title = document.querySelector("article h1");
    if (metas.length === 1) {
      setRoot("--pc-print-head", metas[0].dataset.title);
      setRoot("--pc-print-version", versionLine(metas[0]));
      return;
    }
    setRoot("--pc-print-head", title ? headingText(title) : document.title);
    if (metas.length > 1 && typeof CSSStyleSheet === "function" && "adoptedStyleSheets" in document) {
      namedPages(protocolBlocks(metas));  // a browser without constructable stylesheets prints the handbook's title
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
  window.addEventListener("beforeprint", setPrintDate);
})();
