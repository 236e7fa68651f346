/* A protocol page that knows its dates (generator/render/page_dates.py). A built site does not rebuild
 * itself, so the status line carries the build date, the effective date of an upcoming version shown
 * here, the later versions that were upcoming on the build date and the review date; the home and What's
 * new pages carry the build date and every version upcoming then. On the reader's own date this says at
 * the top of the page what has changed since the build. Nothing is fetched.
 */
(function () {
  "use strict";

  var DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  var SAFE_LINK = /^[a-z0-9.\/-]+$/;  // the relative links the generator writes; nothing with a scheme

  function two(n) { return (n < 10 ? "0" : "") + n; }

  // The reader's date, YYYY-MM-DD in their own time zone (ISO dates compare as strings).
  function today() {
    var now = new Date();
    return now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate());
  }

  function date(node, name) {
    var value = node.getAttribute(name) || "";
    return DATE.test(value) ? value : "";
  }

  function laterVersions(line) {
    var later;
    try { later = JSON.parse(line.getAttribute("data-pc-later") || "[]"); } catch (e) { return []; }
    return Array.isArray(later) ? later.filter(function (entry) {
      return entry && typeof entry.version === "string" && DATE.test(entry.effective || "");
    }) : [];
  }

  // What changed between the build date and `now`, as [{text, href, linkText}].
  function changes(line, now) {
    var built = date(line, "data-pc-built");
    if (!built || now <= built) return [];
    var version = line.getAttribute("data-pc-version") || "";
    var found = [];
    var effective = date(line, "data-pc-effective");
    if (effective && effective > built && effective <= now) {
      found.push({ text: "Version " + version + " took effect on " + effective + ", after this page was built on " +
                         built + ": it is no longer upcoming." });
    }
    var inForce = laterVersions(line).filter(function (entry) {
      return entry.effective > built && entry.effective <= now;
    });
    if (inForce.length > 0) {
      var newest = inForce[inForce.length - 1];
      found.push({ text: "A newer version is in force: version " + newest.version + " took effect on " +
                         newest.effective + ", after this page was built on " + built + ". Version " + version +
                         " shown here is no longer the version in use. ",
                   href: newest.href, linkText: "Open version " + newest.version });
    }
    var due = date(line, "data-pc-review-due");
    if (due && due >= built && due < now) {
      found.push({ text: "The review of version " + version + " fell due on " + due + ", after this page was built on " +
                         built + ": check with the protocol owner that it still applies." });
    }
    return found;
  }

  // A list page (home, What's new): the versions upcoming on the build date that have taken effect since.
  function siteChanges(node, now) {
    var built = date(node, "data-pc-built");
    if (!built || now <= built) return [];
    var upcoming;
    try { upcoming = JSON.parse(node.getAttribute("data-pc-upcoming") || "[]"); } catch (e) { return []; }
    if (!Array.isArray(upcoming)) return [];
    return upcoming.filter(function (entry) {
      return entry && typeof entry.title === "string" && typeof entry.version === "string" &&
             DATE.test(entry.effective || "") && entry.effective > built && entry.effective <= now;
    }).map(function (entry) {
      return { text: entry.title + ": version " + entry.version + " took effect on " + entry.effective +
                     ", after this page was built on " + built + "; this page still lists the versions of " + built +
                     ". ",
               href: entry.href, linkText: "Open version " + entry.version };
    });
  }

  function show(line, now, found) {
    if (found.length === 0 || line.hasAttribute("data-pc-dates-shown")) return;
    line.setAttribute("data-pc-dates-shown", "");
    var notice = document.createElement("div");
    notice.className = "pc-page-dates";
    notice.setAttribute("role", "note");
    var title = document.createElement("p");
    title.className = "pc-page-dates__title";
    title.textContent = "Since this page was built (on your date, " + now + ")";
    notice.appendChild(title);
    found.forEach(function (item) {
      var paragraph = document.createElement("p");
      paragraph.textContent = item.text;
      if (item.href && SAFE_LINK.test(item.href)) {
        var link = document.createElement("a");
        link.href = item.href;
        link.textContent = item.linkText;
        paragraph.appendChild(link);
        paragraph.appendChild(document.createTextNode("."));
      }
      notice.appendChild(paragraph);
    });
    line.parentNode.insertBefore(notice, line);
  }

  function showAll() {
    var now = today();
    Array.prototype.forEach.call(document.querySelectorAll(".pc-status-line[data-pc-built]"), function (line) {
      show(line, now, changes(line, now));
    });
    Array.prototype.forEach.call(document.querySelectorAll(".pc-site-dates[data-pc-built]"), function (node) {
      show(node, now, siteChanges(node, now));
    });
  }

  if (typeof module !== "undefined" && module.exports) module.exports = { changes: changes, siteChanges: siteChanges };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showAll);
    else showAll();
  }
})();
