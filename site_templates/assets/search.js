/* The header's search box on Pagefind's index (generator/site/search_index.py writes it into pagefind/).
   Material's search is not used: its index is one file of every page, which each reader would download
   whole (13 MB at 1,000 protocols). Pagefind's API (pagefind/pagefind.js, loaded on the first search)
   fetches only the index chunks and page fragments of the words typed.

   The box keeps Material's markup and styles (overrides/partials/search.html): focusing it or pressing
   "/", "s" or "f" elsewhere opens it through Material's __search toggle, Escape closes it, the arrow keys
   move between results, Enter opens the first. Results use Material's result markup; their titles are
   the pages' titles ("(retired)" included), a protocol page's version and status follow (its status
   line's data-pagefind-meta), and their excerpts keep only text and Pagefind's <mark>s. */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  // One letter matches most of a large library (slow, and no help to the reader); searching starts at two.
  var MIN_QUERY = 2;
  var SHORTCUTS = { "/": true, s: true, f: true };

  var root = document.querySelector("[data-pc-search]");
  if (!root) {
    return;
  }
  var toggle = document.getElementById("__search");
  var form = root.querySelector("form");
  var input = root.querySelector("[data-pc-search-query]");
  var result = root.querySelector("[data-pc-search-result]");
  var meta = result.querySelector(".md-search-result__meta");
  var list = result.querySelector(".md-search-result__list");
  var bundle = new URL(root.getAttribute("data-pc-search-bundle"), document.baseURI);

  var loading = null; // the Pagefind module, once asked for
  var asked = 0; // the number of the latest search; older answers are dropped
  var shown = []; // the results of the latest search not yet listed
  var running = false; // a search is under way
  var waiting = null; // the latest query typed meanwhile: {query, number}

  function pagefind() {
    if (loading === null) {
      loading = import(new URL("pagefind.js", bundle).href).then(function (module) {
        // Results carry root-absolute paths ("/protocols/x/"); prefix the path the site is served under.
        // Pagefind's default pageLength (0.75) ranks a short page that names a word (a drug's entry)
        // above the protocol that is about it; 0.3 keeps the protocol first without letting the
        // longest pages (bibliography, What's new) win every search.
        return module.options({
          baseUrl: new URL("../", bundle).pathname,
          ranking: { pageLength: 0.3 },
          // In the page itself: a first search then waits for no worker to start (one request and its
          // set-up fewer); a search over the chunks of a few words is short work.
          noWorker: true
        }).then(function () {
          return module;
        });
      });
    }
    return loading;
  }

  function say(text) {
    meta.textContent = text;
  }
  // aria-busy while the latest query's results are still being listed (a retired protocol is held back
  // to the end of its batch, so the list is complete only when this is lifted).
  function busy(on) {
    if (on) {
      list.setAttribute("aria-busy", "true");
    } else {
      list.removeAttribute("aria-busy");
    }
  }

  function counted(count) {
    if (count === 0) {
      return result.getAttribute("data-pc-none");
    }
    if (count === 1) {
      return result.getAttribute("data-pc-one");
    }
    return result.getAttribute("data-pc-other").replace("#", String(count));
  }

  // The excerpt as nodes: its text and <mark> elements only, whatever else the string holds.
  function excerptNodes(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html; // inert: a template's content runs no script and loads nothing
    var nodes = [];
    parsed.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        nodes.push(mark);
      } else {
        nodes.push(document.createTextNode(node.textContent));
      }
    });
    return nodes;
  }

  function item(data) {
    var entry = document.createElement("li");
    entry.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = data.url;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    var title = document.createElement("h1");
    title.textContent = (data.meta && data.meta.title) || data.url;
    var excerpt = document.createElement("p");
    excerptNodes(data.excerpt || "").forEach(function (node) {
      excerpt.appendChild(node);
    });
    article.appendChild(icon);
    article.appendChild(title);
    if (data.meta && data.meta.version && data.meta.status) {
      // A protocol page's version and status (its status line), so a reviewer tells the copies apart.
      var status = document.createElement("p");
      status.className = "pc-search-status";
      status.textContent = "Version " + data.meta.version + " · " + data.meta.status;
      article.appendChild(status);
    }
    article.appendChild(excerpt);
    link.appendChild(article);
    entry.appendChild(link);
    return entry;
  }

  function moreButton() {
    var entry = document.createElement("li");
    entry.className = "md-search-result__item pc-search-more";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-search-result__more";
    button.textContent = "Show more results";
    button.addEventListener("click", function () {
      var focusNext = list.querySelectorAll(".md-search-result__link").length;
      entry.remove();
      busy(true);
      listNext(asked).then(function () {
        var links = list.querySelectorAll(".md-search-result__link");
        if (links[focusNext]) {
          links[focusNext].focus();
        }
      });
    });
    entry.appendChild(button);
    return entry;
  }

  // The next PAGE_SIZE results, each listed as soon as it and those before it are loaded (the fragments
  // load side by side); a retired protocol stays findable, listed after the others of its batch.
  function listNext(number) {
    var held = [];
    var listed = Promise.resolve();
    shown.splice(0, PAGE_SIZE).map(function (found) {
      return found.data();
    }).forEach(function (loading) {
      listed = listed.then(function () {
        return loading;
      }).then(function (data) {
        if (number !== asked) {
          return;
        }
        if (isRetired(data)) {
          held.push(data);
        } else {
          list.appendChild(item(data));
        }
      });
    });
    return listed.then(function () {
      if (number !== asked) {
        return;
      }
      held.forEach(function (data) {
        list.appendChild(item(data));
      });
      if (shown.length > 0) {
        list.appendChild(moreButton());
      }
      busy(false);
    }, function () {
      if (number === asked) {
        busy(false);
        say(result.getAttribute("data-pc-unavailable"));
      }
    });
  }

  function isRetired(data) {
    return Boolean(data.meta && data.meta.status === "retired");
  }

  function clear() {
    asked += 1;
    shown = [];
    list.textContent = "";
    busy(false);
    say(result.getAttribute("data-pc-placeholder"));
  }

  // One search runs at a time: keys typed meanwhile leave only the latest query waiting, so fast typing
  // does not queue a search per key in front of the one the reader wants.
  function search(query) {
    if (query.trim().length < MIN_QUERY) {
      waiting = null;
      clear();
      return;
    }
    asked += 1;
    busy(true);
    waiting = { query: query, number: asked };
    if (!running) {
      runWaiting();
    }
  }

  function runWaiting() {
    var job = waiting;
    waiting = null;
    running = job !== null;
    if (job === null) {
      return;
    }
    pagefind().then(function (module) {
      return module.search(job.query);
    }).then(function (found) {
      if (job.number !== asked) {
        return;
      }
      if (found === null) {
        busy(false);
        return;
      }
      shown = found.results.slice();
      list.textContent = "";
      say(counted(found.results.length));
      listNext(job.number);
    }).catch(function () {
      if (job.number === asked) {
        list.textContent = "";
        busy(false);
        say(result.getAttribute("data-pc-unavailable"));
      }
    }).then(runWaiting);
  }

  function open() {
    if (!toggle.checked) {
      toggle.checked = true;
    }
  }

  function close() {
    toggle.checked = false;
    input.blur();
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link, .md-search-result__more"));
  }

  function editable(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Load Pagefind and the index's entry files as soon as the reader heads for the box (pointer over it,
  // the phone's magnifier touched, focus): they arrive while the first letters are typed. A page that is
  // only read loads none of it.
  function warm() {
    pagefind().then(function (module) {
      return module.init();
    }).catch(function () {
      return null; // reported by the search itself
    });
  }

  input.addEventListener("focus", function () {
    open();
    warm();
  });
  root.addEventListener("pointerenter", warm, { once: true });
  document.querySelectorAll('label[for="__search"]').forEach(function (label) {
    label.addEventListener("pointerdown", warm, { once: true });
  });
  input.addEventListener("input", function () {
    search(input.value);
  });
  toggle.addEventListener("change", function () {
    if (toggle.checked) {
      input.focus(); // the header's magnifier on a phone opens the box through the toggle
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector(".md-search-result__link");
    if (first) {
      window.location.href = first.href;
    }
  });
  form.addEventListener("reset", function () {
    clear();
    window.setTimeout(function () {
      input.focus();
    }, 0);
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    if (!toggle.checked) {
      if (SHORTCUTS[event.key] && !editable(event.target)) {
        event.preventDefault();
        open();
        input.focus();
        input.select();
      }
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    var targets = [input].concat(links());
    var at = targets.indexOf(document.activeElement);
    if (at === -1) {
      return;
    }
    event.preventDefault();
    var next = event.key === "ArrowDown" ? Math.min(at + 1, targets.length - 1) : Math.max(at - 1, 0);
    targets[next].focus();
  });
})();
