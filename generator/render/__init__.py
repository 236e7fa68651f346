"""The render layer: pure functions from a checked library to the site's pages, `{relative path: text}`.

`render_site` and the page families live in generator.render.families. This package imports nothing, so
that `protocols check` does not load the templates and every page module.
"""
