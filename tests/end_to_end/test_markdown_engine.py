"""The HTML made from author text reaches the built page exactly as rendered: MkDocs (Python-Markdown with
attr_list, md_in_html, tables, toc) places it as a block and changes nothing in it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from browser import REPO_ROOT

from generator.approvals.site_links import SiteLinks
from generator.load.library import load_library
from generator.render.html_page import html_page
from generator.render.inline_render import PageContext, render_markdown
from generator.render.page_links import localize
from generator.render.placed_page import placed_page
from generator.site.atomic_output import build_site

RICH = """\
## A heading {#not-an-id}

Give **{{ ketamine-iv.dose }}** *slowly*, see [[#monitoring]] and [the label](https://example.org/a_b?c=1&d=2)
[@phillips-2019]. A hard\\
break, `code {: #x }`, <https://example.org>, an \\*escaped\\* star and 5 &lt; 6 &amp; 7.

- one
- two with [[ketamine-crps|a link]]

  and a second paragraph

1. first
2. second

> quoted *text* [x](javascript:alert(1))

| left | right |
|:-----|------:|
| a_b  | 1 {: .c } |

```yaml
# a comment
key: {{ "value" }}

after a blank line
```

    indented code

#not-a-heading line
***
"""


def _normalised(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def test_author_html_survives_the_engine_unchanged(tmp_path: Path) -> None:
    library = load_library(REPO_ROOT / "protocols")
    links = SiteLinks.for_build(library, dt.date(2026, 6, 1), reviewer=False)
    doc = library.protocols["ketamine-trd"].versions["1.0"].doc
    fragment = render_markdown(RICH, PageContext("protocols/ketamine-trd/index.md", links, doc))
    assert "<table>" in fragment and "<pre><code>" in fragment and "<blockquote>" in fragment
    assert '<a href="/protocols/ketamine-crps/index.md">a link</a>' in fragment  # root-relative until placed
    # on a Markdown page (Python-Markdown places it as a block) and on an HTML page (placed as written)
    # A Markdown page's links are its writer's business (the engine wraps its quantities); an HTML page is
    # placed by render (quantities wrapped, links relative to the page)
    placed_markdown = localize(fragment, "protocols/ketamine-trd/index.md", True)
    pages = {"index.md": "# Home\n", "protocols/ketamine-trd/index.md": f"# Page\n\n{placed_markdown}\n\nAfter.\n",
             "protocols/ketamine-crps/index.md": placed_page(
                 "protocols/ketamine-crps/index.md", html_page("Page", f"{fragment}\n<p>After.</p>\n"), True)}
    out = tmp_path / "site"
    build_site(pages, out, None, False, dt.date(2026, 6, 1))
    for path in ("protocols/ketamine-trd/index.md", "protocols/ketamine-crps/index.md"):
        built = (out / path.replace(".md", ".html")).read_text(encoding="utf-8")
        article = built.split("<article", 1)[1].split("</article>", 1)[0]
        # The one change to the text: quantities kept on one line (render/nowrap.py), outside code.
        assert '<strong><span class="pc-nowrap">0.5 mg/kg</span></strong>' in article, path
        kept_together = re.sub(r'<span class="pc-nowrap">([^<]*)</span>', r"\1", article)
        assert _normalised(localize(fragment, path, True)) in _normalised(kept_together), path
        assert 'id="not-an-id"' not in article and 'id="x"' not in article and 'class="c"' not in article
        assert '<h1 id="page">Page<a class="headerlink" href="#page" title="Permanent link">&para;</a></h1>' in article
    crps = (out / "protocols/ketamine-crps/index.html").read_text(encoding="utf-8")
    assert '<a href="#">a link</a>' in crps  # the link to the page itself
