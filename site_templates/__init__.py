"""The site's page templates (*.j2), static assets (assets/) and theme overrides (overrides/).

Not code: this file makes the folder the package ``generator.site_templates`` (pyproject.toml maps it), so
that a wheel ships these files inside the generator and an editable install resolves them to this folder.
Locate them with ``generator.resources``, never by a path into the source tree.
"""
