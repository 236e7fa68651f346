"""The MkDocs engine around the rendered pages: configuration, the plugin, atomic output, the dev server."""
